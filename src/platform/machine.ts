// The machine: PEs on one bus, run interleaved in fixed quanta, with virtual time and the
// firmware services (PSCI, semihosting, the counter) every PE reaches through its PeHost.
//
// Scheduling (DESIGN.md §2): rounds. In each round every powered-on PE, in id order, runs
// `quantum` instructions (fewer if it sleeps, powers off or the machine stops). A sleeping PE
// is skipped until something can wake it. Nothing depends on the host clock, so the same
// image and input give the same interleaving, the same console output, the same counter
// values, every time.
//
// Virtual time: one instruction takes 1 ns, and all PEs run in parallel. The machine clock
// `nowNs` is the time at the start of the current round; it advances by `quantum` ns per
// round (the round's length, whoever ran). A PE's own time inside its slice is
// `nowNs + instructions it retired so far in this round`. The generic counter (CNTPCT) is
// that time scaled to CNTFRQ: ticks = floor(ns × cntfrq / 10^9); at QEMU 7.2's 62.5 MHz that
// is one tick per 16 instructions. When every live PE sleeps, time jumps to the next event
// any timed device announces; if there is none, nothing can ever happen again: the machine
// is wedged.
import { Pe, type PeConfig, type PeHost } from '../arch/pe.js';
import { anyInterruptPending, checkInterrupts } from '../arch/interrupts.js';
import { SPSR } from '../arch/pstate.js';
import type { Bus } from './bus.js';
import { PAGE_SIZE } from './bus.js';
import { Psci, type PsciPlatform } from './firmware/psci.js';
import { Semihosting } from './firmware/semihosting.js';
import { DataCache, DCACHE_DEFAULTS, type DataCacheOptions } from '../arch/cache/dcache.js';
import { RuleChecker, StrictRuleViolation, formatEvent } from '../arch/rules/checker.js';

export const DEFAULT_QUANTUM = 1000;
/** CNTFRQ_EL0 of QEMU 7.2's cortex-a57 (62.5 MHz; QEMU 9+ machine types use 1 GHz). */
export const DEFAULT_CNTFRQ = 62_500_000;
/** The A64 encoding of `b .` (B with imm26 = 0). */
const B_SELF = 0x1400_0000;
const AIF = SPSR.A | SPSR.I | SPSR.F;

/** Why the machine stopped, and the process status the CLI exits with. */
export type StopReason =
  | { kind: 'system-off'; pe: number }
  | { kind: 'system-reset'; pe: number }
  | { kind: 'exit'; pe: number; status: number; why: string }
  | { kind: 'max-insns'; limit: number }
  | { kind: 'wedged'; detail: string }
  | { kind: 'rule'; detail: string }
  | { kind: 'all-off' };

/** A device with a notion of time (the generic timer): told when time passes, asked for its next event. */
export interface TimedDevice {
  /** Virtual time moved to `nowNs` (end of a round, or a jump while all PEs sleep). */
  sync?(nowNs: number): void;
  /** The earliest future time (> nowNs) at which it will raise an interrupt, if any. */
  nextEventNs?(nowNs: number): number | undefined;
}

export interface MachineConfig {
  bus: Bus;
  cpus: PeConfig[];
  /** The EL PEs come out of reset in (EL2 when the board models EL2, else EL1). */
  bootEl: 1 | 2;
  /** PSCI conduit: SMC at EL2-capable boards, HVC otherwise (QEMU's rule). */
  conduit: 'smc' | 'hvc';
  /** Answer HLT #0xF000 (default true); off → HLT is UNDEFINED. */
  semihosting?: boolean;
  /** Semihosting console output (the UART has its own sink, normally the same stream). */
  console: (byte: number) => void;
  quantum?: number;
  cntfrq?: number;
  /** Stop after this many retired instructions in total (all PEs). */
  maxInsns?: number;
  /** Called before each instruction when tracing (slow: one-instruction steps). */
  trace?: (pe: Pe, pc: number, word: number | null) => void;
}

export class Machine implements PsciPlatform {
  readonly bus: Bus;
  readonly pes: Pe[];
  readonly bootEl: 1 | 2;
  readonly quantum: number;
  readonly cntfrq: number;
  readonly psci: Psci;
  readonly semihosting: Semihosting;
  readonly timed: TimedDevice[] = [];
  /** Native-call handlers by index (arch/native.ts): the hypervisor's entry points. */
  readonly nativeCalls = new Map<number, (pe: Pe) => void>();
  /** The architecture-rule checker (issue 3): always on; `strict` makes a violation stop the run. */
  readonly rules: RuleChecker;
  maxInsns: number;
  trace: MachineConfig['trace'];

  /** Virtual time at the start of the current round (ns). */
  nowNs = 0;
  /** Instructions retired by all PEs. */
  totalRetired = 0;
  stopReason: StopReason | null = null;
  private readonly roundStart: number[];
  /** Per PE: did any *other* PE retire instructions since it last ran (may have sent an event)? */
  private readonly othersRan: boolean[];
  /** Per PE: spinning on `b .` with A, I and F masked — it can never leave. */
  private readonly stuck: boolean[];

  constructor(cfg: MachineConfig) {
    this.bus = cfg.bus;
    this.bootEl = cfg.bootEl;
    this.quantum = cfg.quantum ?? DEFAULT_QUANTUM;
    this.cntfrq = cfg.cntfrq ?? DEFAULT_CNTFRQ;
    this.maxInsns = cfg.maxInsns ?? Infinity;
    this.trace = cfg.trace;
    this.psci = new Psci(this);
    this.semihosting = new Semihosting({
      console: cfg.console,
      exit: (pe, status, why) => this.halt({ kind: 'exit', pe: pe.id, status, why }),
      nowNs: (pe) => this.peNowNs(pe),
    });
    const semi = cfg.semihosting ?? true;
    const host: PeHost = {
      smc: (pe) => cfg.conduit === 'smc' && this.psci.call(pe),
      hvcFirmware: (pe) => cfg.conduit === 'hvc' && this.psci.call(pe),
      semihosting: (pe) => semi && this.semihosting.call(pe),
      counter: (pe) => this.counter(pe),
      sev: (from) => {
        for (const pe of this.pes) {
          if (pe === from) continue;
          pe.eventReg = 1;
          if (pe.sleeping === 'wfe') pe.sleeping = '';
        }
      },
      tlbiBroadcast: (from, scope) => {
        for (const pe of this.pes) if (pe !== from) pe.invalidateTlb(scope);
      },
      nativeCall: (pe, index) => {
        const h = this.nativeCalls.get(index);
        if (!h) return false;
        h(pe);
        return true;
      },
    };
    this.pes = cfg.cpus.map((c) => {
      const pe = new Pe(c, cfg.bus);
      pe.host = host;
      pe.off = true;
      return pe;
    });
    this.rules = new RuleChecker(cfg.bus);
    for (const pe of this.pes) this.rules.attach(pe);
    this.roundStart = this.pes.map(() => 0);
    this.othersRan = this.pes.map(() => false);
    this.stuck = this.pes.map(() => false);
  }

  /** Cold-reset PE `id` into the boot EL at `entry` and power it on; x0..x3 as given. */
  boot(id: number, entry: number, x0: number | bigint = 0): Pe {
    const pe = this.pes[id];
    pe.reset(this.bootEl, entry);
    const v = BigInt.asUintN(64, BigInt(x0));
    pe.x[0] = Number(v & 0xffff_ffffn);
    pe.x[1] = Number(v >> 32n);
    pe.off = false;
    pe.attention = 1;
    return pe;
  }

  /**
   * Put the data-cache model (arch/cache/dcache.ts) in front of RAM. Off by default: then no
   * access pays anything for it. Fast-TLB entries made before are dropped (they read memory).
   */
  enableDataCache(o: Partial<DataCacheOptions> = {}): DataCache {
    const dc = new DataCache(this.bus, { ...DCACHE_DEFAULTS, ...o });
    this.bus.dcache = dc;
    for (const pe of this.pes) pe.flushTlb();
    return dc;
  }

  addTimed(dev: TimedDevice): void {
    this.timed.push(dev);
  }

  /** Virtual time of `pe` now, in ns (see the header). */
  peNowNs(pe: Pe): number {
    return this.nowNs + (pe.retired - this.roundStart[pe.id]);
  }

  /** CNTPCT as `pe` reads it. */
  counter(pe: Pe): bigint {
    return (BigInt(this.peNowNs(pe)) * BigInt(this.cntfrq)) / 1_000_000_000n;
  }

  // --- PsciPlatform ----------------------------------------------------------------------------

  systemOff(by: Pe): void {
    this.halt({ kind: 'system-off', pe: by.id });
  }

  systemReset(by: Pe): void {
    this.halt({ kind: 'system-reset', pe: by.id });
  }

  /** Stop the machine: every PE powers off (at once, so the running one leaves its loop). */
  halt(reason: StopReason): void {
    if (!this.stopReason) this.stopReason = reason;
    for (const pe of this.pes) {
      pe.off = true;
      pe.attention = 1;
    }
  }

  // --- running ---------------------------------------------------------------------------------

  /**
   * Run up to `rounds` rounds. Returns the stop reason once the machine has stopped, or null
   * if it is still running (call again; the CLI yields to the host event loop in between).
   */
  run(rounds = Infinity): StopReason | null {
    for (let r = 0; r < rounds && !this.stopReason; r++) this.round();
    return this.stopReason;
  }

  private round(): void {
    let progress = false;
    let anyLive = false;
    let anyRan = false;
    // The longest slice of this round: a PE's time inside its slice is nowNs + what it retired,
    // so the round must last at least that long or its counter would run backwards next round
    // (a native call — the hypervisor's — can retire more than a quantum at once).
    let longest = this.quantum;
    for (const pe of this.pes) {
      if (this.stopReason) return;
      if (pe.off) continue;
      anyLive = true;
      if (pe.sleeping !== '' && this.canWake(pe)) {
        pe.sleeping = '';
        pe.attention = 1;
      }
      if (pe.sleeping !== '') continue;
      const remaining = this.maxInsns - this.totalRetired;
      if (remaining <= 0) {
        this.halt({ kind: 'max-insns', limit: this.maxInsns });
        return;
      }
      this.roundStart[pe.id] = pe.retired;
      let n: number;
      const before = pe.retired;
      try {
        n = this.trace ? this.traceSlice(pe, Math.min(this.quantum, remaining)) : pe.run(Math.min(this.quantum, remaining));
      } catch (e) {
        if (!(e instanceof StrictRuleViolation)) throw e;
        this.totalRetired += pe.retired - before;
        this.halt({ kind: 'rule', detail: formatEvent(e.event).replace(/^armvisor: /, '') });
        return;
      }
      this.roundStart[pe.id] = pe.retired;
      longest = Math.max(longest, pe.retired - before);
      this.totalRetired += n;
      if (n > 0) {
        anyRan = true;
        for (let i = 0; i < this.pes.length; i++) if (i !== pe.id) this.othersRan[i] = true;
      }
      this.othersRan[pe.id] = false;
      this.stuck[pe.id] = n > 0 && !pe.off && pe.sleeping === '' && this.spinsForever(pe);
      if (n > 0 && !this.stuck[pe.id]) progress = true;
    }
    if (this.stopReason) return;
    if (!anyLive) {
      this.halt({ kind: 'all-off' });
      return;
    }
    if (anyRan) {
      this.advance(this.nowNs + longest);
      if (progress) return;
    }
    // Nobody made progress: everyone sleeps (or spins on `b .` with interrupts masked). Only
    // a timed device can change that; jump to its next event.
    const next = this.nextEventNs();
    if (next === undefined || !this.pes.some((p) => !p.off && p.sleeping !== '')) {
      this.halt({ kind: 'wedged', detail: this.wedgeDetail() });
      return;
    }
    this.advance(Math.max(next, this.nowNs + 1));
  }

  private advance(t: number): void {
    this.nowNs = t;
    for (const d of this.timed) d.sync?.(t);
  }

  private nextEventNs(): number | undefined {
    let best: number | undefined;
    for (const d of this.timed) {
      const t = d.nextEventNs?.(this.nowNs);
      if (t !== undefined && (best === undefined || t < best)) best = t;
    }
    return best;
  }

  /**
   * Whether a sleeping PE has a reason to wake. WFI: a pending interrupt, masked or not (Arm
   * ARM D1.6.2). WFE: that, its event register, or another PE having run since it slept (an
   * SEV or a store that cleared its monitor may have been issued; WFE may wake spuriously
   * anyway, so waking it is always architecturally allowed).
   */
  private canWake(pe: Pe): boolean {
    if (anyInterruptPending(pe)) return true;
    if (pe.sleeping === 'wfe') return pe.eventReg !== 0 || this.othersRan[pe.id];
    return false;
  }

  /**
   * `b .` with SError, IRQ and FIQ masked, or an instruction abort whose vector is the faulting
   * address itself (exception entry masks A, I and F): nothing can ever take the PE elsewhere.
   */
  private spinsForever(pe: Pe): boolean {
    if (pe.recursiveFault) return true;
    return pe.pc === pe.curPc && (pe.daif & AIF) === AIF && pe.currentWord() === B_SELF;
  }

  private wedgeDetail(): string {
    const parts: string[] = [];
    for (const pe of this.pes) {
      if (pe.off) continue;
      const where = `at ${hexPc(pe.sleeping ? pe.pc : pe.curPc)} EL${pe.el}`;
      if (pe.sleeping) parts.push(`PE${pe.id} asleep in ${pe.sleeping.toUpperCase()} ${where} with nothing to wake it`);
      else if (pe.recursiveFault)
        parts.push(
          `PE${pe.id} re-taking an instruction abort at its own vector ${hexPc(pe.pc)} EL${pe.el} (no executable exception handler)`,
        );
      else parts.push(`PE${pe.id} spinning on 'b .' with interrupts masked ${where}`);
    }
    return parts.join('; ');
  }

  /** One instruction at a time, reporting each to the tracer before it executes. */
  private traceSlice(pe: Pe, budget: number): number {
    const start = pe.retired;
    while (pe.retired - start < budget && !pe.off && pe.sleeping === '') {
      if (pe.attention) {
        pe.attention = 0;
        checkInterrupts(pe);
      }
      let off = pe.pc - pe.fetchBase;
      if (!(off >= 0 && off < PAGE_SIZE && (off & 3) === 0)) {
        const pc = pe.pc;
        if (!pe.fetchMiss(pc)) {
          this.trace!(pe, pc, null);
          continue;
        }
        off = pe.pc - pe.fetchBase;
      }
      this.trace!(pe, pe.pc, pe.fetchPage!.view.getUint32(off, true));
      pe.run(1);
    }
    return pe.retired - start;
  }
}

function hexPc(pc: number): string {
  return '0x' + BigInt.asUintN(64, BigInt(pc)).toString(16).padStart(16, '0');
}

/** What a stop means for the process: exit status and the line for stderr (if any). */
export function describeStop(r: StopReason): { status: number; message: string | null } {
  switch (r.kind) {
    case 'system-off':
      return { status: 0, message: null };
    case 'system-reset':
      // QEMU would reboot the board; a reset request ends our run, successfully.
      return { status: 0, message: `PE${r.pe} requested PSCI SYSTEM_RESET; stopping instead of rebooting` };
    case 'exit':
      return { status: r.status, message: r.status === 0 || r.why === 'semihosting SYS_EXIT' ? null : `guest stopped: ${r.why}` };
    case 'max-insns':
      return { status: 2, message: `stopped after --max-insns ${r.limit} instructions` };
    case 'wedged':
      return { status: 3, message: `machine wedged: ${r.detail}` };
    case 'all-off':
      return { status: 3, message: 'every PE is powered off but nothing called PSCI SYSTEM_OFF' };
    case 'rule':
      return { status: 4, message: `stopped by --strict: ${r.detail}` };
  }
}
