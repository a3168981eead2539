// The host GICv3 driver (xen/arch/arm/gic-v3.c): the hypervisor finds the distributor and the
// redistributor regions in the device tree, ioremaps them (Device-nGnRE, through its own VMAP
// area — DESIGN.md §1: it drives the physical GIC through MMIO, as Xen does), puts the
// distributor in a known state, and on every pCPU wakes that CPU's redistributor and turns its
// system-register CPU interface on. Xen's gic_init() / gicv3_cpu_init() / gicv3_hyp_init().
//
// Register offsets and bits: GICv3/v4 architecture specification (IHI 0069), chapter 12.
import { paddr } from '../format.js';
import { findNode, getCells, getReg, isCompatible, walk, type FdtNode } from '../../fdt/dtb.js';
import { InputError } from '../../util/errors.js';
import type { Xen } from '../xen.js';
import { panic } from '../panic.js';
import {
  GICD,
  GICR,
  GICR_SGI_FRAME,
  GICR_STRIDE,
  GICR_TYPER_LAST,
  GICR_WAKER_CHILDREN_ASLEEP,
  GICR_WAKER_PROCESSOR_SLEEP,
  encodeSgi1r,
} from '../../arch/gic/regs.js';

/** GICD_CTLR.RWP: a write is still propagating. */
const GICD_CTLR_RWP = 1 << 31;
/** GICD_CTLR with affinity routing (single security state, as on QEMU virt): ARE, EnableGrp1, EnableGrp0. */
const GICD_CTLR_ENABLE = (1 << 4) | (1 << 1) | (1 << 0);
/** Xen's default priorities (asm/gic.h): IRQs 0xa0, SGIs (IPIs) 0x90; PMR lets everything through. */
const GIC_PRI_IRQ = 0xa0;
const GIC_PRI_IPI = 0x90;
const DEFAULT_PMR_VALUE = 0xffn;
/** ICC_SRE_EL2: SRE | DFB | DIB | Enable (lower ELs may use the system-register interface). */
const ICC_SRE_EL2_VALUE = 0xfn;
/** ICC_CTLR_EL1.EOImode = 1: EOI drops priority, DIR deactivates (Xen's EOImode_drop). */
const ICC_CTLR_EOIMODE_DROP = 2n;
/** Wait loops (GICD_CTLR.RWP, GICR_WAKER.ChildrenAsleep): Xen gives up after a second. */
const MAX_POLLS = 1000;

export interface HostGic {
  distPa: number;
  dist: number;
  /** Redistributor regions: PA, size and their ioremapped VA. */
  rdist: { pa: number; size: number; va: number }[];
  maintenanceIrq: number;
  lines: number;
  /** Per logical CPU: the VA of its redistributor's RD_base frame. */
  cpuRdist: Map<number, number>;
  /** ICH_VTR_EL2.ListRegs + 1. */
  nrLrs: number;
}

const PPI_BASE = 16;

/** `0x` + PRIpaddr with the `#` flag, as Xen prints GIC addresses (0x00000008000000). */
const paddrHash = (n: number): string => '0x' + n.toString(16).padStart(14, '0');

/** The /timer node's PPIs, as init_xen_time prints them (phys, hyp, virt). */
export function xenTimeLine(root: FdtNode, cntfrq: bigint): string | null {
  let timer: FdtNode | undefined;
  walk(root, (n) => {
    if (!timer && (isCompatible(n, 'arm,armv8-timer') || isCompatible(n, 'arm,armv7-timer'))) timer = n;
  });
  if (!timer) return null;
  const cells = getCells(timer, 'interrupts');
  // <type num flags> × 4: secure phys, non-secure phys, virt, hyp (timer DT binding order).
  const ppi = (i: number): number => (cells.length >= 3 * (i + 1) ? PPI_BASE + cells[3 * i + 1] : 0);
  return `Generic Timer IRQ: phys=${ppi(1)} hyp=${ppi(3)} virt=${ppi(2)} Freq: ${cntfrq / 1000n} KHz`;
}

/** gic_preinit + gic_init on the boot CPU: find, map and initialise the distributor, then CPU0. */
export function gicInit(xen: Xen, root: FdtNode): void {
  xen.call('gicInit', () => {
    let node: FdtNode | undefined;
    let parent: FdtNode = root;
    walk(root, (n, path) => {
      if (node || !isCompatible(n, 'arm,gic-v3')) return;
      node = n;
      parent = findNode(root, path.slice(0, path.lastIndexOf('/')) || '/') ?? root;
    });
    if (!node) panic('Unable to find compatible GIC in the device tree');
    let regs: { address: number; size: number }[];
    let maint: number;
    try {
      regs = getReg(parent, node);
      // gicv3_dt_preinit: the maintenance interrupt is the node's first interrupt.
      const irq = node.props.has('interrupts') ? getCells(node, 'interrupts') : [];
      if (irq.length < 2) panic('GICv3: Cannot find the maintenance IRQ');
      maint = (irq[0] === 1 ? PPI_BASE : 32) + irq[1];
    } catch (e) {
      if (e instanceof InputError) panic(`GICv3: bad device-tree node: ${e.message}`);
      throw e;
    }
    if (regs.length < 2) panic('GICv3: the node needs a distributor and at least one redistributor region');
    const [d, ...r] = regs;
    xen.printk('GICv3 initialization:');
    xen.printk(`      gic_dist_addr=${paddrHash(d.address)}`);
    xen.printk(`      gic_maintenance_irq=${maint}`);
    xen.printk('      gic_rdist_stride=0');
    xen.printk(`      gic_rdist_regions=${r.length}`);
    xen.printk('      redistributor regions:');
    r.forEach((x, i) => xen.printk(`        - region ${i}: ${paddrHash(x.address)} - ${paddrHash(x.address + x.size)}`));
    const gic: HostGic = {
      distPa: d.address,
      dist: xen.mm.ioremapAttr(xen, d.address, d.size, 'nocache'),
      rdist: r.map((x) => ({ pa: x.address, size: x.size, va: xen.mm.ioremapAttr(xen, x.address, x.size, 'nocache') })),
      maintenanceIrq: maint,
      lines: 0,
      cpuRdist: new Map(),
      nrLrs: 0,
    };
    xen.gic = gic;
    gicv3DistInit(xen, gic);
    gicv3CpuInit(xen, gic, 0);
  });
}

/** gicv3_dist_init: everything Group 1, level, default priority, disabled, routed to CPU0. */
function gicv3DistInit(xen: Xen, gic: HostGic): void {
  xen.call('gicv3DistInit', () => {
    const cpu = xen.cpu;
    const at = (off: number): number => gic.dist + off;
    cpu.write32(at(GICD.CTLR), 0);
    waitForRwp(xen, gic);
    const typer = cpu.read32(at(GICD.TYPER));
    gic.lines = Math.min(32 * ((typer & 0x1f) + 1), 1020);
    const iid = cpu.read32(at(GICD.IIDR)) >>> 0;
    xen.printk(`GICv3: ${gic.lines} lines, (IID ${iid.toString(16).padStart(8, '0')}).`);
    for (let i = 32; i < gic.lines; i += 16) cpu.write32(at(GICD.ICFGR + i / 4), 0);
    for (let i = 32; i < gic.lines; i += 4) cpu.write32(at(GICD.IPRIORITYR + i), GIC_PRI_IRQ * 0x0101_0101);
    for (let i = 32; i < gic.lines; i += 32) {
      cpu.write32(at(GICD.ICENABLER + i / 8), 0xffff_ffff);
      cpu.write32(at(GICD.IGROUPR + i / 8), 0xffff_ffff);
    }
    waitForRwp(xen, gic);
    cpu.write32(at(GICD.CTLR), GICD_CTLR_ENABLE);
    // Every SPI to the boot CPU until something routes it elsewhere (affinity of MPIDR 0).
    const aff = BigInt(xen.cpuMpidr[0] ?? 0) & 0xff_ffffn;
    for (let i = 32; i < gic.lines; i++) cpu.write64(at(GICD.IROUTER + 8 * i), aff);
  });
}

function waitForRwp(xen: Xen, gic: HostGic): void {
  for (let n = 0; n < MAX_POLLS; n++) if ((xen.cpu.read32(gic.dist + GICD.CTLR) & GICD_CTLR_RWP) === 0) return;
  panic('GICv3: RWP timeout');
}

/**
 * gicv3_cpu_init on logical CPU `id` (the CPU running now): find its redistributor by
 * affinity, wake it, SGIs on and PPIs off at their priorities, then the CPU interface and the
 * hypervisor interface (ICH_*).
 */
export function gicv3CpuInit(xen: Xen, gic: HostGic, id: number): void {
  xen.call('gicv3CpuInit', () => {
    const cpu = xen.cpu;
    const mpidr = cpu.readSysreg('MPIDR_EL1');
    const aff = Number(((mpidr >> 32n) & 0xffn) << 24n) + Number(mpidr & 0xff_ffffn);
    const found = findRdist(xen, gic, aff);
    if (!found) panic(`GICv3: CPU${id}: Unable to find redistributor`);
    xen.printk(`GICv3: CPU${id}: Found redistributor in region ${found.region} @${paddr(found.va)}`);
    gic.cpuRdist.set(id, found.va);
    const rd = found.va;
    cpu.write32(rd + GICR.WAKER, cpu.read32(rd + GICR.WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
    let n = 0;
    while (cpu.read32(rd + GICR.WAKER) & GICR_WAKER_CHILDREN_ASLEEP) {
      if (++n >= MAX_POLLS) panic(`GICv3: CPU${id}: redistributor failed to wake up`);
    }
    const sgi = rd + GICR_SGI_FRAME;
    cpu.write32(sgi + GICD.IGROUPR, 0xffff_ffff);
    for (let i = 0; i < 16; i += 4) cpu.write32(sgi + GICD.IPRIORITYR + i, GIC_PRI_IPI * 0x0101_0101);
    for (let i = 16; i < 32; i += 4) cpu.write32(sgi + GICD.IPRIORITYR + i, GIC_PRI_IRQ * 0x0101_0101);
    cpu.write32(sgi + GICD.ICENABLER, 0xffff_0000);
    cpu.write32(sgi + GICD.ISENABLER, 0x0000_ffff);
    // The CPU interface (gicv3_enable_sre, gicv3_cpu_init's ICC programming).
    cpu.writeSysreg('ICC_SRE_EL2', ICC_SRE_EL2_VALUE);
    cpu.isb();
    cpu.writeSysreg('ICC_PMR_EL1', DEFAULT_PMR_VALUE);
    cpu.writeSysreg('ICC_BPR1_EL1', 0n);
    cpu.writeSysreg('ICC_CTLR_EL1', ICC_CTLR_EOIMODE_DROP);
    cpu.writeSysreg('ICC_IGRPEN1_EL1', 1n);
    cpu.isb();
    // gicv3_hyp_init: the list registers exist; the virtual interface stays off until a vCPU runs.
    gic.nrLrs = Number(cpu.readSysreg('ICH_VTR_EL2') & 0x1fn) + 1;
    cpu.writeSysreg('ICH_VMCR_EL2', 0n);
    cpu.writeSysreg('ICH_HCR_EL2', 0n);
  });
}

/** Walk the redistributor frames of each region until GICR_TYPER.Last, matching affinity. */
function findRdist(xen: Xen, gic: HostGic, aff: number): { region: number; va: number } | null {
  const cpu = xen.cpu;
  for (let region = 0; region < gic.rdist.length; region++) {
    const r = gic.rdist[region];
    for (let off = 0; off + GICR_STRIDE <= r.size; off += GICR_STRIDE) {
      const lo = cpu.read32(r.va + off + GICR.TYPER);
      const hi = cpu.read32(r.va + off + GICR.TYPER + 4) >>> 0;
      if (hi === aff) return { region, va: r.va + off };
      if (lo & GICR_TYPER_LAST) break;
    }
  }
  return null;
}

/** TIMER_HYP_PPI: the EL2 physical timer, the scheduler's tick. */
export const TIMER_HYP_PPI = 26;
const INTID_SPURIOUS = 1023;

/** Enable PPI `intid` (Group 1, priority GIC_PRI_IRQ) on the calling CPU's redistributor. */
export function gicEnablePpi(xen: Xen, gic: HostGic, intid: number): void {
  const rd = gic.cpuRdist.get(xen.cpu.id);
  if (rd === undefined) panic(`GICv3: CPU${xen.cpu.id} has no redistributor (gicv3CpuInit did not run)`);
  const sgi = rd + GICR_SGI_FRAME;
  const cpu = xen.cpu;
  const pri = sgi + GICD.IPRIORITYR + (intid & ~3);
  const shift = 8 * (intid & 3);
  cpu.write32(pri, (cpu.read32(pri) & ~(0xff << shift)) | (GIC_PRI_IRQ << shift));
  cpu.write32(sgi + GICD.ISENABLER, 1 << intid);
}

/**
 * gic_route_irq_to_guest + gicv3_irq_set_affinity + enable: SPI `intid` at GIC_PRI_IRQ, routed
 * to logical CPU `cpu` (IROUTER with that CPU's affinity) and enabled at the distributor.
 */
export function gicRouteSpi(xen: Xen, gic: HostGic, intid: number, cpu: number): void {
  if (intid < 32 || intid >= gic.lines) panic(`GICv3: IRQ ${intid} is not an SPI of this GIC (32..${gic.lines - 1})`);
  const c = xen.cpu;
  const pri = gic.dist + GICD.IPRIORITYR + (intid & ~3);
  const shift = 8 * (intid & 3);
  c.write32(pri, (c.read32(pri) & ~(0xff << shift)) | (GIC_PRI_IRQ << shift));
  const m = BigInt(xen.cpuMpidr[cpu] ?? 0);
  c.write64(gic.dist + GICD.IROUTER + 8 * intid, (m & 0xff_ffffn) | (((m >> 32n) & 0xffn) << 32n));
  c.write32(gic.dist + GICD.ISENABLER + 4 * Math.floor(intid / 32), 1 << (intid % 32));
}

/** Disable SPI `intid` at the distributor (release_irq's desc->handler->shutdown). */
export function gicDisableSpi(xen: Xen, gic: HostGic, intid: number): void {
  xen.cpu.write32(gic.dist + GICD.ICENABLER + 4 * Math.floor(intid / 32), 1 << (intid % 32));
}

/**
 * The end of a physical interrupt given to a guest (gicv3_eoi_irq alone): with EOImode = 1 the
 * priority drops and the interrupt stays active until the guest's EOI of its HW = 1 list
 * register deactivates it (GICv3 §6.1.2), so a level-high device cannot fire again before.
 */
export function gicEoiGuest(xen: Xen, intid: number): void {
  xen.cpu.writeSysreg('ICC_EOIR1_EL1', BigInt(intid));
  xen.cpu.isb();
}

/** gic_interrupt's acknowledge: the highest pending Group 1 INTID (1023: none). */
export function gicAck(xen: Xen): number {
  return Number(xen.cpu.readSysreg('ICC_IAR1_EL1') & 0xff_ffffn);
}

/** End of interrupt with EOImode = 1 (set by gicv3CpuInit): drop the priority, then deactivate. */
export function gicEoi(xen: Xen, intid: number): void {
  if (intid === INTID_SPURIOUS) return;
  xen.cpu.writeSysreg('ICC_EOIR1_EL1', BigInt(intid));
  xen.cpu.writeSysreg('ICC_DIR_EL1', BigInt(intid));
  xen.cpu.isb();
}

/**
 * Xen's enum gic_sgi (asm/gic.h): EVENT_CHECK makes a pCPU look at its softirqs (an idle pCPU
 * wakes and schedules), CALL_FUNCTION runs a cross-call (smp.ts).
 */
export const GIC_SGI_EVENT_CHECK = 0;
export const GIC_SGI_CALL_FUNCTION = 2;

/**
 * gicv3_send_sgi_list: SGI `sgi` to the logical CPUs `targetCpus` (by their /cpus MPIDR), one
 * ICC_SGI1R_EL1 write per Aff3.Aff2.Aff1 cluster and 16-wide Aff0 range. The DSB first makes
 * the caller's Normal-memory stores (the cross-call's data) visible to the targets before
 * they can take the interrupt (Xen's dsb(ishst) in send_SGI_mask); the ISB after makes the
 * write take effect before the caller goes on (GICv3 §12.1.6: system-register writes that
 * generate SGIs are not self-synchronising).
 */
export function gicSendSgi(xen: Xen, gic: HostGic, sgi: number, targetCpus: readonly number[]): void {
  void gic;
  const cpu = xen.cpu;
  if (sgi < 0 || sgi > 15) panic(`GICv3: SGI ${sgi} is not an SGI (0..15)`);
  const groups = new Map<string, { aff1: number; aff2: number; aff3: number; rs: number; targets: number }>();
  for (const c of targetCpus) {
    const m = xen.cpuMpidr[c];
    if (m === undefined) panic(`GICv3: SGI ${sgi} to CPU${c}, which has no MPIDR`);
    const aff0 = m & 0xff;
    const g = { aff1: (m >>> 8) & 0xff, aff2: (m >>> 16) & 0xff, aff3: Math.floor(m / 2 ** 32) & 0xff, rs: aff0 >>> 4 };
    const key = `${g.aff3}.${g.aff2}.${g.aff1}.${g.rs}`;
    const at = groups.get(key) ?? { ...g, targets: 0 };
    at.targets |= 1 << (aff0 & 0xf);
    groups.set(key, at);
  }
  cpu.dsb();
  for (const g of groups.values()) cpu.writeSysreg('ICC_SGI1R_EL1', encodeSgi1r({ intid: sgi, ...g }));
  cpu.isb();
}
