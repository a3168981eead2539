// Bit and byte reversal and leading-bit counts for the 1-source data-processing instructions
// (Arm ARM C6.2 RBIT, REV16, REV32, REV, CLZ, CLS) on 32-bit words.

/** Reverse the bits of a 32-bit word. */
export function rbit32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** Reverse the bytes within each halfword. */
export function rev16(v: number): number {
  return (((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8)) >>> 0;
}

/** Reverse the four bytes of a word. */
export function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) >>> 0;
}

/** CountLeadingSignBits (J1.1.3): leading bits equal to the sign bit, excluding it. */
export function cls32(v: number): number {
  return Math.clz32((v ^ (v >> 1)) >>> 0) - 1;
}
