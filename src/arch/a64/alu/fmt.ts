// Disassembly helpers shared by the data-processing and branch tables: objdump's spelling of
// immediates and branch targets (aarch64-linux-gnu-objdump 2.40 is the reference text).

/** A branch/ADR target as objdump prints it: the 64-bit address in hex without 0x. */
export function targetText(addr: number): string {
  if (addr >= 0 && Number.isSafeInteger(addr)) return addr.toString(16);
  return BigInt.asUintN(64, BigInt(Math.trunc(addr))).toString(16);
}

/** `#0x…` for a (lo, hi) value of `datasize` bits. */
export function immText(lo: number, hi: number, is64: boolean | number): string {
  if (!is64 || hi === 0) return '#0x' + (lo >>> 0).toString(16);
  return '#0x' + ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16);
}

/** Signed-canonical address → (lo, hi) halves, exact for |addr| < 2^53. */
export function addrLo(addr: number): number {
  return addr >>> 0;
}
export function addrHi(addr: number): number {
  return Math.floor(addr / 4294967296) >>> 0;
}

/** Condition names as objdump spells them (cs/cc rather than hs/lo). */
export const COND_TEXT = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'] as const;
