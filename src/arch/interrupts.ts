// Asynchronous exceptions: which pending interrupt is taken, where, and when it is masked
// (Arm ARM D1.11, "Asynchronous exception types, routing, masking and priorities"), plus the
// other per-instruction conditions the loop checks only when `attention` is raised.
import type { Pe } from './pe.js';
import { EC, makeEsr } from './esr.js';
import { SPSR } from './pstate.js';
import { takeException, syncTargetEl, Vector } from './exceptions.js';
import { HCR } from './sysreg/fields.js';

/**
 * Is a physical interrupt of this kind (route bit IMO/FMO/AMO, PSTATE mask bit) taken now,
 * and to which EL? Returns 0 when it stays pending.
 */
function physicalTarget(pe: Pe, routeBit: number, maskBit: number): number {
  const toEl2 = pe.cfg.hasEl2 && (pe.hcrLo & (routeBit | HCR.TGE)) !== 0;
  if (toEl2) {
    // Routed to EL2: always taken from EL0/EL1; masked by PSTATE at EL2 itself.
    if (pe.el < 2) return 2;
    return pe.daif & maskBit ? 0 : 2;
  }
  // Routed to EL1: never taken while at EL2 (it waits for the return to EL1/EL0).
  if (pe.el >= 2) return 0;
  return pe.daif & maskBit ? 0 : 1;
}

/** Virtual interrupts are delivered only at EL0/EL1 with the route bit set and TGE clear. */
function virtualPending(pe: Pe, routeBit: number, line: boolean, hcrBit: number, maskBit: number): boolean {
  if (!pe.cfg.hasEl2 || pe.el >= 2) return false;
  if (!(pe.hcrLo & routeBit) || pe.hcrLo & HCR.TGE) return false;
  if (!(line || pe.hcrLo & hcrBit)) return false;
  return (pe.daif & maskBit) === 0;
}

/** Anything pending at all (masked or not): what wakes a PE from WFI. */
export function anyInterruptPending(pe: Pe): boolean {
  if (pe.irqLine || pe.fiqLine || pe.serrorLine) return true;
  if (pe.cfg.hasEl2 && pe.el < 2 && !(pe.hcrLo & HCR.TGE)) {
    if (
      (pe.hcrLo & HCR.IMO && (pe.vIrqLine || pe.hcrLo & HCR.VI)) ||
      (pe.hcrLo & HCR.FMO && (pe.vFiqLine || pe.hcrLo & HCR.VF)) ||
      (pe.hcrLo & HCR.AMO && pe.hcrLo & HCR.VSE)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Called before the next instruction whenever `attention` was raised: take the
 * highest-priority unmasked interrupt (SError, then FIQ, then IRQ; physical before virtual), or
 * raise the Illegal Execution state exception if PSTATE.IL was set by an illegal return.
 */
export function checkInterrupts(pe: Pe): void {
  if (pe.sleeping && anyInterruptPending(pe)) pe.sleeping = '';
  if (pe.serrorLine) {
    const t = physicalTarget(pe, HCR.AMO, SPSR.A);
    if (t) return take(pe, t, Vector.SError, makeEsr(EC.SERROR, true, 0));
  }
  if (pe.fiqLine) {
    const t = physicalTarget(pe, HCR.FMO, SPSR.F);
    if (t) return take(pe, t, Vector.Fiq, 0);
  }
  if (pe.irqLine) {
    const t = physicalTarget(pe, HCR.IMO, SPSR.I);
    if (t) return take(pe, t, Vector.Irq, 0);
  }
  if (virtualPending(pe, HCR.AMO, false, HCR.VSE, SPSR.A)) {
    // A virtual SError is consumed when taken: HCR_EL2.VSE is cleared (Arm ARM D1.11.4).
    return take(pe, 1, Vector.SError, makeEsr(EC.SERROR, true, 0));
  }
  if (virtualPending(pe, HCR.FMO, pe.vFiqLine, HCR.VF, SPSR.F)) return take(pe, 1, Vector.Fiq, 0);
  if (virtualPending(pe, HCR.IMO, pe.vIrqLine, HCR.VI, SPSR.I)) return take(pe, 1, Vector.Irq, 0);
  if (pe.il) {
    pe.curPc = pe.pc;
    takeException(pe, syncTargetEl(pe), Vector.Sync, makeEsr(EC.ILLEGAL_STATE, true, 0), pe.pc);
  }
}

function take(pe: Pe, target: number, kind: Vector, esr: number): void {
  if (kind === Vector.SError && target === 1 && pe.cfg.hasEl2 && pe.el < 2 && !pe.serrorLine) {
    pe.sys[pe.srHCR_EL2] &= ~BigInt(HCR.VSE);
    pe.refreshControl();
  }
  pe.sleeping = '';
  takeException(pe, target, kind, esr, pe.pc);
  // More may be pending behind this one (it will be masked now, but keep looking next time).
  pe.attention = 1;
}
