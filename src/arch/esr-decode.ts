// ESR_ELx → text (Arm ARM D17.2.37, ESR_EL1/ESR_EL2; arm-facts §2). Serves `armvisor esr` and
// the hypervisor's crash dumps. Register names come from the one sysreg catalogue.
import { EC } from './esr.js';
import { sysRegsByKey } from './sysreg/index.js';
import { sysRegKey, sysRegSpelling } from './sysreg/types.js';
import { sysOpByEncoding } from './sysreg/sysops.js';
import { rulesFor } from './sysreg/traps.js';

export interface EsrOptions {
  /** The value was read from ESR_EL2 (the hypervisor's view): lower-EL classes mean "from EL0/EL1". */
  el2?: boolean;
}

const EC_NAMES: Record<number, string> = {
  [EC.UNKNOWN]: 'Unknown reason (e.g. an UNDEFINED instruction)',
  [EC.WFX]: 'Trapped WFI or WFE instruction',
  [EC.CP15_32]: 'Trapped MCR or MRC access to CP15 (AArch32)',
  [EC.CP15_64]: 'Trapped MCRR or MRRC access to CP15 (AArch32)',
  [EC.CP14_32]: 'Trapped MCR or MRC access to CP14 (AArch32)',
  [EC.CP14_LS]: 'Trapped LDC or STC access (AArch32)',
  [EC.FP_ASIMD]: 'Access to SVE, Advanced SIMD or floating-point functionality trapped',
  [EC.CP10_ID]: 'Trapped VMRS access to an ID register (AArch32)',
  [EC.PAC]: 'Trapped pointer authentication instruction',
  [EC.CP14_64]: 'Trapped MRRC access to CP14 (AArch32)',
  [EC.BTI]: 'Branch Target Exception',
  [EC.ILLEGAL_STATE]: 'Illegal Execution state',
  [EC.SVC32]: 'SVC instruction execution in AArch32 state',
  [EC.HVC32]: 'HVC instruction execution in AArch32 state',
  [EC.SMC32]: 'SMC instruction execution in AArch32 state',
  [EC.SVC64]: 'SVC instruction execution in AArch64 state',
  [EC.HVC64]: 'HVC instruction execution in AArch64 state',
  [EC.SMC64]: 'SMC instruction execution in AArch64 state',
  [EC.SYS64]: 'Trapped MSR, MRS or System instruction execution in AArch64 state',
  [EC.SVE]: 'Access to SVE functionality trapped',
  [EC.ERET]: 'Trapped ERET, ERETAA or ERETAB instruction',
  0x1c: 'Pointer authentication failure',
  [EC.IMP_DEF]: 'IMPLEMENTATION DEFINED exception to EL3',
  [EC.IABT_LOW]: 'Instruction Abort from a lower Exception level',
  [EC.IABT_CUR]: 'Instruction Abort taken without a change in Exception level',
  [EC.PC_ALIGN]: 'PC alignment fault',
  [EC.DABT_LOW]: 'Data Abort from a lower Exception level',
  [EC.DABT_CUR]: 'Data Abort taken without a change in Exception level',
  [EC.SP_ALIGN]: 'SP alignment fault',
  [EC.FP_EXC32]: 'Trapped floating-point exception (AArch32)',
  [EC.FP_EXC64]: 'Trapped floating-point exception (AArch64)',
  [EC.SERROR]: 'SError interrupt',
  [EC.BREAKPT_LOW]: 'Breakpoint exception from a lower Exception level',
  [EC.BREAKPT_CUR]: 'Breakpoint exception taken without a change in Exception level',
  [EC.SOFTSTP_LOW]: 'Software Step exception from a lower Exception level',
  [EC.SOFTSTP_CUR]: 'Software Step exception taken without a change in Exception level',
  [EC.WATCHPT_LOW]: 'Watchpoint exception from a lower Exception level',
  [EC.WATCHPT_CUR]: 'Watchpoint exception taken without a change in Exception level',
  [EC.BKPT32]: 'BKPT instruction execution in AArch32 state',
  [EC.VECTOR32]: 'Vector Catch exception (AArch32)',
  [EC.BRK64]: 'BRK instruction execution in AArch64 state',
};

/** Fault status code (DFSC/IFSC, long-descriptor format) in words (Arm ARM D17.2.37). */
export function fscText(fsc: number): string {
  const lvl = fsc & 3;
  switch (fsc & 0x3c) {
    case 0x00:
      return `Address size fault, level ${lvl}`;
    case 0x04:
      return `Translation fault, level ${lvl}`;
    case 0x08:
      return lvl === 0 ? 'Access flag fault, level 0 (FEAT_LPA2)' : `Access flag fault, level ${lvl}`;
    case 0x0c:
      return lvl === 0 ? 'Permission fault, level 0 (FEAT_LPA2; Armv8-R MPU faults)' : `Permission fault, level ${lvl}`;
    case 0x14:
      return `Synchronous External abort on translation table walk, level ${lvl}`;
    case 0x1c:
      return `Synchronous parity or ECC error on translation table walk, level ${lvl}`;
  }
  const fixed: Record<number, string> = {
    0x10: 'Synchronous External abort, not on a translation table walk',
    0x11: 'Synchronous Tag Check Fault',
    0x13: 'Synchronous External abort on translation table walk, level -1',
    0x18: 'Synchronous parity or ECC error, not on a translation table walk',
    0x21: 'Alignment fault',
    0x22: 'Debug event',
    0x30: 'TLB conflict abort',
    0x31: 'Unsupported atomic hardware update fault',
    0x34: 'IMPLEMENTATION DEFINED fault (Lockdown)',
    0x35: 'IMPLEMENTATION DEFINED fault (Unsupported Exclusive or Atomic access)',
  };
  return fixed[fsc] ?? 'reserved fault status code';
}

const hx = (v: number, digits = 0): string => '0x' + v.toString(16).padStart(digits, '0');

/** One "  NAME  value  meaning" line, aligned. */
function field(name: string, value: string | number, meaning = ''): string {
  const v = typeof value === 'number' ? String(value) : value;
  return `  ${name.padEnd(6)}${v.padEnd(8)}${meaning}`.trimEnd();
}

function bit(iss: number, n: number): number {
  return (iss >>> n) & 1;
}

function abortFields(iss: number, isData: boolean): string[] {
  const out: string[] = [];
  if (isData) {
    const isv = bit(iss, 24);
    out.push(field('ISV', isv, isv ? 'instruction syndrome valid (bits [23:14])' : 'no instruction syndrome (bits [23:14] RES0)'));
    if (isv) {
      const sas = (iss >>> 22) & 3;
      out.push(field('SAS', sas, ['byte', 'halfword', 'word', 'doubleword'][sas]));
      out.push(field('SSE', bit(iss, 21), bit(iss, 21) ? 'sign-extend' : 'no sign extension'));
      const srt = (iss >>> 16) & 31;
      const sf = bit(iss, 15);
      out.push(field('SRT', srt, `register ${srt === 31 ? (sf ? 'xzr' : 'wzr') : (sf ? 'x' : 'w') + srt}`));
      out.push(field('SF', sf, sf ? '64-bit register' : '32-bit register'));
      out.push(field('AR', bit(iss, 14), bit(iss, 14) ? 'acquire/release' : ''));
    }
    out.push(field('VNCR', bit(iss, 13)));
  }
  const fnv = bit(iss, 10);
  out.push(field('FnV', fnv, fnv ? 'FAR is not valid' : 'FAR is valid'));
  out.push(field('EA', bit(iss, 9), bit(iss, 9) ? 'External abort type (IMPLEMENTATION DEFINED)' : ''));
  if (isData) out.push(field('CM', bit(iss, 8), bit(iss, 8) ? 'cache maintenance or address translation instruction' : ''));
  out.push(field('S1PTW', bit(iss, 7), bit(iss, 7) ? 'stage 2 fault on a stage 1 translation table walk' : ''));
  if (isData) out.push(field('WnR', bit(iss, 6), bit(iss, 6) ? 'write' : 'read'));
  const fsc = iss & 0x3f;
  out.push(field(isData ? 'DFSC' : 'IFSC', hx(fsc, 2), fscText(fsc)));
  return out;
}

/** Name of the register or SYS operation an EC 0x18 ISS designates. */
export function sysTrapName(op0: number, op1: number, crn: number, crm: number, op2: number): string {
  if (op0 === 1) {
    const d = sysOpByEncoding(op1, crn, crm, op2);
    return d ? d.name : `SYS #${op1}, C${crn}, C${crm}, #${op2}`;
  }
  if (op0 === 0 && crn === 4) {
    const pstate: Record<string, string> = { '0,5': 'SPSel', '3,6': 'DAIFSet', '3,7': 'DAIFClr', '0,3': 'UAO', '0,4': 'PAN' };
    return pstate[`${op1},${op2}`] ?? sysRegSpelling(op0, op1, crn, crm, op2);
  }
  const defs = sysRegsByKey(sysRegKey(op0, op1, crn, crm, op2));
  return defs.length ? defs.map((d) => d.name).join(' / ') : sysRegSpelling(op0, op1, crn, crm, op2);
}

function sysRegFields(iss: number): string[] {
  const op0 = (iss >>> 20) & 3;
  const op2 = (iss >>> 17) & 7;
  const op1 = (iss >>> 14) & 7;
  const crn = (iss >>> 10) & 15;
  const rt = (iss >>> 5) & 31;
  const crm = (iss >>> 1) & 15;
  const read = bit(iss, 0) === 1;
  const name = sysTrapName(op0, op1, crn, crm, op2);
  const reg = rt === 31 ? 'xzr' : `x${rt}`;
  let insn: string;
  if (op0 === 1) insn = read ? `SYSL ${reg}, ${name}` : `${name}${rt === 31 ? '' : ', ' + reg}`;
  else if (op0 === 0) insn = `MSR ${name}, #imm`;
  else insn = read ? `MRS ${reg}, ${name}` : `MSR ${name}, ${reg}`;
  const out = [
    `  ${insn}`,
    field('Op0', op0),
    field('Op1', op1),
    field('CRn', crn),
    field('CRm', crm),
    field('Op2', op2),
    field('Rt', rt, reg),
    field('Dir', read ? 1 : 0, read ? 'read (MRS/SYSL)' : 'write (MSR/SYS)'),
  ];
  // Which controls could have caused it (trap rules from the catalogue's table).
  const t = { name, op0, op1, crn, crm, op2 };
  const why = rulesFor(t)
    .filter((r) => r.dir === 'rw' || r.dir === (read ? 'r' : 'w'))
    .map((r) => r.why);
  if (why.length) out.push(`  possible trap controls: ${[...new Set(why)].join(', ')}`);
  return out;
}

function issFields(ec: number, iss: number, il: number): string[] {
  switch (ec) {
    case EC.DABT_LOW:
    case EC.DABT_CUR:
      return abortFields(iss, true);
    case EC.IABT_LOW:
    case EC.IABT_CUR:
      return abortFields(iss, false);
    case EC.SYS64:
      return sysRegFields(iss);
    case EC.WFX: {
      const ti = iss & 3;
      return [
        field('CV', bit(iss, 24), bit(iss, 24) ? 'COND is valid' : ''),
        field('COND', hx((iss >>> 20) & 15), ''),
        field('TI', ti, ['WFI', 'WFE', 'WFIT', 'WFET'][ti]),
      ];
    }
    case EC.SVC64:
    case EC.HVC64:
    case EC.SMC64:
    case EC.SVC32:
    case EC.HVC32:
    case EC.BRK64: {
      const name = { [EC.SVC64]: 'SVC', [EC.HVC64]: 'HVC', [EC.SMC64]: 'SMC', [EC.SVC32]: 'SVC', [EC.HVC32]: 'HVC', [EC.BRK64]: 'BRK' }[ec];
      return [field('imm16', hx(iss & 0xffff), `${name} #${hx(iss & 0xffff)}`)];
    }
    case EC.SMC32:
    case EC.FP_ASIMD:
      return [field('CV', bit(iss, 24), bit(iss, 24) ? 'COND is valid' : ''), field('COND', hx((iss >>> 20) & 15))];
    case EC.SERROR: {
      const ids = bit(iss, 24);
      if (ids) return [field('IDS', 1, 'IMPLEMENTATION DEFINED syndrome'), field('ISS', hx(iss & 0xffffff, 6))];
      const aet = (iss >>> 10) & 7;
      const aetNames: Record<number, string> = {
        0: 'Uncontainable',
        1: 'Unrecoverable state',
        2: 'Restartable state',
        3: 'Recoverable state',
        6: 'Corrected',
      };
      const dfsc = iss & 0x3f;
      return [
        field('IDS', 0),
        field('IESB', bit(iss, 13)),
        field('AET', aet, aetNames[aet] ?? 'reserved'),
        field('EA', bit(iss, 9)),
        field('DFSC', hx(dfsc, 2), dfsc === 0 ? 'Uncategorized' : dfsc === 0x11 ? 'Asynchronous SError interrupt' : 'reserved'),
      ];
    }
    case EC.UNKNOWN:
    case EC.ILLEGAL_STATE:
    case EC.PC_ALIGN:
    case EC.SP_ALIGN:
      return iss ? [field('ISS', hx(iss, 7), 'RES0 bits are set')] : [];
    default:
      return il === 0 && iss === 0 ? [] : [field('ISS', hx(iss, 7), 'not decoded for this class')];
  }
}

/** Describe an ESR_ELx value, one line per field. */
export function describeEsr(value: bigint, opts: EsrOptions = {}): string[] {
  const v = BigInt.asUintN(64, value);
  const lo = Number(v & 0xffff_ffffn);
  const ec = lo >>> 26;
  const il = (lo >>> 25) & 1;
  const iss = lo & 0x1ff_ffff;
  const iss2 = Number((v >> 32n) & 0x1fn);
  const reg = opts.el2 ? 'ESR_EL2' : 'ESR_ELx';
  const out = [`${reg} 0x${v.toString(16).padStart(8, '0')}`];
  const ecName = EC_NAMES[ec] ?? 'unallocated exception class';
  let ecNote = '';
  if (opts.el2 && (ec === EC.DABT_LOW || ec === EC.IABT_LOW)) ecNote = ' (from EL0/EL1: a guest access)';
  out.push(field('EC', hx(ec, 2), ecName + ecNote));
  out.push(field('IL', il, il ? '32-bit instruction (or IL RES1 for this class)' : '16-bit instruction (AArch32 T32)'));
  out.push(field('ISS', hx(iss, 7)));
  if (iss2) out.push(field('ISS2', hx(iss2, 2)));
  if (v >> 37n) out.push('  warning: RES0 bits [63:37] are set');
  out.push(...issFields(ec, iss, il));
  return out;
}
