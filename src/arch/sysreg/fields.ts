// Bit fields of the control registers the machine itself acts on, in one place
// (arm-facts §3.1 HCR_EL2, §3.5 SCTLR_ELx; Arm ARM D17.2). Masks are numbers over the low 32
// bits of the register, which is where every bit below lives (pe.hcrLo, pe.sctlrEl1/El2).

/** HCR_EL2 (E2H = 0). */
export const HCR = {
  VM: 1 << 0,
  SWIO: 1 << 1,
  PTW: 1 << 2,
  FMO: 1 << 3,
  IMO: 1 << 4,
  AMO: 1 << 5,
  VF: 1 << 6,
  VI: 1 << 7,
  VSE: 1 << 8,
  FB: 1 << 9,
  DC: 1 << 12,
  TWI: 1 << 13,
  TWE: 1 << 14,
  TID1: 1 << 16,
  TID2: 1 << 17,
  TID3: 1 << 18,
  TSC: 1 << 19,
  TIDCP: 1 << 20,
  TACR: 1 << 21,
  TSW: 1 << 22,
  TPC: 1 << 23,
  TPU: 1 << 24,
  TTLB: 1 << 25,
  TVM: 1 << 26,
  TGE: 1 << 27,
  TDZ: 1 << 28,
  HCD: 1 << 29,
  TRVM: 1 << 30,
} as const;

/** HCR_EL2 bits [63:32], as masks over pe.hcrHi. */
export const HCR_HI = {
  CD: 1 << (32 - 32),
  ID: 1 << (33 - 32),
} as const;

/** SCTLR_EL1 / SCTLR_EL2. */
export const SCTLR = {
  M: 1 << 0,
  A: 1 << 1,
  C: 1 << 2,
  SA: 1 << 3,
  SA0: 1 << 4,
  I: 1 << 12,
  DZE: 1 << 14,
  UCT: 1 << 15,
  /** Armv8-R: background region enable for privileged accesses (PMSAv8-64). */
  BR: 1 << 17,
  WXN: 1 << 19,
} as const;

/** MDCR_EL2. */
export const MDCR = {
  TDE: 1 << 8,
} as const;
