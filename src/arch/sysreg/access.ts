// Access checks for MRS/MSR and SYS instructions in the architected order (the Arm ARM's
// per-register accessibility pseudocode, D17): UNDEFINED cases first (EL too low, read of a
// write-only or write of a read-only register, register-specific rules), then EL1 enables on
// EL0 accesses, then EL2 traps on EL0/EL1 accesses. The rules themselves are in traps.ts;
// here they are compiled once per register into a short list the executor walks.
import type { Pe } from '../pe.js';
import { Access } from './types.js';
import { sr } from './catalogue.js';
import { TRAP_RULES, type TrapTarget } from './traps.js';

/** Anything access-checked: a catalogue register, a SYS operation or a pseudo-target (WFI, SMC, MSR DAIFSet). */
export interface Checked extends TrapTarget {
  minEl: number;
  ro?: boolean;
  wo?: boolean;
  check?: (pe: Pe, isRead: boolean) => Access;
}

const enum When {
  Set = 0,
  Clear = 1,
  Always = 2,
}

interface CompiledRule {
  ctl: number;
  bits: bigint;
  when: When;
  /** 1 = reads, 2 = writes. */
  dir: number;
  undef: boolean;
}

export interface AccessPlan {
  el0: CompiledRule[];
  el2: CompiledRule[];
}

const plans = new WeakMap<object, AccessPlan>();

/** The compiled rules for a target (cached per definition object). */
export function accessPlan(t: Checked): AccessPlan {
  let p = plans.get(t);
  if (p) return p;
  p = { el0: [], el2: [] };
  for (const r of TRAP_RULES) {
    const hit = typeof r.on === 'function' ? r.on(t) : r.on.includes(t.name);
    if (!hit) continue;
    const c: CompiledRule = {
      ctl: sr(r.ctl),
      bits: r.bits,
      when: r.when === 'set' ? When.Set : r.when === 'clear' ? When.Clear : When.Always,
      dir: r.dir === 'r' ? 1 : r.dir === 'w' ? 2 : 3,
      undef: r.action === 'undef',
    };
    (r.level === 1 ? p.el0 : p.el2).push(c);
  }
  plans.set(t, p);
  return p;
}

function fires(pe: Pe, r: CompiledRule, dir: number): boolean {
  if ((r.dir & dir) === 0) return false;
  if (r.when === When.Always) return true;
  const v = pe.sys[r.ctl] & r.bits;
  return r.when === When.Set ? v !== 0n : v === 0n;
}

/**
 * Decide an access. TrapEl1 means "the EL1 enable trapped it": the caller takes it to EL1, or
 * to EL2 when HCR_EL2.TGE routes EL0 exceptions there (syncTargetEl).
 */
export function checkAccess(pe: Pe, t: Checked, plan: AccessPlan, isRead: boolean): Access {
  if (pe.el < t.minEl) return Access.Undef;
  if (isRead ? t.wo : t.ro) return Access.Undef;
  if (t.check) {
    const a = t.check(pe, isRead);
    if (a !== Access.Ok) return a;
  }
  const dir = isRead ? 1 : 2;
  if (pe.el === 0) {
    for (const r of plan.el0) if (fires(pe, r, dir)) return r.undef ? Access.Undef : Access.TrapEl1;
  }
  if (pe.el < 2 && pe.cfg.hasEl2) {
    for (const r of plan.el2) if (fires(pe, r, dir)) return r.undef ? Access.Undef : Access.TrapEl2;
  }
  return Access.Ok;
}

/** Pseudo-targets for instructions that are not registers but obey the same rule table. */
export function pseudoTarget(name: string, minEl: number): Checked {
  return { name, op0: -1, op1: -1, crn: -1, crm: -1, op2: -1, minEl };
}
