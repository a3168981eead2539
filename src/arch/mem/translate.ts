// Address translation entry point. Machine part 1 implements the MMU-off behaviour of each
// regime (Arm ARM D8.2.10, "The effects of disabling address translation"); VMSAv8-64 stage 1
// and stage 2 walks, the TLB and PMSA slot in behind `translate` without touching callers.
import { EXCEPTION_TAKEN, type Pe } from '../pe.js';
import { EC, FSC, makeEsr } from '../esr.js';
import { takeException, syncTargetEl, Vector } from '../exceptions.js';
import { HCR } from '../sysreg/fields.js';

export const enum AccessKind {
  Read = 0,
  Write = 1,
  Fetch = 2,
}

export interface Translation {
  pa: number;
  /** Device memory (any Device-nGnRnE..GRE type): no unaligned access, no speculation. */
  device: boolean;
  /** Stores are permitted (the fast write path may be used). */
  writable: boolean;
}

/**
 * Translate `va` for an access at `el`. With the MMU off: VA = PA, data accesses are
 * Device-nGnRnE (Normal when HCR_EL2.DC=1 for EL1&0), instruction fetches are Normal; a VA
 * with bits at or above the PA size set is an Address size fault at level 0.
 */
export function translate(pe: Pe, va: number, kind: AccessKind, el: number): Translation {
  if (va < 0 || va >= 2 ** pe.cfg.paBits) {
    translationFault(pe, va, kind, FSC.ADDR_SIZE + 0);
  }
  const device = kind !== AccessKind.Fetch && !(el < 2 && pe.hcrLo & HCR.DC);
  return { pa: va, device, writable: true };
}

/** Raise the abort for a failed translation of `va` (instruction or data as `kind` says). */
export function translationFault(pe: Pe, va: number, kind: AccessKind, fsc: number): never {
  const tel = syncTargetEl(pe);
  let ec: number;
  let iss = fsc;
  if (kind === AccessKind.Fetch) ec = tel > pe.el ? EC.IABT_LOW : EC.IABT_CUR;
  else {
    ec = tel > pe.el ? EC.DABT_LOW : EC.DABT_CUR;
    if (kind === AccessKind.Write) iss |= 1 << 6;
  }
  takeException(pe, tel, Vector.Sync, makeEsr(ec, true, iss), pe.curPc, va);
  throw EXCEPTION_TAKEN;
}
