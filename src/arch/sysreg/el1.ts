// EL1 (and EL0-visible) control, translation, fault and thread registers beyond the CORE
// set in catalogue.ts. HCR_EL2.TVM/TRVM and TACR traps for these are in traps.ts.
import type { Pe } from '../pe.js';
import { registerSysRegs } from './catalogue.js';
import { Access, type SysRegDef } from './types.js';
import { reg, refresh, bits, M32 } from './build.js';
import { HCR } from './fields.js';

/**
 * ISR_EL1 (Arm ARM D17.2.83): A/I/F (bits 8/7/6) show pending SError/IRQ/FIQ. At EL0/EL1
 * with the route bit (AMO/IMO/FMO) set and TGE clear, the bit shows the *virtual* interrupt
 * instead (HCR_EL2.VSE/VI/VF or the GIC's virtual lines), because that is what EL1 can take.
 */
function isr(pe: Pe): bigint {
  const virt = pe.cfg.hasEl2 && pe.el < 2 && (pe.hcrLo & HCR.TGE) === 0;
  const h = pe.hcrLo;
  let v = 0;
  if (virt && h & HCR.AMO ? (h & HCR.VSE) !== 0 : pe.serrorLine) v |= 1 << 8;
  if (virt && h & HCR.IMO ? pe.vIrqLine || (h & HCR.VI) !== 0 : pe.irqLine) v |= 1 << 7;
  if (virt && h & HCR.FMO ? pe.vFiqLine || (h & HCR.VF) !== 0 : pe.fiqLine) v |= 1 << 6;
  return BigInt(v);
}

/** TCR_EL1 bits implemented in v8.0 (T0SZ..TBI1; HA/HD and later fields are RES0). */
const TCR_EL1_MASK = bits(5, 0) | bits(15, 7) | bits(34, 16) | bits(38, 36);
/** TTBRn_EL1: ASID [63:48] and BADDR [47:1]; CnP (bit 0) is FEAT_TTCNP, not implemented. */
const TTBR_EL1_MASK = bits(63, 1);
/** PAR_EL1 as a software-writable register (F=0 layout and F=1 layout share the storage). */
const PAR_MASK = bits(63, 56) | bits(47, 7) | bits(6, 0);

export const EL1_SYSREGS: SysRegDef[] = [
  reg('ACTLR_EL1', 3, 0, 1, 0, 1, 1, { note: 'TACR' }),
  reg('TTBR0_EL1', 3, 0, 2, 0, 0, 1, { writeMask: TTBR_EL1_MASK, onWrite: refresh, note: 'TVM' }),
  reg('TTBR1_EL1', 3, 0, 2, 0, 1, 1, { writeMask: TTBR_EL1_MASK, onWrite: refresh, note: 'TVM' }),
  reg('TCR_EL1', 3, 0, 2, 0, 2, 1, { writeMask: TCR_EL1_MASK, onWrite: refresh, note: 'TVM' }),
  reg('AFSR0_EL1', 3, 0, 5, 1, 0, 1, { writeMask: M32, note: 'TVM' }),
  reg('AFSR1_EL1', 3, 0, 5, 1, 1, 1, { writeMask: M32, note: 'TVM' }),
  reg('PAR_EL1', 3, 0, 7, 4, 0, 1, { writeMask: PAR_MASK }),
  reg('MAIR_EL1', 3, 0, 10, 2, 0, 1, { onWrite: refresh, note: 'TVM' }),
  // IMPLEMENTATION DEFINED content; plain storage is a valid implementation.
  reg('AMAIR_EL1', 3, 0, 10, 3, 0, 1, { note: 'TVM' }),
  reg('ISR_EL1', 3, 0, 12, 1, 0, 1, { ro: true, read: isr }),
  reg('CONTEXTIDR_EL1', 3, 0, 13, 0, 1, 1, { writeMask: M32, note: 'TVM' }),
  reg('TPIDR_EL1', 3, 0, 13, 0, 4, 1),
  reg('TPIDR_EL0', 3, 3, 13, 0, 2, 0),
  // Read-only at EL0 (traps.ts makes EL0 writes UNDEFINED), read/write at EL1 and above.
  reg('TPIDRRO_EL0', 3, 3, 13, 0, 3, 0),
  // RVBAR_EL1 exists only when EL1 is the highest implemented EL (no EL2 here, no EL3).
  reg('RVBAR_EL1', 3, 0, 12, 0, 1, 1, { ro: true, check: (pe) => (pe.cfg.hasEl2 ? Access.Undef : Access.Ok) }),
  // Cortex-A57 IMPLEMENTATION DEFINED registers firmware may touch (op0=3, CRn=11/15: the
  // HCR_EL2.TIDCP space). Plain storage; L2CTLR reports one core per cluster.
  reg('L2CTLR_EL1', 3, 1, 11, 0, 2, 1, { note: 'TIDCP' }),
  reg('L2ECTLR_EL1', 3, 1, 11, 0, 3, 1, { note: 'TIDCP' }),
  reg('CPUACTLR_EL1', 3, 1, 15, 2, 0, 1, { note: 'TIDCP' }),
  reg('CPUECTLR_EL1', 3, 1, 15, 2, 1, 1, { note: 'TIDCP' }),
];

registerSysRegs(EL1_SYSREGS);
