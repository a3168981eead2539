// 64-bit integer helpers over 32-bit halves.
//
// Why halves: BigInt arithmetic allocates, and the hot path of an interpreter cannot afford
// it (DESIGN.md §5). A 64-bit value is (lo, hi), both unsigned 32-bit numbers. Functions that
// produce a 64-bit result return `lo` and leave the high half in `r.hi` (plus carry/overflow
// in `r.c`/`r.v` where they compute flags); callers read `r.hi` immediately.

export const r = { hi: 0, c: 0, v: 0 };

const TWO32 = 4294967296;

/** lo/hi + lo/hi + carryIn, with NZCV-style carry and signed overflow in r.c / r.v. */
export function add64(alo: number, ahi: number, blo: number, bhi: number, cin: number): number {
  const sl = alo + blo + cin;
  const lo = sl >>> 0;
  const sh = ahi + bhi + (sl >= TWO32 ? 1 : 0);
  const hi = sh >>> 0;
  r.hi = hi;
  r.c = sh >= TWO32 ? 1 : 0;
  r.v = (~(ahi ^ bhi) & (ahi ^ hi)) >>> 31;
  return lo;
}

/** 32-bit a + b + carryIn with carry/overflow in r.c / r.v. */
export function add32(a: number, b: number, cin: number): number {
  const s = a + b + cin;
  const res = s >>> 0;
  r.c = s >= TWO32 ? 1 : 0;
  r.v = (~(a ^ b) & (a ^ res)) >>> 31;
  return res;
}

/** Signed value of a 64-bit pair as a JS number; exact when |value| < 2^53. */
export function toSignedNumber(lo: number, hi: number): number {
  return (hi | 0) * TWO32 + lo;
}

/** True when (lo, hi) converts to a JS number without loss (|value| < 2^52 as signed). */
export function isExactSigned(hi: number): boolean {
  const h = hi | 0;
  return h >= -0x100000 && h < 0x100000;
}

/** Low half of a (possibly negative) integral JS number, two's complement. */
export function loOf(n: number): number {
  return n >>> 0 === n ? n : Number(BigInt.asUintN(32, BigInt(n)));
}

/** High half of a (possibly negative) integral JS number, two's complement. */
export function hiOf(n: number): number {
  if (n >= 0 && n < TWO32) return 0;
  return Number(BigInt.asUintN(32, BigInt(n) >> 32n));
}

export function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function fromBig(v: bigint): number {
  r.hi = Number((v >> 32n) & 0xffffffffn);
  return Number(v & 0xffffffffn);
}

/** Signed 64-bit value as bigint. */
export function toBigSigned(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, toBig(lo, hi));
}

export function hex64(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
