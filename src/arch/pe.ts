// The processing element (PE): architectural state, the fetch/execute loop and the data
// access fast path. Everything slow or rare (translation, faults, exceptions, MMIO) lives in
// the modules this one calls, so the hot loop stays small enough for V8 to optimise.
//
// Register file: X0..X30 as (lo, hi) uint32 pairs in `x` at [2n], [2n+1]. Slot 31 holds the
// *current* stack pointer (SP_EL0 or SP_ELx per PSTATE.SP); the other SPs are banked in
// `spBank` and swapped on every EL/SPSel change, so instructions that name SP read slot 31.
// XZR is resolved at decode time (ops that read register 31 as zero never touch slot 31).
import type { Bus, RamPage } from '../platform/bus.js';
import { PAGE_SIZE } from '../platform/bus.js';
import type { Op } from './a64/op.js';
import { decodeOp } from './a64/decode.js';
import { allSysRegs, sr } from './sysreg/index.js';
import { SPSR, modeBits } from './pstate.js';
import type { SysRegDef } from './sysreg/types.js';
import { fetchSlow, readSlow, writeSlow, AccessFlags } from './mem/access.js';
import { checkInterrupts } from './interrupts.js';
import { stepActive, takeSoftwareStep, isLoadExclusive } from './softwareStep.js';
import { MmuContext } from './mmu/context.js';
import type { RuleChecker } from './rules/checker.js';
import type { TlbEntry, TlbiScope } from './mmu/tlb.js';
import type { PmsaConfig } from './pmsa/state.js';
import type { GicCpuInterface } from './sysreg/gic.js';

/** Thrown (after the exception has been taken) to abandon the rest of an instruction. */
export const EXCEPTION_TAKEN: unique symbol = Symbol('exception taken');

/** Services the board provides in place of EL3 firmware and a debugger (QEMU does the same). */
export interface PeHost {
  /** SMC not trapped to EL2: PSCI when the conduit is SMC. False → the SMC is UNDEFINED. */
  smc(pe: Pe, imm: number): boolean;
  /** HVC on a PE without EL2: PSCI when the conduit is HVC. False → UNDEFINED. */
  hvcFirmware(pe: Pe, imm: number): boolean;
  /** HLT #0xF000 (A64 semihosting). False → HLT is UNDEFINED (halting debug is off). */
  semihosting(pe: Pe): boolean;
  /** A virtual-time read (CNTPCT): retired instructions scaled to the counter frequency. */
  counter(pe: Pe): bigint;
  /** SEV: set every other PE's event register and wake those waiting in WFE. */
  sev(pe: Pe): void;
  /** TLBI …IS (or under HCR_EL2.FB): apply the same invalidation to every other PE. */
  tlbiBroadcast(pe: Pe, scope: TlbiScope): void;
  /**
   * A native call (arch/native.ts) executed at EL2: run the handler registered for `index`.
   * False → no handler, and the UDF is UNDEFINED as encoded.
   */
  nativeCall?(pe: Pe, index: number): boolean;
}

export interface PeConfig {
  id: number;
  /** MPIDR_EL1 affinity value (Aff0..Aff3, without the RES1 bit 31). */
  affinity: number;
  /** EL2 implemented. QEMU `-M virt` without virtualization=on has no EL2; mirror that. */
  hasEl2: boolean;
  /** Physical address size in bits (ID_AA64MMFR0_EL1.PARange is derived from it). */
  paBits: number;
  /** Profile: Armv8-A (VMSA) or Armv8-R AArch64 (PMSA). */
  profile: 'A' | 'R';
  /** Armv8-R: the MPUs and EL1&0 memory-system options (src/arch/pmsa/state.ts). */
  pmsa?: PmsaConfig;
  /** MIDR_EL1 (and VPIDR_EL2's reset value); default the Cortex-A57's. */
  midr?: bigint;
}

const FAST_TLB = 256;
const EL_COUNT = 3;

export class Pe {
  readonly id: number;
  readonly cfg: PeConfig;
  readonly bus: Bus;
  host!: PeHost;

  // --- architectural state -------------------------------------------------------------
  readonly x = new Uint32Array(64);
  /** Address of the next instruction to execute (signed-canonical JS number; see mem/va.ts). */
  pc = 0;
  /** Address of the instruction executing now (valid inside an Op). */
  curPc = 0;
  n = 0;
  z = 0;
  c = 0;
  v = 0;
  el = 1;
  spSel = 1;
  /** PSTATE.{D,A,I,F} in their SPSR bit positions (9..6). */
  daif: number = SPSR.DAIF_MASK;
  il = 0;
  ss = 0;
  /** Software step is active (cached; recomputed at every attention checkpoint). */
  stepping = false;
  /** The last instruction was stepped: 1, or 2 when it was a load-exclusive (ESR EX). */
  stepped = 0;
  /** Exception returns so far (stepping an ERET must not clear the PSTATE.SS it restored). */
  erets = 0;
  /** SP_EL0..SP_EL3 (lo, hi); the live one is in x[62..63] instead. */
  readonly spBank = new Uint32Array(8);
  /** System-register storage, indexed by catalogue position. */
  readonly sys: bigint[];
  /** Event register (WFE/SEV). */
  eventReg = 0;
  /** Local exclusive monitor: tagged physical address (or -1 when open). */
  exclusivePa = -1;
  exclusiveSize = 0;
  /** High half of the last 64-bit read (read64 returns the low half). */
  rhi = 0;

  // --- execution control -----------------------------------------------------------------
  /** Retired instructions since reset (virtual time, DESIGN.md §2). */
  retired = 0;
  /** Non-zero when something needs the loop's attention (interrupt lines, halt request). */
  attention = 0;
  /** Stopped in WFI/WFE waiting for an event or interrupt. */
  sleeping: '' | 'wfi' | 'wfe' = '';
  /**
   * The last instruction fetch faulted and its exception vector is that same address: the PE
   * re-takes the same abort forever (e.g. VBAR still 0 on a board with no RAM there).
   */
  recursiveFault = false;
  /** Powered off (PSCI CPU_OFF, or never started). */
  off = true;
  /** Physical interrupt lines from the interrupt controller. */
  irqLine = false;
  fiqLine = false;
  serrorLine = false;
  /** Virtual IRQ/FIQ lines from the GIC virtual CPU interface (OR-ed with HCR_EL2.VI/VF). */
  vIrqLine = false;
  vFiqLine = false;
  /** The GIC CPU interface behind the ICC_* registers (null: no system-register interface). */
  gic: GicCpuInterface | null = null;
  /** Told after a write to a generic-timer register (the timer model recomputes its outputs). */
  onTimerChange: ((pe: Pe) => void) | null = null;

  // Cached control bits, refreshed whenever SCTLR/HCR/TCR... are written (refreshControl).
  sctlrEl1 = 0;
  sctlrEl2 = 0;
  hcrLo = 0;
  hcrHi = 0;
  /** Translation regimes' decoded controls and the TLB. */
  readonly mmu = new MmuContext();
  /** The machine's architecture-rule checker, when enabled. */
  rules: RuleChecker | null = null;
  /** Told about every translation fault before it is taken (`armvisor run --explain`). */
  onTranslationFault: ((pe: Pe, va: number, el: number, fetch: boolean, what: string) => void) | null = null;
  /** Told about every new TLB entry (`armvisor run --trace-tlb`). */
  onTlbFill: ((pe: Pe, e: TlbEntry) => void) | null = null;

  // --- instruction fetch window: decoded ops of the current 4 KiB VA page -------------------
  fetchBase = NaN;
  fetchOps: (Op | undefined)[] = [];
  fetchPage: RamPage | null = null;

  // --- data access fast TLB: VA page → host page, per EL, read and write -------------------
  private readonly rTags: Float64Array[] = [];
  private readonly wTags: Float64Array[] = [];
  private readonly rViewsByEl: DataView[][] = [];
  private readonly wViewsByEl: DataView[][] = [];
  private readonly wPpnByEl: Float64Array[] = [];
  private rTag: Float64Array;
  private wTag: Float64Array;
  private rView: DataView[];
  private wView: DataView[];

  // Storage indices resolved once (the catalogue is complete by construction time).
  readonly srSCTLR_EL1 = sr('SCTLR_EL1');
  readonly srSCTLR_EL2 = sr('SCTLR_EL2');
  readonly srHCR_EL2 = sr('HCR_EL2');
  readonly srTCR_EL1 = sr('TCR_EL1');

  constructor(cfg: PeConfig, bus: Bus) {
    this.id = cfg.id;
    this.cfg = cfg;
    this.bus = bus;
    const defs = allSysRegs();
    this.sys = new Array<bigint>(defs.length).fill(0n);
    for (let e = 0; e < EL_COUNT; e++) {
      this.rTags.push(new Float64Array(FAST_TLB).fill(NaN));
      this.wTags.push(new Float64Array(FAST_TLB).fill(NaN));
      this.wPpnByEl.push(new Float64Array(FAST_TLB).fill(NaN));
      this.rViewsByEl.push(new Array<DataView>(FAST_TLB));
      this.wViewsByEl.push(new Array<DataView>(FAST_TLB));
    }
    this.rTag = this.rTags[1];
    this.wTag = this.wTags[1];
    this.rView = this.rViewsByEl[1];
    this.wView = this.wViewsByEl[1];
    bus.onSlowWritePage((ppn) => this.dropFastWrites(ppn));
    this.reset(1, 0);
  }

  /** Cold reset into `el` (1 or 2) at `entry`, MMU off, all interrupts masked. */
  reset(el: number, entry: number): void {
    const defs = allSysRegs();
    defs.forEach((d, i) => {
      this.sys[i] = typeof d.reset === 'function' ? d.reset(this) : (d.reset ?? 0n);
    });
    this.x.fill(0);
    this.spBank.fill(0);
    this.n = this.z = this.c = this.v = 0;
    this.daif = SPSR.DAIF_MASK;
    this.il = this.ss = 0;
    this.el = el;
    this.spSel = 1;
    this.pc = entry;
    this.exclusivePa = -1;
    this.eventReg = 0;
    this.sleeping = '';
    // The GIC CPU interface's registers reset with the PE (IHI 0069 §12.2: PE reset values).
    this.gic?.resetPe?.(this);
    this.refreshControl();
    this.selectFastTlb();
  }

  sysDef(i: number): SysRegDef {
    return allSysRegs()[i];
  }

  // --- PSTATE --------------------------------------------------------------------------------

  /** PSTATE in SPSR format (what an exception saves). */
  pstateBits(): number {
    return (
      ((this.n << 31) |
        (this.z << 30) |
        (this.c << 29) |
        (this.v << 28) |
        (this.ss << 21) |
        (this.il << 20) |
        this.daif |
        modeBits(this.el, this.spSel)) >>>
      0
    );
  }

  setNzcv(bits: number): void {
    this.n = (bits >>> 31) & 1;
    this.z = (bits >>> 30) & 1;
    this.c = (bits >>> 29) & 1;
    this.v = (bits >>> 28) & 1;
  }

  /** Change EL and/or SPSel, banking the live stack pointer. */
  setElSp(el: number, spSel: number): void {
    const oldSlot = this.spSel ? this.el : 0;
    const newSlot = spSel ? el : 0;
    if (oldSlot !== newSlot) {
      this.spBank[oldSlot * 2] = this.x[62];
      this.spBank[oldSlot * 2 + 1] = this.x[63];
      this.x[62] = this.spBank[newSlot * 2];
      this.x[63] = this.spBank[newSlot * 2 + 1];
    }
    const elChanged = el !== this.el;
    this.el = el;
    this.spSel = spSel;
    if (elChanged) {
      this.selectFastTlb();
      this.flushFetch();
    }
  }

  /** Read a banked SP_ELn (n may be the live one). */
  getSp(n: number): bigint {
    const live = this.spSel ? this.el : 0;
    if (n === live) return (BigInt(this.x[63]) << 32n) | BigInt(this.x[62]);
    return (BigInt(this.spBank[n * 2 + 1]) << 32n) | BigInt(this.spBank[n * 2]);
  }

  setSp(n: number, v: bigint): void {
    const lo = Number(v & 0xffffffffn);
    const hi = Number((v >> 32n) & 0xffffffffn);
    const live = this.spSel ? this.el : 0;
    if (n === live) {
      this.x[62] = lo;
      this.x[63] = hi;
    } else {
      this.spBank[n * 2] = lo;
      this.spBank[n * 2 + 1] = hi;
    }
  }

  /** Re-derive cached control bits after a write to SCTLR_ELx, HCR_EL2 or friends. */
  refreshControl(): void {
    this.sctlrEl1 = Number(this.sys[this.srSCTLR_EL1] & 0xffffffffn);
    this.sctlrEl2 = Number(this.sys[this.srSCTLR_EL2] & 0xffffffffn);
    const hcr = this.sys[this.srHCR_EL2];
    this.hcrLo = Number(hcr & 0xffffffffn);
    this.hcrHi = Number(hcr >> 32n);
    const prev = this.mmu.refresh(this);
    if (prev && this.rules) this.rules.controlChanged(this, prev);
    this.flushTlb();
    this.attention = 1;
  }

  // --- fetch -----------------------------------------------------------------------------

  flushFetch(): void {
    this.fetchBase = NaN;
  }

  /** The instruction word at curPc (for syndromes and traces); the fetch window holds it. */
  currentWord(): number {
    const off = this.curPc - this.fetchBase;
    if (this.fetchPage && off >= 0 && off < PAGE_SIZE) return this.fetchPage.view.getUint32(off, true);
    return 0;
  }

  /**
   * Run up to `budget` instructions; returns how many retired. Returns early when the PE
   * sleeps, powers off or something needs the machine's attention.
   */
  run(budget: number): number {
    const start = this.retired;
    const end = start + budget;
    while (this.retired < end && !this.off && this.sleeping === '') {
      try {
        if (this.attention) {
          this.attention = 0;
          checkInterrupts(this);
          this.stepping = stepActive(this);
        }
        if (this.stepping) this.stepOne();
        else this.runInner(end);
      } catch (e) {
        if (e !== EXCEPTION_TAKEN) throw e;
        // The faulting instruction did not retire; the exception entry itself takes time
        // so that an exception loop still advances virtual time.
        this.retired++;
        this.stepping = stepActive(this);
        this.stepped = 0;
      }
    }
    return this.retired - start;
  }

  /**
   * Software step (softwareStep.ts): active-pending takes the exception; active-not-pending
   * executes one instruction and then clears PSTATE.SS — unless that instruction was an ERET,
   * which set PSTATE.SS from SPSR_ELx itself.
   */
  private stepOne(): void {
    if (!this.ss) {
      const stepped = this.stepped;
      this.stepped = 0;
      takeSoftwareStep(this, stepped !== 0, stepped === 2);
    }
    const erets = this.erets;
    const before = this.retired;
    this.runInner(before + 1);
    if (this.retired === before) return;
    const word = this.currentWord();
    if (this.erets === erets) this.ss = 0;
    this.stepped = isLoadExclusive(word) ? 2 : 1;
    this.stepping = stepActive(this);
  }

  private runInner(end: number): void {
    while (this.retired < end && this.attention === 0) {
      const pc = this.pc;
      const off = pc - this.fetchBase;
      let op: Op | undefined;
      if (off >= 0 && off < PAGE_SIZE && (off & 3) === 0) {
        op = this.fetchOps[off >> 2];
        if (op === undefined) op = this.decodeAt(off);
      } else {
        this.fetchMiss(pc);
        continue;
      }
      this.curPc = pc;
      this.pc = pc + 4;
      op(this);
      this.retired++;
    }
  }

  /**
   * Load the fetch window for `pc`, or take the fetch fault. Returns true when the window is
   * loaded. A fault costs time like an instruction, so a guest whose vectors are unmapped
   * still reaches --max-insns; a fault whose vector is the faulting address itself can never
   * be left, and is flagged for the machine's wedge detection.
   */
  fetchMiss(pc: number): boolean {
    const loaded = fetchSlow(this, pc);
    this.recursiveFault = !loaded && this.pc === pc;
    if (!loaded) this.retired++;
    return loaded;
  }

  private decodeAt(off: number): Op {
    const page = this.fetchPage!;
    const word = page.view.getUint32(off, true);
    const op = decodeOp(word);
    this.fetchOps[off >> 2] = op;
    page.decoded++;
    return op;
  }

  // --- data access fast paths ---------------------------------------------------------------
  // Aligned accesses that hit the fast TLB go straight to the host page; everything else
  // (misalignment, MMIO, faults, first touch, code pages for writes) takes the slow path.

  read8(va: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    const i = vpn & (FAST_TLB - 1);
    if (this.rTag[i] === vpn) return this.rView[i].getUint8(va - vpn * PAGE_SIZE);
    return readSlow(this, va, 1, AccessFlags.None);
  }

  read16(va: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    const i = vpn & (FAST_TLB - 1);
    if (this.rTag[i] === vpn && (va & 1) === 0) return this.rView[i].getUint16(va - vpn * PAGE_SIZE, true);
    return readSlow(this, va, 2, AccessFlags.None);
  }

  read32(va: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    const i = vpn & (FAST_TLB - 1);
    if (this.rTag[i] === vpn && (va & 3) === 0) return this.rView[i].getUint32(va - vpn * PAGE_SIZE, true);
    return readSlow(this, va, 4, AccessFlags.None);
  }

  /** Returns the low half; the high half is left in `rhi`. */
  read64(va: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    const i = vpn & (FAST_TLB - 1);
    if (this.rTag[i] === vpn && (va & 7) === 0) {
      const dv = this.rView[i];
      const o = va - vpn * PAGE_SIZE;
      this.rhi = dv.getUint32(o + 4, true);
      return dv.getUint32(o, true);
    }
    return readSlow(this, va, 8, AccessFlags.None);
  }

  write8(va: number, v: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const i = vpn & (FAST_TLB - 1);
    if (this.wTag[i] === vpn) {
      this.wView[i].setUint8(va - vpn * PAGE_SIZE, v);
      return;
    }
    writeSlow(this, va, 1, v, 0, AccessFlags.None);
  }

  write16(va: number, v: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const i = vpn & (FAST_TLB - 1);
    if (this.wTag[i] === vpn && (va & 1) === 0) {
      this.wView[i].setUint16(va - vpn * PAGE_SIZE, v, true);
      return;
    }
    writeSlow(this, va, 2, v, 0, AccessFlags.None);
  }

  write32(va: number, v: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const i = vpn & (FAST_TLB - 1);
    if (this.wTag[i] === vpn && (va & 3) === 0) {
      this.wView[i].setUint32(va - vpn * PAGE_SIZE, v, true);
      return;
    }
    writeSlow(this, va, 4, v, 0, AccessFlags.None);
  }

  write64(va: number, lo: number, hi: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const i = vpn & (FAST_TLB - 1);
    if (this.wTag[i] === vpn && (va & 7) === 0) {
      const dv = this.wView[i];
      const o = va - vpn * PAGE_SIZE;
      dv.setUint32(o, lo, true);
      dv.setUint32(o + 4, hi, true);
      return;
    }
    writeSlow(this, va, 8, lo, hi, AccessFlags.None);
  }

  // --- fast TLB maintenance -----------------------------------------------------------------

  private selectFastTlb(): void {
    const e = this.el > 2 ? 2 : this.el;
    this.rTag = this.rTags[e];
    this.wTag = this.wTags[e];
    this.rView = this.rViewsByEl[e];
    this.wView = this.wViewsByEl[e];
  }

  /** Install fast read and/or write entries for the current EL, as the translation allows. */
  fillFast(va: number, page: RamPage, readable: boolean, writable: boolean): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const i = vpn & (FAST_TLB - 1);
    // A write-only mapping (stage-2 S2AP = 0b10) must not get a read entry.
    if (readable) {
      this.rTag[i] = vpn;
      this.rView[i] = page.view;
    }
    // Code pages, pages under an exclusive reservation and pages holding live translation
    // descriptors take the slow path for stores, which invalidates decoded ops, clears other
    // PEs' monitors (the global monitor) and lets the rule checker see descriptor changes.
    if (writable && page.code === null && page.monitors === 0 && page.ptWatch === 0) {
      this.wTag[i] = vpn;
      this.wView[i] = page.view;
      this.wPpnByEl[this.el > 2 ? 2 : this.el][i] = page.ppn;
    }
  }

  /** Apply a TLBI's scope to this PE's TLB (and drop the untagged fast TLB whole). */
  invalidateTlb(scope: TlbiScope): void {
    this.mmu.tlb.invalidate(scope);
    this.flushTlb();
  }

  /** Forget the fast TLB and fetch window (TLBI, translation-control writes). */
  flushTlb(): void {
    for (let e = 0; e < EL_COUNT; e++) {
      this.rTags[e].fill(NaN);
      this.wTags[e].fill(NaN);
    }
    this.flushFetch();
  }

  private dropFastWrites(ppn: number): void {
    for (let e = 0; e < EL_COUNT; e++) {
      const p = this.wPpnByEl[e];
      for (let i = 0; i < FAST_TLB; i++) if (p[i] === ppn) this.wTags[e][i] = NaN;
    }
  }
}
