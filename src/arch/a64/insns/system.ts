// System instructions (Arm ARM C4.1.2 "Branches, Exception Generating and System
// instructions"): exception generation (SVC/HVC/SMC/BRK/HLT/DCPS), ERET/DRPS, hints,
// barriers, MSR (immediate) to PSTATE fields, SYS (DC/IC/AT/TLBI) and MRS/MSR (register),
// plus UDF. Registers and SYS operations come from the one catalogue (sysreg/); traps from
// the rule table (sysreg/traps.ts), checked in the architected order by sysreg/access.ts.
import type { InsnDef, Fields } from '../table.js';
import type { Op } from '../op.js';
import type { Pe } from '../../pe.js';
import { EC, sysRegIss } from '../../esr.js';
import { raiseSync, undefinedInstruction, syncTargetEl, exceptionReturn, bigToVa } from '../../exceptions.js';
import { anyInterruptPending } from '../../interrupts.js';
import { checkFpAccess } from '../../fpaccess.js';
import { AccessFlags, translateData } from '../../mem/access.js';
import { tlbi } from '../../mmu/tlbi.js';
import { addressTranslate } from '../../mmu/at.js';
import { clearExclusiveLocal } from '../../mem/exclusive.js';
import { sysRegsByKey, sr, Access } from '../../sysreg/index.js';
import { sysRegKey, sysRegSpelling, type SysRegDef } from '../../sysreg/types.js';
import { accessPlan, checkAccess, pseudoTarget, type Checked } from '../../sysreg/access.js';
import { FP_REGS } from '../../sysreg/traps.js';
import { sysOpByEncoding, type SysOpDef } from '../../sysreg/sysops.js';
import { regName, hex } from '../regs.js';
import { toBig } from '../u64.js';
import { HCR, MDCR } from '../../sysreg/fields.js';
import { nativeCallIndex } from '../../native.js';
import { CacheOp } from '../../cache/dcache.js';

const M64 = 0xffff_ffff_ffff_ffffn;
const ZVA_BYTES = 64;
/** WFx ISS from AArch64: CV = 1, COND = 0b1110 (Arm ARM D17.2.37, EC 0x01). */
const WFX_ISS = (1 << 24) | (0xe << 20);

// --- helpers -------------------------------------------------------------------------------

function xOf(pe: Pe, rt: number): bigint {
  return rt === 31 ? 0n : toBig(pe.x[2 * rt], pe.x[2 * rt + 1]);
}

/** Take the outcome of a failed access check: UNDEFINED, or EC 0x18 to EL1/EL2. */
function sysTrap(pe: Pe, a: Access, iss: number): never {
  if (a === Access.Undef) undefinedInstruction(pe);
  return raiseSync(pe, EC.SYS64, iss, { target: a === Access.TrapEl2 ? 2 : syncTargetEl(pe) });
}

function lower(name: string): string {
  return name.toLowerCase();
}

// --- MRS / MSR (register) --------------------------------------------------------------------

/** The op for one register definition, or for an encoding no definition claims (`def` undefined). */
function regAccessOp(
  def: SysRegDef | undefined,
  op0: number,
  op1: number,
  crn: number,
  crm: number,
  op2: number,
  rt: number,
  isRead: boolean,
): Op {
  const iss = sysRegIss(op0, op1, crn, crm, op2, rt, isRead);
  if (!def) {
    // Unallocated: UNDEFINED, except that HCR_EL2.TIDCP traps the IMPLEMENTATION DEFINED space.
    const t: Checked = { name: sysRegSpelling(op0, op1, crn, crm, op2), op0, op1, crn, crm, op2, minEl: 1 };
    const plan = accessPlan(t);
    return (pe) => {
      const a = checkAccess(pe, t, plan, isRead);
      sysTrap(pe, a === Access.Ok ? Access.Undef : a, iss);
    };
  }
  const plan = accessPlan(def);
  const idx = sr(def.name);
  const fp = FP_REGS.has(def.name);
  if (isRead) {
    const read = def.read;
    return (pe) => {
      const a = checkAccess(pe, def, plan, true);
      if (a !== Access.Ok) sysTrap(pe, a, iss);
      if (fp) checkFpAccess(pe);
      const v = read ? read(pe) : pe.sys[idx];
      if (rt !== 31) {
        pe.x[2 * rt] = Number(v & 0xffff_ffffn);
        pe.x[2 * rt + 1] = Number((v >> 32n) & 0xffff_ffffn);
      }
    };
  }
  const mask = def.writeMask ?? M64;
  const write = def.write;
  const onWrite = def.onWrite;
  return (pe) => {
    const a = checkAccess(pe, def, plan, false);
    if (a !== Access.Ok) sysTrap(pe, a, iss);
    if (fp) checkFpAccess(pe);
    const v = xOf(pe, rt);
    if (write) write(pe, v);
    else pe.sys[idx] = (pe.sys[idx] & ~mask) | (v & mask);
    if (onWrite) onWrite(pe);
    // A control write may unmask or raise an interrupt (DAIF, HCR_EL2.VI, GIC registers).
    pe.attention = 1;
  };
}

function buildMrsMsr(f: Fields): Op {
  const op0 = 2 + f.o0;
  const isRead = f.L === 1;
  const defs = sysRegsByKey(sysRegKey(op0, f.op1, f.CRn, f.CRm, f.op2));
  const aDef = defs.find((d) => (d.profile ?? 'A') === 'A');
  const rDef = defs.find((d) => d.profile === 'R');
  const opA = regAccessOp(aDef, op0, f.op1, f.CRn, f.CRm, f.op2, f.Rt, isRead);
  if (!rDef) return opA;
  // Armv8-R reuses some encodings (VSCTLR_EL2 = TTBR0_EL2): pick by the PE's profile.
  const opR = regAccessOp(rDef, op0, f.op1, f.CRn, f.CRm, f.op2, f.Rt, isRead);
  return (pe) => (pe.cfg.profile === 'R' ? opR : opA)(pe);
}

function sysRegText(op0: number, op1: number, crn: number, crm: number, op2: number): string {
  const defs = sysRegsByKey(sysRegKey(op0, op1, crn, crm, op2));
  const d = defs.find((x) => (x.profile ?? 'A') === 'A') ?? defs[0];
  // objdump prints IMPLEMENTATION DEFINED registers by encoding, so do we.
  const named = d && !/^S\d_/.test(d.name) && d.note !== 'TIDCP';
  return lower(named ? d.name : sysRegSpelling(op0, op1, crn, crm, op2));
}

// --- MSR (immediate) ---------------------------------------------------------------------------

const PSTATE_FIELDS: Record<string, string> = {
  '0,3': 'uao',
  '0,4': 'pan',
  '0,5': 'spsel',
  '3,1': 'ssbs',
  '3,2': 'dit',
  '3,4': 'tco',
  '3,6': 'daifset',
  '3,7': 'daifclr',
};

const DAIFSET_T = pseudoTarget('MSR DAIFSet', 0);
const DAIFCLR_T = pseudoTarget('MSR DAIFClr', 0);

function buildMsrImm(f: Fields): Op | null {
  const iss = sysRegIss(0, f.op1, 4, f.CRm, f.op2, 31, false);
  const imm = f.CRm;
  switch (`${f.op1},${f.op2}`) {
    case '0,5':
      // MSR SPSel, #imm is UNDEFINED at EL0 (Arm ARM C5.2.17).
      return (pe) => {
        if (pe.el === 0) undefinedInstruction(pe);
        pe.setElSp(pe.el, imm & 1);
      };
    case '3,6': {
      const plan = accessPlan(DAIFSET_T);
      const set = imm << 6;
      return (pe) => {
        const a = checkAccess(pe, DAIFSET_T, plan, false);
        if (a !== Access.Ok) sysTrap(pe, a, iss);
        pe.daif |= set;
        // Setting PSTATE.D may end software step (softwareStep.ts).
        pe.attention = 1;
      };
    }
    case '3,7': {
      const plan = accessPlan(DAIFCLR_T);
      const clr = imm << 6;
      return (pe) => {
        const a = checkAccess(pe, DAIFCLR_T, plan, false);
        if (a !== Access.Ok) sysTrap(pe, a, iss);
        pe.daif &= ~clr;
        // Unmasking may make a pending interrupt takeable before the next instruction.
        pe.attention = 1;
      };
    }
    default:
      // UAO, PAN, SSBS, DIT, TCO, CFINV…: features this Armv8.0 PE does not have.
      return null;
  }
}

// --- hints ----------------------------------------------------------------------------------------

const HINT_NAMES: Record<number, string> = {
  0: 'nop',
  1: 'yield',
  2: 'wfe',
  3: 'wfi',
  4: 'sev',
  5: 'sevl',
  7: 'xpaclri',
  8: 'pacia1716',
  10: 'pacib1716',
  12: 'autia1716',
  14: 'autib1716',
  16: 'esb',
  17: 'psb csync',
  18: 'tsb csync',
  20: 'csdb',
  24: 'paciaz',
  25: 'paciasp',
  26: 'pacibz',
  27: 'pacibsp',
  28: 'autiaz',
  29: 'autiasp',
  30: 'autibz',
  31: 'autibsp',
  32: 'bti',
  34: 'bti c',
  36: 'bti j',
  38: 'bti jc',
};

const WFI_T = pseudoTarget('WFI', 0);
const WFE_T = pseudoTarget('WFE', 0);

/** WFI/WFE traps (EC 0x01): SCTLR_EL1.nTWx for EL0, then HCR_EL2.TWx for EL0/EL1. */
function wfxTrap(pe: Pe, t: Checked, isWfe: boolean): void {
  const a = checkAccess(pe, t, accessPlan(t), false);
  if (a === Access.Ok) return;
  raiseSync(pe, EC.WFX, WFX_ISS | (isWfe ? 1 : 0), { target: a === Access.TrapEl2 ? 2 : syncTargetEl(pe) });
}

/** Stop the PE; the loop must notice before the next instruction. */
function sleep(pe: Pe, why: 'wfi' | 'wfe'): void {
  pe.sleeping = why;
  pe.attention = 1;
}

const nop: Op = () => undefined;

const HINT_OPS: Record<number, Op> = {
  // WFE (Arm ARM C6.2.353): a set event register is consumed instead of waiting; traps are
  // checked only when the PE would wait. A pending interrupt is a wake-up event already.
  2: (pe) => {
    if (pe.eventReg) {
      pe.eventReg = 0;
      return;
    }
    wfxTrap(pe, WFE_T, true);
    if (!anyInterruptPending(pe)) sleep(pe, 'wfe');
  },
  // WFI (C6.2.354): completes at once, without trapping, if an interrupt is already pending
  // (masked or not).
  3: (pe) => {
    if (anyInterruptPending(pe)) return;
    wfxTrap(pe, WFI_T, false);
    sleep(pe, 'wfi');
  },
  // SEV: the event register of every PE, this one included, is set; the board wakes the others.
  4: (pe) => {
    pe.eventReg = 1;
    pe.host.sev(pe);
  },
  5: (pe) => {
    pe.eventReg = 1;
  },
};

// --- barriers -------------------------------------------------------------------------------------

const BARRIER_OPTIONS: Record<number, string> = {
  1: 'oshld',
  2: 'oshst',
  3: 'osh',
  5: 'nshld',
  6: 'nshst',
  7: 'nsh',
  9: 'ishld',
  10: 'ishst',
  11: 'ish',
  13: 'ld',
  14: 'st',
  15: 'sy',
};

function barrierText(f: Fields): string {
  const opt = (v: number): string => BARRIER_OPTIONS[v] ?? `#${hex(v)}`;
  switch (f.op2) {
    case 2:
      return f.CRm === 15 ? 'clrex' : `clrex\t#${hex(f.CRm)}`;
    case 4:
      if (f.CRm === 0) return 'ssbb';
      if (f.CRm === 4) return 'pssbb';
      return `dsb\t${opt(f.CRm)}`;
    case 5:
      return `dmb\t${opt(f.CRm)}`;
    case 6:
      return f.CRm === 15 ? 'isb' : `isb\t#${hex(f.CRm)}`;
    case 7:
      return 'sb';
    default:
      return `.inst\t0x${(0xd503301f | (f.CRm << 8) | (f.op2 << 5)).toString(16)}`;
  }
}

function buildBarrier(f: Fields): Op | null {
  switch (f.op2) {
    case 2:
      return (pe) => clearExclusiveLocal(pe);
    // Memory is sequentially consistent in this model: DSB and DMB have nothing to wait for.
    case 4:
    case 5:
      return nop;
    // ISB: later instructions are refetched, so decoded ops see any context change.
    case 6:
      return (pe) => pe.flushFetch();
    default:
      return null; // SB (FEAT_SB) and unallocated op2 values
  }
}

// --- SYS: DC / IC / AT / TLBI ------------------------------------------------------------------

const PAR_EL1 = (() => {
  let i = -1;
  return () => (i >= 0 ? i : (i = sr('PAR_EL1')));
})();

/** What each DC operation does to a line (DC CVAU cleans to PoU, which is memory here). */
const DC_OPS: Record<string, CacheOp> = {
  'DC IVAC': CacheOp.Invalidate,
  'DC CVAC': CacheOp.Clean,
  'DC CVAU': CacheOp.Clean,
  'DC CIVAC': CacheOp.CleanInvalidate,
  'DC ISW': CacheOp.Invalidate,
  'DC CSW': CacheOp.Clean,
  'DC CISW': CacheOp.CleanInvalidate,
};

/**
 * At EL1 with stage 2 on (HCR_EL2.VM, or DC which makes VM behave as 1), data cache
 * invalidate instructions perform a clean and invalidate, so a guest cannot discard the
 * hypervisor's dirty data; for DC ISW also when HCR_EL2.SWIO = 1 (Arm ARM D17.2.48, HCR_EL2.VM
 * and SWIO; arm-facts §3.1).
 */
function invalidateUpgraded(pe: Pe, setWay: boolean): boolean {
  if (pe.el !== 1 || !pe.cfg.hasEl2) return false;
  return (pe.hcrLo & (HCR.VM | HCR.DC | (setWay ? HCR.SWIO : 0))) !== 0;
}

function sysOpBody(d: SysOpDef, rt: number): Op {
  switch (d.kind) {
    case 'dc-zva':
      return (pe) => {
        const va = bigToVa(xOf(pe, rt));
        // The fault address is the one in Xt (as QEMU reports it), so translate that first.
        // DC ZVA to any Device memory type is an Alignment fault (Arm ARM D7.4.10): translateData
        // raises it for ZeroBlock accesses, at the stage that made the memory Device.
        translateData(pe, va, 1, true, AccessFlags.ZeroBlock);
        const base = Math.floor(va / ZVA_BYTES) * ZVA_BYTES;
        for (let o = 0; o < ZVA_BYTES; o += 8) pe.write64(base + o, 0, 0);
      };
    case 'dc-va': {
      const needsWrite = d.needsWrite === true;
      const op = DC_OPS[d.name];
      return (pe) => {
        const t = translateData(pe, bigToVa(xOf(pe, rt)), 1, needsWrite, AccessFlags.CacheMaint);
        const dc = pe.bus.dcache;
        if (dc !== null) dc.maintain(t.pa, op === CacheOp.Invalidate && invalidateUpgraded(pe, false) ? CacheOp.CleanInvalidate : op);
      };
    }
    case 'ic-va':
      // Instruction fetch reads memory and decoded ops drop on every memory write, so the
      // instruction side has nothing to maintain: only the translation and permission check.
      return (pe) => void translateData(pe, bigToVa(xOf(pe, rt)), 1, false, AccessFlags.CacheMaint);
    case 'dc-sw': {
      const op = DC_OPS[d.name];
      return (pe) => {
        const dc = pe.bus.dcache;
        if (dc === null) return;
        dc.setWay(rt === 31 ? 0 : pe.x[2 * rt], op === CacheOp.Invalidate && invalidateUpgraded(pe, true) ? CacheOp.CleanInvalidate : op);
      };
    }
    case 'ic-all':
      return nop;
    case 'tlbi': {
      const shareable = d.shareable === true;
      return (pe) => tlbi(pe, d.name, xOf(pe, rt), shareable);
    }
    case 'at':
      return (pe) => {
        pe.sys[PAR_EL1()] = addressTranslate(pe, bigToVa(xOf(pe, rt)), d.at!);
      };
  }
}

function buildSys(f: Fields): Op | null {
  if (f.L === 1) return null; // SYSL: no allocated encodings in Armv8.0
  const iss = sysRegIss(1, f.op1, f.CRn, f.CRm, f.op2, f.Rt, false);
  const d = sysOpByEncoding(f.op1, f.CRn, f.CRm, f.op2);
  if (!d) {
    const t: Checked = {
      name: `S1_${f.op1}_C${f.CRn}_C${f.CRm}_${f.op2}`,
      op0: 1,
      op1: f.op1,
      crn: f.CRn,
      crm: f.CRm,
      op2: f.op2,
      minEl: 1,
    };
    const plan = accessPlan(t);
    return (pe) => {
      const a = checkAccess(pe, t, plan, false);
      sysTrap(pe, a === Access.Ok ? Access.Undef : a, iss);
    };
  }
  const plan = accessPlan(d);
  const body = sysOpBody(d, f.Rt);
  return (pe) => {
    const a = checkAccess(pe, d, plan, false);
    if (a !== Access.Ok) sysTrap(pe, a, iss);
    body(pe);
  };
}

function sysText(f: Fields): string {
  const d = f.L === 0 ? sysOpByEncoding(f.op1, f.CRn, f.CRm, f.op2) : undefined;
  if (d) {
    const [mn, op] = d.name.toLowerCase().split(' ');
    return d.hasRt || f.Rt !== 31 ? `${mn}\t${op}, ${regName(f.Rt, true)}` : `${mn}\t${op}`;
  }
  const spec = `#${f.op1}, C${f.CRn}, C${f.CRm}, #${f.op2}`;
  if (f.L === 1) return `sysl\t${regName(f.Rt, true)}, ${spec}`;
  return f.Rt === 31 ? `sys\t${spec}` : `sys\t${spec}, ${regName(f.Rt, true)}`;
}

// --- exception generation ------------------------------------------------------------------------

const SMC_T = pseudoTarget('SMC', 1);

/**
 * An exception-generating instruction completes before its exception is taken, so a stepped
 * SVC/HVC/SMC leaves software step active-pending: PSTATE.SS = 0, saved as SPSR_ELx.SS = 0, and
 * the step exception comes right after the handler returns (Arm ARM D2.12.7; QEMU's
 * gen_ss_advance before these three). Other synchronous exceptions keep SS = 1: the
 * instruction did not complete and is stepped again.
 */
function completeStep(pe: Pe): void {
  pe.ss = 0;
}

function buildExceptionGen(f: Fields): Op | null {
  const imm = f.imm16;
  switch ((f.opc << 2) | f.LL) {
    case 0b00001: // SVC: preferred return is the next instruction
      return (pe) => {
        completeStep(pe);
        raiseSync(pe, EC.SVC64, imm, { preferred: pe.pc });
      };
    case 0b00010: // HVC
      return (pe) => {
        if (pe.el === 0) undefinedInstruction(pe);
        if (pe.cfg.hasEl2) {
          // HCR_EL2.HCD (no EL3 here, so not SCR_EL3.HCE) disables HVC at EL1 and EL2.
          if (pe.hcrLo & HCR.HCD) undefinedInstruction(pe);
          completeStep(pe);
          raiseSync(pe, EC.HVC64, imm, { target: 2, preferred: pe.pc });
        }
        // No EL2: the board's firmware (PSCI over HVC, as QEMU's virt) or UNDEFINED.
        if (!pe.host.hvcFirmware(pe, imm)) undefinedInstruction(pe);
        pe.attention = 1;
      };
    case 0b00011: {
      // SMC
      const plan = accessPlan(SMC_T);
      return (pe) => {
        const a = checkAccess(pe, SMC_T, plan, false);
        if (a === Access.Undef) undefinedInstruction(pe);
        // HCR_EL2.TSC: EC 0x17 to EL2 with the SMC itself as the preferred return address.
        if (a === Access.TrapEl2) {
          completeStep(pe);
          raiseSync(pe, EC.SMC64, imm, { target: 2 });
        }
        // EL3 is the board's firmware stand-in (PSCI over SMC); without it SMC is UNDEFINED.
        if (!pe.host.smc(pe, imm)) undefinedInstruction(pe);
        pe.attention = 1;
      };
    }
    case 0b00100: {
      // BRK: a debug exception, routed to EL2 by HCR_EL2.TGE or MDCR_EL2.TDE
      const mdcr = sr('MDCR_EL2');
      return (pe) => {
        const toEl2 = pe.el < 2 && pe.cfg.hasEl2 && ((pe.hcrLo & HCR.TGE) !== 0 || (pe.sys[mdcr] & BigInt(MDCR.TDE)) !== 0n);
        raiseSync(pe, EC.BRK64, imm, { target: toEl2 ? 2 : pe.el === 0 ? 1 : pe.el });
      };
    }
    case 0b01000: // HLT: only the semihosting call is supported (halting debug is disabled)
      return (pe) => {
        if (imm !== 0xf000 || !pe.host.semihosting(pe)) undefinedInstruction(pe);
      };
    case 0b10101:
    case 0b10110:
    case 0b10111: // DCPS1..3: UNDEFINED outside Debug state
      return (pe) => undefinedInstruction(pe);
    default:
      return null;
  }
}

const EXC_NAMES: Record<number, string> = {
  0b00001: 'svc',
  0b00010: 'hvc',
  0b00011: 'smc',
  0b00100: 'brk',
  0b01000: 'hlt',
  0b10101: 'dcps1',
  0b10110: 'dcps2',
  0b10111: 'dcps3',
};

function exceptionGenText(f: Fields): string {
  const n = EXC_NAMES[(f.opc << 2) | f.LL] ?? '.inst';
  if (n.startsWith('dcps')) return f.imm16 ? `${n}\t#${hex(f.imm16)}` : n;
  return `${n}\t#${hex(f.imm16)}`;
}

// --- the table --------------------------------------------------------------------------------------

export const SYSTEM: InsnDef[] = [
  {
    name: 'UDF',
    pattern: '0000000000000000 imm16:16',
    build: (f) => {
      // A native call (arch/native.ts) runs its registered handler when executed at EL2.
      const n = nativeCallIndex(f.imm16);
      if (n < 0) return (pe) => undefinedInstruction(pe);
      return (pe) => {
        if (pe.el !== 2 || !pe.host.nativeCall?.(pe, n)) undefinedInstruction(pe);
      };
    },
    disasm: (f) => `udf\t#${f.imm16}`,
  },
  {
    name: 'Exception generation',
    pattern: '11010100 opc:3 imm16:16 000 LL:2',
    build: (f) => buildExceptionGen(f),
    disasm: (f) => exceptionGenText(f),
  },
  {
    name: 'ERET',
    pattern: '1101011 0100 11111 000000 11111 00000',
    build: () => (pe) => {
      if (pe.el === 0) undefinedInstruction(pe);
      exceptionReturn(pe);
    },
    disasm: () => 'eret',
  },
  {
    name: 'DRPS',
    pattern: '1101011 0101 11111 000000 11111 00000',
    // UNDEFINED outside Debug state.
    build: () => (pe) => undefinedInstruction(pe),
    disasm: () => 'drps',
  },
  {
    name: 'HINT',
    pattern: '1101010100 0 00 011 0010 CRm:4 op2:3 11111',
    // Hints this PE does not implement (ESB, PSB, BTI, PAC*…) execute as NOP (Arm ARM C6.2.95).
    build: (f) => HINT_OPS[(f.CRm << 3) | f.op2] ?? nop,
    disasm: (f) => {
      const n = (f.CRm << 3) | f.op2;
      return HINT_NAMES[n] ?? `hint\t#${hex(n)}`;
    },
  },
  {
    name: 'Barriers',
    pattern: '1101010100 0 00 011 0011 CRm:4 op2:3 11111',
    build: (f) => buildBarrier(f),
    disasm: (f) => barrierText(f),
  },
  {
    name: 'MSR (immediate)',
    pattern: '1101010100 0 00 op1:3 0100 CRm:4 op2:3 11111',
    build: (f) => buildMsrImm(f),
    disasm: (f) => {
      const field = PSTATE_FIELDS[`${f.op1},${f.op2}`];
      if (f.op1 === 0 && f.op2 === 0 && f.CRm === 0) return 'cfinv';
      return field ? `msr\t${field}, #${hex(f.CRm)}` : `msr\ts0_${f.op1}_c4_c${f.CRm}_${f.op2}, xzr`;
    },
  },
  {
    name: 'SYS/SYSL',
    pattern: '1101010100 L:1 01 op1:3 CRn:4 CRm:4 op2:3 Rt:5',
    build: (f) => buildSys(f),
    disasm: (f) => sysText(f),
  },
  {
    name: 'MRS/MSR (register)',
    pattern: '1101010100 L:1 1 o0:1 op1:3 CRn:4 CRm:4 op2:3 Rt:5',
    build: (f) => buildMrsMsr(f),
    disasm: (f) => {
      const name = sysRegText(2 + f.o0, f.op1, f.CRn, f.CRm, f.op2);
      return f.L ? `mrs\t${regName(f.Rt, true)}, ${name}` : `msr\t${name}, ${regName(f.Rt, true)}`;
    },
  },
];
