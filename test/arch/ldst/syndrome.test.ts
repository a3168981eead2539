// Data Abort instruction syndrome (ISS[24:14]) computed from load/store words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadStoreSyndrome } from '../../../src/arch/a64/ldst/syndrome.js';

const ISV = 1 << 24;
const SSE = 1 << 21;
const SF = 1 << 15;
const AR = 1 << 14;
const sas = (n: number) => n << 22;
const srt = (n: number) => n << 16;

const CASES: [number, string, number][] = [
  [0xf9400420, 'ldr x0, [x1, #8]', ISV | sas(3) | srt(0) | SF],
  [0x39c00022, 'ldrsb w2, [x1]', ISV | sas(0) | SSE | srt(2)],
  [0x39800023, 'ldrsb x3, [x1]', ISV | sas(0) | SSE | srt(3) | SF],
  [0x79400424, 'ldrh w4, [x1, #2]', ISV | sas(1) | srt(4)],
  [0xb9800428, 'ldrsw x8, [x1, #4]', ISV | sas(2) | SSE | srt(8) | SF],
  [0xb9400427, 'ldr w7, [x1, #4]', ISV | sas(2) | srt(7)],
  [0x79000422, 'strh w2, [x1, #2]', ISV | sas(1) | srt(2)],
  [0xf900083f, 'str xzr, [x1, #16]', ISV | sas(3) | srt(31) | SF],
  [0xf85f802b, 'ldur x11, [x1, #-8]', ISV | sas(3) | srt(11) | SF],
  [0x78c0602c, 'ldursh w12, [x1, #6]', ISV | sas(1) | SSE | srt(12)],
  [0xb864d823, 'ldr w3, [x1, w4, sxtw #2]', ISV | sas(2) | srt(3)],
  [0x7822782b, 'strh w11, [x1, x2, lsl #1]', ISV | sas(1) | srt(11)],
  [0x78c00823, 'ldtrsh w3, [x1]', ISV | sas(1) | SSE | srt(3)],
  [0xc8dffc24, 'ldar x4, [x1]', ISV | sas(3) | srt(4) | SF | AR],
  [0x489ffc26, 'stlrh w6, [x1]', ISV | sas(1) | srt(6) | AR],
  [0x58000100, 'ldr x0, lit', ISV | sas(3) | srt(0) | SF],
  [0x980000e1, 'ldrsw x1, lit', ISV | sas(2) | SSE | srt(1) | SF],
  [0x180000e2, 'ldr w2, lit', ISV | sas(2) | srt(2)],
  // No valid syndrome: writeback, pairs, exclusives, prefetches, SIMD&FP, atomics.
  [0xf8408c22, 'ldr x2, [x1, #8]!', 0],
  [0xb85fc423, 'ldr w3, [x1], #-4', 0],
  [0xa94117e4, 'ldp x4, x5, [sp, #16]', 0],
  [0xc85f7c20, 'ldxr x0, [x1]', 0],
  [0xc8027c23, 'stxr w2, x3, [x1]', 0],
  [0xc87f0440, 'ldxp x0, x1, [x2]', 0],
  [0xf98004b3, 'prfm pstl2strm, [x5, #8]', 0],
  [0xd80000a0, 'prfm pldl1keep, lit', 0],
  [0xf8a668a0, 'prfm pldl1keep, [x5, x6]', 0],
  [0x3dc00020, 'ldr q0, [x1]', 0],
  [0xfd400020, 'ldr d0, [x1]', 0],
  [0xf8208020, 'swp x0, x0, [x1] (LSE)', 0],
];

test('loadStoreSyndrome', () => {
  for (const [word, text, want] of CASES) {
    assert.equal(loadStoreSyndrome(word), want >>> 0, `${text} (${word.toString(16)})`);
  }
});
