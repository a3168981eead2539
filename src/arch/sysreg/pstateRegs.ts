// Special-purpose registers that are views of PSTATE and the banked stack pointers
// (Arm ARM C5.2, "Special-purpose registers"), plus FPCR/FPSR (whose FP access trap is
// applied by the executor, see FP_REGS in traps.ts).
import { registerSysRegs } from './catalogue.js';
import { Access, type SysRegDef } from './types.js';
import { reg, M32 } from './build.js';

const DAIF_MASK = 0x3c0;

export const PSTATE_SYSREGS: SysRegDef[] = [
  reg('NZCV', 3, 3, 4, 2, 0, 0, {
    read: (pe) => BigInt(((pe.n << 31) | (pe.z << 30) | (pe.c << 29) | (pe.v << 28)) >>> 0),
    write: (pe, v) => pe.setNzcv(Number(v & M32)),
  }),
  // EL0 access depends on SCTLR_EL1.UMA (traps.ts). Unmasking may make an interrupt takeable.
  reg('DAIF', 3, 3, 4, 2, 1, 0, {
    read: (pe) => BigInt(pe.daif),
    write: (pe, v) => {
      pe.daif = Number(v) & DAIF_MASK;
      pe.attention = 1;
    },
  }),
  reg('CurrentEL', 3, 0, 4, 2, 2, 1, { ro: true, read: (pe) => BigInt(pe.el << 2) }),
  reg('SPSel', 3, 0, 4, 2, 0, 1, {
    read: (pe) => BigInt(pe.spSel),
    write: (pe, v) => pe.setElSp(pe.el, Number(v & 1n)),
  }),
  // MRS/MSR SP_EL0 while SP_EL0 is the current stack pointer (PSTATE.SP = 0) is UNDEFINED
  // (Arm ARM C5.2.16): software must use the SP register name instead.
  reg('SP_EL0', 3, 0, 4, 1, 0, 1, {
    check: (pe) => (pe.spSel === 0 ? Access.Undef : Access.Ok),
    read: (pe) => pe.getSp(0),
    write: (pe, v) => pe.setSp(0, v),
  }),
  // SP_EL1 is accessible from EL2 (and EL3) only; it is never the current SP there.
  reg('SP_EL1', 3, 4, 4, 1, 0, 2, {
    read: (pe) => pe.getSp(1),
    write: (pe, v) => pe.setSp(1, v),
  }),
  reg('SP_EL2', 3, 6, 4, 1, 0, 3),
  // FPCR: AHP, DN, FZ, RMode (FP exception trapping is not implemented: IOE..IDE are RAZ/WI).
  reg('FPCR', 3, 3, 4, 4, 0, 0, { writeMask: 0x07c0_0000n }),
  // FPSR: N Z C V (AArch32 only, kept), QC, and the cumulative exception flags.
  reg('FPSR', 3, 3, 4, 4, 1, 0, { writeMask: 0xf800_009fn }),
];

registerSysRegs(PSTATE_SYSREGS);
