// Injecting a synchronous exception into a 64-bit guest's EL1 (Xen's arm/traps.c:
// inject_undef64_exception, inject_abt64_exception, exception_handler64), and the rule that
// decides when a guest cannot take an injected abort (then its domain is crashed instead).
//
// The exception is built as the architecture would take it to EL1 (Arm ARM D1.10, "Exception
// entry"): SPSR_EL1 = the interrupted PSTATE, ELR_EL1 = the preferred return address,
// ESR_EL1/FAR_EL1 the syndrome, PSTATE = EL1h with D, A, I and F masked, PC = VBAR_EL1 + the
// vector offset. The registers are written while the guest's EL1 context is live on the pCPU
// (the trap runs on the pCPU that runs the vCPU), as Xen does with WRITE_SYSREG.
import type { Xen } from './xen.js';
import type { Vcpu } from './domain/domain.js';
import { EC, ESR_IL, makeEsr } from '../arch/esr.js';
import { SPSR, modeBits } from '../arch/pstate.js';

/** PSTATE for the handler: EL1h, DAIF masked (Xen: PSR_MODE_EL1h | PSR_{DBG,ABT,IRQ,FIQ}_MASK). */
export const PSR_EL1H_DAIF = BigInt(modeBits(1, 1) | SPSR.DAIF_MASK);

/** Offset of the synchronous vector for an exception from `cpsr` to EL1 (Arm ARM D1.10.2). */
export const VECTOR_SYNC_OFFSET = {
  currentSp0: 0x000,
  currentSpx: 0x200,
  lowerA64: 0x400,
  lowerA32: 0x600,
} as const;

/** The vector-table size: VBAR_EL1 .. VBAR_EL1 + 0x800 holds all 16 entries. */
export const VECTOR_TABLE_SIZE = 0x800;

/**
 * The sync vector offset for an exception taken to EL1 from `cpsr`. Architectural: EL1t
 * selects "current EL with SP_EL0" (0x000). Xen's exception_handler64 uses 0x200 for EL1t too
 * (it only tells user mode from "kernel mode"); a guest running at EL1t would see that difference.
 */
export function syncVectorOffset(cpsr: bigint): number {
  const c = Number(cpsr & 0x1fn);
  if (c & SPSR.nRW) return VECTOR_SYNC_OFFSET.lowerA32;
  const el = (c >> 2) & 3;
  if (el === 0) return VECTOR_SYNC_OFFSET.lowerA64;
  return c & 1 ? VECTOR_SYNC_OFFSET.currentSpx : VECTOR_SYNC_OFFSET.currentSp0;
}

export interface SyncException {
  /** ESR_EL1 as the handler will read it. */
  esr: number;
  /** Preferred return address (ELR_EL1). */
  elr: bigint;
  /** FAR_EL1, for aborts; left as it was otherwise (Xen writes it only for aborts). */
  far?: bigint;
}

/** Take `e` to the vCPU's EL1 sync vector. `v.pc`/`v.cpsr` are the interrupted state. */
export function injectSyncException(xen: Xen, v: Vcpu, e: SyncException): void {
  const cpu = xen.cpu;
  const off = syncVectorOffset(v.cpsr);
  cpu.writeSysreg('SPSR_EL1', v.cpsr);
  cpu.writeSysreg('ELR_EL1', e.elr);
  cpu.writeSysreg('ESR_EL1', BigInt(e.esr));
  if (e.far !== undefined) cpu.writeSysreg('FAR_EL1', e.far);
  v.pc = cpu.readSysreg('VBAR_EL1') + BigInt(off);
  v.cpsr = PSR_EL1H_DAIF;
}

/** From EL0 an abort is reported as "from a lower EL", from EL1 as "same EL" (inject_abt64_exception). */
function abortEc(cpsr: bigint, data: boolean): number {
  const fromEl0 = ((Number(cpsr) >> 2) & 3) === 0;
  if (data) return fromEl0 ? EC.DABT_LOW : EC.DABT_CUR;
  return fromEl0 ? EC.IABT_LOW : EC.IABT_CUR;
}

/**
 * The ESR_EL1 Xen injects for an abort it will not complete: ISS = 0 — no ISV, WnR, FnV or EA,
 * and DFSC/IFSC 0b000000 ("address size fault, level 0"); IL copied from ESR_EL2.
 */
export function injectedAbortEsr(cpsr: bigint, data: boolean, esrEl2: number): number {
  return makeEsr(abortEc(cpsr, data), (esrEl2 & ESR_IL) !== 0, 0);
}

/** Per vCPU: the last abort injected and not yet followed by any other synchronous exit. */
interface InjectedAbort {
  pc: bigint;
  far: bigint;
}
const lastAbort = new WeakMap<Vcpu, InjectedAbort>();

/** Every synchronous exit that is not an injected abort ends the "nested" window (see below). */
export function noteGuestSyncExit(v: Vcpu): void {
  lastAbort.delete(v);
}

/**
 * Why the vCPU cannot take an abort at `pc`/`far`, or null if it can. The rule (documented in
 * docs/ARCHITECTURE.md, "Guest exits"):
 *  1. vector unreachable: a stage-2 instruction abort whose PC lies in the vector table
 *     [VBAR_EL1, VBAR_EL1 + 0x800) — the table cannot be fetched, so no exception can ever be
 *     delivered (right after an injection, or a VBAR pointing at an IPA the domain does not own);
 *  2. nested abort: the same PC and FAR as the abort injected last, ELR_EL1 still that PC, and
 *     no other synchronous exit in between — the handler faulted again on the access being
 *     taken (its own ELR/SPSR were overwritten by the re-injection), or returned to the
 *     faulting access without asking the hypervisor for anything; the stage-2 tables have not
 *     changed, so the guest would fault there forever.
 * A handler that steps over the access (ELR + 4), or that makes a hypercall before retrying,
 * is never caught by 2.
 */
export function cannotTakeAbort(xen: Xen, v: Vcpu, data: boolean, pc: bigint, far: bigint): string | null {
  const cpu = xen.cpu;
  const vbar = cpu.readSysreg('VBAR_EL1');
  if (!data && pc >= vbar && pc < vbar + BigInt(VECTOR_TABLE_SIZE)) return 'abort on the vector table';
  const last = lastAbort.get(v);
  if (last && last.pc === pc && last.far === far && cpu.readSysreg('ELR_EL1') === pc) return 'nested abort';
  return null;
}

/** inject_dabt_exception / inject_iabt_exception: FAR_EL1 = the faulting VA, ELR_EL1 = its PC. */
export function injectAbtException(xen: Xen, v: Vcpu, data: boolean, far: bigint, esrEl2: number): void {
  const pc = v.pc;
  injectSyncException(xen, v, { esr: injectedAbortEsr(v.cpsr, data, esrEl2), elr: pc, far });
  lastAbort.set(v, { pc, far });
}

/** inject_undef64_exception: EC "unknown reason", IL from ESR_EL2, ELR = the instruction. */
export function injectUndef(xen: Xen, v: Vcpu, esrEl2: number, pc: bigint): void {
  injectSyncException(xen, v, { esr: makeEsr(EC.UNKNOWN, (esrEl2 & ESR_IL) !== 0, 0), elr: pc });
}
