// Multiplication over 32-bit halves without BigInt (MADD/MSUB, the long multiplies, SMULH and
// UMULH; Arm ARM C6.2). Math.imul gives the low 32 bits of a 32x32 product; the high 32 bits
// come from the double product corrected by the exact low half (see umulhi32).
import { r } from '../u64.js';

const TWO32 = 4294967296;

/**
 * High 32 bits of the unsigned 32x32 product. a*b as a double is within 2^11 of the true
 * product P = hi*2^32 + lo; subtracting the exact lo and dividing by 2^32 leaves hi plus an
 * error far below 1/2, so rounding recovers hi exactly.
 */
export function umulhi32(a: number, b: number): number {
  const lo = Math.imul(a, b) >>> 0;
  return Math.round(((a >>> 0) * (b >>> 0) - lo) / TWO32) >>> 0;
}

/** Signed 32x32 → 64 product: low half returned, high half in r.hi. */
export function smull32(a: number, b: number): number {
  let hi = umulhi32(a, b);
  // Signed high half = unsigned high half − (a<0 ? b : 0) − (b<0 ? a : 0) (mod 2^32).
  if (a & 0x80000000) hi -= b >>> 0;
  if (b & 0x80000000) hi -= a >>> 0;
  r.hi = hi >>> 0;
  return Math.imul(a, b) >>> 0;
}

/** Unsigned 32x32 → 64 product: low half returned, high half in r.hi. */
export function umull32(a: number, b: number): number {
  r.hi = umulhi32(a, b);
  return Math.imul(a, b) >>> 0;
}

/** Low 64 bits of a 64x64 product (same for signed and unsigned). */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): number {
  r.hi = (umulhi32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) >>> 0;
  return Math.imul(alo, blo) >>> 0;
}

/** High 64 bits of the unsigned 64x64 → 128 product (UMULH). */
export function umulh64(alo: number, ahi: number, blo: number, bhi: number): number {
  const llHi = umulhi32(alo, blo);
  const lhLo = Math.imul(alo, bhi) >>> 0;
  const lhHi = umulhi32(alo, bhi);
  const hlLo = Math.imul(ahi, blo) >>> 0;
  const hlHi = umulhi32(ahi, blo);
  const hhLo = Math.imul(ahi, bhi) >>> 0;
  const hhHi = umulhi32(ahi, bhi);
  const col1 = llHi + lhLo + hlLo; // < 3·2^32, exact
  const col2 = lhHi + hlHi + hhLo + Math.floor(col1 / TWO32);
  r.hi = (hhHi + Math.floor(col2 / TWO32)) >>> 0;
  return col2 >>> 0;
}

/** High 64 bits of the signed 64x64 → 128 product (SMULH). */
export function smulh64(alo: number, ahi: number, blo: number, bhi: number): number {
  let lo = umulh64(alo, ahi, blo, bhi);
  let hi = r.hi;
  // Signed = unsigned − (a<0 ? b·2^64 : 0) − (b<0 ? a·2^64 : 0): subtract from the high 64.
  if (ahi & 0x80000000) {
    const d = lo - (blo >>> 0);
    hi = hi - (bhi >>> 0) - (d < 0 ? 1 : 0);
    lo = d;
  }
  if (bhi & 0x80000000) {
    const d = (lo >>> 0) - (alo >>> 0);
    hi = hi - (ahi >>> 0) - (d < 0 ? 1 : 0);
    lo = d;
  }
  r.hi = hi >>> 0;
  return lo >>> 0;
}
