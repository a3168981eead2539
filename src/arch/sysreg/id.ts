// Identification registers: the PE reports a Cortex-A57 (values from QEMU's
// aarch64_a57_initfn, arm-facts §1.3), adjusted where this machine implements less than
// the A57 does. Every choice that differs from a real A57 is commented.
import type { Pe } from '../pe.js';
import { registerSysRegs } from './catalogue.js';
import type { SysRegDef } from './types.js';
import { reg, lazySr } from './build.js';
import { HCR, SCTLR } from './fields.js';
import { mmfr0Profile } from '../pmsa/controls.js';

export const A57_MIDR = 0x411f_d070n;

/** MIDR_EL1: the board's CPU (PeConfig.midr), by default the Cortex-A57 QEMU models. */
function midrOf(pe: Pe): bigint {
  return pe.cfg.midr ?? A57_MIDR;
}

/** MPIDR_EL1: bit 31 RES1, U (bit 30) = 0 (multiprocessor), MT (bit 24) = 0, affinity. */
export function mpidrOf(pe: Pe): bigint {
  return (1n << 31n) | BigInt(pe.cfg.affinity);
}

/** ID_AA64MMFR0_EL1.PARange for a physical address size (Arm ARM D17.2.64). */
const PARANGE: Record<number, bigint> = { 32: 0n, 36: 1n, 40: 2n, 42: 3n, 44: 4n, 48: 5n, 52: 6n };

export function paRange(paBits: number): bigint {
  const v = PARANGE[paBits];
  if (v === undefined) throw new Error(`no ID_AA64MMFR0_EL1.PARange for a ${paBits}-bit PA`);
  return v;
}

/**
 * ID_AA64PFR0_EL1: EL0/EL1 AArch64 only (1), EL2 AArch64 only when implemented (else 0),
 * EL3 not implemented (0). FP [19:16] and AdvSIMD [23:20] read 0 ("implemented"): the
 * encodings exist architecturally and trap per CPACR_EL1/CPTR_EL2 before they UNDEF, which
 * is what software that does lazy FP switching needs to see. GIC [27:24] = 1: the GICv3
 * system-register interface is present (as QEMU reports with a GICv3).
 */
function pfr0(pe: Pe): bigint {
  const el2 = pe.cfg.hasEl2 ? 1n : 0n;
  return (1n << 24n) | (el2 << 8n) | (1n << 4n) | 1n;
}

/**
 * ID_AA64MMFR0_EL1: PARange from the board, ASIDBits = 2 (16 bits), BigEnd = 0 (no
 * big-endian support, unlike the A57), SNSMem = 1 (as QEMU's A57), TGran16 = 0 (not
 * supported), TGran64 = 0xF (not supported: this machine walks 4 KB granules only),
 * TGran4 = 0 (supported). Armv8-R PEs add MSA/MSA_frac (pmsa/controls.ts).
 */
function mmfr0(pe: Pe): bigint {
  const r = mmfr0Profile(pe);
  return (((0xfn << 24n) | (1n << 12n) | (2n << 4n) | paRange(pe.cfg.paBits)) & ~r.clear) | r.set;
}

/** Cache geometry by CSSELR_EL1 (Level [3:1], InD [0]): A57 L1D 32 KB, L1I 48 KB, L2 2 MB. */
const CCSIDR_BY_CSSELR: Record<number, bigint> = { 0: 0x701f_e00an, 1: 0x201f_e012n, 2: 0x70ff_e07an };

const CSSELR = lazySr('CSSELR_EL1');
const VPIDR = lazySr('VPIDR_EL2');
const VMPIDR = lazySr('VMPIDR_EL2');
const MIDR = lazySr('MIDR_EL1');
const MPIDR = lazySr('MPIDR_EL1');
const HCR_EL2 = lazySr('HCR_EL2');

/** Named ID registers in the op0=3, op1=0, CRn=0, CRm=1..7 space; the rest of it reads as zero. */
const ID_NAMES: Record<string, string> = {
  '1,0': 'ID_PFR0_EL1',
  '1,1': 'ID_PFR1_EL1',
  '1,2': 'ID_DFR0_EL1',
  '1,3': 'ID_AFR0_EL1',
  '1,4': 'ID_MMFR0_EL1',
  '1,5': 'ID_MMFR1_EL1',
  '1,6': 'ID_MMFR2_EL1',
  '1,7': 'ID_MMFR3_EL1',
  '2,0': 'ID_ISAR0_EL1',
  '2,1': 'ID_ISAR1_EL1',
  '2,2': 'ID_ISAR2_EL1',
  '2,3': 'ID_ISAR3_EL1',
  '2,4': 'ID_ISAR4_EL1',
  '2,5': 'ID_ISAR5_EL1',
  '2,6': 'ID_MMFR4_EL1',
  '2,7': 'ID_ISAR6_EL1',
  '3,0': 'MVFR0_EL1',
  '3,1': 'MVFR1_EL1',
  '3,2': 'MVFR2_EL1',
  '3,4': 'ID_PFR2_EL1',
  '3,5': 'ID_DFR1_EL1',
  '3,6': 'ID_MMFR5_EL1',
  '4,0': 'ID_AA64PFR0_EL1',
  '4,1': 'ID_AA64PFR1_EL1',
  '4,4': 'ID_AA64ZFR0_EL1',
  '5,0': 'ID_AA64DFR0_EL1',
  '5,1': 'ID_AA64DFR1_EL1',
  '5,4': 'ID_AA64AFR0_EL1',
  '5,5': 'ID_AA64AFR1_EL1',
  '6,0': 'ID_AA64ISAR0_EL1',
  '6,1': 'ID_AA64ISAR1_EL1',
  '6,2': 'ID_AA64ISAR2_EL1',
  '7,0': 'ID_AA64MMFR0_EL1',
  '7,1': 'ID_AA64MMFR1_EL1',
  '7,2': 'ID_AA64MMFR2_EL1',
};

/**
 * Non-zero ID values. AArch32 is not implemented at any EL, so every AArch32 ID register
 * (ID_PFR*, ID_DFR0, ID_MMFR*, ID_ISAR*, MVFR*) reads 0, unlike the A57 (Arm ARM D17.2:
 * "UNKNOWN/0 when AArch32 is not supported at any EL").
 */
const ID_VALUES: Record<string, bigint | ((pe: Pe) => bigint)> = {
  ID_AA64PFR0_EL1: pfr0,
  // DebugVer 6 (v8.0), PMUVer 1, BRPs 5 (6 breakpoints), WRPs 3 (4), CTX_CMPs 1 (2): the A57.
  ID_AA64DFR0_EL1: 0x1030_5106n,
  // CRC32 = 1 only: AES/SHA/PMULL and LSE atomics are not implemented (the A57 has the crypto ones).
  ID_AA64ISAR0_EL1: 0x0001_0000n,
  ID_AA64MMFR0_EL1: mmfr0,
};

function idSpace(): SysRegDef[] {
  const out: SysRegDef[] = [];
  for (let crm = 1; crm <= 7; crm++) {
    for (let op2 = 0; op2 < 8; op2++) {
      // Unnamed encodings here are RAZ (Arm ARM D17.2, "reserved ID register space"): software
      // probes newer ID registers and must read 0, not take an UNDEF.
      const name = ID_NAMES[`${crm},${op2}`] ?? `S3_0_C0_C${crm}_${op2}`;
      out.push(reg(name, 3, 0, 0, crm, op2, 1, { ro: true, reset: ID_VALUES[name] ?? 0n, note: 'TID3' }));
    }
  }
  return out;
}

/** DCZID_EL0.DZP reads 1 where DC ZVA would trap (SCTLR_EL1.DZE at EL0, HCR_EL2.TDZ at EL0/1). */
function dczid(pe: Pe): bigint {
  let prohibited = false;
  if (pe.el === 0 && (pe.sctlrEl1 & SCTLR.DZE) === 0) prohibited = true;
  if (pe.el < 2 && pe.cfg.hasEl2 && pe.sys[HCR_EL2()] & BigInt(HCR.TDZ)) prohibited = true;
  return (prohibited ? 0x10n : 0n) | 0x4n; // BS = 4: 64-byte blocks
}

export const ID_SYSREGS: SysRegDef[] = [
  // EL1 reads of MIDR/MPIDR return VPIDR_EL2/VMPIDR_EL2 when EL2 is implemented (Arm ARM D17.2.100).
  reg('MIDR_EL1', 3, 0, 0, 0, 0, 1, {
    ro: true,
    reset: midrOf,
    read: (pe) => pe.sys[pe.el === 1 && pe.cfg.hasEl2 ? VPIDR() : MIDR()],
  }),
  reg('MPIDR_EL1', 3, 0, 0, 0, 5, 1, {
    ro: true,
    reset: mpidrOf,
    read: (pe) => pe.sys[pe.el === 1 && pe.cfg.hasEl2 ? VMPIDR() : MPIDR()],
  }),
  reg('REVIDR_EL1', 3, 0, 0, 0, 6, 1, { ro: true, note: 'TID1' }),
  reg('AIDR_EL1', 3, 1, 0, 0, 7, 1, { ro: true, note: 'TID1' }),
  reg('VPIDR_EL2', 3, 4, 0, 0, 0, 2, { reset: midrOf, writeMask: 0xffff_ffffn }),
  reg('VMPIDR_EL2', 3, 4, 0, 0, 5, 2, { reset: mpidrOf, writeMask: 0xff_41ff_ffffn }),
  ...idSpace(),
  reg('CCSIDR_EL1', 3, 1, 0, 0, 0, 1, {
    ro: true,
    note: 'TID2',
    // With the data-cache model on, level 1 is that one unified cache (instruction and data
    // selections both describe it); without it, the Cortex-A57's hierarchy as QEMU reports it.
    read: (pe) => {
      const dc = pe.bus.dcache;
      const sel = Number(pe.sys[CSSELR()]);
      if (dc !== null) return sel >>> 1 === 0 ? dc.ccsidr() : 0n;
      return CCSIDR_BY_CSSELR[sel] ?? 0n;
    },
  }),
  // A57: Ctype1 = I+D, Ctype2 = unified, LoUIS = 1, LoC = 2, LoUU = 1; the data-cache model
  // describes itself instead (cache/dcache.ts).
  reg('CLIDR_EL1', 3, 1, 0, 0, 1, 1, { ro: true, reset: 0x0a20_0023n, read: (pe) => pe.bus.dcache?.clidr() ?? 0x0a20_0023n, note: 'TID2' }),
  reg('CSSELR_EL1', 3, 2, 0, 0, 0, 1, { writeMask: 0xfn, note: 'TID2' }),
  // IminLine = DminLine = 64 bytes, L1Ip = PIPT, ERG = CWG = 64 bytes.
  reg('CTR_EL0', 3, 3, 0, 0, 1, 0, { ro: true, reset: 0x8444_c004n, note: 'TID2' }),
  reg('DCZID_EL0', 3, 3, 0, 0, 7, 0, { ro: true, read: dczid }),
];

registerSysRegs(ID_SYSREGS);
