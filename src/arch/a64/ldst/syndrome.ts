// Data Abort instruction syndrome (ESR_ELx ISS[24:14] when ISV = 1; arm-facts.md §2.3, Arm ARM
// D17.2.37 "ISS encoding for an exception from a Data Abort").
//
// The syndrome describes the access well enough for a hypervisor to emulate it (MMIO) without
// decoding the instruction: ISV, SAS (size), SSE (sign-extend), SRT (register), SF (64-bit
// register), AR (acquire/release). Only single general-purpose register loads/stores without
// writeback provide it; pairs, exclusives, writeback forms, prefetches and SIMD&FP give 0.
import { ABT } from '../../esr.js';

function iss(size: number, sse: boolean, rt: number, sf: boolean, ar: boolean): number {
  return ABT.ISV | (size << 22) | (sse ? ABT.SSE : 0) | (rt << 16) | (sf ? ABT.SF : 0) | (ar ? ABT.AR : 0);
}

/** ISS bits [24:14] for the load/store `word`, or 0 when it provides no valid syndrome. */
export function loadStoreSyndrome(word: number): number {
  const rt = word & 31;
  const size = word >>> 30;
  const opc = (word >>> 22) & 3;
  const top = (word >>> 24) & 0x3f; // bits 29:24, with V = bit 26
  // Single register: unsigned offset (111001), or 111000 with bit 21 = 0 and bits 11:10 =
  // 00 (unscaled) / 10 (unprivileged), or bit 21 = 1 and bits 11:10 = 10 (register offset).
  let single = top === 0b111001;
  if (top === 0b111000) {
    const b21 = (word >>> 21) & 1;
    const mode = (word >>> 10) & 3;
    single = b21 === 0 ? mode === 0 || mode === 2 : mode === 2;
  }
  if (single) {
    switch (opc) {
      case 0:
      case 1:
        return iss(size, false, rt, size === 3, false);
      case 2:
        return size === 3 ? 0 : iss(size, true, rt, true, false); // size 3: PRFM
      default:
        return size >= 2 ? 0 : iss(size, true, rt, false, false);
    }
  }
  // LDR (literal): opc 00 W, 01 X, 10 LDRSW, 11 PRFM.
  if (top === 0b011000) {
    const o = size;
    if (o === 0) return iss(2, false, rt, false, false);
    if (o === 1) return iss(3, false, rt, true, false);
    if (o === 2) return iss(2, true, rt, true, false);
    return 0;
  }
  // LDAR/STLR: 001000, o2 (bit 23) = 1, o1 (bit 21) = 0, o0 (bit 15) = 1.
  if (top === 0b001000 && ((word >>> 23) & 1) === 1 && ((word >>> 21) & 1) === 0 && ((word >>> 15) & 1) === 1) {
    return iss(size, false, rt, size === 3, true);
  }
  return 0;
}
