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
import type { Pe } from '../../arch/pe.js';
import { TIMERS, TimerId, timerFires, CTL_ENABLE, CTL_IMASK } from '../../arch/sysreg/timer.js';
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

  constructor(
    private readonly pes: readonly Pe[],
    private readonly cntfrq: number,
    private readonly out: TimerPpis,
  ) {
    this.level = new Uint8Array(pes.length * TIMERS.length);
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
    for (const pe of this.pes) this.refresh(pe);
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
    }
    return best;
  }
}
