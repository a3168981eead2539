// Register-file conventions shared by every instruction table.
//
// Xn lives in pe.x[2n] (low 32 bits) and pe.x[2n+1] (high 32 bits), both uint32.
// Register number 31 is SP or XZR depending on the operand (Arm ARM C1.2.5); each builder
// decides at decode time, so the executed Op never tests for 31: XZR reads become constant 0
// and XZR writes are dropped, SP uses slot 31 (the live stack pointer).
// A write to Wn clears the upper 32 bits of Xn.
import type { Pe } from '../pe.js';

export function setX(pe: Pe, n: number, lo: number, hi: number): void {
  pe.x[2 * n] = lo;
  pe.x[2 * n + 1] = hi;
}

/** Register name for disassembly: `x`/`w` prefix; 31 is `sp`/`wsp` or `xzr`/`wzr`. */
export function regName(n: number, is64: boolean | number, spIs31 = false): string {
  if (n === 31) return spIs31 ? (is64 ? 'sp' : 'wsp') : is64 ? 'xzr' : 'wzr';
  return (is64 ? 'x' : 'w') + n;
}

export function hex(n: number | bigint): string {
  if (typeof n === 'number' && n < 0) return '-0x' + (-n).toString(16);
  return '0x' + n.toString(16);
}

/** Condition-code names by cond field value. */
export const COND_NAMES = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'] as const;

/** ConditionHolds (Arm ARM J1.1.3 shared/functions/system/ConditionHolds). */
export function conditionHolds(pe: Pe, cond: number): boolean {
  let r: boolean;
  switch (cond >> 1) {
    case 0:
      r = pe.z === 1;
      break;
    case 1:
      r = pe.c === 1;
      break;
    case 2:
      r = pe.n === 1;
      break;
    case 3:
      r = pe.v === 1;
      break;
    case 4:
      r = pe.c === 1 && pe.z === 0;
      break;
    case 5:
      r = pe.n === pe.v;
      break;
    case 6:
      r = pe.n === pe.v && pe.z === 0;
      break;
    default:
      r = true;
  }
  // cond 0b1111 (NV) is "always" like AL, not its inverse.
  if (cond & 1 && cond !== 0xf) r = !r;
  return r;
}

/** Sign-extend the low `bits` bits of v (bits ≤ 32) to a JS number. */
export function sext(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}
