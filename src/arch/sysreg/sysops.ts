// The SYS-instruction catalogue (op0 = 1): cache maintenance, address translation and TLB
// maintenance operations of Armv8.0 (Arm ARM C5.3, "A64 system instructions for cache
// maintenance, address translation and TLB maintenance"). Like the register catalogue it
// serves the executor, the disassembler and `armvisor esr`; traps on these are in traps.ts.
import { sysRegKey } from './types.js';

export type SysOpKind = 'dc-va' | 'dc-zva' | 'dc-sw' | 'ic-va' | 'ic-all' | 'tlbi' | 'at';

export interface SysOpDef {
  /** Assembler name, e.g. "DC ZVA", "TLBI VMALLE1IS", "AT S1E1R". */
  name: string;
  op0: 1;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
  minEl: 0 | 1 | 2;
  kind: SysOpKind;
  /** Takes Xt (an address or set/way); the all-entries forms take none (Rt = 31). */
  hasRt: boolean;
  /** DC by VA that needs write permission (DC IVAC invalidates, so it can lose data). */
  needsWrite?: boolean;
  /** TLBI: broadcast to the Inner Shareable domain (every PE). */
  shareable?: boolean;
  /** AT: translation regime EL, stage 1+2, write access. */
  at?: { el: 0 | 1 | 2; s12: boolean; write: boolean };
}

function op(name: string, op1: number, crn: number, crm: number, op2: number, kind: SysOpKind, extra: Partial<SysOpDef> = {}): SysOpDef {
  const minEl = op1 === 4 ? 2 : op1 === 3 ? 0 : 1;
  return { name, op0: 1, op1, crn, crm, op2, minEl, kind, hasRt: true, ...extra };
}

/** TLBI <op>: EL1&0 operations (op1 = 0) and EL2 operations (op1 = 4); IS forms at CRm=3 (and 0). */
function tlbi(name: string, op1: number, crm: number, op2: number, hasRt: boolean): SysOpDef {
  return op(`TLBI ${name}`, op1, 8, crm, op2, 'tlbi', { hasRt, shareable: name.endsWith('IS') });
}

function at(name: string, op1: number, op2: number, el: 0 | 1 | 2, s12: boolean, write: boolean): SysOpDef {
  return op(`AT ${name}`, op1, 7, 8, op2, 'at', { at: { el, s12, write } });
}

export const SYS_OPS: SysOpDef[] = [
  op('IC IALLUIS', 0, 7, 1, 0, 'ic-all', { hasRt: false }),
  op('IC IALLU', 0, 7, 5, 0, 'ic-all', { hasRt: false }),
  op('IC IVAU', 3, 7, 5, 1, 'ic-va'),
  op('DC IVAC', 0, 7, 6, 1, 'dc-va', { needsWrite: true }),
  op('DC ISW', 0, 7, 6, 2, 'dc-sw'),
  op('DC CSW', 0, 7, 10, 2, 'dc-sw'),
  op('DC CISW', 0, 7, 14, 2, 'dc-sw'),
  op('DC ZVA', 3, 7, 4, 1, 'dc-zva'),
  op('DC CVAC', 3, 7, 10, 1, 'dc-va'),
  op('DC CVAU', 3, 7, 11, 1, 'dc-va'),
  op('DC CIVAC', 3, 7, 14, 1, 'dc-va'),
  at('S1E1R', 0, 0, 1, false, false),
  at('S1E1W', 0, 1, 1, false, true),
  at('S1E0R', 0, 2, 0, false, false),
  at('S1E0W', 0, 3, 0, false, true),
  at('S1E2R', 4, 0, 2, false, false),
  at('S1E2W', 4, 1, 2, false, true),
  at('S12E1R', 4, 4, 1, true, false),
  at('S12E1W', 4, 5, 1, true, true),
  at('S12E0R', 4, 6, 0, true, false),
  at('S12E0W', 4, 7, 0, true, true),
  tlbi('VMALLE1IS', 0, 3, 0, false),
  tlbi('VAE1IS', 0, 3, 1, true),
  tlbi('ASIDE1IS', 0, 3, 2, true),
  tlbi('VAAE1IS', 0, 3, 3, true),
  tlbi('VALE1IS', 0, 3, 5, true),
  tlbi('VAALE1IS', 0, 3, 7, true),
  tlbi('VMALLE1', 0, 7, 0, false),
  tlbi('VAE1', 0, 7, 1, true),
  tlbi('ASIDE1', 0, 7, 2, true),
  tlbi('VAAE1', 0, 7, 3, true),
  tlbi('VALE1', 0, 7, 5, true),
  tlbi('VAALE1', 0, 7, 7, true),
  tlbi('IPAS2E1IS', 4, 0, 1, true),
  tlbi('IPAS2LE1IS', 4, 0, 5, true),
  tlbi('ALLE2IS', 4, 3, 0, false),
  tlbi('VAE2IS', 4, 3, 1, true),
  tlbi('ALLE1IS', 4, 3, 4, false),
  tlbi('VALE2IS', 4, 3, 5, true),
  tlbi('VMALLS12E1IS', 4, 3, 6, false),
  tlbi('IPAS2E1', 4, 4, 1, true),
  tlbi('IPAS2LE1', 4, 4, 5, true),
  tlbi('ALLE2', 4, 7, 0, false),
  tlbi('VAE2', 4, 7, 1, true),
  tlbi('ALLE1', 4, 7, 4, false),
  tlbi('VALE2', 4, 7, 5, true),
  tlbi('VMALLS12E1', 4, 7, 6, false),
];

const byKey = new Map<number, SysOpDef>(SYS_OPS.map((d) => [sysRegKey(1, d.op1, d.crn, d.crm, d.op2), d]));

export function sysOpByEncoding(op1: number, crn: number, crm: number, op2: number): SysOpDef | undefined {
  return byKey.get(sysRegKey(1, op1, crn, crm, op2));
}
