// SGIs between the vCPUs of a domain (xen/arch/arm/vgic-v3.c vgic_v3_emulate_sgi1r, vgic.c
// vgic_to_sgi). A guest's write to ICC_SGI1R_EL1 traps to EL2 (EC 0x18: SGI generation is not
// virtualised, HCR_EL2.IMO makes EL1 writes trap — IHI 0069 §12.2.23). The value names the SGI
// (INTID[27:24]) and either every other vCPU (IRM = 1, SGI_TARGET_OTHERS) or a TargetList of
// Aff0 values in the cluster Aff3.Aff2.Aff1 (RS selects Aff0 = RS × 16 + bit). Each target
// gets the SGI pending in its banked state (vgic_inject_irq), which kicks it: a vCPU blocked in
// WFI wakes, one running on another pCPU exits to take it through its list registers.
import type { Vgic } from './vgicV3.js';
import { decodeSgi1r } from '../../arch/gic/regs.js';

/** Aff3.Aff2.Aff1 of an MPIDR, as one comparable value. */
const cluster = (mpidr: bigint): bigint => (((mpidr >> 32n) & 0xffn) << 16n) | (((mpidr >> 16n) & 0xffn) << 8n) | ((mpidr >> 8n) & 0xffn);

/**
 * vgic_v3_emulate_sgi1r + vgic_to_sgi: the vCPU indices the write from vCPU `from` targets.
 * `online(i)`: vCPU i is up (Xen skips offline targets with a warning).
 */
export function sgi1rTargets(
  g: Vgic,
  from: number,
  value: bigint,
  online: (i: number) => boolean,
): { intid: number; targets: number[]; offline: number[] } {
  const f = decodeSgi1r(value);
  const intid = f.intid;
  const targets: number[] = [];
  const offline: number[] = [];
  if (f.irm) {
    for (let i = 0; i < g.vcpus.length; i++) if (i !== from && online(i)) targets.push(i);
    return { intid, targets, offline };
  }
  const want = (BigInt(f.aff3) << 16n) | (BigInt(f.aff2) << 8n) | BigInt(f.aff1);
  const list = f.targets;
  const rs = BigInt(f.rs);
  for (let bit = 0; bit < 16; bit++) {
    if (!(list & (1 << bit))) continue;
    const aff0 = rs * 16n + BigInt(bit);
    const i = g.vcpus.findIndex((c) => cluster(c.mpidr) === want && (c.mpidr & 0xffn) === aff0);
    if (i < 0 || !online(i)) offline.push(i < 0 ? Number(aff0) : i);
    else targets.push(i);
  }
  return { intid, targets, offline };
}

/** Deliver SGI `intid` to each target vCPU (vgic_inject_irq, which kicks it). */
export function vgicSendSgi(g: Vgic, intid: number, targets: number[]): void {
  for (const t of targets) g.injectIrq(t, intid);
}
