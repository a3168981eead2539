// EL2 control, translation and fault registers beyond the CORE set in catalogue.ts
// (E2H = 0 layouts: this machine has no FEAT_VHE). AArch32-only EL2 registers (DACR32_EL2,
// IFSR32_EL2, FPEXC32_EL2, HSTR_EL2's meaning) exist only when EL1 can use AArch32; since
// it cannot, DACR32/IFSR32/FPEXC32 are left out (UNDEFINED), HSTR_EL2 is plain storage.
import { registerSysRegs } from './catalogue.js';
import { Access, type SysRegDef } from './types.js';
import { reg, refresh, bits, lazySr, M32 } from './build.js';
import { vtcrExtraWriteMask } from '../pmsa/controls.js';

const VTCR = lazySr('VTCR_EL2');

/** TCR_EL2 (E2H=0): T0SZ, IRGN0, ORGN0, SH0, TG0, PS, TBI; bits 31 and 23 RES1. */
const TCR_EL2_RES1 = (1n << 31n) | (1n << 23n);
const TCR_EL2_MASK = bits(5, 0) | bits(18, 8) | (1n << 20n);
/** VTCR_EL2: T0SZ, SL0, IRGN0, ORGN0, SH0, TG0, PS; VS (16-bit VMID) not implemented; bit 31 RES1. */
const VTCR_EL2_RES1 = 1n << 31n;
const VTCR_EL2_MASK = bits(18, 0);
/** VTTBR_EL2: VMID [55:48] (8-bit VMIDs: ID_AA64MMFR1_EL1.VMIDBits = 0) and BADDR [47:1]. */
const VTTBR_MASK = bits(55, 48) | bits(47, 1);
/** TTBR0_EL2 (E2H=0): BADDR [47:1] only, no ASID. */
const TTBR0_EL2_MASK = bits(47, 1);
/** MDCR_EL2 v8.0 fields: HPMN, TPMCR, TPM, HPME, TDE, TDA, TDOSA, TDRA. */
const MDCR_EL2_MASK = bits(11, 0);

export const EL2_SYSREGS: SysRegDef[] = [
  reg('ACTLR_EL2', 3, 4, 1, 0, 1, 2),
  // HPMN resets to PMCR_EL0.N, which is 0 here (debug.ts).
  // MDCR_EL2.TDE moves ELd (software step, softwareStep.ts): re-evaluate at the next checkpoint.
  reg('MDCR_EL2', 3, 4, 1, 1, 1, 2, { writeMask: MDCR_EL2_MASK, onWrite: (pe) => void (pe.attention = 1) }),
  reg('HSTR_EL2', 3, 4, 1, 1, 3, 2, { writeMask: bits(15, 0) }),
  reg('HACR_EL2', 3, 4, 1, 1, 7, 2, { writeMask: M32 }),
  reg('TTBR0_EL2', 3, 4, 2, 0, 0, 2, { writeMask: TTBR0_EL2_MASK, onWrite: refresh }),
  reg('TCR_EL2', 3, 4, 2, 0, 2, 2, { reset: TCR_EL2_RES1, writeMask: TCR_EL2_MASK, onWrite: refresh }),
  reg('VTTBR_EL2', 3, 4, 2, 1, 0, 2, { writeMask: VTTBR_MASK, onWrite: refresh }),
  // Armv8-R: bit 31 is MSA (EL1&0 stage 1 VMSA or PMSA), reset 0 = PMSA (pmsa/controls.ts).
  reg('VTCR_EL2', 3, 4, 2, 1, 2, 2, {
    reset: (pe) => (pe.cfg.profile === 'R' ? 0n : VTCR_EL2_RES1),
    write: (pe, v) => {
      const mask = VTCR_EL2_MASK | vtcrExtraWriteMask(pe);
      pe.sys[VTCR()] = (pe.sys[VTCR()] & ~mask) | (v & mask);
    },
    onWrite: refresh,
  }),
  reg('AFSR0_EL2', 3, 4, 5, 1, 0, 2, { writeMask: M32 }),
  reg('AFSR1_EL2', 3, 4, 5, 1, 1, 2, { writeMask: M32 }),
  reg('MAIR_EL2', 3, 4, 10, 2, 0, 2, { onWrite: refresh }),
  reg('AMAIR_EL2', 3, 4, 10, 3, 0, 2),
  reg('TPIDR_EL2', 3, 4, 13, 0, 2, 2),
  // RVBAR_EL2 exists when EL2 is the highest implemented EL (always, when EL2 exists here).
  reg('RVBAR_EL2', 3, 4, 12, 0, 1, 2, { ro: true }),
  // EL3 is not implemented: these are named for the disassembler and `armvisor esr` only.
  reg('SCR_EL3', 3, 6, 1, 1, 0, 3, { check: () => Access.Undef }),
];

registerSysRegs(EL2_SYSREGS);
