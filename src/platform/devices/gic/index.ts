// A GICv3 (IHI 0069) as QEMU 7.2's `-M virt,gic-version=3` presents it to a guest without EL3:
// one Security state (GICD_CTLR.DS = 1), affinity routing always on (ARE = 1), no LPIs/ITS,
// 256 INTIDs by default (GICD_TYPER.ITLinesNumber = 7; `nrIrqs` up to 1020), 5 bits of priority in the CPU interface.
//
//   distributor.ts     GICD_* frame: SPI state, IROUTER
//   redistributor.ts   GICR_* frames, one RD + SGI pair per PE: SGI/PPI state, WAKER
//   cpuInterface.ts    ICC_* system registers: acknowledge, priority drop, deactivation, SGIs
//   virtualInterface.ts  ICH_*_EL2 and the ICV_* view: list registers, maintenance interrupt
//   irqState.ts        per-interrupt state arrays; irqRegs.ts the register blocks over them
//
// This module owns the state and the one decision the hardware makes continuously (§4.8
// "Interrupt prioritization"): for each PE, the highest-priority pending interrupt (HPPI) and
// whether it may be signalled — Group 1 on the PE's IRQ input, Group 0 on FIQ (with DS = 1
// and no EL3, Group 0 is FIQ and Group 1 is IRQ, §4.6). Every state change recomputes it.
import type { Pe } from '../../../arch/pe.js';
import { IrqState } from './irqState.js';
import { CpuInterface } from './cpuInterface.js';
import { VirtualCpuInterface } from './virtualInterface.js';
import { GIC_NUM_IRQ, GIC_MAX_NUM_IRQ, INTID_SPURIOUS, CTLR_EN_GRP0, CTLR_EN_GRP1, PRI_BITS } from './consts.js';

export * from './consts.js';

/** One PE's redistributor interrupts and CPU interface state. */
export class GicCpu {
  readonly local = new IrqState(32);
  /** GICR_WAKER.ProcessorSleep (ChildrenAsleep follows it at once). Reset: asleep. */
  sleep = true;
  // CPU interface (§12.2); reset values as QEMU 7.2 reports them.
  pmr = 0;
  bpr0 = 7 - PRI_BITS; // the minimum binary point: 2
  bpr1 = 8 - PRI_BITS; // 3
  /** ICC_CTLR_EL1.CBPR (bit 0) and EOImode (bit 1). */
  ctlr = 0;
  igrpen0 = 0;
  igrpen1 = 0;
  /** Active priorities (ICC_AP0R0/AP1R0): bit n = group priority n << (8 − PRI_BITS) is active. */
  ap0 = 0;
  ap1 = 0;
  // The HPPI as last computed.
  hppiId = INTID_SPURIOUS;
  hppiPrio = 0xff;
  hppiGroup = 0;

  constructor() {
    for (let i = 0; i < 16; i++) this.local.edge[i] = 1; // SGIs are edge-triggered (§12.11.8)
  }
}

export class Gicv3 {
  /** GICD_CTLR EnableGrp0 / EnableGrp1. */
  ctlr = 0;
  readonly spis: IrqState;
  /** GICD_IROUTER<n>: Aff2.Aff1.Aff0 (bits 23:0) and Aff3 (bits 39:32), per SPI. */
  readonly routeLo: Uint32Array;
  readonly routeHi: Uint32Array;
  /** The PE each SPI is routed to (−1: no PE has that affinity). */
  readonly spiTarget: Int16Array;
  readonly cpus: GicCpu[];
  readonly cpuInterface: CpuInterface;
  readonly virtual: VirtualCpuInterface;

  /**
   * `maintenanceIntid`: the PPI the virtual interface's maintenance interrupt drives (25, the
   * SBSA's choice, which QEMU virt follows as PPI 9). `nrIrqs`: INTIDs implemented, a
   * multiple of 32 below 1020 (GICD_TYPER.ITLinesNumber = nrIrqs / 32 − 1, §12.9.38); the
   * registers of INTIDs from nrIrqs up are reserved (RAZ/WI).
   */
  constructor(
    readonly pes: readonly Pe[],
    readonly maintenanceIntid = 25,
    readonly nrIrqs = GIC_NUM_IRQ,
  ) {
    if (!Number.isInteger(nrIrqs) || nrIrqs < 64 || nrIrqs % 32 !== 0 || nrIrqs > GIC_MAX_NUM_IRQ) {
      throw new Error(`GIC: ${nrIrqs} INTIDs; must be a multiple of 32 from 64 to ${GIC_MAX_NUM_IRQ}`);
    }
    this.spis = new IrqState(nrIrqs);
    this.routeLo = new Uint32Array(nrIrqs);
    this.routeHi = new Uint32Array(nrIrqs);
    this.spiTarget = new Int16Array(nrIrqs);
    this.cpus = pes.map(() => new GicCpu());
    this.virtual = new VirtualCpuInterface({
      pes,
      deactivatePhysical: (peId, intid) => this.cpuInterface.deactivate(peId, intid),
      setMaintenance: (peId, level) => this.setPpiLine(peId, maintenanceIntid, level),
    });
    this.cpuInterface = new CpuInterface(this, this.virtual);
    for (let i = 32; i < this.nrIrqs; i++) this.setRoute(i, 0, 0);
  }

  /** Attach the CPU interface to every PE's ICC_* registers. */
  attach(): void {
    for (const pe of this.pes) pe.gic = this.cpuInterface;
  }

  /** Drive an SPI's input line (a device's interrupt output). */
  setSpiLine(intid: number, level: boolean): void {
    if (intid < 32 || intid >= this.nrIrqs) throw new Error(`GIC: SPI ${intid} out of range`);
    this.spis.setLine(intid, level);
    const t = this.spiTarget[intid];
    if (t >= 0) this.update(t);
  }

  /** Drive a PPI's input line on PE `peId` (the generic timers). */
  setPpiLine(peId: number, intid: number, level: boolean): void {
    if (intid < 16 || intid >= 32) throw new Error(`GIC: PPI ${intid} out of range`);
    const s = this.cpus[peId].local;
    if ((s.line[intid] !== 0) === level) return;
    s.setLine(intid, level);
    this.update(peId);
  }

  /**
   * IROUTER (§12.9.22): the PE whose affinity matches. GICD_TYPER.No1N = 1 (as on QEMU), so
   * IRM (1-of-N) is RES0 and every SPI has at most one target.
   */
  setRoute(intid: number, lo: number, hi: number): void {
    this.routeLo[intid] = lo & 0x00ff_ffff;
    this.routeHi[intid] = hi & 0xff;
    const aff = this.routeHi[intid] * 2 ** 32 + this.routeLo[intid];
    this.spiTarget[intid] = this.pes.findIndex((p) => p.cfg.affinity === aff);
  }

  /** The state block holding `intid` as seen from PE `peId` (banked below 32). */
  stateOf(peId: number, intid: number): IrqState | null {
    if (intid < 32) return this.cpus[peId].local;
    return intid < this.nrIrqs ? this.spis : null;
  }

  private groupEnabled(group: number): boolean {
    return (this.ctlr & (group ? CTLR_EN_GRP1 : CTLR_EN_GRP0)) !== 0;
  }

  /**
   * The HPPI of PE `peId` (§4.8): pending, enabled, not active, its group enabled in the
   * distributor, priority below 0xFF (the idle priority can never be signalled); among equal
   * priorities the lowest INTID wins (as in QEMU).
   */
  private computeHppi(peId: number): void {
    const c = this.cpus[peId];
    let bestId = INTID_SPURIOUS;
    let bestPrio = 0xff;
    let bestGroup = 0;
    const consider = (s: IrqState, i: number): void => {
      if (!s.enabled[i] || s.active[i] || s.priority[i] >= bestPrio || !s.pending(i)) return;
      if (!this.groupEnabled(s.group[i])) return;
      bestId = i;
      bestPrio = s.priority[i];
      bestGroup = s.group[i];
    };
    for (let i = 0; i < 32; i++) consider(c.local, i);
    for (let i = 32; i < this.nrIrqs; i++) if (this.spiTarget[i] === peId) consider(this.spis, i);
    c.hppiId = bestId;
    c.hppiPrio = bestPrio;
    c.hppiGroup = bestGroup;
  }

  /** Recompute PE `peId`'s HPPI and drive its IRQ/FIQ inputs. */
  update(peId: number): void {
    this.computeHppi(peId);
    const c = this.cpus[peId];
    const signal = this.cpuInterface.canPreempt(c);
    const irq = signal && c.hppiGroup === 1;
    const fiq = signal && c.hppiGroup === 0;
    const pe = this.pes[peId];
    if (pe.irqLine !== irq || pe.fiqLine !== fiq) {
      pe.irqLine = irq;
      pe.fiqLine = fiq;
      pe.attention = 1;
    }
  }

  updateAll(): void {
    for (let i = 0; i < this.cpus.length; i++) this.update(i);
  }
}

export { CpuInterface } from './cpuInterface.js';
export { GicDistributor } from './distributor.js';
export { GicRedistributors } from './redistributor.js';
