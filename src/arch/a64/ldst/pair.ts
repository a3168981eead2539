// LDP/STP/LDPSW/LDNP/STNP (Arm ARM C3.3.14, "Load/Store Pair"): two registers, two
// consecutive elements of 4 or 8 bytes. Each element is its own single-copy-atomic access
// (Armv8.0), so alignment is checked per element by the fast/slow access paths.
//
// Both loads complete before either register is written, so a fault on the second element
// leaves Rt unchanged. CONSTRAINED UNPREDICTABLE cases, resolved as QEMU 7.2 does
// (translate-a64.c disas_ldst_pair: load Rt into a temporary, load Rt2, then move Rt):
//   - LDP with Rt == Rt2: Rt2 is written first, then Rt, so the first element wins;
//   - writeback with Rn == Rt or Rt2 (Rn != SP): a load's writeback is done last and wins;
//     a store stores the registers' values from before the writeback.
import type { Op } from '../op.js';
import { baseVa, setBase } from './address.js';

export const enum PairMode {
  /** Signed offset (and the non-temporal LDNP/STNP). */
  Offset = 0,
  Pre = 1,
  Post = 2,
}

/**
 * `esize` is log2 of the element size (2 or 3); `signed` selects LDPSW. Registers numbered 31
 * are XZR; Rn = 31 is SP.
 */
export function pairOp(load: boolean, esize: number, signed: boolean, n: number, t: number, t2: number, imm: number, mode: PairMode): Op {
  const off = mode === PairMode.Post ? 0 : imm;
  const wb = mode !== PairMode.Offset;
  const after = mode === PairMode.Post ? imm : 0;
  const tl = 2 * t;
  const t2l = 2 * t2;
  if (esize === 3) {
    if (load)
      return (pe) => {
        const va = baseVa(pe, n, off, 8, false, 0);
        const a = pe.read64(va);
        const ah = pe.rhi;
        const b = pe.read64(va + 8);
        const bh = pe.rhi;
        const x = pe.x;
        if (t2 !== 31) {
          x[t2l] = b;
          x[t2l + 1] = bh;
        }
        if (t !== 31) {
          x[tl] = a;
          x[tl + 1] = ah;
        }
        if (wb) setBase(x, n, va + after);
      };
    return (pe) => {
      const va = baseVa(pe, n, off, 8, true, 0);
      const x = pe.x;
      const bl = t2 === 31 ? 0 : x[t2l];
      const bh = t2 === 31 ? 0 : x[t2l + 1];
      pe.write64(va, t === 31 ? 0 : x[tl], t === 31 ? 0 : x[tl + 1]);
      pe.write64(va + 8, bl, bh);
      if (wb) setBase(x, n, va + after);
    };
  }
  if (load)
    return (pe) => {
      const va = baseVa(pe, n, off, 4, false, 0);
      const a = pe.read32(va);
      const b = pe.read32(va + 4);
      const x = pe.x;
      if (t2 !== 31) {
        x[t2l] = b;
        x[t2l + 1] = signed ? (b | 0) >> 31 : 0;
      }
      if (t !== 31) {
        x[tl] = a;
        x[tl + 1] = signed ? (a | 0) >> 31 : 0;
      }
      if (wb) setBase(x, n, va + after);
    };
  return (pe) => {
    const va = baseVa(pe, n, off, 4, true, 0);
    const x = pe.x;
    const b = t2 === 31 ? 0 : x[t2l];
    pe.write32(va, t === 31 ? 0 : x[tl]);
    pe.write32(va + 4, b);
    if (wb) setBase(x, n, va + after);
  };
}
