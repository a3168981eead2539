// The virtual GICv3 of a domain (xen/arch/arm/vgic-v3.c, vgic.c, gic.c, gic-v3-lr.c): the
// distributor at GUEST_GICV3_GICD_BASE and one redistributor (RD + SGI frame, 128KB) per vCPU
// from GUEST_GICV3_GICR0_BASE, emulated on stage-2 data aborts; virtual interrupts reach the
// guest through the list registers of the pCPU its vCPU runs on (the machine's ICH_*/ICV_*
// model, src/platform/devices/gic/virtualInterface.ts), which it acknowledges and EOIs through
// ICV_* without trapping (HCR_EL2.IMO/FMO).
//
// The state of one virtual INTID is Xen's: enabled, pending (not yet in an LR), priority,
// configuration; once queued in an LR the LR is the truth until it goes invalid. The LRs are
// the vCPU's: read back on every exit from the guest (vgicSyncFromLrs: gic_update_one_lr +
// the save half of gicv3_save_state), written on every entry (vgicFlushLrs: gic_restore_state
// + gic_raise_guest_irq), so the world switch needs no separate LR save/restore, and LRs that
// went invalid are reclaimed on the next exit rather than by a maintenance interrupt.
// Unhandled offsets are RAZ/WI with a "vGICD: unhandled …" line, once per offset (Xen's
// gdprintk is rate-limited for the same reason: a guest must not flood the console).
import { ICH_LR_COUNT } from '../../arch/sysreg/gic.js';
import {
  GICD,
  GICR,
  ICH_LR,
  GICR_SGI_FRAME,
  GICR_STRIDE,
  GICR_WAKER_CHILDREN_ASLEEP,
  GICR_WAKER_PROCESSOR_SLEEP,
} from '../../arch/gic/regs.js';

/**
 * SPIs a domU gets (INTIDs 32..63: GUEST_VPL011_SPI and room; ITLinesNumber = 1). dom0 gets the
 * host's (Xen's vgic_init with gic_number_lines() - 32), so every device SPI it is given exists.
 */
export const VGIC_NR_SPIS = 32;
/** Bytes of one redistributor: RD_base frame + SGI_base frame. */
export { GICR_STRIDE };
/** Bytes of one bit-per-interrupt register bank this vGIC implements past its RAZ word. */
const BANK_BYTES = 4;

/** GICD_CTLR (NS view, Xen's vGIC: ARE_NS RAO, only Group 1 exists): EnableGrp1A, ARE_NS. */
const CTLR_ENABLE_G1A = 1 << 1;
const CTLR_ARE_NS = 1 << 4;
/** GICV3_GICD_IIDR_VAL / GICV3_GICR_IIDR_VAL (Xen: implementer ARM). */
const VGIC_IIDR = 0x34c;
/** PIDR2.ArchRev = 3 (GICv3). */
const PIDR2_GICV3 = 0x3b;
/** GICR_TYPER.Last: this is the last redistributor of the region. */
const GICR_TYPER_LAST = 1n << 4n;
/** GICR_WAKER.ChildrenAsleep (bit 2) follows ProcessorSleep (bit 1). */

/** ICH_LR<n>_EL2 fields (§12.4.6): the shared GICv3 register map's. */
const {
  PENDING: LR_PENDING,
  ACTIVE: LR_ACTIVE,
  GROUP1: LR_GROUP1,
  PRIO_SHIFT: LR_PRIO_SHIFT,
  HW: LR_HW,
  PINTID_SHIFT: LR_PINTID_SHIFT,
} = ICH_LR;
/** ICH_HCR_EL2.En: the virtual CPU interface is on while a vCPU runs. */
export const ICH_HCR_EN = 1n;
/** ICH_VMCR_EL2 at reset: VFIQEn RES1, VBPR0/VBPR1 at their minima for 5 priority BANK_BYTES. */
const VMCR_RESET = 8n | (2n << 21n) | (3n << 18n);

/** One interrupt's configuration and state. */
interface Irq {
  enabled: boolean;
  pending: boolean;
  priority: number;
  /** ICFGR bit: edge-triggered. */
  edge: boolean;
  /** The input line of a level-sensitive device interrupt (vpl011): pending again while high. */
  level: boolean;
}

const newIrq = (intid: number): Irq => ({ enabled: false, pending: false, priority: 0, edge: intid < 16, level: false });

/** A vCPU's banked interrupts (SGIs, PPIs) and its saved virtual CPU interface. */
export interface VgicCpu {
  priv: Irq[];
  waker: number;
  lr: bigint[];
  vmcr: bigint;
  ap1r0: bigint;
  /** Virtual INTIDs currently held by an LR (index = LR number, -1 = free). */
  lrIrq: number[];
}

export interface VgicVcpuRef {
  id: number;
  mpidr: bigint;
}

/** The emulated distributor + redistributors of one domain. */
export class Vgic {
  ctlr = CTLR_ARE_NS;
  readonly spis: Irq[];
  readonly irouter: bigint[];
  /** INTIDs implemented: 32 private ones, then the SPIs (ITLinesNumber rounds up to 32s, as Xen's DIV_ROUND_UP). */
  private readonly nrLines: number;
  readonly cpus: VgicCpu[];
  /** SPIs backed by a physical interrupt (route_irq_to_guest): vINTID → pINTID, HW = 1 LRs. */
  readonly hw = new Map<number, number>();
  private readonly logged = new Set<string>();
  /**
   * vcpu_kick for vCPU `vcpu` of this domain: an interrupt was made pending for it (set by
   * domainVgicInit; unblocks it and tells its pCPU). Xen's vgic_inject_irq ends with it.
   */
  kick: (vcpu: number) => void = () => undefined;

  constructor(
    readonly vcpus: VgicVcpuRef[],
    private readonly log: (line: string) => void,
    nrSpis = VGIC_NR_SPIS,
  ) {
    if (!Number.isInteger(nrSpis) || nrSpis <= 0 || nrSpis > 988) throw new Error(`vGIC: ${nrSpis} SPIs is not in 1..988`);
    this.nrLines = 32 + nrSpis;
    this.spis = Array.from({ length: nrSpis }, (_, i) => newIrq(32 + i));
    this.irouter = new Array<bigint>(nrSpis).fill(0n);
    this.cpus = vcpus.map(() => ({
      priv: Array.from({ length: 32 }, (_, i) => newIrq(i)),
      waker: GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP,
      lr: new Array<bigint>(ICH_LR_COUNT).fill(0n),
      vmcr: VMCR_RESET,
      ap1r0: 0n,
      lrIrq: new Array<number>(ICH_LR_COUNT).fill(-1),
    }));
  }

  /** The Irq of `intid` as seen by vCPU `vcpu` (banked below 32), or null beyond the lines. */
  irq(vcpu: number, intid: number): Irq | null {
    if (intid < 32) return this.cpus[vcpu].priv[intid];
    if (intid < this.nrLines) return this.spis[intid - 32];
    return null;
  }

  private unhandled(who: string, vcpu: number, what: string, offset: number): void {
    const key = `${who}${vcpu}:${what}:${offset}`;
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.log(`v${vcpu}: ${who}: unhandled ${what} offset 0x${offset.toString(16).padStart(6, '0')}`);
  }

  // ---- bit-per-interrupt, byte-per-interrupt and 2-bit-per-interrupt register banks ----

  /** Registers shared by the distributor (INTIDs ≥ 32) and the SGI frame (INTIDs < 32). */
  private readBank(vcpu: number, off: number, size: number, base: number): bigint | null {
    const bit = (r: number, f: (q: Irq) => boolean): bigint => {
      const first = (off - r) * 8;
      let x = 0;
      for (let i = 0; i < size * 8; i++) {
        const q = this.irq(vcpu, first + i);
        if (q && f(q)) x |= 1 << i;
      }
      return BigInt(x >>> 0);
    };
    const inRange = (r: number, len: number): boolean => off >= r && off + size <= r + len;
    // The distributor's first word (INTIDs 0..31) is RAZ/WI with ARE: those live in the SGI frame.
    const at = base === 0 ? 0 : 4;
    if (inRange(GICD.IGROUPR + at, BANK_BYTES)) return bit(GICD.IGROUPR, () => true);
    if (inRange(GICD.ISENABLER + at, BANK_BYTES) || inRange(GICD.ICENABLER + at, BANK_BYTES))
      return bit(off < GICD.ICENABLER ? GICD.ISENABLER : GICD.ICENABLER, (q) => q.enabled);
    if (inRange(GICD.ISPENDR + at, BANK_BYTES) || inRange(GICD.ICPENDR + at, BANK_BYTES))
      return bit(off < GICD.ICPENDR ? GICD.ISPENDR : GICD.ICPENDR, (q) => q.pending);
    if (inRange(GICD.ISACTIVER + at, BANK_BYTES) || inRange(GICD.ICACTIVER + at, BANK_BYTES)) {
      // Active lives in the list registers (gic_update_one_lr keeps Xen's GIC_IRQ_GUEST_ACTIVE
      // from them): an INTID is active while an LR holding it has the active state.
      const first = (off - (off < GICD.ICACTIVER ? GICD.ISACTIVER : GICD.ICACTIVER)) * 8;
      let x = 0;
      for (let i = 0; i < size * 8; i++) if (this.isActive(vcpu, first + i)) x |= 1 << i;
      return BigInt(x >>> 0);
    }
    if (inRange(GICD.IPRIORITYR + at * 8, BANK_BYTES * 8)) {
      let x = 0n;
      for (let i = 0; i < size; i++) {
        const q = this.irq(vcpu, off - GICD.IPRIORITYR + i);
        x |= BigInt(q?.priority ?? 0) << BigInt(8 * i);
      }
      return x;
    }
    if (inRange(GICD.ICFGR + at * 2, BANK_BYTES * 2) && size === 4) {
      const first = (off - GICD.ICFGR) * 4;
      let x = 0;
      for (let i = 0; i < 16; i++) if (this.irq(vcpu, first + i)?.edge) x |= 2 << (2 * i);
      return BigInt(x >>> 0);
    }
    return null;
  }

  private writeBank(vcpu: number, off: number, size: number, value: bigint, base: number): boolean {
    const at = base === 0 ? 0 : 4;
    const inRange = (r: number, len: number): boolean => off >= r && off + size <= r + len;
    const each = (r: number, f: (q: Irq) => void): boolean => {
      const first = (off - r) * 8;
      for (let i = 0; i < size * 8; i++) {
        if (((value >> BigInt(i)) & 1n) === 0n) continue;
        const q = this.irq(vcpu, first + i);
        if (q) f(q);
      }
      return true;
    };
    if (inRange(GICD.IGROUPR + at, BANK_BYTES)) return true; // Group 1 only: RAO/WI
    if (inRange(GICD.ISENABLER + at, BANK_BYTES)) return this.kickAfter(each(GICD.ISENABLER, (q) => (q.enabled = true)));
    if (inRange(GICD.ICENABLER + at, BANK_BYTES)) return each(GICD.ICENABLER, (q) => (q.enabled = false));
    if (inRange(GICD.ISPENDR + at, BANK_BYTES)) return this.kickAfter(each(GICD.ISPENDR, (q) => (q.pending = true)));
    if (inRange(GICD.ICPENDR + at, BANK_BYTES)) return each(GICD.ICPENDR, (q) => (q.pending = false));
    if (inRange(GICD.ISACTIVER + at, BANK_BYTES) || inRange(GICD.ICACTIVER + at, BANK_BYTES)) return false;
    if (inRange(GICD.IPRIORITYR + at * 8, BANK_BYTES * 8)) {
      for (let i = 0; i < size; i++) {
        const q = this.irq(vcpu, off - GICD.IPRIORITYR + i);
        // Five priority BANK_BYTES, as the virtual interface implements (ICH_VTR_EL2.PRIbits = 4).
        if (q) q.priority = Number((value >> BigInt(8 * i)) & 0xf8n);
      }
      return true;
    }
    if (inRange(GICD.ICFGR + at * 2, BANK_BYTES * 2) && size === 4) {
      const first = (off - GICD.ICFGR) * 4;
      for (let i = 0; i < 16; i++) {
        const q = this.irq(vcpu, first + i);
        // SGIs are always edge; PPI configuration is IMPLEMENTATION DEFINED, Xen's is RO.
        if (q && first + i >= 32) q.edge = ((value >> BigInt(2 * i + 1)) & 1n) === 1n;
      }
      return true;
    }
    return false;
  }

  // ---- the distributor ----

  gicdRead(vcpu: number, off: number, size: number): bigint {
    switch (off) {
      case GICD.CTLR:
        return BigInt(this.ctlr);
      case GICD.TYPER:
        // ITLinesNumber, CPUNumber (ignored with ARE), IDbits = 9 (10 BANK_BYTES: INTIDs < 1024).
        return BigInt((Math.ceil(this.nrLines / 32) - 1) | ((this.vcpus.length - 1) << 5) | (9 << 19));
      case GICD.IIDR:
        return BigInt(VGIC_IIDR);
      case GICD.PIDR2:
        return BigInt(PIDR2_GICV3);
    }
    if (off >= GICD.IROUTER + 32 * 8 && off < GICD.IROUTER + this.nrLines * 8) {
      const r = this.irouter[((off - GICD.IROUTER) >> 3) - 32];
      return off & 4 ? r >> 32n : size === 8 ? r : r & 0xffff_ffffn;
    }
    const b = this.readBank(vcpu, off, size, 32);
    if (b !== null) return b;
    this.unhandled('vGICD', vcpu, 'read', off);
    return 0n;
  }

  gicdWrite(vcpu: number, off: number, size: number, value: bigint): void {
    if (off === GICD.CTLR) {
      this.ctlr = CTLR_ARE_NS | (Number(value) & CTLR_ENABLE_G1A);
      return;
    }
    if (off >= GICD.IROUTER + 32 * 8 && off < GICD.IROUTER + this.nrLines * 8) {
      const n = ((off - GICD.IROUTER) >> 3) - 32;
      // Aff3.Aff2.Aff1.Aff0 and Interrupt_Routing_Mode (bit 31); the rest RES0.
      const mask = 0xff_0000_0000n | 0x8000_0000n | 0xff_ffffn;
      if (size === 8) this.irouter[n] = value & mask;
      else if (off & 4) this.irouter[n] = (this.irouter[n] & 0xffff_ffffn) | ((value << 32n) & mask);
      else this.irouter[n] = (this.irouter[n] & ~0xffff_ffffn) | (value & mask & 0xffff_ffffn);
      return;
    }
    if (this.writeBank(vcpu, off, size, value, 32)) return;
    this.unhandled('vGICD', vcpu, 'write', off);
  }

  // ---- the redistributors: `off` from GUEST_GICV3_GICR0_BASE ----

  gicrRead(vcpu: number, off: number, size: number): bigint {
    const n = Math.floor(off / GICR_STRIDE);
    const o = off % GICR_STRIDE;
    if (n >= this.vcpus.length) {
      this.unhandled('vGICR', vcpu, 'read', off);
      return 0n;
    }
    if (o >= GICR_SGI_FRAME) {
      const b = this.readBank(n, o - GICR_SGI_FRAME, size, 0);
      if (b !== null) return b;
    } else
      switch (o) {
        case GICR.CTLR:
        case GICR.STATUSR:
          return 0n;
        case GICR.IIDR:
          return BigInt(VGIC_IIDR);
        case GICR.TYPER:
        case GICR.TYPER + 4: {
          const m = this.vcpus[n].mpidr;
          // Affinity[63:32] = Aff3.Aff2.Aff1.Aff0 of the vCPU, Processor_Number[23:8], Last.
          const aff = (m & 0xff_ffffn) | (((m >> 32n) & 0xffn) << 24n);
          const last = n === this.vcpus.length - 1 ? GICR_TYPER_LAST : 0n;
          const t = (aff << 32n) | (BigInt(n) << 8n) | last;
          return o === GICR.TYPER + 4 ? t >> 32n : size === 8 ? t : t & 0xffff_ffffn;
        }
        case GICR.WAKER:
          return BigInt(this.cpus[n].waker);
        case GICR.PIDR2:
          return BigInt(PIDR2_GICV3);
      }
    this.unhandled('vGICR', vcpu, 'read', off);
    return 0n;
  }

  gicrWrite(vcpu: number, off: number, size: number, value: bigint): void {
    const n = Math.floor(off / GICR_STRIDE);
    const o = off % GICR_STRIDE;
    if (n < this.vcpus.length) {
      if (o >= GICR_SGI_FRAME && this.writeBank(n, o - GICR_SGI_FRAME, size, value, 0)) return;
      if (o === GICR.WAKER) {
        // Waking is immediate: ChildrenAsleep follows ProcessorSleep.
        this.cpus[n].waker = Number(value) & GICR_WAKER_PROCESSOR_SLEEP ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP : 0;
        return;
      }
      if (o === GICR.CTLR) return;
    }
    this.unhandled('vGICR', vcpu, 'write', off);
  }

  // ---- injection (vgic_inject_irq) and the list registers ----

  /** vgic_inject_irq: make `intid` pending for vCPU `vcpu` (SPIs: whichever vCPU it targets). */
  injectIrq(vcpu: number, intid: number): void {
    const q = this.irq(vcpu, intid);
    if (!q) return;
    q.pending = true;
    this.kick(this.targetOf(vcpu, intid));
  }

  /** The vCPU an interrupt is delivered to: its own bank below 32, IROUTER's choice above. */
  private targetOf(vcpu: number, intid: number): number {
    if (intid < 32) return vcpu;
    const t = this.vcpus.findIndex((_, i) => this.routedTo(intid, i));
    return t < 0 ? vcpu : t;
  }

  /**
   * After a guest's ISPENDR/ISENABLER write: kick every vCPU that now has something to take (a
   * write to the SGI frame or to an SPI may concern a vCPU other than the writer).
   */
  private kickAfter(r: boolean): boolean {
    for (let i = 0; i < this.vcpus.length; i++) if (this.hasPendingIrq(i)) this.kick(i);
    return r;
  }

  /**
   * vgic_vcpu_pending_irq: whether vCPU `vcpu` has an interrupt its virtual CPU interface
   * would signal — pending in an LR, or pending, enabled and deliverable but not yet in one —
   * with a priority above both its priority mask (ICH_VMCR_EL2.VPMR) and its running priority
   * (the lowest active priority in ICH_AP1R0_EL2). What WFI waits for.
   */
  hasPendingIrq(vcpu: number): boolean {
    const c = this.cpus[vcpu];
    const pmr = Number((c.vmcr >> 24n) & 0xffn);
    const ap = Number(c.ap1r0 & 0xffff_ffffn);
    // AP1R0 bit n: priority group n (5 priority bits: priority n << 3) is active.
    const running = ap === 0 ? 0x100 : (31 - Math.clz32(ap & -ap)) << 3;
    const wakes = (prio: number): boolean => prio < pmr && prio < running;
    for (let i = 0; i < ICH_LR_COUNT; i++) {
      if (c.lrIrq[i] < 0 || (c.lr[i] & LR_PENDING) === 0n) continue;
      if (wakes(Number((c.lr[i] >> LR_PRIO_SHIFT) & 0xffn))) return true;
    }
    for (let id = 0; id < this.nrLines; id++) {
      const q = this.irq(vcpu, id)!;
      if (!q.pending || !q.enabled) continue;
      if (id >= 32 && (!(this.ctlr & CTLR_ENABLE_G1A) || !this.routedTo(id, vcpu))) continue;
      if (wakes(q.priority)) return true;
    }
    return false;
  }

  /**
   * A level-sensitive device line (Xen's vgic_inject_irq with level semantics, as vpl011's
   * update_interrupt_status drives it): pending while high, and pending again after the guest
   * EOIs it if it is still high; lowering it withdraws a pending not yet in an LR.
   */
  setLevel(vcpu: number, intid: number, level: boolean): void {
    const q = this.irq(vcpu, intid);
    if (!q) return;
    q.level = level;
    q.pending = level;
    if (level) this.kick(this.targetOf(vcpu, intid));
  }

  /**
   * gic_update_one_lr over every LR of vCPU `vcpu`, given the LR values read back from the PE:
   * an LR that went invalid (the guest EOIed it) is free again.
   */
  syncFromLrs(vcpu: number, lrs: bigint[], vmcr: bigint, ap1r0: bigint): void {
    const c = this.cpus[vcpu];
    c.vmcr = vmcr;
    c.ap1r0 = ap1r0;
    for (let i = 0; i < ICH_LR_COUNT; i++) {
      c.lr[i] = lrs[i];
      if ((lrs[i] & (LR_PENDING | LR_ACTIVE)) !== 0n || c.lrIrq[i] < 0) continue;
      const q = this.irq(vcpu, c.lrIrq[i]);
      if (q && q.level && !q.edge) q.pending = true;
      c.lrIrq[i] = -1;
    }
  }

  /**
   * gic_raise_guest_irq for every deliverable interrupt, highest priority first (lowest value,
   * then lowest INTID): pending, enabled, its group enabled (the distributor's for SPIs). One
   * already in an LR gets the pending state added there; otherwise it takes a free LR, or waits.
   */
  flushLrs(vcpu: number): bigint[] {
    const c = this.cpus[vcpu];
    const ready: [number, Irq][] = [];
    for (let id = 0; id < this.nrLines; id++) {
      const q = this.irq(vcpu, id)!;
      if (!q.pending || !q.enabled) continue;
      if (id >= 32 && !(this.ctlr & CTLR_ENABLE_G1A)) continue;
      if (id >= 32 && !this.routedTo(id, vcpu)) continue;
      ready.push([id, q]);
    }
    ready.sort((a, b) => a[1].priority - b[1].priority || a[0] - b[0]);
    for (const [id, q] of ready) {
      const held = c.lrIrq.indexOf(id);
      if (held >= 0) {
        c.lr[held] |= LR_PENDING;
        q.pending = false;
        continue;
      }
      const free = c.lrIrq.indexOf(-1);
      if (free < 0) break;
      const p = this.hw.get(id);
      const hw = p === undefined ? 0n : LR_HW | (BigInt(p) << LR_PINTID_SHIFT);
      c.lr[free] = LR_PENDING | LR_GROUP1 | hw | (BigInt(q.priority) << LR_PRIO_SHIFT) | BigInt(id);
      c.lrIrq[free] = id;
      q.pending = false;
    }
    return c.lr;
  }

  /** Whether `intid` (banked for `vcpu` below 32; any vCPU's for an SPI) is active in an LR. */
  private isActive(vcpu: number, intid: number): boolean {
    const holders = intid < 32 ? [this.cpus[vcpu]] : this.cpus;
    return holders.some((c) => c.lrIrq.some((id, i) => id === intid && (c.lr[i] & LR_ACTIVE) !== 0n));
  }

  /** An SPI goes to the vCPU whose affinity IROUTER names (Interrupt_Routing_Mode 1: vCPU 0). */
  private routedTo(intid: number, vcpu: number): boolean {
    const r = this.irouter[intid - 32];
    if (r & 0x8000_0000n) return vcpu === 0;
    const aff = (r & 0xff_ffffn) | (((r >> 32n) & 0xffn) << 24n);
    const m = this.vcpus[vcpu].mpidr;
    return aff === ((m & 0xff_ffffn) | (((m >> 32n) & 0xffn) << 24n));
  }
}
