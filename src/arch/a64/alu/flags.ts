// NZCV for the flag-setting data-processing forms (Arm ARM J1.1.3 AddWithCarry; C6.2 ADDS,
// SUBS, ANDS). Subtraction is x + NOT(y) + 1, so callers pass the inverted operand and cin=1.
// Small enough that V8 inlines them into the Op closures.
import type { Pe } from '../../pe.js';
import { r } from '../u64.js';

const TWO32 = 4294967296;

/** 64-bit AddWithCarry: sets NZCV, returns the low half, high half in r.hi. */
export function addWithCarry64(pe: Pe, alo: number, ahi: number, blo: number, bhi: number, cin: number): number {
  const sl = alo + blo + cin;
  const lo = sl >>> 0;
  const sh = ahi + bhi + (sl >= TWO32 ? 1 : 0);
  const hi = sh >>> 0;
  pe.n = hi >>> 31;
  pe.z = (lo | hi) === 0 ? 1 : 0;
  pe.c = sh >= TWO32 ? 1 : 0;
  pe.v = ((ahi ^ hi) & (bhi ^ hi)) >>> 31;
  r.hi = hi;
  return lo;
}

/** 32-bit AddWithCarry: sets NZCV, returns the result. */
export function addWithCarry32(pe: Pe, a: number, b: number, cin: number): number {
  const s = a + b + cin;
  const res = s >>> 0;
  pe.n = res >>> 31;
  pe.z = res === 0 ? 1 : 0;
  pe.c = s >= TWO32 ? 1 : 0;
  pe.v = ((a ^ res) & (b ^ res)) >>> 31;
  return res;
}

/** Flags of a logical S form: N and Z from the result, C = V = 0. */
export function logicFlags64(pe: Pe, lo: number, hi: number): void {
  pe.n = hi >>> 31;
  pe.z = (lo | hi) === 0 ? 1 : 0;
  pe.c = 0;
  pe.v = 0;
}

export function logicFlags32(pe: Pe, v: number): void {
  pe.n = v >>> 31;
  pe.z = v === 0 ? 1 : 0;
  pe.c = 0;
  pe.v = 0;
}
