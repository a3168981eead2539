// One EL2 MPU region as the hypervisor plans it: a range, what may be done with it, its memory
// type, who owns it and how long it lives — and the PRBAR/PRLAR pair it becomes, encoded by
// the machine's one codec (src/arch/pmsa/regions.ts). Xen keeps the same facts in pr_t
// (xen/arch/arm/include/asm/arm64/mpu.h) and builds them in pr_of_addr (mpu/mm.c).
import { MAIRVAL, MT } from '../memtypes.js';
import { Shareability } from '../../../arch/mmu/memattr.js';
import { AP, encodePrbar, encodePrlar, REGION_GRANULE, XN_NEVER } from '../../../arch/pmsa/regions.js';
import { hex } from '../../../util/errors.js';

/**
 * What the region allows. 'rx' / 'r' / 'rw' are hypervisor (EL2-only) rights; 'rwx' is a
 * guest's RAM at stage 2 (EL1&0 and EL2 may read, write and execute: the guest's own stage 1
 * keeps its W^X, and SCTLR_EL2.WXN — set by Xen's enable_mpu — keeps EL2 from executing it).
 */
export type Perms = 'rx' | 'r' | 'rw' | 'rwx';

/** Memory type: Normal write-back, Normal non-cacheable (ioremap_wc) or Device-nGnRE. */
export type MemType = 'normal' | 'normal-nc' | 'device';

/** boot: freed when init is done; permanent: hypervisor-lifetime; guest: a domain's, switched. */
export type Lifetime = 'boot' | 'permanent' | 'guest';

/**
 * MAIR_EL2 attribute indices: Xen's MT_* (asm/page.h) and MAIRVAL, which the MPU port reuses
 * (REGION_NORMAL_PRLAR has AI 7, REGION_DEVICE_PRLAR AI 4; xen-facts §4.3). The MMU side
 * names the same constants in its pte.ts; the two must stay equal.
 */
export const MPU_ATTR: Record<MemType, number> = { normal: MT.NORMAL, 'normal-nc': MT.NORMAL_NC, device: MT.DEVICE_nGnRE };
/** MAIR_EL2 for these indices: the same MAIRVAL as the MMU backend. */
export const MPU_MAIRVAL = MAIRVAL;

export interface MpuRange {
  /** First byte and last byte (inclusive), as PRBAR.BASE and PRLAR.LIMIT hold them. */
  base: number;
  limit: number;
}

export interface MpuRegion extends MpuRange {
  perms: Perms;
  type: MemType;
  /** EL1&0 may use it (AP[0]): guest regions, which the EL2 MPU checks as stage 2. */
  guest: boolean;
  lifetime: Lifetime;
  /** 'xen' or the domain's name. */
  owner: string;
  /** What it maps, for tables and messages (".text", "MODULE[2] Kernel", "static heap"). */
  purpose: string;
  /** Why it is mapped so, for the tables. */
  why?: string;
}

/** A region placed in an MPU slot, with the register values that program it. */
export interface SlotRegion extends MpuRegion {
  index: number;
  prbar: bigint;
  prlar: bigint;
}

/** AP[2:1] and XN for a set of rights: RO bit for no-write, AP[0] for EL1&0, XN[1] for no-exec. */
export function apXn(perms: Perms, guest: boolean): { ap: number; xn: number } {
  const ro = perms === 'r' || perms === 'rx';
  const ap = (ro ? AP.READ_ONLY : 0) | (guest ? AP.UNPRIV : 0);
  const xn = perms === 'rx' || perms === 'rwx' ? 0 : XN_NEVER;
  return { ap, xn };
}

/** SH as Xen's pr_of_addr chooses it: Outer for Device and Non-cacheable, Inner otherwise. */
export function shareability(type: MemType): Shareability {
  return type === 'normal' ? Shareability.Inner : Shareability.Outer;
}

/** PRBAR/PRLAR of `r`, enabled or not. */
export function encodeRegion(r: MpuRegion, en = true): { prbar: bigint; prlar: bigint } {
  const { ap, xn } = apXn(r.perms, r.guest);
  return {
    prbar: encodePrbar({ base: r.base, sh: shareability(r.type), ap, xn }),
    prlar: encodePrlar({ limit: r.limit, ns: false, attrIndx: MPU_ATTR[r.type], en }),
  };
}

export function inSlot(r: MpuRegion, index: number): SlotRegion {
  return { ...r, index, ...encodeRegion(r) };
}

/** Whether [base, limit] is on the 64-byte region granule. */
export function granuleAligned(r: MpuRange): boolean {
  return r.base % REGION_GRANULE === 0 && (r.limit + 1) % REGION_GRANULE === 0 && r.limit >= r.base;
}

/** [start, start + size) widened to whole 64-byte granules. */
export function granuleRange(start: number, size: number): MpuRange {
  const base = start - (start % REGION_GRANULE);
  const end = Math.ceil((start + size) / REGION_GRANULE) * REGION_GRANULE;
  return { base, limit: end - 1 };
}

export function overlap(a: MpuRange, b: MpuRange): boolean {
  return a.base <= b.limit && b.base <= a.limit;
}

/**
 * Two regions may become one (Bao's perms_compatible, Xen's "same attributes"): same rights,
 * memory type, EL1&0 access, owner and lifetime. Equal rights is what keeps W^X: an RX region
 * never absorbs an RW one.
 */
export function compatible(a: MpuRegion, b: MpuRegion): boolean {
  return a.perms === b.perms && a.type === b.type && a.guest === b.guest && a.owner === b.owner && a.lifetime === b.lifetime;
}

const TYPE_NAME: Record<MemType, string> = { normal: 'Normal-WB', 'normal-nc': 'Normal-NC', device: 'Device-nGnRE' };

export function typeName(t: MemType): string {
  return TYPE_NAME[t];
}

/** "0x000200000..0x000200fff" (the machine's describeRegion width). */
export function rangeText(r: MpuRange): string {
  const h = (n: number): string => '0x' + n.toString(16).padStart(9, '0');
  return `${h(r.base)}..${h(r.limit)}`;
}

/** "[0x200000, 0x201000)": the half-open form Xen's messages use. */
export function spanText(r: MpuRange): string {
  return `[${hex(r.base)}, ${hex(r.limit + 1)})`;
}
