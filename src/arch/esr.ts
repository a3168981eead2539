// ESR_ELx codec: exception classes and syndrome builders (Arm ARM D17.2.37, ESR_EL1).
// One source of truth for the machine (which writes syndromes), the hypervisor's trap
// dispatch (which reads them) and `armvisor esr` (which explains them).

/** Exception classes (ESR_ELx.EC, bits [31:26]). */
export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  CP15_32: 0x03,
  CP15_64: 0x04,
  CP14_32: 0x05,
  CP14_LS: 0x06,
  FP_ASIMD: 0x07,
  CP10_ID: 0x08,
  PAC: 0x09,
  CP14_64: 0x0c,
  BTI: 0x0d,
  ILLEGAL_STATE: 0x0e,
  SVC32: 0x11,
  HVC32: 0x12,
  SMC32: 0x13,
  SVC64: 0x15,
  HVC64: 0x16,
  SMC64: 0x17,
  SYS64: 0x18,
  SVE: 0x19,
  ERET: 0x1a,
  IMP_DEF: 0x1f,
  IABT_LOW: 0x20,
  IABT_CUR: 0x21,
  PC_ALIGN: 0x22,
  DABT_LOW: 0x24,
  DABT_CUR: 0x25,
  SP_ALIGN: 0x26,
  FP_EXC32: 0x28,
  FP_EXC64: 0x2c,
  SERROR: 0x2f,
  BREAKPT_LOW: 0x30,
  BREAKPT_CUR: 0x31,
  SOFTSTP_LOW: 0x32,
  SOFTSTP_CUR: 0x33,
  WATCHPT_LOW: 0x34,
  WATCHPT_CUR: 0x35,
  BKPT32: 0x38,
  VECTOR32: 0x3a,
  BRK64: 0x3c,
} as const;

export const ESR_IL = 1 << 25;

/** Compose an ESR value (ISS2 is always 0 on this machine). Result is an unsigned 32-bit number. */
export function makeEsr(ec: number, il: boolean, iss: number): number {
  return ((ec << 26) | (il ? ESR_IL : 0) | (iss & 0x1ffffff)) >>> 0;
}

/** Fault status codes (DFSC/IFSC, long-descriptor format). */
export const FSC = {
  ADDR_SIZE: 0x00, // + level
  TRANSLATION: 0x04, // + level
  ACCESS_FLAG: 0x08, // + level
  PERMISSION: 0x0c, // + level
  SYNC_EXTERNAL: 0x10,
  SYNC_EXTERNAL_WALK: 0x14, // + level
  ALIGNMENT: 0x21,
  TLB_CONFLICT: 0x30,
} as const;

/** Data/Instruction Abort ISS bits (Arm ARM D17.2.37, ISS encoding for an exception from a Data Abort). */
export const ABT = {
  ISV: 1 << 24,
  SSE: 1 << 21,
  SF: 1 << 15,
  AR: 1 << 14,
  FNV: 1 << 10,
  EA: 1 << 9,
  CM: 1 << 8,
  S1PTW: 1 << 7,
  WNR: 1 << 6,
} as const;

/** ISS for a trapped MSR/MRS/SYS (EC 0x18): Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Dir [0]. */
export function sysRegIss(op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, isRead: boolean): number {
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (isRead ? 1 : 0);
}
