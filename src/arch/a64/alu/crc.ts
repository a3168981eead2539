// CRC32 / CRC32C byte tables for the CRC32{B,H,W,X} and CRC32C{B,H,W,X} instructions
// (Arm ARM C6.2 CRC32B..., pseudocode Poly32Mod2 over bit-reversed data). The instructions
// compute the reflected CRC without the initial/final inversion, which is exactly a
// table-driven LSB-first update: for each byte, crc = T[(crc ^ b) & 0xff] ^ (crc >>> 8).

function makeTable(reflectedPoly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reflectedPoly : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

/** CRC-32 (IEEE 802.3) polynomial 0x04C11DB7, reflected. */
export const CRC32_TABLE = makeTable(0xedb88320);
/** CRC-32C (Castagnoli) polynomial 0x1EDC6F41, reflected. */
export const CRC32C_TABLE = makeTable(0x82f63b78);

/** Fold `bytes` bytes of `v` (little-endian, bytes ≤ 4) into `crc`. */
export function crcUpdate(t: Uint32Array, crc: number, v: number, bytes: number): number {
  for (let i = 0; i < bytes; i++) {
    crc = t[(crc ^ v) & 0xff] ^ (crc >>> 8);
    v >>>= 8;
  }
  return crc >>> 0;
}
