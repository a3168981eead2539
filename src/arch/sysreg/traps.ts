// Trap and enable rules for system-register accesses and system instructions, as data
// (Arm ARM D1.12 / D13 "Configurable instruction enables and traps", and the per-register
// "Accessibility" pseudocode in D17). access.ts evaluates them in the architected order:
// UNDEFINED cases, then the EL1 controls on EL0 accesses (`level: 1`), then the EL2 controls
// on EL0/EL1 accesses (`level: 2`, only when EL2 is implemented).
import { HCR } from './fields.js';

/** What a rule is matched against: a register or SYS operation, with its encoding. */
export interface TrapTarget {
  name: string;
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
}

export interface TrapRule {
  /** Register/operation names, or a predicate (for encoding spaces such as TID3, TIDCP). */
  on: readonly string[] | ((t: TrapTarget) => boolean);
  /** 1: an EL1 control on EL0 accesses (trap to EL1, or EL2 under HCR_EL2.TGE); 2: an EL2 control on EL0/EL1 accesses. */
  level: 1 | 2;
  /** The control register and the bits that matter. */
  ctl: string;
  bits: bigint;
  /** 'set': fires when any of `bits` is 1; 'clear': when all of them are 0; 'always': unconditionally. */
  when: 'set' | 'clear' | 'always';
  dir: 'r' | 'w' | 'rw';
  /** 'trap' (EC 0x18, or the instruction's own class for WFx/SMC) or 'undef' (EC 0x00). */
  action?: 'trap' | 'undef';
  /** Arm ARM field name, for documentation and `armvisor esr`. */
  why: string;
}

const b = (n: number): bigint => 1n << BigInt(n);

/** An HCR_EL2 trap-on-set rule; the bit comes from fields.ts, the one home of HCR_EL2's layout. */
function hcrTrap(field: keyof typeof HCR, on: TrapRule['on'], dir: TrapRule['dir']): TrapRule {
  return { on, level: 2, ctl: 'HCR_EL2', bits: BigInt(HCR[field]), when: 'set', dir, why: `HCR_EL2.${field}` };
}

/** The EL1 virtual-memory control registers (HCR_EL2.TVM writes, TRVM reads). Seed 001. */
export const VM_CONTROL_REGS = [
  'SCTLR_EL1',
  'TTBR0_EL1',
  'TTBR1_EL1',
  'TCR_EL1',
  'ESR_EL1',
  'FAR_EL1',
  'AFSR0_EL1',
  'AFSR1_EL1',
  'MAIR_EL1',
  'AMAIR_EL1',
  'CONTEXTIDR_EL1',
] as const;

const CNTP_REGS = ['CNTP_TVAL_EL0', 'CNTP_CTL_EL0', 'CNTP_CVAL_EL0'];
const CNTV_REGS = ['CNTV_TVAL_EL0', 'CNTV_CTL_EL0', 'CNTV_CVAL_EL0'];
const GIC_SGI_REGS = ['ICC_SGI1R_EL1', 'ICC_ASGI1R_EL1', 'ICC_SGI0R_EL1'];
const DEBUG_REGS = (t: TrapTarget): boolean =>
  /^DBG[BW][VC]R\d+_EL1$/.test(t.name) || ['MDSCR_EL1', 'MDCCINT_EL1', 'MDCCSR_EL0'].includes(t.name);
const OS_REGS = ['OSLAR_EL1', 'OSLSR_EL1', 'OSDLR_EL1', 'DBGPRCR_EL1'];
const PMU_REGS = (t: TrapTarget): boolean => /^PM/.test(t.name);
/** op0=3, op1=0, CRn=0, CRm=1..7: the ID group 3 space (named or RAZ). */
const ID_GROUP3 = (t: TrapTarget): boolean => t.op0 === 3 && t.op1 === 0 && t.crn === 0 && t.crm >= 1 && t.crm <= 7;
/** op0=1 or 3 with CRn=11 or 15: IMPLEMENTATION DEFINED registers and SYS instructions, implemented or not. */
const IMPDEF = (t: TrapTarget): boolean => (t.op0 === 1 || t.op0 === 3) && (t.crn === 11 || t.crn === 15);

// SCTLR_EL1 bits that enable EL0 use of EL1-controlled features.
const UMA = b(9);
const DZE = b(14);
const UCT = b(15);
const NTWI = b(16);
const NTWE = b(18);
const UCI = b(26);

export const TRAP_RULES: readonly TrapRule[] = [
  // --- EL1 controls on EL0 accesses -----------------------------------------------------
  { on: ['CTR_EL0'], level: 1, ctl: 'SCTLR_EL1', bits: UCT, when: 'clear', dir: 'r', why: 'SCTLR_EL1.UCT' },
  { on: ['DAIF', 'MSR DAIFSet', 'MSR DAIFClr'], level: 1, ctl: 'SCTLR_EL1', bits: UMA, when: 'clear', dir: 'rw', why: 'SCTLR_EL1.UMA' },
  { on: ['DC ZVA'], level: 1, ctl: 'SCTLR_EL1', bits: DZE, when: 'clear', dir: 'w', why: 'SCTLR_EL1.DZE' },
  {
    on: ['DC CVAC', 'DC CVAU', 'DC CIVAC', 'IC IVAU'],
    level: 1,
    ctl: 'SCTLR_EL1',
    bits: UCI,
    when: 'clear',
    dir: 'w',
    why: 'SCTLR_EL1.UCI',
  },
  { on: ['WFI'], level: 1, ctl: 'SCTLR_EL1', bits: NTWI, when: 'clear', dir: 'w', why: 'SCTLR_EL1.nTWI' },
  { on: ['WFE'], level: 1, ctl: 'SCTLR_EL1', bits: NTWE, when: 'clear', dir: 'w', why: 'SCTLR_EL1.nTWE' },
  { on: ['CNTPCT_EL0'], level: 1, ctl: 'CNTKCTL_EL1', bits: b(0), when: 'clear', dir: 'r', why: 'CNTKCTL_EL1.EL0PCTEN' },
  { on: ['CNTVCT_EL0'], level: 1, ctl: 'CNTKCTL_EL1', bits: b(1), when: 'clear', dir: 'r', why: 'CNTKCTL_EL1.EL0VCTEN' },
  { on: ['CNTFRQ_EL0'], level: 1, ctl: 'CNTKCTL_EL1', bits: b(0) | b(1), when: 'clear', dir: 'r', why: 'CNTKCTL_EL1.EL0PCTEN/EL0VCTEN' },
  { on: CNTV_REGS, level: 1, ctl: 'CNTKCTL_EL1', bits: b(8), when: 'clear', dir: 'rw', why: 'CNTKCTL_EL1.EL0VTEN' },
  { on: CNTP_REGS, level: 1, ctl: 'CNTKCTL_EL1', bits: b(9), when: 'clear', dir: 'rw', why: 'CNTKCTL_EL1.EL0PTEN' },
  // EL0 may read but never write these.
  {
    on: ['TPIDRRO_EL0', 'PMUSERENR_EL0'],
    level: 1,
    ctl: 'SCTLR_EL1',
    bits: 0n,
    when: 'always',
    dir: 'w',
    action: 'undef',
    why: 'read-only at EL0',
  },
  {
    on: (t) => PMU_REGS(t) && t.name !== 'PMUSERENR_EL0',
    level: 1,
    ctl: 'PMUSERENR_EL0',
    bits: b(0),
    when: 'clear',
    dir: 'rw',
    why: 'PMUSERENR_EL0.EN',
  },

  // --- EL2 controls on EL0/EL1 accesses ---------------------------------------------------
  hcrTrap('TVM', VM_CONTROL_REGS, 'w'),
  hcrTrap('TRVM', VM_CONTROL_REGS, 'r'),
  // TID0 covers only AArch32 registers (FPSID, JIDR): nothing to trap on this machine.
  hcrTrap('TID1', ['REVIDR_EL1', 'AIDR_EL1'], 'r'),
  hcrTrap('TID2', ['CTR_EL0', 'CCSIDR_EL1', 'CLIDR_EL1'], 'r'),
  hcrTrap('TID2', ['CSSELR_EL1'], 'rw'),
  hcrTrap('TID3', ID_GROUP3, 'r'),
  hcrTrap('TSC', ['SMC'], 'w'),
  hcrTrap('TIDCP', IMPDEF, 'rw'),
  hcrTrap('TACR', ['ACTLR_EL1'], 'rw'),
  hcrTrap('TSW', ['DC ISW', 'DC CSW', 'DC CISW'], 'w'),
  hcrTrap('TPC', ['DC IVAC', 'DC CIVAC', 'DC CVAC'], 'w'),
  hcrTrap('TPU', ['IC IVAU', 'IC IALLU', 'IC IALLUIS', 'DC CVAU'], 'w'),
  hcrTrap('TTLB', (t) => t.name.startsWith('TLBI '), 'w'),
  hcrTrap('TDZ', ['DC ZVA'], 'w'),
  hcrTrap('TWI', ['WFI'], 'w'),
  hcrTrap('TWE', ['WFE'], 'w'),
  { on: ['CPACR_EL1'], level: 2, ctl: 'CPTR_EL2', bits: b(31), when: 'set', dir: 'rw', why: 'CPTR_EL2.TCPAC' },
  // MDCR_EL2.TDE implies TDA, TDOSA and TDRA.
  { on: DEBUG_REGS, level: 2, ctl: 'MDCR_EL2', bits: b(9) | b(8), when: 'set', dir: 'rw', why: 'MDCR_EL2.TDA' },
  { on: OS_REGS, level: 2, ctl: 'MDCR_EL2', bits: b(10) | b(8), when: 'set', dir: 'rw', why: 'MDCR_EL2.TDOSA' },
  { on: ['MDRAR_EL1'], level: 2, ctl: 'MDCR_EL2', bits: b(11) | b(8), when: 'set', dir: 'r', why: 'MDCR_EL2.TDRA' },
  { on: ['PMCR_EL0'], level: 2, ctl: 'MDCR_EL2', bits: b(5), when: 'set', dir: 'rw', why: 'MDCR_EL2.TPMCR' },
  { on: PMU_REGS, level: 2, ctl: 'MDCR_EL2', bits: b(6), when: 'set', dir: 'rw', why: 'MDCR_EL2.TPM' },
  // SGI generation is not virtualised: with IMO or FMO set, EL1 writes trap to EL2 (IHI 0069
  // §12.2.21-23, as QEMU 7.2's gicv3_sgi_access).
  hcrTrap('IMO', GIC_SGI_REGS, 'w'),
  hcrTrap('FMO', GIC_SGI_REGS, 'w'),
  { on: ['CNTPCT_EL0'], level: 2, ctl: 'CNTHCTL_EL2', bits: b(0), when: 'clear', dir: 'r', why: 'CNTHCTL_EL2.EL1PCTEN' },
  { on: CNTP_REGS, level: 2, ctl: 'CNTHCTL_EL2', bits: b(1), when: 'clear', dir: 'rw', why: 'CNTHCTL_EL2.EL1PCEN' },
];

/** Registers whose accesses are also subject to the FP/SIMD trap (CPACR_EL1.FPEN, CPTR_EL2.TFP; EC 0x07). */
export const FP_REGS: ReadonlySet<string> = new Set(['FPCR', 'FPSR']);

/** Names of the rules that apply to a target (for `armvisor esr` and documentation). */
export function rulesFor(t: TrapTarget): TrapRule[] {
  return TRAP_RULES.filter((r) => (typeof r.on === 'function' ? r.on(t) : r.on.includes(t.name)));
}
