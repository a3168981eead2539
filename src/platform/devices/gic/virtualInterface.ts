// The GICv3 virtual CPU interface (IHI 0069 chapter 6 "Virtual interrupt handling and
// prioritization"): the ICH_*_EL2 control registers a hypervisor programs (§12.4), and the
// ICV_* view an EL1 guest gets of the ICC_* registers while HCR_EL2.IMO/FMO are set (§12.3).
//
// Virtual interrupts exist only as list registers: ICH_LR<n>_EL2 holds a vINTID, its group,
// priority and state (pending/active), and with HW = 1 the physical INTID to deactivate when
// the guest deactivates the virtual one (§6.1.2). Acknowledge, priority drop and deactivation
// mirror the physical interface (cpuInterface.ts) over the LRs, ICH_VMCR_EL2 (the guest's
// PMR/BPR/group enables/EOImode) and ICH_AP0R0/AP1R0 (the guest's active priorities). The
// result drives the PE's virtual IRQ/FIQ inputs (interrupts.ts takes them at EL1 when IMO/FMO
// route them) and the maintenance interrupt, a level PPI asserted while ICH_HCR_EL2.En = 1 and
// ICH_MISR_EL2 is non-zero (§6.4.3). Choices where the architecture leaves room follow QEMU 7.2.
import type { Pe } from '../../../arch/pe.js';
import { Access } from '../../../arch/sysreg/types.js';
import { Icc, ICH_LR_COUNT, VirtClass } from '../../../arch/sysreg/gic.js';
import { INTID_SPURIOUS, PRI_BITS } from './consts.js';
import { ICH_LR } from '../../../arch/gic/regs.js';

/** ICH_LR<n>_EL2 fields (§12.4.6): the shared GICv3 register map's. */
const {
  STATE_SHIFT: LR_STATE_SHIFT,
  PENDING: LR_PENDING,
  ACTIVE: LR_ACTIVE,
  HW: LR_HW,
  GROUP1: LR_GROUP,
  EOI: LR_EOI,
  PRIO_SHIFT: LR_PRIO_SHIFT,
} = ICH_LR;
/** The priority bits that exist (5): the others are RES0. */
const LR_PRIO_RES0 = BigInt(0xff >> PRI_BITS) << LR_PRIO_SHIFT;

/** ICH_HCR_EL2 (§12.4.3): En, UIE, LRENPIE, NPIE, VGrp{0,1}{E,D}IE, TC, TALL0, TALL1, TSEI, TDIR, EOIcount. */
const HCR = { EN: 1, UIE: 2, LRENPIE: 4, NPIE: 8, VGRP0EIE: 16, VGRP0DIE: 32, VGRP1EIE: 64, VGRP1DIE: 128 } as const;
const HCR_TC = 1 << 10;
const HCR_TALL0 = 1 << 11;
const HCR_TALL1 = 1 << 12;
const HCR_TDIR = 1 << 14;
const HCR_WRITABLE = 0xff | (0x1f << 10) | (0x1f << 27);
const EOICOUNT_SHIFT = 27;

/** ICH_MISR_EL2 bits (§12.4.5). */
const MISR = { EOI: 1, U: 2, LRENP: 4, NP: 8, VGRP0E: 16, VGRP0D: 32, VGRP1E: 64, VGRP1D: 128 } as const;

/** ICH_VMCR_EL2 (§12.4.9): VENG0, VENG1, VFIQEn (RES1), VCBPR, VEOIM, VBPR1, VBPR0, VPMR. */
const VMCR = { VENG0: 1, VENG1: 2, VFIQEN: 8, VCBPR: 16, VEOIM: 1 << 9 } as const;
const VBPR1_SHIFT = 18;
const VBPR0_SHIFT = 21;
const VPMR_SHIFT = 24;
const VMCR_WRITABLE = VMCR.VENG0 | VMCR.VENG1 | VMCR.VCBPR | VMCR.VEOIM | (7 << VBPR1_SHIFT) | (7 << VBPR0_SHIFT) | (0xff << VPMR_SHIFT);
const MIN_VBPR0 = 7 - PRI_BITS;

/**
 * ICH_VTR_EL2 as QEMU 7.2 reports it (0x90B80003): ListRegs = 3 (4 LRs), TDS, nV4, A3V,
 * IDbits = 1 (24-bit), PREbits = PRIbits = 4 (5 bits).
 */
const VTR = 0x90b8_0003n;
/** ICV_CTLR_EL1 read-only fields: A3V, IDbits = 1, PRIbits = 4 (as ICC_CTLR_EL1). */
const VCTLR_RO = (1 << 15) | (1 << 11) | ((PRI_BITS - 1) << 8);
const APR_SHIFT = 8 - PRI_BITS;

function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

const lrState = (lr: bigint): number => Number(lr >> LR_STATE_SHIFT);
const lrPrio = (lr: bigint): number => Number((lr >> LR_PRIO_SHIFT) & 0xffn);
const lrGroup = (lr: bigint): number => ((lr & LR_GROUP) !== 0n ? 1 : 0);
const lrVintid = (lr: bigint): number => Number(lr & 0xffff_ffffn);

/** One PE's virtual interface state. */
export class VirtCpu {
  hcr = 0;
  vmcr = VMCR.VFIQEN | (MIN_VBPR0 << VBPR0_SHIFT) | ((MIN_VBPR0 + 1) << VBPR1_SHIFT);
  readonly lr: bigint[] = new Array<bigint>(ICH_LR_COUNT).fill(0n);
  ap0 = 0;
  ap1 = 0;
  maintenance = false;
}

/** What the virtual interface needs from the rest of the GIC. */
export interface VirtualHost {
  readonly pes: readonly Pe[];
  /** Deactivate a physical INTID on this PE (HW = 1 list registers). */
  deactivatePhysical(peId: number, intid: number): void;
  /** Drive the maintenance interrupt (a PPI) of this PE. */
  setMaintenance(peId: number, level: boolean): void;
}

export class VirtualCpuInterface {
  readonly cpus: VirtCpu[];

  constructor(private readonly host: VirtualHost) {
    this.cpus = host.pes.map(() => new VirtCpu());
  }

  reset(peId: number): void {
    const wasAsserted = this.cpus[peId].maintenance;
    this.cpus[peId] = new VirtCpu();
    if (wasAsserted) this.host.setMaintenance(peId, false);
    this.update(peId);
  }

  // --- priorities (§6.3, the virtual twin of §4.8) -----------------------------------------

  private vbpr0(v: VirtCpu): number {
    return (v.vmcr >>> VBPR0_SHIFT) & 7;
  }

  private vbpr1(v: VirtCpu): number {
    return v.vmcr & VMCR.VCBPR ? Math.min(this.vbpr0(v) + 1, 7) : (v.vmcr >>> VBPR1_SHIFT) & 7;
  }

  private gprioMask(v: VirtCpu, group: number): number {
    const bpr = group === 0 || v.vmcr & VMCR.VCBPR ? this.vbpr0(v) : this.vbpr1(v) - 1;
    return (0xff << (bpr + 1)) & 0xff;
  }

  private runningPriority(v: VirtCpu): number {
    const b = Math.min(ctz32(v.ap0), ctz32(v.ap1));
    return b === 32 ? 0xff : b << APR_SHIFT;
  }

  /** The pending LR of highest priority whose group is enabled (lowest index among equals), or −1. */
  private hppvi(v: VirtCpu): number {
    let best = -1;
    let prio = 0x100;
    for (let i = 0; i < ICH_LR_COUNT; i++) {
      const lr = v.lr[i];
      if (lrState(lr) !== 1) continue;
      if (!(v.vmcr & (lrGroup(lr) ? VMCR.VENG1 : VMCR.VENG0))) continue;
      if (lrPrio(lr) < prio) {
        prio = lrPrio(lr);
        best = i;
      }
    }
    return best;
  }

  /** ICH_HCR_EL2.En, priority below VPMR, group priority above the virtual running priority. */
  private canPreempt(v: VirtCpu, lr: bigint): boolean {
    if (!(v.hcr & HCR.EN)) return false;
    const prio = lrPrio(lr);
    if (prio >= v.vmcr >>> VPMR_SHIFT) return false;
    const rpr = this.runningPriority(v);
    if (rpr === 0xff) return true;
    const mask = this.gprioMask(v, lrGroup(lr));
    return (prio & mask) < (rpr & mask);
  }

  // --- maintenance (§6.4.3) ---------------------------------------------------------------

  private eisr(v: VirtCpu): number {
    let m = 0;
    v.lr.forEach((lr, i) => {
      if (lrState(lr) === 0 && !(lr & LR_HW) && lr & LR_EOI) m |= 1 << i;
    });
    return m;
  }

  private elrsr(v: VirtCpu): number {
    let m = 0;
    v.lr.forEach((lr, i) => {
      if (lrState(lr) === 0 && (lr & LR_HW || !(lr & LR_EOI))) m |= 1 << i;
    });
    return m;
  }

  private misr(v: VirtCpu): number {
    let m = 0;
    if (this.eisr(v)) m |= MISR.EOI;
    const valid = v.lr.filter((lr) => lrState(lr) !== 0).length;
    if (v.hcr & HCR.UIE && valid <= 1) m |= MISR.U;
    if (v.hcr & HCR.LRENPIE && v.hcr >>> EOICOUNT_SHIFT) m |= MISR.LRENP;
    if (v.hcr & HCR.NPIE && !v.lr.some((lr) => lrState(lr) === 1)) m |= MISR.NP;
    const g0 = (v.vmcr & VMCR.VENG0) !== 0;
    const g1 = (v.vmcr & VMCR.VENG1) !== 0;
    if (v.hcr & HCR.VGRP0EIE && g0) m |= MISR.VGRP0E;
    if (v.hcr & HCR.VGRP0DIE && !g0) m |= MISR.VGRP0D;
    if (v.hcr & HCR.VGRP1EIE && g1) m |= MISR.VGRP1E;
    if (v.hcr & HCR.VGRP1DIE && !g1) m |= MISR.VGRP1D;
    return m;
  }

  /** Recompute the PE's virtual IRQ/FIQ inputs and its maintenance interrupt. */
  update(peId: number): void {
    const v = this.cpus[peId];
    const pe = this.host.pes[peId];
    const i = this.hppvi(v);
    const signal = i >= 0 && this.canPreempt(v, v.lr[i]);
    const irq = signal && lrGroup(v.lr[i]) === 1;
    const fiq = signal && lrGroup(v.lr[i]) === 0;
    if (pe.vIrqLine !== irq || pe.vFiqLine !== fiq) {
      pe.vIrqLine = irq;
      pe.vFiqLine = fiq;
      pe.attention = 1;
    }
    const maint = (v.hcr & HCR.EN) !== 0 && this.misr(v) !== 0;
    if (maint !== v.maintenance) {
      v.maintenance = maint;
      this.host.setMaintenance(peId, maint);
    }
  }

  // --- acknowledge, EOI, deactivation -------------------------------------------------------

  private acknowledge(peId: number, group: number): number {
    const v = this.cpus[peId];
    const i = this.hppvi(v);
    if (i < 0) return INTID_SPURIOUS;
    const lr = v.lr[i];
    if (lrGroup(lr) !== group || !this.canPreempt(v, lr)) return INTID_SPURIOUS;
    const bit = (lrPrio(lr) & this.gprioMask(v, group)) >> APR_SHIFT;
    if (group) v.ap1 = (v.ap1 | (1 << bit)) >>> 0;
    else v.ap0 = (v.ap0 | (1 << bit)) >>> 0;
    v.lr[i] = (lr & ~LR_PENDING) | LR_ACTIVE;
    this.update(peId);
    return lrVintid(lr);
  }

  /** Clear the highest active priority bit (either group); returns that priority, 0xFF if none. */
  private dropPriority(v: VirtCpu): number {
    const g0 = ctz32(v.ap0);
    const g1 = ctz32(v.ap1);
    if (g0 === 32 && g1 === 32) return 0xff;
    if (g1 < g0) {
      v.ap1 &= v.ap1 - 1;
      return g1 << APR_SHIFT;
    }
    v.ap0 &= v.ap0 - 1;
    return g0 << APR_SHIFT;
  }

  private findActive(v: VirtCpu, id: number): number {
    return v.lr.findIndex((lr) => (lr & LR_ACTIVE) !== 0n && lrVintid(lr) === id);
  }

  /** Active → invalid, active+pending → pending; a HW LR deactivates its physical INTID (§6.1.2). */
  private deactivateLr(peId: number, v: VirtCpu, i: number): void {
    const lr = v.lr[i];
    if (lr & LR_HW) {
      const pintid = Number((lr >> 32n) & 0x3ffn);
      if (pintid < 1020) this.host.deactivatePhysical(peId, pintid);
    }
    v.lr[i] = lr & ~LR_ACTIVE;
  }

  /** No LR holds the INTID being EOIed/deactivated: ICH_HCR_EL2.EOIcount counts it (§6.4.3). */
  private countEoi(v: VirtCpu): void {
    const n = ((v.hcr >>> EOICOUNT_SHIFT) + 1) & 0x1f;
    v.hcr = ((v.hcr & ~(0x1f << EOICOUNT_SHIFT)) | (n << EOICOUNT_SHIFT)) >>> 0;
  }

  /**
   * ICV_EOIRn_EL1: the priority drop happens first (QEMU's IMPLEMENTATION DEFINED choice);
   * with nothing active the LRs are not looked at. Then, unless VEOIM = 1, the LR whose
   * vINTID is active is deactivated if its group and group priority match the dropped one.
   */
  private endOfInterrupt(peId: number, group: number, id: number): void {
    const v = this.cpus[peId];
    if (id >= 1020) return;
    const dropped = this.dropPriority(v);
    if (dropped !== 0xff) {
      const i = this.findActive(v, id);
      if (i < 0) this.countEoi(v);
      else {
        const lr = v.lr[i];
        const match = lrGroup(lr) === group && (lrPrio(lr) & this.gprioMask(v, group)) === dropped;
        if (match && !(v.vmcr & VMCR.VEOIM)) this.deactivateLr(peId, v, i);
      }
    }
    this.update(peId);
  }

  private deactivate(peId: number, id: number): void {
    const v = this.cpus[peId];
    if (id >= 1020 || !(v.vmcr & VMCR.VEOIM)) return;
    const i = this.findActive(v, id);
    if (i < 0) this.countEoi(v);
    else this.deactivateLr(peId, v, i);
    this.update(peId);
  }

  // --- the registers ---------------------------------------------------------------------

  /** ICH_HCR_EL2 traps of EL1 accesses to the virtual interface (§12.4.3). */
  access(pe: Pe, cls: VirtClass): Access {
    const h = this.cpus[pe.id].hcr;
    switch (cls) {
      case VirtClass.Group0:
        return h & HCR_TALL0 ? Access.TrapEl2 : Access.Ok;
      case VirtClass.Group1:
        return h & HCR_TALL1 ? Access.TrapEl2 : Access.Ok;
      case VirtClass.Common:
        return h & HCR_TC ? Access.TrapEl2 : Access.Ok;
      case VirtClass.Dir:
        return h & (HCR_TC | HCR_TDIR) ? Access.TrapEl2 : Access.Ok;
    }
  }

  /** ICV_* reads (EL1 with IMO/FMO set). */
  readIcv(pe: Pe, r: Icc): bigint {
    const v = this.cpus[pe.id];
    switch (r) {
      case Icc.PMR:
        return BigInt(v.vmcr >>> VPMR_SHIFT);
      case Icc.IAR0:
        return BigInt(this.acknowledge(pe.id, 0));
      case Icc.IAR1:
        return BigInt(this.acknowledge(pe.id, 1));
      case Icc.HPPIR0:
      case Icc.HPPIR1: {
        const i = this.hppvi(v);
        const group = r === Icc.HPPIR1 ? 1 : 0;
        return BigInt(i >= 0 && lrGroup(v.lr[i]) === group ? lrVintid(v.lr[i]) : INTID_SPURIOUS);
      }
      case Icc.BPR0:
        return BigInt(this.vbpr0(v));
      case Icc.BPR1:
        return BigInt(this.vbpr1(v));
      case Icc.AP0R0:
        return BigInt(v.ap0);
      case Icc.AP1R0:
        return BigInt(v.ap1);
      case Icc.RPR:
        return BigInt(this.runningPriority(v));
      case Icc.CTLR:
        return BigInt(VCTLR_RO | (v.vmcr & VMCR.VCBPR ? 1 : 0) | (v.vmcr & VMCR.VEOIM ? 2 : 0));
      case Icc.IGRPEN0:
        return BigInt(v.vmcr & VMCR.VENG0 ? 1 : 0);
      case Icc.IGRPEN1:
        return BigInt(v.vmcr & VMCR.VENG1 ? 1 : 0);
      default:
        return 0n;
    }
  }

  /** ICV_* writes. */
  writeIcv(pe: Pe, r: Icc, x: bigint): void {
    const v = this.cpus[pe.id];
    const w = Number(x & 0xffff_ffffn);
    const setVmcr = (mask: number, bits: number): void => {
      v.vmcr = ((v.vmcr & ~mask) | (bits & mask)) >>> 0;
    };
    switch (r) {
      case Icc.PMR:
        setVmcr(0xff << VPMR_SHIFT, (w & (0xff << APR_SHIFT) & 0xff) << VPMR_SHIFT);
        break;
      case Icc.EOIR0:
        return this.endOfInterrupt(pe.id, 0, w & 0xff_ffff);
      case Icc.EOIR1:
        return this.endOfInterrupt(pe.id, 1, w & 0xff_ffff);
      case Icc.DIR:
        return this.deactivate(pe.id, w & 0xff_ffff);
      case Icc.BPR0:
        setVmcr(7 << VBPR0_SHIFT, Math.max(w & 7, MIN_VBPR0) << VBPR0_SHIFT);
        break;
      case Icc.BPR1:
        if (!(v.vmcr & VMCR.VCBPR)) setVmcr(7 << VBPR1_SHIFT, Math.max(w & 7, MIN_VBPR0 + 1) << VBPR1_SHIFT);
        break;
      case Icc.AP0R0:
        v.ap0 = w >>> 0;
        break;
      case Icc.AP1R0:
        v.ap1 = w >>> 0;
        break;
      case Icc.CTLR:
        setVmcr(VMCR.VCBPR | VMCR.VEOIM, (w & 1 ? VMCR.VCBPR : 0) | (w & 2 ? VMCR.VEOIM : 0));
        break;
      case Icc.IGRPEN0:
        setVmcr(VMCR.VENG0, w & 1 ? VMCR.VENG0 : 0);
        break;
      case Icc.IGRPEN1:
        setVmcr(VMCR.VENG1, w & 1 ? VMCR.VENG1 : 0);
        break;
      default:
        return;
    }
    this.update(pe.id);
  }

  /** ICH_*_EL2 reads. */
  readIch(pe: Pe, r: Icc): bigint {
    const v = this.cpus[pe.id];
    switch (r) {
      case Icc.ICH_AP0R0:
        return BigInt(v.ap0);
      case Icc.ICH_AP1R0:
        return BigInt(v.ap1);
      case Icc.ICH_HCR:
        return BigInt(v.hcr);
      case Icc.ICH_VTR:
        return VTR;
      case Icc.ICH_MISR:
        return BigInt(this.misr(v));
      case Icc.ICH_EISR:
        return BigInt(this.eisr(v));
      case Icc.ICH_ELRSR:
        return BigInt(this.elrsr(v));
      case Icc.ICH_VMCR:
        return BigInt(v.vmcr);
      default:
        return v.lr[r - Icc.ICH_LR0];
    }
  }

  /** ICH_*_EL2 writes. */
  writeIch(pe: Pe, r: Icc, x: bigint): void {
    const v = this.cpus[pe.id];
    const w = Number(x & 0xffff_ffffn);
    switch (r) {
      case Icc.ICH_AP0R0:
        v.ap0 = w >>> 0;
        break;
      case Icc.ICH_AP1R0:
        v.ap1 = w >>> 0;
        break;
      case Icc.ICH_HCR:
        v.hcr = (w & HCR_WRITABLE) >>> 0;
        break;
      case Icc.ICH_VMCR: {
        // VFIQEn is RES1 with the system-register interface; the binary points keep their minimums.
        let m = ((w & VMCR_WRITABLE) | VMCR.VFIQEN) >>> 0;
        const b0 = Math.max((m >>> VBPR0_SHIFT) & 7, MIN_VBPR0);
        const b1 = Math.max((m >>> VBPR1_SHIFT) & 7, MIN_VBPR0 + 1);
        m = ((m & ~((7 << VBPR0_SHIFT) | (7 << VBPR1_SHIFT))) | (b0 << VBPR0_SHIFT) | (b1 << VBPR1_SHIFT)) >>> 0;
        v.vmcr = m;
        break;
      }
      default:
        if (r >= Icc.ICH_LR0 && r < Icc.ICH_LR0 + ICH_LR_COUNT) v.lr[r - Icc.ICH_LR0] = x & ~LR_PRIO_RES0;
        else return;
    }
    this.update(pe.id);
  }
}
