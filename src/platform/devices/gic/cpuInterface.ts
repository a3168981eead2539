// The GICv3 physical CPU interface behind the ICC_* system registers (IHI 0069 §12.2), one
// state block per PE (GicCpu). Priorities follow §4.8: PRI_BITS = 5 bits of priority, so the
// active-priority registers have 32 bits (AP0R0/AP1R0 only) and the minimum binary points are
// BPR0 = 2 and BPR1 = 3 (§4.8.3, QEMU 7.2's reset values).
//
// The ICH_*_EL2 registers and the ICV_* view (EL1 with HCR_EL2.IMO/FMO set) are forwarded to
// the virtual interface (virtualInterface.ts).
import type { Pe } from '../../../arch/pe.js';
import { Icc, type GicCpuInterface, type VirtClass } from '../../../arch/sysreg/gic.js';
import type { Access } from '../../../arch/sysreg/types.js';
import type { VirtualCpuInterface } from './virtualInterface.js';
import type { Gicv3, GicCpu } from './index.js';
import { INTID_SPURIOUS, PRI_BITS } from './consts.js';
import { decodeSgi1r } from '../../../arch/gic/regs.js';

const CTLR_CBPR = 1;
const CTLR_EOIMODE = 2;
/** ICC_CTLR_EL1 read-only fields: A3V (15), IDbits = 1 (24 bits, [13:11]), PRIbits = 4 ([10:8]). */
const CTLR_RO = (1 << 15) | (1 << 11) | ((PRI_BITS - 1) << 8);
/** ICC_SRE_EL1: SRE, DFB, DIB all RAO/WI (no legacy interface). ICC_SRE_EL2 adds Enable. */
const SRE_EL1 = 7n;
const SRE_EL2 = 0xfn;
/** The priority bits that exist: PMR writes keep only these (§12.2.17). */
const PRIO_MASK = (0xff << (8 - PRI_BITS)) & 0xff;
/** Active-priority bit of a group priority: its top PRI_BITS bits. */
const APR_SHIFT = 8 - PRI_BITS;

/** Lowest set bit index of a 32-bit value, 32 when none. */
function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

export class CpuInterface implements GicCpuInterface {
  readonly virtualView = true;

  constructor(
    private readonly gic: Gicv3,
    private readonly virt: VirtualCpuInterface,
  ) {}

  virtualAccess(pe: Pe, cls: VirtClass): Access {
    return this.virt.access(pe, cls);
  }

  readVirtual(pe: Pe, r: Icc): bigint {
    return this.virt.readIcv(pe, r);
  }

  writeVirtual(pe: Pe, r: Icc, v: bigint): void {
    this.virt.writeIcv(pe, r, v);
  }

  resetPe(pe: Pe): void {
    const c = this.gic.cpus[pe.id];
    c.pmr = 0;
    c.bpr0 = 7 - PRI_BITS;
    c.bpr1 = 8 - PRI_BITS;
    c.ctlr = 0;
    c.igrpen0 = c.igrpen1 = 0;
    c.ap0 = c.ap1 = 0;
    this.gic.update(pe.id);
    this.virt.reset(pe.id);
  }

  // --- priority arithmetic (§4.8) ----------------------------------------------------------

  /**
   * The group-priority mask of `group` (§4.8.3): BPR0 for Group 0, BPR1 − 1 for Group 1
   * (ICC_BPR1_EL1 counts one more), or BPR0 for both when ICC_CTLR_EL1.CBPR = 1.
   */
  gprioMask(c: GicCpu, group: number): number {
    let bpr: number;
    if (group === 0 || c.ctlr & CTLR_CBPR) bpr = c.bpr0;
    else bpr = c.bpr1 - 1;
    return (0xff << (bpr + 1)) & 0xff;
  }

  /** Running priority (ICC_RPR_EL1): the highest active group priority, 0xFF when idle. */
  runningPriority(c: GicCpu): number {
    const b = Math.min(ctz32(c.ap0), ctz32(c.ap1));
    return b === 32 ? 0xff : b << APR_SHIFT;
  }

  /** The group of the highest active priority (ties: Group 0), −1 when nothing is active. */
  private highestActiveGroup(c: GicCpu): number {
    const g0 = ctz32(c.ap0);
    const g1 = ctz32(c.ap1);
    if (g1 < g0) return 1;
    return g0 < 32 ? 0 : -1;
  }

  /**
   * May the HPPI be signalled (§4.8.2, §4.8.4)? Its group enabled at the CPU interface,
   * priority strictly below PMR, and group priority strictly higher than the running priority.
   */
  canPreempt(c: GicCpu): boolean {
    if (c.hppiPrio === 0xff) return false;
    if (!(c.hppiGroup ? c.igrpen1 : c.igrpen0)) return false;
    if (c.hppiPrio >= c.pmr) return false;
    const rpr = this.runningPriority(c);
    if (rpr === 0xff) return true;
    const mask = this.gprioMask(c, c.hppiGroup);
    return (c.hppiPrio & mask) < (rpr & mask);
  }

  // --- acknowledge, priority drop, deactivation (§4.1, §4.4) -------------------------------

  /** ICC_HPPIRn_EL1: the HPPI if it is of that group and its group is enabled here. */
  private hppir(c: GicCpu, group: number): number {
    if (c.hppiPrio === 0xff || c.hppiGroup !== group) return INTID_SPURIOUS;
    if (!(group ? c.igrpen1 : c.igrpen0)) return INTID_SPURIOUS;
    return c.hppiId;
  }

  /**
   * ICC_IARn_EL1 (§12.2.12-13): acknowledge the HPPI if it is of that group and may preempt;
   * it becomes active (and stops being pending, unless a level input still asserts it) and
   * its group priority is marked active.
   */
  private acknowledge(pe: Pe, group: number): number {
    const c = this.gic.cpus[pe.id];
    if (!this.canPreempt(c) || c.hppiGroup !== group) return INTID_SPURIOUS;
    const id = c.hppiId;
    const s = this.gic.stateOf(pe.id, id)!;
    const bit = (c.hppiPrio & this.gprioMask(c, group)) >> APR_SHIFT;
    if (group) c.ap1 = (c.ap1 | (1 << bit)) >>> 0;
    else c.ap0 = (c.ap0 | (1 << bit)) >>> 0;
    s.latch[id] = 0;
    s.active[id] = 1;
    this.gic.update(pe.id);
    return id;
  }

  /**
   * ICC_EOIRn_EL1 (§12.2.8-9): drop the running priority if its group is the one written
   * (otherwise the write is ignored, as QEMU does), and deactivate unless EOImode = 1.
   */
  private endOfInterrupt(pe: Pe, group: number, id: number): void {
    const c = this.gic.cpus[pe.id];
    if (id >= 1020) return; // special INTIDs
    if (this.highestActiveGroup(c) !== group) return;
    if (group) c.ap1 &= c.ap1 - 1;
    else c.ap0 &= c.ap0 - 1;
    if (!(c.ctlr & CTLR_EOIMODE)) this.deactivate(pe.id, id);
    this.gic.update(pe.id);
  }

  /** Clear the active state of `id` as PE `peId` sees it (ICC_DIR_EL1, or EOI with EOImode = 0). */
  deactivate(peId: number, id: number): void {
    const s = this.gic.stateOf(peId, id);
    if (!s) return;
    s.active[id] = 0;
    if (id < 32) this.gic.update(peId);
    else this.gic.updateAll();
  }

  /**
   * ICC_SGI0R/SGI1R_EL1 (§12.2.21-23): make SGI `INTID` pending on every PE named by the
   * affinity list (Aff3.Aff2.Aff1 plus a 16-bit target list, offset by RS × 16), or on every
   * other PE with IRM = 1. An SGI reaches a PE only if that PE configures it in the group the
   * register generates (Group 0 for SGI0R, Group 1 for SGI1R); ASGI1R generates the other
   * Security state's Group 1, which does not exist with DS = 1: it has no effect.
   */
  private generateSgi(from: Pe, v: bigint, group: number): void {
    const { intid, targets, aff1, aff2, aff3, rs, irm } = decodeSgi1r(v);
    this.gic.pes.forEach((pe, i) => {
      const a = pe.cfg.affinity;
      if (irm) {
        if (pe === from) return;
      } else {
        const aff0 = a % 256;
        const upper = Math.floor(a / 256);
        if (upper !== aff1 + aff2 * 256 + aff3 * 2 ** 16 * 256) return;
        const idx = aff0 - rs * 16;
        if (idx < 0 || idx > 15 || !((targets >>> idx) & 1)) return;
      }
      const s = this.gic.cpus[i].local;
      if (s.group[intid] !== group) return;
      s.latch[intid] = 1;
      this.gic.update(i);
    });
  }

  // --- the registers ----------------------------------------------------------------------

  read(pe: Pe, r: Icc): bigint {
    if (r >= Icc.ICH_AP0R0) return this.virt.readIch(pe, r);
    const c = this.gic.cpus[pe.id];
    switch (r) {
      case Icc.PMR:
        return BigInt(c.pmr);
      case Icc.IAR0:
        return BigInt(this.acknowledge(pe, 0));
      case Icc.IAR1:
        return BigInt(this.acknowledge(pe, 1));
      case Icc.HPPIR0:
        return BigInt(this.hppir(c, 0));
      case Icc.HPPIR1:
        return BigInt(this.hppir(c, 1));
      case Icc.BPR0:
        return BigInt(c.bpr0);
      case Icc.BPR1:
        // With CBPR, BPR1 reads as BPR0 + 1 saturated at 7 (§12.2.6).
        return BigInt(c.ctlr & CTLR_CBPR ? Math.min(c.bpr0 + 1, 7) : c.bpr1);
      case Icc.AP0R0:
        return BigInt(c.ap0);
      case Icc.AP1R0:
        return BigInt(c.ap1);
      case Icc.RPR:
        return BigInt(this.runningPriority(c));
      case Icc.CTLR:
        return BigInt(CTLR_RO | c.ctlr);
      case Icc.SRE:
        return SRE_EL1;
      case Icc.SRE_EL2:
        return SRE_EL2;
      case Icc.IGRPEN0:
        return BigInt(c.igrpen0);
      case Icc.IGRPEN1:
        return BigInt(c.igrpen1);
      default:
        return 0n; // write-only registers never get here (the catalogue makes reads UNDEFINED)
    }
  }

  write(pe: Pe, r: Icc, v: bigint): void {
    if (r >= Icc.ICH_AP0R0) return this.virt.writeIch(pe, r, v);
    const c = this.gic.cpus[pe.id];
    const w = Number(v & 0xffff_ffffn);
    switch (r) {
      case Icc.PMR:
        c.pmr = w & PRIO_MASK;
        break;
      case Icc.EOIR0:
        return this.endOfInterrupt(pe, 0, w & 0xff_ffff);
      case Icc.EOIR1:
        return this.endOfInterrupt(pe, 1, w & 0xff_ffff);
      case Icc.DIR:
        // Only meaningful with EOImode = 1; otherwise UNPREDICTABLE, and ignored (as QEMU).
        if (c.ctlr & CTLR_EOIMODE) this.deactivate(pe.id, w & 0xff_ffff);
        return;
      case Icc.BPR0:
        c.bpr0 = Math.max(w & 7, 7 - PRI_BITS);
        break;
      case Icc.BPR1:
        if (!(c.ctlr & CTLR_CBPR)) c.bpr1 = Math.max(w & 7, 8 - PRI_BITS);
        break;
      case Icc.AP0R0:
        c.ap0 = w >>> 0;
        break;
      case Icc.AP1R0:
        c.ap1 = w >>> 0;
        break;
      case Icc.CTLR:
        c.ctlr = w & (CTLR_CBPR | CTLR_EOIMODE);
        break;
      case Icc.IGRPEN0:
        c.igrpen0 = w & 1;
        break;
      case Icc.IGRPEN1:
        c.igrpen1 = w & 1;
        break;
      case Icc.SGI0R:
        return this.generateSgi(pe, v, 0);
      case Icc.SGI1R:
        return this.generateSgi(pe, v, 1);
      case Icc.ASGI1R:
      case Icc.SRE:
      case Icc.SRE_EL2:
        return; // no effect (see generateSgi) / RAO/WI
      default:
        return;
    }
    this.gic.update(pe.id);
  }
}
