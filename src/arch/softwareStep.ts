// Software step (Arm ARM D2.12) for self-hosted debug: the one debug event this machine
// models (breakpoints and watchpoints are storage only, sysreg/debug.ts). The step state
// machine lives in MDSCR_EL1.SS and PSTATE.SS:
//   inactive            MDSCR_EL1.SS = 0, or debug exceptions disabled at the current EL;
//   active-not-pending  PSTATE.SS = 1: execute one instruction, then PSTATE.SS = 0;
//   active-pending      PSTATE.SS = 0: take a Software Step exception before the next
//                       instruction (EC 0x32 from a lower EL, 0x33 from the same EL).
// Exception entry clears PSTATE.SS and ERET restores it from SPSR_ELx.SS (exceptions.ts).
// Pe.run() asks `stepActive` at each of its checkpoints; writes that can change the answer
// (MDSCR_EL1, OSLAR/OSDLR, DAIF, MDCR_EL2, HCR_EL2) raise `pe.attention`.
import type { Pe } from './pe.js';
import { sr } from './sysreg/index.js';
import { HCR, MDCR } from './sysreg/fields.js';
import { EC } from './esr.js';
import { raiseSync } from './exceptions.js';
import { SPSR } from './pstate.js';

const MDSCR = sr('MDSCR_EL1');
const OSLSR = sr('OSLSR_EL1');
const OSDLR = sr('OSDLR_EL1');
const MDCR_EL2 = sr('MDCR_EL2');
const MDSCR_SS = 1n;
const MDSCR_KDE = 1n << 13n;
const OSLSR_OSLK = 2n;
/** ISS of a Software Step exception (Arm ARM D17.2.37): ISV (EX valid), EX, IFSC = 0b100010. */
const ISS_ISV = 1 << 24;
const ISS_EX = 1 << 6;
const IFSC_DEBUG = 0x22;

/** ELd, the EL debug exceptions go to: EL2 when MDCR_EL2.TDE or HCR_EL2.TGE routes them. */
export function debugTargetEl(pe: Pe): number {
  if (!pe.cfg.hasEl2) return 1;
  return (Number(pe.sys[MDCR_EL2]) & MDCR.TDE) !== 0 || (pe.hcrLo & HCR.TGE) !== 0 ? 2 : 1;
}

/**
 * Debug exceptions enabled from the current EL (Arm ARM D2.4, "Enabling debug exceptions"):
 * never with the OS lock or OS double lock set; always from an EL below ELd; at ELd only with
 * MDSCR_EL1.KDE = 1 and PSTATE.D = 0; never above ELd.
 */
export function debugExceptionsEnabled(pe: Pe): boolean {
  if (pe.sys[OSLSR] & OSLSR_OSLK || pe.sys[OSDLR] & 1n) return false;
  const eld = debugTargetEl(pe);
  if (pe.el < eld) return true;
  if (pe.el > eld) return false;
  return (pe.sys[MDSCR] & MDSCR_KDE) !== 0n && (pe.daif & SPSR.D) === 0;
}

export function stepActive(pe: Pe): boolean {
  return (pe.sys[MDSCR] & MDSCR_SS) !== 0n && debugExceptionsEnabled(pe);
}

/** LDXR/LDAXR/LDXP/LDAXP (and byte/halfword forms): load/store exclusive with L = 1, o2 = 0. */
export function isLoadExclusive(word: number): boolean {
  return (word & 0x3fc0_0000) === 0x0840_0000;
}

/**
 * Take the Software Step exception of the active-pending state, before the instruction at
 * pe.pc (the preferred return address). `stepped`: an instruction was just stepped (ISV = 1,
 * EX = it was a load-exclusive); false when the PE entered active-pending otherwise (an ERET
 * with SPSR.SS = 0, or debug exceptions becoming enabled), where ISV = 0 (QEMU likewise).
 */
export function takeSoftwareStep(pe: Pe, stepped: boolean, loadExclusive: boolean): never {
  const eld = debugTargetEl(pe);
  const iss = (stepped ? ISS_ISV | (loadExclusive ? ISS_EX : 0) : 0) | IFSC_DEBUG;
  pe.curPc = pe.pc;
  return raiseSync(pe, eld > pe.el ? EC.SOFTSTP_LOW : EC.SOFTSTP_CUR, iss, { target: eld });
}
