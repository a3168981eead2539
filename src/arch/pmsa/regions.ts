// PMSAv8-64 region registers (Armv8-R AArch64 supplement; arm-facts §5.3): the one place
// that knows the PRBAR_ELx / PRLAR_ELx layouts, the 64-byte region granule and how the
// numbered aliases PRBAR<n>/PRLAR<n> select a region. Everything else (the sysreg catalogue,
// the region lookup, the tests, `--explain`) goes through these functions.
import { Shareability } from '../mmu/memattr.js';

/** Regions start and end on 64-byte boundaries: BASE and LIMIT hold address bits [47:6]. */
export const REGION_GRANULE = 64;
/** MPUIR_ELx.REGION is 8 bits: at most 255 regions per MPU (arm-facts §5.2). */
export const MAX_REGIONS = 255;
/** Numbered aliases PRBAR1..15 / PRLAR1..15 (n = 0 is PRBAR_ELx / PRLAR_ELx itself). */
export const ALIAS_COUNT = 16;

const ADDR_MASK = 0xffff_ffff_ffc0n; // bits [47:6]

/** PRBAR_ELx fields: BASE [47:6], SH [5:4], AP[2:1] [3:2], XN [1:0]; [63:48] RES0. */
export const PRBAR_WRITE_MASK = ADDR_MASK | 0x3fn;
/** PRLAR_ELx fields: LIMIT [47:6], NS [4], AttrIndx [3:1], EN [0]; bit 5 and [63:48] RES0. */
export const PRLAR_WRITE_MASK = ADDR_MASK | 0x1fn;

/**
 * AP[2:1] (arm-facts §5.3, Xen's AP_RW_EL2/AP_RW_ALL/AP_RO_EL2/AP_RO_ALL): bit 1 = read-only,
 * bit 0 = the less privileged level (EL0 for the EL1 MPU, EL1&0 for the EL2 MPU) has access.
 */
export const AP = {
  RW_PRIV: 0,
  RW_ALL: 1,
  RO_PRIV: 2,
  RO_ALL: 3,
  READ_ONLY: 2,
  UNPRIV: 1,
} as const;

/** XN[1] is execute-never; XN[0] is RES0 here (arm-facts §5.3 (?), see docs/ARCHITECTURE.md). */
export const XN_NEVER = 2;

export interface Prbar {
  /** First byte of the region (64-byte aligned). */
  base: number;
  sh: Shareability;
  ap: number;
  xn: number;
}

export interface Prlar {
  /** Last byte of the region, inclusive: (LIMIT << 6) | 0x3F. */
  limit: number;
  ns: boolean;
  attrIndx: number;
  en: boolean;
}

/** One decoded region of an MPU. */
export interface Region extends Prbar, Prlar {
  index: number;
}

export function decodePrbar(v: bigint): Prbar {
  const lo = Number(v & 0x3fn);
  return { base: Number(v & ADDR_MASK), sh: ((lo >>> 4) & 3) as Shareability, ap: (lo >>> 2) & 3, xn: lo & 3 };
}

export function encodePrbar(f: Prbar): bigint {
  return (BigInt(f.base) & ADDR_MASK) | BigInt(((f.sh & 3) << 4) | ((f.ap & 3) << 2) | (f.xn & 3));
}

export function decodePrlar(v: bigint): Prlar {
  const lo = Number(v & 0x3fn);
  return { limit: Number(v & ADDR_MASK) + (REGION_GRANULE - 1), ns: (lo & 0x10) !== 0, attrIndx: (lo >>> 1) & 7, en: (lo & 1) !== 0 };
}

export function encodePrlar(f: Prlar): bigint {
  return (BigInt(f.limit) & ADDR_MASK) | BigInt((f.ns ? 0x10 : 0) | ((f.attrIndx & 7) << 1) | (f.en ? 1 : 0));
}

export function decodeRegion(index: number, prbar: bigint, prlar: bigint): Region {
  return { index, ...decodePrbar(prbar), ...decodePrlar(prlar) };
}

/**
 * The region a numbered alias accesses: PRSELR.REGION[7:4] : n (arm-facts §1.6, Xen
 * mpu/arm64/mm.c). n = 0 is PRBAR_ELx / PRLAR_ELx, which use the whole selector.
 */
export function aliasRegion(prselr: number, n: number): number {
  return n === 0 ? prselr & 0xff : (prselr & 0xf0) | n;
}

/** The encoding of PRBAR<n>_ELx (lar = false) or PRLAR<n>_ELx: CRn 6, CRm 8 + n>>1, op2 (n&1)*4 (+1). */
export function aliasEncoding(el: 1 | 2, n: number, lar: boolean): { op0: number; op1: number; crn: number; crm: number; op2: number } {
  return { op0: 3, op1: el === 2 ? 4 : 0, crn: 6, crm: 8 + (n >>> 1), op2: (n & 1) * 4 + (lar ? 1 : 0) };
}

/** The register name for alias n (PRBAR_EL2 for n = 0, PRBAR5_EL2 for n = 5). */
export function aliasName(el: 1 | 2, n: number, lar: boolean): string {
  return `${lar ? 'PRLAR' : 'PRBAR'}${n === 0 ? '' : n}_EL${el}`;
}

export function describeRegion(r: Region): string {
  const hex = (n: number): string => '0x' + n.toString(16).padStart(9, '0');
  const ap = ['RW-priv', 'RW-all', 'RO-priv', 'RO-all'][r.ap];
  return `region ${r.index} ${hex(r.base)}..${hex(r.limit)} ${ap}${r.xn & XN_NEVER ? ' XN' : ''} AttrIndx ${r.attrIndx}${r.en ? '' : ' (disabled)'}`;
}
