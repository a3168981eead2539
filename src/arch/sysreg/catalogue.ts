// The system-register catalogue: every register the machine implements, by encoding, with
// its reset value, writable bits and access/trap rules. The executor (MRS/MSR), the
// hypervisor's trap decoder, the disassembler and `armvisor esr` all read this one table.
import type { Pe } from '../pe.js';
import { Access, type SysRegDef, sysRegKey } from './types.js';

const M64 = 0xffff_ffff_ffff_ffffn;
const SPSR_MASK = 0xf030_03dfn;
const ESR_MASK = 0x1f_ffff_ffffn;

/** Registers readable/writable at EL1 and above with plain storage. */
function el1(name: string, op0: number, op1: number, crn: number, crm: number, op2: number, extra: Partial<SysRegDef> = {}): SysRegDef {
  return { name, op0, op1, crn, crm, op2, minEl: 1, ...extra };
}
function el2(name: string, op0: number, op1: number, crn: number, crm: number, op2: number, extra: Partial<SysRegDef> = {}): SysRegDef {
  return { name, op0, op1, crn, crm, op2, minEl: 2, ...extra };
}

const refresh = (pe: Pe): void => pe.refreshControl();

/**
 * Core registers the exception model and memory system depend on. The catalogue is extended
 * by the definitions in the other sysreg/ modules, appended in `allSysRegs` below.
 */
export const CORE_SYSREGS: SysRegDef[] = [
  el1('SCTLR_EL1', 3, 0, 1, 0, 0, { reset: 0x30d00800n, onWrite: refresh }),
  el2('SCTLR_EL2', 3, 4, 1, 0, 0, { reset: 0x30c50830n, onWrite: refresh }),
  el2('HCR_EL2', 3, 4, 1, 1, 0, { reset: 0n, onWrite: refresh }),
  el1('VBAR_EL1', 3, 0, 12, 0, 0, { writeMask: M64 & ~0x7ffn }),
  el2('VBAR_EL2', 3, 4, 12, 0, 0, { writeMask: M64 & ~0x7ffn }),
  el1('ELR_EL1', 3, 0, 4, 0, 1),
  el2('ELR_EL2', 3, 4, 4, 0, 1),
  // SPSR (v8.0): N Z C V [31:28], SS [21], IL [20], D A I F [9:6], M[4:0] (bit 5 is RES0).
  el1('SPSR_EL1', 3, 0, 4, 0, 0, { writeMask: SPSR_MASK }),
  el2('SPSR_EL2', 3, 4, 4, 0, 0, { writeMask: SPSR_MASK }),
  // ESR: ISS2 [36:32], EC, IL, ISS.
  el1('ESR_EL1', 3, 0, 5, 2, 0, { writeMask: ESR_MASK }),
  el2('ESR_EL2', 3, 4, 5, 2, 0, { writeMask: ESR_MASK }),
  el1('FAR_EL1', 3, 0, 6, 0, 0),
  el2('FAR_EL2', 3, 4, 6, 0, 0),
  el2('HPFAR_EL2', 3, 4, 6, 0, 4, { writeMask: 0xf_ffff_fff0n }),
  el1('CPACR_EL1', 3, 0, 1, 0, 2, { writeMask: 0x3n << 20n }),
  // CPTR_EL2 (E2H=0): RES1 bits [13:12], [9], [7:0] (arm-facts §3.2).
  el2('CPTR_EL2', 3, 4, 1, 1, 2, { reset: 0x32ffn, writeMask: (1n << 31n) | (1n << 30n) | (1n << 20n) | (1n << 10n) }),
];

let registry: SysRegDef[] = [...CORE_SYSREGS];
let byKey = new Map<number, SysRegDef>();
let byName = new Map<string, number>();

function reindex(): void {
  byKey = new Map();
  byName = new Map();
  registry.forEach((d, i) => {
    const k = sysRegKey(d.op0, d.op1, d.crn, d.crm, d.op2);
    const clash = byKey.get(k);
    // Armv8-R reuses some Armv8-A encodings (VSCTLR_EL2 = TTBR0_EL2): same key, other profile.
    if (clash && (clash.profile ?? 'A') === (d.profile ?? 'A')) {
      throw new Error(`sysreg catalogue: ${d.name} has the encoding of ${clash.name}`);
    }
    if (!clash || (d.profile ?? 'A') === 'A') byKey.set(k, d);
    if (byName.has(d.name)) throw new Error(`sysreg catalogue: ${d.name} defined twice`);
    byName.set(d.name, i);
  });
}
reindex();

/** Add definitions (called once per sysreg module at import time). */
export function registerSysRegs(defs: SysRegDef[]): void {
  registry = [...registry, ...defs];
  reindex();
}

export function allSysRegs(): readonly SysRegDef[] {
  return registry;
}

/** The Armv8-A definition for an encoding (profile-specific lookups go through the PE). */
export function sysRegByKey(key: number): SysRegDef | undefined {
  return byKey.get(key);
}

/** All definitions sharing an encoding (one per profile at most). */
export function sysRegsByKey(key: number): SysRegDef[] {
  return registry.filter((d) => sysRegKey(d.op0, d.op1, d.crn, d.crm, d.op2) === key);
}

/** Storage index of a register by name; throws on a name the catalogue does not have. */
export function sr(name: string): number {
  const i = byName.get(name);
  if (i === undefined) throw new Error(`sysreg catalogue has no ${name}`);
  return i;
}

export function sysRegCount(): number {
  return registry.length;
}

export { Access };
