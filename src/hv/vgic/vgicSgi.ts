// SGIs between the vCPUs of a domain (xen/arch/arm/vgic-v3.c vgic_v3_emulate_sgi1r, vgic.c
// vgic_to_sgi). A guest's write to ICC_SGI1R_EL1 traps to EL2 (EC 0x18: SGI generation is not
// virtualised, HCR_EL2.IMO makes EL1 writes trap — IHI 0069 §12.2.23). The value names the SGI
// (INTID[27:24]) and either every other vCPU (IRM = 1, SGI_TARGET_OTHERS) or a TargetList of
// Aff0 values in the cluster Aff3.Aff2.Aff1 (RS selects Aff0 = RS × 16 + bit). Each target
// gets the SGI pending in its banked state (vgic_inject_irq), which kicks it: a vCPU blocked in
// WFI wakes, one running on another pCPU exits to take it through its list registers.
import type { Vgic } from './vgicV3.js';

/** ICC_SGI1R_EL1 fields (arm-facts §7.5). */
const SGI1R = {
  targetList: (x: bigint): number => Number(x & 0xffffn),
  aff1: (x: bigint): bigint => (x >> 16n) & 0xffn,
  intid: (x: bigint): number => Number((x >> 24n) & 0xfn),
  aff2: (x: bigint): bigint => (x >> 32n) & 0xffn,
  irm: (x: bigint): boolean => ((x >> 40n) & 1n) === 1n,
  rs: (x: bigint): bigint => (x >> 44n) & 0xfn,
  aff3: (x: bigint): bigint => (x >> 48n) & 0xffn,
};

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
  const intid = SGI1R.intid(value);
  const targets: number[] = [];
  const offline: number[] = [];
  if (SGI1R.irm(value)) {
    for (let i = 0; i < g.vcpus.length; i++) if (i !== from && online(i)) targets.push(i);
    return { intid, targets, offline };
  }
  const want = (SGI1R.aff3(value) << 16n) | (SGI1R.aff2(value) << 8n) | SGI1R.aff1(value);
  const list = SGI1R.targetList(value);
  const rs = SGI1R.rs(value);
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
