// The generic timers' interrupt outputs (Arm ARM D11.2.4): each PE's EL1 physical, EL1
// virtual and EL2 physical timer drives a level-sensitive PPI of the GIC, asserted while
// ENABLE = 1, IMASK = 0 and ISTATUS = 1 (CVAL ≤ the counter). The registers themselves are
// in arch/sysreg/timer.ts; this model recomputes the outputs when one is written (the PE's
// onTimerChange hook) and as virtual time passes (TimedDevice.sync at the end of every round,
// or after the machine jumps over idle time), and tells the machine when the next timer will
// fire so that PEs waiting in WFI wake then instead of the machine stopping as wedged.
//
// Deterministic: the counter is virtual time (machine.ts header); output changes inside a
// quantum are seen at its end (or at once when the guest writes the timer or reads its CTL).
//
// Event streams (Arm ARM D11.2.3): CNTKCTL_EL1.EVNTEN makes a transition of CNTVCT bit EVNTI
// (0→1, or 1→0 with EVNTDIR) set the PE's event register; CNTHCTL_EL2 does the same with
// CNTPCT. Linux enables one so that WFE-based delays and spin-waits always end; here the
// events are delivered at round ends, and a machine whose PEs all wait in WFE jumps to the
// next one instead of stopping as wedged.
import type { Pe } from '../../arch/pe.js';
import { TIMERS, TimerId, timerFires, CTL_ENABLE, CTL_IMASK, physicalCount, virtualCount } from '../../arch/sysreg/timer.js';
import { sr } from '../../arch/sysreg/index.js';
import type { TimedDevice } from '../machine.js';

export interface TimerPpis {
  /** INTIDs the EL1 physical, EL1 virtual and EL2 physical timers drive (TimerId order). */
  readonly intids: readonly [number, number, number];
  setPpiLine(peId: number, intid: number, level: boolean): void;
}

export class GenericTimers implements TimedDevice {
  /** Last level driven, per PE × timer. */
  private readonly level: Uint8Array;
  private readonly cntvoff = sr('CNTVOFF_EL2');
  private readonly cntkctl = sr('CNTKCTL_EL1');
  private readonly cnthctl = sr('CNTHCTL_EL2');
  /** Per PE × stream (EL1 virtual, EL2 physical): the count at the last sync. */
  private readonly lastCount: bigint[];

  constructor(
    private readonly pes: readonly Pe[],
    private readonly cntfrq: number,
    private readonly out: TimerPpis,
  ) {
    this.level = new Uint8Array(pes.length * TIMERS.length);
    this.lastCount = new Array<bigint>(pes.length * 2).fill(0n);
    for (const pe of pes) pe.onTimerChange = (p) => this.refresh(p);
  }

  /** Recompute PE `pe`'s three outputs and drive the changed ones. */
  refresh(pe: Pe): void {
    for (let id = 0; id < TIMERS.length; id++) {
      const v = timerFires(pe, id as TimerId) ? 1 : 0;
      const k = pe.id * TIMERS.length + id;
      if (this.level[k] === v) continue;
      this.level[k] = v;
      this.out.setPpiLine(pe.id, this.out.intids[id], v === 1);
    }
  }

  sync(_nowNs: number): void {
    for (const pe of this.pes) {
      this.refresh(pe);
      this.eventStreams(pe);
    }
  }

  /** The event-stream controls of stream `s` (0: CNTKCTL_EL1 on CNTVCT, 1: CNTHCTL_EL2 on CNTPCT). */
  private stream(pe: Pe, s: number): { ctl: number; count: bigint } | null {
    if (s === 1 && !pe.cfg.hasEl2) return null;
    const ctl = Number(pe.sys[s === 0 ? this.cntkctl : this.cnthctl] & 0xffn);
    if (!(ctl & EVNTEN)) return null;
    return { ctl, count: s === 0 ? virtualCount(pe) : physicalCount(pe) };
  }

  /** Set the event register of a PE whose stream's trigger bit made its transition since the last sync. */
  private eventStreams(pe: Pe): void {
    for (let s = 0; s < 2; s++) {
      const k = pe.id * 2 + s;
      const st = this.stream(pe, s);
      if (!st) continue;
      const last = this.lastCount[k];
      this.lastCount[k] = st.count;
      if (st.count > last && nextTrigger(last, st.ctl) <= st.count) pe.eventReg = 1;
    }
  }

  /** The earliest time a timer that is enabled, unmasked and not yet firing reaches its CVAL. */
  nextEventNs(nowNs: number): number | undefined {
    let best: number | undefined;
    for (const pe of this.pes) {
      if (pe.off) continue;
      for (let id = 0; id < TIMERS.length; id++) {
        const t = TIMERS[id];
        if (t.el2Only && !pe.cfg.hasEl2) continue;
        if ((pe.sys[t.ctl()] & (CTL_ENABLE | CTL_IMASK)) !== CTL_ENABLE) continue;
        // The physical count at which it fires: CVAL, plus CNTVOFF_EL2 for the virtual timer
        // (modulo 2^64: CNTVCT = CNTPCT − CNTVOFF wraps, e.g. with an offset above CNTPCT).
        const off = id === TimerId.Virt && pe.cfg.hasEl2 ? pe.sys[this.cntvoff] : 0n;
        const ticks = BigInt.asUintN(64, pe.sys[t.cval()] + off);
        const ns = (ticks * 1_000_000_000n + BigInt(this.cntfrq) - 1n) / BigInt(this.cntfrq);
        if (ns > BigInt(Number.MAX_SAFE_INTEGER)) continue;
        const at = Number(ns);
        if (at > nowNs && (best === undefined || at < best)) best = at;
      }
      // An event stream matters only to a PE waiting for an event (otherwise it would keep a
      // machine whose PEs all wait in WFI for nothing from ever being found wedged).
      if (pe.sleeping !== 'wfe') continue;
      for (let s = 0; s < 2; s++) {
        const st = this.stream(pe, s);
        if (!st) continue;
        // Ticks to go until the trigger, converted to ns from now (the counts are this PE's now).
        const ticks = nextTrigger(st.count, st.ctl) - st.count;
        const at = nowNs + Math.max(1, Math.ceil((Number(ticks) * 1e9) / this.cntfrq));
        if (best === undefined || at < best) best = at;
      }
    }
    return best;
  }
}

const EVNTEN = 1 << 2;
const EVNTDIR = 1 << 3;

/** The first count above `c` at which bit EVNTI makes the transition EVNTDIR selects. */
function nextTrigger(c: bigint, ctl: number): bigint {
  const bit = BigInt((ctl >>> 4) & 0xf);
  const period = 1n << (bit + 1n);
  // 0→1 happens at counts ≡ 2^bit (mod 2^(bit+1)); 1→0 at counts ≡ 0.
  const phase = ctl & EVNTDIR ? 0n : 1n << bit;
  let t = c - (c % period) + phase;
  if (t <= c) t += period;
  return t;
}
