// 64-bit shifts and rotates over (lo, hi) halves, for the shift/extend operand forms and the
// variable-shift instructions (Arm ARM J1.1.3 shared/functions/integer: LSL, LSR, ASR, ROR).
// Amounts are 0..63; each returns the low half and leaves the high half in r.hi.
import { r } from '../u64.js';

export function lsl64(lo: number, hi: number, s: number): number {
  if (s === 0) {
    r.hi = hi >>> 0;
    return lo >>> 0;
  }
  if (s < 32) {
    r.hi = ((hi << s) | (lo >>> (32 - s))) >>> 0;
    return (lo << s) >>> 0;
  }
  r.hi = (lo << (s - 32)) >>> 0;
  return 0;
}

export function lsr64(lo: number, hi: number, s: number): number {
  if (s === 0) {
    r.hi = hi >>> 0;
    return lo >>> 0;
  }
  if (s < 32) {
    r.hi = hi >>> s;
    return ((lo >>> s) | (hi << (32 - s))) >>> 0;
  }
  r.hi = 0;
  return hi >>> (s - 32);
}

export function asr64(lo: number, hi: number, s: number): number {
  if (s === 0) {
    r.hi = hi >>> 0;
    return lo >>> 0;
  }
  if (s < 32) {
    r.hi = (hi >> s) >>> 0;
    return ((lo >>> s) | (hi << (32 - s))) >>> 0;
  }
  r.hi = (hi >> 31) >>> 0;
  return (hi >> (s - 32)) >>> 0;
}

export function ror64(lo: number, hi: number, s: number): number {
  if (s === 0) {
    r.hi = hi >>> 0;
    return lo >>> 0;
  }
  if (s === 32) {
    r.hi = lo >>> 0;
    return hi >>> 0;
  }
  if (s < 32) {
    r.hi = ((hi >>> s) | (lo << (32 - s))) >>> 0;
    return ((lo >>> s) | (hi << (32 - s))) >>> 0;
  }
  const t = s - 32;
  r.hi = ((lo >>> t) | (hi << (32 - t))) >>> 0;
  return ((hi >>> t) | (lo << (32 - t))) >>> 0;
}

export function lsl32(v: number, s: number): number {
  return (v << s) >>> 0;
}
export function lsr32(v: number, s: number): number {
  return v >>> s;
}
export function asr32(v: number, s: number): number {
  return (v >> s) >>> 0;
}
export function ror32(v: number, s: number): number {
  return s === 0 ? v >>> 0 : ((v >>> s) | (v << (32 - s))) >>> 0;
}

/** By the `shift` field of the shifted-register forms: LSL, LSR, ASR, ROR (C6.2 ShiftType). */
export const SHIFT64 = [lsl64, lsr64, asr64, ror64] as const;
export const SHIFT32 = [lsl32, lsr32, asr32, ror32] as const;
export const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'] as const;
