// Taking and returning from exceptions (Arm ARM D1.10, "Exception entry", and the
// AArch64.TakeException / AArch64.ExceptionReturn pseudocode).
import { EXCEPTION_TAKEN, type Pe } from './pe.js';
import { EC, makeEsr } from './esr.js';
import { SPSR, isValidAArch64Mode } from './pstate.js';
import { sr } from './sysreg/index.js';
import { clearExclusiveLocal } from './mem/exclusive.js';
import { HCR } from './sysreg/fields.js';

/** Vector offsets within a 0x200-byte group (Arm ARM D1.10.2, Table D1-7). */
export const enum Vector {
  Sync = 0x000,
  Irq = 0x080,
  Fiq = 0x100,
  SError = 0x180,
}

const idx = {
  VBAR: [0, sr('VBAR_EL1'), sr('VBAR_EL2')],
  ELR: [0, sr('ELR_EL1'), sr('ELR_EL2')],
  SPSR: [0, sr('SPSR_EL1'), sr('SPSR_EL2')],
  ESR: [0, sr('ESR_EL1'), sr('ESR_EL2')],
  FAR: [0, sr('FAR_EL1'), sr('FAR_EL2')],
};
const HPFAR_EL2 = sr('HPFAR_EL2');

/** A signed-canonical VA (JS number) as the 64-bit register value. */
export function vaToBig(va: number): bigint {
  return BigInt.asUintN(64, BigInt(va));
}

/** A 64-bit register value as a signed-canonical JS number (exact for canonical addresses). */
export function bigToVa(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

/**
 * The EL a synchronous exception from the current EL is taken to (Arm ARM D1.10.1):
 * EL0 → EL1, or EL2 when HCR_EL2.TGE routes EL0's exceptions there; ELx → ELx.
 */
export function syncTargetEl(pe: Pe): number {
  if (pe.el === 0) return pe.cfg.hasEl2 && pe.hcrLo & HCR.TGE ? 2 : 1;
  return pe.el;
}

/**
 * Enter `target` at vector `kind`. `preferred` is the preferred return address. ESR is written
 * for synchronous exceptions and SError only; FAR when `far` is given (UNKNOWN otherwise, we
 * leave it unchanged); HPFAR_EL2 when `hpfar` is given.
 */
export function takeException(pe: Pe, target: number, kind: Vector, esr: number, preferred: number, far?: number, hpfar?: bigint): void {
  const spsr = pe.pstateBits();
  const fromLower = target > pe.el;
  const groupOffset = fromLower ? 0x400 : pe.spSel ? 0x200 : 0x000;
  pe.sys[idx.SPSR[target]] = BigInt(spsr);
  pe.sys[idx.ELR[target]] = vaToBig(preferred);
  if (kind === Vector.Sync || kind === Vector.SError) pe.sys[idx.ESR[target]] = BigInt(esr);
  if (far !== undefined) pe.sys[idx.FAR[target]] = vaToBig(far);
  if (hpfar !== undefined && target === 2) pe.sys[HPFAR_EL2] = hpfar;
  pe.setElSp(target, 1);
  pe.daif = SPSR.DAIF_MASK;
  pe.il = 0;
  pe.ss = 0;
  pe.sleeping = '';
  // The local monitor may be cleared by exception entry (Arm ARM B2.9.5); clearing it keeps
  // an interrupted LDXR/STXR pair from succeeding across a context switch.
  clearExclusiveLocal(pe);
  pe.pc = bigToVa(pe.sys[idx.VBAR[target]]) + groupOffset + kind;
  pe.flushFetch();
}

/** Take a synchronous exception for the executing instruction (ELR = curPc) and abandon it. */
export function raiseSync(
  pe: Pe,
  ec: number,
  iss: number,
  opts: { il?: boolean; far?: number; hpfar?: bigint; target?: number; preferred?: number } = {},
): never {
  const target = opts.target ?? syncTargetEl(pe);
  // EC 0x15/0x16 (SVC/HVC) and a few others return to the next instruction: callers pass it.
  takeException(pe, target, Vector.Sync, makeEsr(ec, opts.il ?? true, iss), opts.preferred ?? pe.curPc, opts.far, opts.hpfar);
  throw EXCEPTION_TAKEN;
}

/** UNDEFINED instruction: EC 0x00 with IL=1 (Arm ARM: ESR for an unknown reason). */
export function undefinedInstruction(pe: Pe): never {
  return raiseSync(pe, EC.UNKNOWN, 0);
}

const ELR_ANY = idx.ELR;
const SPSR_ANY = idx.SPSR;

/**
 * ERET (Arm ARM AArch64.ExceptionReturn and "Illegal return events from AArch64 state"):
 * restore PSTATE from SPSR_ELx and PC from ELR_ELx. An illegal return keeps EL and SP
 * selection, sets PSTATE.IL, and the next instruction takes an Illegal Execution state
 * exception (EC 0x0E).
 */
export function exceptionReturn(pe: Pe): void {
  const cur = pe.el;
  const spsr = Number(pe.sys[SPSR_ANY[cur]] & 0xffffffffn);
  const target = bigToVa(pe.sys[ELR_ANY[cur]]);
  const m = spsr & 0xf;
  const tel = m >> 2;
  const illegal =
    (spsr & SPSR.nRW) !== 0 || // AArch32 is not implemented at any EL
    !isValidAArch64Mode(m) ||
    tel > cur ||
    tel === 3 ||
    (tel === 2 && !pe.cfg.hasEl2) ||
    // EL1 target while HCR_EL2.TGE=1 is illegal (Arm ARM D1.11.5).
    (tel === 1 && pe.cfg.hasEl2 && cur === 2 && (pe.hcrLo & HCR.TGE) !== 0);
  pe.setNzcv(spsr);
  pe.daif = spsr & SPSR.DAIF_MASK;
  pe.ss = (spsr >>> 21) & 1;
  pe.erets++;
  clearExclusiveLocal(pe);
  if (illegal) {
    pe.il = 1;
  } else {
    pe.il = (spsr >>> 20) & 1;
    pe.setElSp(tel, m & 1);
  }
  pe.pc = target;
  pe.flushFetch();
  pe.attention = 1;
}
