// PSTATE ↔ SPSR_ELx (AArch64 format) codec (Arm ARM C5.2.18, SPSR_EL1).

export const SPSR = {
  N: 1 << 31,
  Z: 1 << 30,
  C: 1 << 29,
  V: 1 << 28,
  SS: 1 << 21,
  IL: 1 << 20,
  D: 1 << 9,
  A: 1 << 8,
  I: 1 << 7,
  F: 1 << 6,
  nRW: 1 << 4,
  /** DAIF bits as they sit in SPSR and in the DAIF register. */
  DAIF_MASK: 0x3c0,
} as const;

/** M[3:0] values for AArch64 modes: EL<n> with t (SP_EL0) or h (SP_ELn). */
export function modeBits(el: number, spSel: number): number {
  return (el << 2) | spSel;
}

/** AArch64 M[3:0] encodings that name a real mode (EL0t, EL1t/h, EL2t/h, EL3t/h). */
export function isValidAArch64Mode(m: number): boolean {
  return m === 0 || m === 4 || m === 5 || m === 8 || m === 9 || m === 12 || m === 13;
}

export function modeName(spsr: number): string {
  if (spsr & SPSR.nRW) return 'AArch32';
  const m = spsr & 0xf;
  if (!isValidAArch64Mode(m)) return `M=${m}?`;
  return `EL${m >> 2}${m & 1 ? 'h' : 't'}`;
}
