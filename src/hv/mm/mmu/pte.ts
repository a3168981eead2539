// Xen's page-table flags (asm/page.h; xen-facts §2.1) and the descriptors they become. The
// descriptor bit positions come from the machine's one codec (arch/mmu/descriptor.ts).
import { DESC } from '../../../arch/mmu/descriptor.js';
import { MT, MAIRVAL } from '../memtypes.js';

/** The MAIR_EL2 indices and value are shared with the MPU backend (mm/memtypes.ts). */
export { MT, MAIRVAL };

/** The `flags` argument of xenPtUpdate (xen-facts §2.1). */
export const PAGE_AI_MASK = 0x7;
export const _PAGE_XN = 1 << 3;
export const _PAGE_RO = 1 << 4;
export const _PAGE_PRESENT = 1 << 5;
export const _PAGE_POPULATE = 1 << 6;
export const _PAGE_BLOCK = 1 << 7;
/** Internal only: callers may not ask for it, xenPtUpdate sets it on whole aligned runs. */
export const _PAGE_CONTIG = 1 << 8;

export const PAGE_HYPERVISOR_RW = MT.NORMAL | _PAGE_PRESENT | _PAGE_XN;
export const PAGE_HYPERVISOR_RX = MT.NORMAL | _PAGE_PRESENT | _PAGE_RO;
export const PAGE_HYPERVISOR_RO = MT.NORMAL | _PAGE_PRESENT | _PAGE_RO | _PAGE_XN;
export const PAGE_HYPERVISOR_NOCACHE = MT.DEVICE_nGnRE | _PAGE_PRESENT | _PAGE_XN;
export const PAGE_HYPERVISOR_WC = MT.NORMAL_NC | _PAGE_PRESENT | _PAGE_XN;
export const PAGE_HYPERVISOR = PAGE_HYPERVISOR_RW;

const bit = (b: number): bigint => 1n << BigInt(b);
const SH_OUTER = 2n;
const SH_INNER = 3n;
const ADDR_MASK = 0x0000_ffff_ffff_f000n;

/** Present, writable and executable at once: what W^X forbids (mm.c flags_has_rwx). */
export function flagsHaveRwx(flags: number): boolean {
  return (flags & _PAGE_PRESENT) !== 0 && (flags & _PAGE_RO) === 0 && (flags & _PAGE_XN) === 0;
}

/**
 * mfn_to_xen_entry: a leaf mapping `pa` at `level` with `flags`. Valid, AF, nG, NS and AP[1]
 * (RES1 at EL2) set as Xen does; SH Outer for Device and Normal-NC, Inner otherwise.
 */
export function xenLeaf(pa: number, level: number, flags: number): bigint {
  const ai = flags & PAGE_AI_MASK;
  const outer = ai === MT.NORMAL_NC || ai === MT.DEVICE_nGnRE || ai === MT.DEVICE_nGnRnE;
  let e = bit(DESC.VALID) | (BigInt(ai) << BigInt(DESC.ATTR_INDX)) | bit(DESC.NS) | bit(DESC.AP1) | bit(DESC.AF) | bit(DESC.NG);
  e |= (outer ? SH_OUTER : SH_INNER) << BigInt(DESC.SH);
  if (level === 3) e |= bit(DESC.TABLE);
  if (flags & _PAGE_RO) e |= bit(DESC.AP2);
  if (flags & _PAGE_XN) e |= bit(DESC.UXN);
  if (flags & _PAGE_CONTIG) e |= bit(DESC.CONTIGUOUS);
  return e | (BigInt(pa) & ADDR_MASK);
}

/** A table descriptor pointing at `pa`. */
export function xenTable(pa: number): bigint {
  return bit(DESC.VALID) | bit(DESC.TABLE) | (BigInt(pa) & ADDR_MASK);
}

export function pteLo(e: bigint): number {
  return Number(e & 0xffff_ffffn);
}

export function pteHi(e: bigint): number {
  return Number((e >> 32n) & 0xffff_ffffn);
}

export function pteAi(e: bigint): number {
  return Number((e >> BigInt(DESC.ATTR_INDX)) & 7n);
}

export function pteRo(e: bigint): boolean {
  return (e & bit(DESC.AP2)) !== 0n;
}

export function pteXn(e: bigint): boolean {
  return (e & bit(DESC.UXN)) !== 0n;
}

export function pteContig(e: bigint): boolean {
  return (e & bit(DESC.CONTIGUOUS)) !== 0n;
}

/** The same leaf with different RO/XN permission bits (an in-place change, no break needed). */
export function pteWithPerms(e: bigint, ro: boolean, xn: boolean): bigint {
  let n = e & ~(bit(DESC.AP2) | bit(DESC.UXN));
  if (ro) n |= bit(DESC.AP2);
  if (xn) n |= bit(DESC.UXN);
  return n;
}

export function pteWithoutContig(e: bigint): bigint {
  return e & ~bit(DESC.CONTIGUOUS);
}

/** The leaf's flags as xenPtUpdate takes them (without _PAGE_BLOCK). */
export function pteFlags(e: bigint): number {
  return pteAi(e) | _PAGE_PRESENT | (pteRo(e) ? _PAGE_RO : 0) | (pteXn(e) ? _PAGE_XN : 0);
}
