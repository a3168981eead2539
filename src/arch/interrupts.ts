// Asynchronous exceptions: which pending interrupt is taken, where, and when it is masked
// (Arm ARM D1.11, "Asynchronous exception types, routing, masking and priorities"), plus the
// other per-instruction conditions the loop checks only when `attention` is raised.
import type { Pe } from './pe.js';
import { EC, makeEsr } from './esr.js';
import { SPSR } from './pstate.js';
import { takeException, syncTargetEl, Vector } from './exceptions.js';

const HCR_FMO = 1 << 3;
const HCR_IMO = 1 << 4;
const HCR_AMO = 1 << 5;
const HCR_VF = 1 << 6;
const HCR_VI = 1 << 7;
const HCR_VSE = 1 << 8;
const HCR_TGE = 1 << 27;

/**
 * Is a physical interrupt of this kind (route bit IMO/FMO/AMO, PSTATE mask bit) taken now,
 * and to which EL? Returns 0 when it stays pending.
 */
function physicalTarget(pe: Pe, routeBit: number, maskBit: number): number {
  const toEl2 = pe.cfg.hasEl2 && (pe.hcrLo & (routeBit | HCR_TGE)) !== 0;
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
  if (!(pe.hcrLo & routeBit) || pe.hcrLo & HCR_TGE) return false;
  if (!(line || pe.hcrLo & hcrBit)) return false;
  return (pe.daif & maskBit) === 0;
}

/** Anything pending at all (masked or not): what wakes a PE from WFI. */
export function anyInterruptPending(pe: Pe): boolean {
  if (pe.irqLine || pe.fiqLine || pe.serrorLine) return true;
  if (pe.cfg.hasEl2 && pe.el < 2 && !(pe.hcrLo & HCR_TGE)) {
    if (
      (pe.hcrLo & HCR_IMO && (pe.vIrqLine || pe.hcrLo & HCR_VI)) ||
      (pe.hcrLo & HCR_FMO && (pe.vFiqLine || pe.hcrLo & HCR_VF)) ||
      (pe.hcrLo & HCR_AMO && pe.hcrLo & HCR_VSE)
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
    const t = physicalTarget(pe, HCR_AMO, SPSR.A);
    if (t) return take(pe, t, Vector.SError, makeEsr(EC.SERROR, true, 0));
  }
  if (pe.fiqLine) {
    const t = physicalTarget(pe, HCR_FMO, SPSR.F);
    if (t) return take(pe, t, Vector.Fiq, 0);
  }
  if (pe.irqLine) {
    const t = physicalTarget(pe, HCR_IMO, SPSR.I);
    if (t) return take(pe, t, Vector.Irq, 0);
  }
  if (virtualPending(pe, HCR_AMO, false, HCR_VSE, SPSR.A)) {
    // A virtual SError is consumed when taken: HCR_EL2.VSE is cleared (Arm ARM D1.11.4).
    return take(pe, 1, Vector.SError, makeEsr(EC.SERROR, true, 0));
  }
  if (virtualPending(pe, HCR_FMO, pe.vFiqLine, HCR_VF, SPSR.F)) return take(pe, 1, Vector.Fiq, 0);
  if (virtualPending(pe, HCR_IMO, pe.vIrqLine, HCR_VI, SPSR.I)) return take(pe, 1, Vector.Irq, 0);
  if (pe.il) {
    pe.curPc = pe.pc;
    takeException(pe, syncTargetEl(pe), Vector.Sync, makeEsr(EC.ILLEGAL_STATE, true, 0), pe.pc);
  }
}

function take(pe: Pe, target: number, kind: Vector, esr: number): void {
  if (kind === Vector.SError && target === 1 && pe.cfg.hasEl2 && pe.el < 2 && !pe.serrorLine) {
    pe.sys[pe.srHCR_EL2] &= ~BigInt(HCR_VSE);
    pe.refreshControl();
  }
  pe.sleeping = '';
  takeException(pe, target, kind, esr, pe.pc);
  // More may be pending behind this one (it will be masked now, but keep looking next time).
  pe.attention = 1;
}
