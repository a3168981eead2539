// DecodeBitMasks for the logical (immediate) and bitfield encodings (Arm ARM J1.1.3
// aarch64/instrs/integer/bitmasks/DecodeBitMasks, C6.2 "AND (immediate)").
//
// An immediate is an element of esize = 2..64 bits holding S+1 consecutive ones rotated
// right by R, replicated across the register. Done with numbers at decode time: every
// element of 32 bits or fewer is built in one uint32, a 64-bit element in two halves.

export interface BitMask {
  lo: number;
  hi: number;
}

/** Highest set bit index of a 7-bit value, or -1. */
function highestSetBit(v: number): number {
  return 31 - Math.clz32(v);
}

/**
 * The wmask of a logical immediate for a `datasize`-bit operation, or null when the encoding
 * is reserved: len < 1 (an element of 1 bit), an all-ones element (S = esize-1), or esize > datasize (N = 1 for 32-bit).
 */
export function decodeLogicalImm(n: number, imms: number, immr: number, datasize: 32 | 64): BitMask | null {
  const len = highestSetBit((n << 6) | (~imms & 0x3f));
  if (len < 1) return null;
  const esize = 1 << len;
  if (esize > datasize) return null;
  const levels = esize - 1;
  const s = imms & levels;
  const rot = immr & levels;
  if (s === levels) return null;
  if (esize === 64) {
    // S+1 ones in a 64-bit element, rotated right by R.
    const w = s + 1;
    let lo = w >= 32 ? 0xffffffff : ((1 << w) - 1) >>> 0;
    let hi = w > 32 ? (2 ** (w - 32) - 1) >>> 0 : 0;
    if (rot !== 0) {
      // Rotate right by rot over 64 bits.
      let l = lo,
        h = hi,
        k = rot;
      if (k >= 32) {
        [l, h] = [h, l];
        k -= 32;
      }
      if (k) {
        const nl = ((l >>> k) | (h << (32 - k))) >>> 0;
        const nh = ((h >>> k) | (l << (32 - k))) >>> 0;
        l = nl;
        h = nh;
      }
      lo = l;
      hi = h;
    }
    return { lo, hi: datasize === 64 ? hi : 0 };
  }
  const emask = esize === 32 ? 0xffffffff : (1 << esize) - 1;
  let e = ((1 << (s + 1)) - 1) >>> 0; // s+1 ≤ 31 here
  if (rot) e = ((e >>> rot) | (e << (esize - rot))) & emask;
  let v = e >>> 0;
  for (let sz = esize; sz < 32; sz *= 2) v = (v | (v << sz)) >>> 0;
  return { lo: v, hi: datasize === 64 ? v : 0 };
}

/** True when (lo, hi) has set bits in at most one 16-bit chunk (one MOVZ writes it). */
function oneChunk(lo: number, hi: number): boolean {
  let chunks = 0;
  for (const v of [lo & 0xffff, lo >>> 16, hi & 0xffff, hi >>> 16]) if (v) chunks++;
  return chunks <= 1;
}

/**
 * Whether a bitmask immediate could be written with one MOVZ or MOVN, in which case
 * `orr Rd, zr, #imm` keeps its ORR spelling (the MOV (bitmask immediate) alias is preferred
 * only when this is false). The Arm ARM states this as MoveWidePreferred over the fields;
 * objdump decides on the value, which is what we mirror (they differ at a 16-zero boundary).
 */
export function moveWidePreferred(sf: number, n: number, imms: number, immr: number): boolean {
  const m = decodeLogicalImm(n, imms, immr, sf ? 64 : 32);
  if (!m) return false;
  if (oneChunk(m.lo, m.hi)) return true;
  return sf ? oneChunk(~m.lo >>> 0, ~m.hi >>> 0) : oneChunk(~m.lo >>> 0, 0);
}
