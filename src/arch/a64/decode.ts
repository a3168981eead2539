// The A64 decoder: all instruction tables in one Decoder, and the fallback for encodings no
// table implements (UNDEFINED, or an FP/SIMD access trap when that space is disabled).
import type { Op } from './op.js';
import { Decoder } from './table.js';
import { ALL_TABLES } from './insns/index.js';
import { undefinedInstruction } from '../exceptions.js';
import { checkFpAccess } from '../fpaccess.js';

export const decoder = new Decoder(ALL_TABLES);

const undef: Op = (pe) => undefinedInstruction(pe);

/**
 * FP/SIMD encodings are not implemented yet, but they must trap exactly as CPACR_EL1.FPEN and
 * CPTR_EL2.TFP say before they UNDEF: a hypervisor relies on the trap for lazy FP switching.
 */
const fpUnimplemented: Op = (pe) => {
  checkFpAccess(pe);
  undefinedInstruction(pe);
};

/** Data-processing SIMD&FP (op0 = x111) and SIMD&FP loads/stores (op0 = x1x0 with V = 1). */
export function isFpSimdSpace(word: number): boolean {
  const op0 = (word >>> 25) & 0xf;
  if ((op0 & 0x7) === 0x7) return true;
  if ((op0 & 0x5) === 0x4 && (word >>> 26) & 1) return true;
  return false;
}

export function decodeOp(word: number): Op {
  const d = decoder.decode(word);
  if (d) return d.op;
  return isFpSimdSpace(word) ? fpUnimplemented : undef;
}
