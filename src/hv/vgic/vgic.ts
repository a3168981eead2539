// The vGIC and the virtual timer bound to the hypervisor (vgic.c domain_vgic_init, gic.c
// gic_save_state/gic_restore_state, time.c vtimer_interrupt): the MMIO handlers registered in a
// domain's d.mmio, the LR save on every exit from a guest and the LR fill on every entry, and
// the EL1 virtual timer's PPI forwarded as a virtual PPI. Register emulation is vgicV3.ts.
import type { Xen } from '../xen.js';
import type { Domain, MmioHandler, Vcpu } from '../domain/domain.js';
import { domName } from '../domain/domain.js';
import { ICH_LR_COUNT } from '../../arch/sysreg/gic.js';
import { GUEST_GICV3_GICD_BASE, GUEST_GICV3_GICD_SIZE, GUEST_GICV3_GICR0_BASE, GUEST_GICV3_GICR0_SIZE } from '../domain/guestFdt.js';
import { GICR_STRIDE, ICH_HCR_EN, Vgic } from './vgicV3.js';
import { sgi1rTargets, vgicSendSgi } from './vgicSgi.js';
import { vcpuKick } from '../vcpuBlock.js';

/** GUEST_TIMER_VIRT_PPI: the EL1 virtual timer, physical and virtual INTID alike. */
export const TIMER_VIRT_PPI = 27;
/** CNTx_CTL.IMASK. */
const CNT_CTL_IMASK = 2n;

const LR_NAMES = Array.from({ length: ICH_LR_COUNT }, (_, n) => `ICH_LR${n}_EL2`);

/** Where a domain's vGIC sits: Xen's guest layout, or (dom0) the hardware's addresses. */
export interface VgicLayout {
  gicd: number;
  gicdSize: number;
  gicr: number;
  gicrSize: number;
}
const GUEST_VGIC_LAYOUT: VgicLayout = {
  gicd: GUEST_GICV3_GICD_BASE,
  gicdSize: GUEST_GICV3_GICD_SIZE,
  gicr: GUEST_GICV3_GICR0_BASE,
  gicrSize: GUEST_GICV3_GICR0_SIZE,
};

/** domain_vgic_init: the distributor and one redistributor per vCPU, as d.mmio handlers. */
export function domainVgicInit(xen: Xen, d: Domain, layout: VgicLayout = GUEST_VGIC_LAYOUT, nrSpis?: number): Vgic {
  const g = new Vgic(d.vcpus, (line) => xen.printk(`${domName(d)}${line}`), nrSpis);
  const gicd: MmioHandler = {
    name: 'vgicd',
    base: layout.gicd,
    size: layout.gicdSize,
    read: (v, off, size) => xen.call('vgicMmio', () => g.gicdRead(v.id, off, size)),
    write: (v, off, size, val) => xen.call('vgicMmio', () => g.gicdWrite(v.id, off, size, val)),
  };
  const gicr: MmioHandler = {
    name: 'vgicr',
    base: layout.gicr,
    size: Math.min(layout.gicrSize, d.vcpus.length * GICR_STRIDE),
    read: (v, off, size) => xen.call('vgicMmio', () => g.gicrRead(v.id, off, size)),
    write: (v, off, size, val) => xen.call('vgicMmio', () => g.gicrWrite(v.id, off, size, val)),
  };
  d.mmio.push(gicd, gicr);
  g.kick = (i) => {
    const v = d.vcpus[i];
    if (v) vcpuKick(xen, v);
  };
  d.vgic = g;
  return g;
}

/** gic_save_state + gic_update_one_lr: on every exit, the vCPU's LRs come off the PE. */
export function vgicSyncFromLrs(xen: Xen, v: Vcpu): void {
  const g = v.domain.vgic;
  // No host GIC driven (xen.gic null): no CPU interface to hold list registers either.
  if (!g || !xen.gic) return;
  xen.call('vgicSyncFromLrs', () => {
    const cpu = xen.cpu;
    const lrs = LR_NAMES.map((r) => cpu.readSysreg(r));
    g.syncFromLrs(v.id, lrs, cpu.readSysreg('ICH_VMCR_EL2'), cpu.readSysreg('ICH_AP1R0_EL2'));
  });
}

/** gic_restore_state + gic_raise_guest_irq: before every ERET, the vCPU's LRs go on the PE. */
export function vgicFlushLrs(xen: Xen, v: Vcpu): void {
  const g = v.domain.vgic;
  // No host GIC driven (xen.gic null): no CPU interface to hold list registers either.
  if (!g || !xen.gic) return;
  xen.call('vgicFlushLrs', () => {
    const cpu = xen.cpu;
    const c = g.cpus[v.id];
    const lrs = g.flushLrs(v.id);
    for (let i = 0; i < ICH_LR_COUNT; i++) cpu.writeSysreg(LR_NAMES[i], lrs[i]);
    cpu.writeSysreg('ICH_VMCR_EL2', c.vmcr);
    cpu.writeSysreg('ICH_AP1R0_EL2', c.ap1r0);
    cpu.writeSysreg('ICH_HCR_EL2', ICH_HCR_EN);
    cpu.isb();
  });
}

/**
 * vtimer_interrupt: the EL1 virtual timer of the vCPU whose EL1 state is on this PE fired
 * (IMO routes the physical PPI 27 to EL2). Mask it in the guest's CNTV_CTL_EL0 — the level
 * drops, so the host GIC deasserts — and make virtual PPI 27 pending; the guest unmasks when
 * it re-arms, as on Xen.
 */
export function vtimerInterrupt(xen: Xen): void {
  xen.call('vtimerInterrupt', () => {
    const cpu = xen.cpu;
    const v = xen.loaded.get(cpu.id);
    const ctl = cpu.readSysreg('CNTV_CTL_EL0');
    cpu.writeSysreg('CNTV_CTL_EL0', ctl | CNT_CTL_IMASK);
    cpu.isb();
    if (v && v.state !== 'dead') v.domain.vgic?.injectIrq(v.id, TIMER_VIRT_PPI);
  });
}

/** ICC_SGI1R_EL1 by its trapped encoding (op0 3, op1 0, CRn 12, CRm 11, op2 5). */
const ICC_SGI1R_EL1 = 'S3_0_C12_C11_5';

/**
 * vgic_v3_emulate_sysreg: a trapped write to ICC_SGI1R_EL1 from vCPU `v` (true: handled). The
 * SGI goes to the targets; a target that is not an online vCPU is logged as Xen's vgic_to_sgi
 * does, and skipped. ICC_ASGI1R/SGI0R stay unhandled (an UNDEF for the guest), as in Xen.
 */
export function vgicEmulateSysreg(xen: Xen, v: Vcpu, name: string, read: boolean, value: bigint): boolean {
  const g = v.domain.vgic;
  if (!g || name !== ICC_SGI1R_EL1 || read) return false;
  const r = sgi1rTargets(g, v.id, value, (i) => v.domain.vcpus[i].state !== 'down' && v.domain.vcpus[i].state !== 'dead');
  if (r.offline.length)
    xen.printk(`${domName(v.domain)}v${v.id}: vGICv3: SGI1R 0x${value.toString(16)}: target(s) ${r.offline.join(',')} not an online vCPU`);
  vgicSendSgi(g, r.intid, r.targets);
  return true;
}
