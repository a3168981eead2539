// FP/SIMD access traps (Arm ARM D1.13, CPACR_EL1.FPEN and CPTR_EL2.TFP):
// CPACR_EL1.FPEN first (to EL1, or EL2 under TGE), then CPTR_EL2.TFP (to EL2), both EC 0x07.
import type { Pe } from './pe.js';
import { EC } from './esr.js';
import { raiseSync } from './exceptions.js';
import { sr } from './sysreg/index.js';
import { HCR } from './sysreg/fields.js';

const CPACR_EL1 = sr('CPACR_EL1');
const CPTR_EL2 = sr('CPTR_EL2');
/** From AArch64 the ISS reports CV=1 and COND=0b1110 (Arm ARM ESR_ELx, EC 0x07). */
const FP_TRAP_ISS = 0x1e00000;

/** Raise the FP access trap if the current EL may not use FP/SIMD; returns if allowed. */
export function checkFpAccess(pe: Pe): void {
  if (pe.el <= 1) {
    const fpen = Number((pe.sys[CPACR_EL1] >> 20n) & 3n);
    const tge = pe.cfg.hasEl2 && pe.hcrLo & HCR.TGE;
    // FPEN: 0b01 traps EL0 only, 0b00/0b10 trap EL0 and EL1, 0b11 traps nothing.
    const trapped = pe.el === 0 ? fpen !== 3 : fpen === 0 || fpen === 2;
    if (trapped) raiseSync(pe, EC.FP_ASIMD, FP_TRAP_ISS, { target: pe.el === 0 && tge ? 2 : 1 });
  }
  if (pe.cfg.hasEl2 && pe.el <= 2 && (pe.sys[CPTR_EL2] >> 10n) & 1n) {
    raiseSync(pe, EC.FP_ASIMD, FP_TRAP_ISS, { target: 2 });
  }
}
