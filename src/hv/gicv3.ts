// The hypervisor's driver of the physical GICv3 (arm/gic-v3.c: gicv3_dist_init,
// gicv3_cpu_init), reduced to what the scheduler needs: its own timer interrupt, the EL2
// physical timer's PPI (TIMER_HYP_PPI 26), as a Group 1 interrupt routed to EL2 while guests
// run (HCR_EL2.IMO). Frames found in the host device tree (compatible "arm,gic-v3"), mapped
// with ioremap (Device-nGnRE); redistributors are taken in logical-CPU order (Xen matches them
// by GICR_TYPER affinity — every board here lays them out in MPIDR order).
import type { Xen } from './xen.js';
import { ioremapAttr } from './mm/mmu/mm.js';
import { parseDtb, walk, isCompatible, getReg, type FdtNode } from '../fdt/dtb.js';

/** TIMER_HYP_PPI: the EL2 physical timer. */
export const TIMER_HYP_PPI = 26;
const GICD_CTLR = 0x0;
const GICR_WAKER = 0x14;
const GICR_SGI = 0x1_0000;
const GICR_STRIDE = 0x2_0000;
const IGROUPR0 = 0x80;
const ISENABLER0 = 0x100;
const IPRIORITYR = 0x400;
/** GICD_CTLR.EnableGrp1 (security disabled, as on virt) | ARE. */
const GICD_CTLR_ENABLE = (1 << 1) | (1 << 4);
const GIC_PRI_IRQ = 0xa0;
const SPURIOUS = 1023;

export interface HostGic {
  dist: number;
  redist: number;
}

/** gicv3_init: find and map the frames; enable the distributor. Null when there is no GICv3. */
export function gicv3Init(xen: Xen): HostGic | null {
  let node: FdtNode | null = null;
  let parent: FdtNode | null = null;
  const root = parseDtb(xen.fdtBlob!, 'host device tree').root;
  const stack: FdtNode[] = [];
  walk(root, (n) => {
    stack.push(n);
    if (!node && isCompatible(n, 'arm,gic-v3')) node = n;
  });
  if (!node) return null;
  // Its parent: the node whose children include it (the root on every board here).
  parent = stack.find((p) => p.children.includes(node!)) ?? root;
  const regs = getReg(parent, node);
  if (regs.length < 2) return null;
  const gic: HostGic = {
    dist: ioremapAttr(xen, regs[0].address, regs[0].size, 'nocache'),
    redist: ioremapAttr(xen, regs[1].address, Math.min(regs[1].size, GICR_STRIDE * 8), 'nocache'),
  };
  const cpu = xen.cpu;
  cpu.write32(gic.dist + GICD_CTLR, cpu.read32(gic.dist + GICD_CTLR) | GICD_CTLR_ENABLE);
  return gic;
}

/** gicv3_cpu_init + the timer PPI for this CPU: wake its redistributor, enable PPI 26 (Group 1). */
export function gicv3CpuInit(xen: Xen, gic: HostGic): void {
  const cpu = xen.cpu;
  const rd = gic.redist + cpu.id * GICR_STRIDE;
  cpu.write32(rd + GICR_WAKER, cpu.read32(rd + GICR_WAKER) & ~2);
  const sgi = rd + GICR_SGI;
  cpu.write32(sgi + IGROUPR0, cpu.read32(sgi + IGROUPR0) | (1 << TIMER_HYP_PPI));
  cpu.write8(sgi + IPRIORITYR + TIMER_HYP_PPI, GIC_PRI_IRQ);
  cpu.write32(sgi + ISENABLER0, 1 << TIMER_HYP_PPI);
  cpu.writeSysreg('ICC_SRE_EL2', 0xfn); // SRE | DFB | DIB | Enable (EL1 may use the system registers)
  cpu.isb();
  cpu.writeSysreg('ICC_PMR_EL1', 0xffn);
  cpu.writeSysreg('ICC_CTLR_EL1', 0n); // EOImode 0: EOIR also deactivates
  cpu.writeSysreg('ICC_IGRPEN1_EL1', 1n);
  cpu.isb();
}

/** gic_interrupt: acknowledge the highest pending interrupt, returning its INTID (1023: none). */
export function gicAck(xen: Xen): number {
  return Number(xen.cpu.readSysreg('ICC_IAR1_EL1') & 0xff_ffffn);
}

export function gicEoi(xen: Xen, intid: number): void {
  if (intid === SPURIOUS) return;
  xen.cpu.writeSysreg('ICC_EOIR1_EL1', BigInt(intid));
  xen.cpu.isb();
}
