// The shape of one system-register definition in the catalogue (DESIGN.md §4).
import type { Pe } from '../pe.js';

/** What an access attempt turns into, decided in the order the Arm ARM pseudocode checks. */
export const enum Access {
  Ok = 0,
  /** UNDEFINED at the current EL: EC 0x00 to the EL the PE would take it at. */
  Undef = 1,
  /** Trapped to EL1 with EC 0x18 (e.g. EL0 access disabled by an EL1 control). */
  TrapEl1 = 2,
  /** Trapped to EL2 with EC 0x18 (an HCR_EL2/CPTR_EL2/MDCR_EL2/CNTHCTL_EL2 control). */
  TrapEl2 = 3,
}

export interface SysRegDef {
  name: string;
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
  /** Lowest EL that may access it at all (0 for EL0-accessible registers). */
  minEl: 0 | 1 | 2 | 3;
  /** Read-only (writes UNDEFINED) or write-only (reads UNDEFINED). */
  ro?: boolean;
  wo?: boolean;
  /** Reset value (may depend on the PE, e.g. MPIDR_EL1). */
  reset?: bigint | ((pe: Pe) => bigint);
  /** Bits a write may change; the others keep their (reset) value. Default: all. */
  writeMask?: bigint;
  /**
   * Extra trap and enable checks beyond minEl, in the architected priority order
   * (EL1 enables for EL0, then EL2 traps). Default: none.
   */
  check?: (pe: Pe, isRead: boolean) => Access;
  /** Side-effecting or computed registers (PSTATE views, timers, GIC, aliases). */
  read?: (pe: Pe) => bigint;
  write?: (pe: Pe, v: bigint) => void;
  /** Called after a plain stored write (to refresh cached machine state, e.g. SCTLR.M). */
  onWrite?: (pe: Pe) => void;
  /** Armv8-R register names that share this encoding are separate defs selected by profile. */
  profile?: 'A' | 'R';
  /** Number of the HCR_EL2.TVM/TRVM group etc. for documentation and `armvisor esr`. */
  note?: string;
}

/** Encoding key: op0:op1:CRn:CRm:op2 packed into 16 bits (the MRS/MSR field order). */
export function sysRegKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

export function sysRegSpelling(op0: number, op1: number, crn: number, crm: number, op2: number): string {
  return `S${op0}_${op1}_C${crn}_C${crm}_${op2}`;
}
