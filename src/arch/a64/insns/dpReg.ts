// A64 "Data Processing -- Register" (Arm ARM C4.1.88, op0 = x101): logical and add/subtract
// (shifted and extended register), add/subtract with carry, conditional compare, conditional
// select, and the 1-, 2- and 3-source groups (bit reversal, division, variable shifts, CRC32,
// multiply-accumulate).
//
// Register 31 is ZR everywhere here except Rn/Rd of ADD/SUB (extended register), which are
// SP-capable (Rd only in the non-S forms). A ZR read uses index 0 with a zero mask (`x[i] & m`)
// so one closure serves register and ZR operands without a run-time test; a ZR destination
// makes a non-flag-setting instruction a no-op and selects a flags-only closure otherwise.
import type { InsnDef, Fields } from '../table.js';
import type { Op } from '../op.js';
import { conditionHolds, regName } from '../regs.js';
import { COND_TEXT as COND_NAMES } from '../alu/fmt.js';
import { r, toBig, toBigSigned, fromBig } from '../u64.js';
import { addWithCarry32, addWithCarry64, logicFlags32, logicFlags64 } from '../alu/flags.js';
import { SHIFT32, SHIFT64, SHIFT_NAMES, lsl64, lsr64, asr64, ror64 } from '../alu/shift.js';
import { rbit32, rev16, bswap32, cls32 } from '../alu/bits.js';
import { CRC32_TABLE, CRC32C_TABLE, crcUpdate } from '../alu/crc.js';
import { mul64, smull32, umull32, smulh64, umulh64 } from '../alu/mul.js';

const TWO32 = 4294967296;
const nop: Op = () => {};

/** Read index and mask for a ZR-capable register operand. */
function ri(n: number): number {
  return n === 31 ? 0 : 2 * n;
}
function rm(n: number): number {
  return n === 31 ? 0 : -1;
}

// ---------------------------------------------------------------------------------------
// Logical (shifted register) (C6.2 AND, BIC, ORR, ORN, EOR, EON, ANDS, BICS).
// op2 = NOT?(ShiftReg(Rm, shift, imm6)); 32-bit forms with imm6 ≥ 32 are unallocated.

function buildLogicalReg(f: Fields): Op | null {
  const sf = f.sf;
  if (!sf && f.imm6 >= 32) return null;
  const opc = f.opc;
  if (f.Rd === 31 && opc !== 3) return nop;
  const d = 2 * f.Rd;
  const n = ri(f.Rn),
    nm = rm(f.Rn);
  const m = ri(f.Rm),
    mm = rm(f.Rm);
  const inv = f.N ? -1 : 0;
  const amt = f.imm6;
  const wd = f.Rd !== 31;
  if (!sf) {
    const sh = SHIFT32[f.shift];
    if (opc === 1 && f.Rn === 31 && amt === 0) {
      // MOV/MVN (register): the hottest form, a plain copy.
      return (pe) => {
        pe.x[d] = (pe.x[m] & mm) ^ inv;
        pe.x[d + 1] = 0;
      };
    }
    const op2 = (v: number) => sh(v, amt) ^ inv;
    switch (opc) {
      case 0:
        return (pe) => {
          pe.x[d] = pe.x[n] & nm & op2(pe.x[m] & mm);
          pe.x[d + 1] = 0;
        };
      case 1:
        return (pe) => {
          pe.x[d] = (pe.x[n] & nm) | op2(pe.x[m] & mm);
          pe.x[d + 1] = 0;
        };
      case 2:
        return (pe) => {
          pe.x[d] = (pe.x[n] & nm) ^ op2(pe.x[m] & mm);
          pe.x[d + 1] = 0;
        };
      default:
        return (pe) => {
          const v = (pe.x[n] & nm & op2(pe.x[m] & mm)) >>> 0;
          logicFlags32(pe, v);
          if (wd) {
            pe.x[d] = v;
            pe.x[d + 1] = 0;
          }
        };
    }
  }
  const sh = SHIFT64[f.shift];
  if (opc === 1 && f.Rn === 31 && amt === 0) {
    return (pe) => {
      const x = pe.x;
      x[d] = (x[m] & mm) ^ inv;
      x[d + 1] = (x[m + 1] & mm) ^ inv;
    };
  }
  if (amt === 0) {
    switch (opc) {
      case 0:
        return (pe) => {
          const x = pe.x;
          x[d] = x[n] & nm & ((x[m] & mm) ^ inv);
          x[d + 1] = x[n + 1] & nm & ((x[m + 1] & mm) ^ inv);
        };
      case 1:
        return (pe) => {
          const x = pe.x;
          x[d] = (x[n] & nm) | ((x[m] & mm) ^ inv);
          x[d + 1] = (x[n + 1] & nm) | ((x[m + 1] & mm) ^ inv);
        };
      case 2:
        return (pe) => {
          const x = pe.x;
          x[d] = (x[n] & nm) ^ ((x[m] & mm) ^ inv);
          x[d + 1] = (x[n + 1] & nm) ^ ((x[m + 1] & mm) ^ inv);
        };
      default:
        return (pe) => {
          const x = pe.x;
          const lo = x[n] & nm & ((x[m] & mm) ^ inv);
          const hi = x[n + 1] & nm & ((x[m + 1] & mm) ^ inv);
          logicFlags64(pe, lo, hi);
          if (wd) {
            x[d] = lo;
            x[d + 1] = hi;
          }
        };
    }
  }
  switch (opc) {
    case 0:
      return (pe) => {
        const x = pe.x;
        const blo = sh(x[m] & mm, x[m + 1] & mm, amt) ^ inv;
        const bhi = r.hi ^ inv;
        x[d] = x[n] & nm & blo;
        x[d + 1] = x[n + 1] & nm & bhi;
      };
    case 1:
      return (pe) => {
        const x = pe.x;
        const blo = sh(x[m] & mm, x[m + 1] & mm, amt) ^ inv;
        const bhi = r.hi ^ inv;
        x[d] = (x[n] & nm) | blo;
        x[d + 1] = (x[n + 1] & nm) | bhi;
      };
    case 2:
      return (pe) => {
        const x = pe.x;
        const blo = sh(x[m] & mm, x[m + 1] & mm, amt) ^ inv;
        const bhi = r.hi ^ inv;
        x[d] = (x[n] & nm) ^ blo;
        x[d + 1] = (x[n + 1] & nm) ^ bhi;
      };
    default:
      return (pe) => {
        const x = pe.x;
        const blo = sh(x[m] & mm, x[m + 1] & mm, amt) ^ inv;
        const bhi = r.hi ^ inv;
        const lo = x[n] & nm & blo;
        const hi = x[n + 1] & nm & bhi;
        logicFlags64(pe, lo, hi);
        if (wd) {
          x[d] = lo;
          x[d + 1] = hi;
        }
      };
  }
}

function shiftSuffix(shift: number, amt: number): string {
  return shift === 0 && amt === 0 ? '' : `, ${SHIFT_NAMES[shift]} #${amt}`;
}

function disLogicalReg(f: Fields): string {
  const sf = f.sf;
  const rd = regName(f.Rd, sf),
    rn = regName(f.Rn, sf),
    rmn = regName(f.Rm, sf);
  const sfx = shiftSuffix(f.shift, f.imm6);
  const name = [
    ['and', 'bic'],
    ['orr', 'orn'],
    ['eor', 'eon'],
    ['ands', 'bics'],
  ][f.opc][f.N];
  if (f.opc === 1 && f.Rn === 31) {
    if (!f.N && f.shift === 0 && f.imm6 === 0) return `mov\t${rd}, ${rmn}`;
    if (f.N) return `mvn\t${rd}, ${rmn}${sfx}`;
  }
  if (f.opc === 3 && !f.N && f.Rd === 31) return `tst\t${rn}, ${rmn}${sfx}`;
  return `${name}\t${rd}, ${rn}, ${rmn}${sfx}`;
}

// ---------------------------------------------------------------------------------------
// ADD/ADDS/SUB/SUBS (shifted register) (C6.2). ROR (shift = 11) is reserved, and 32-bit
// shifts of 32 or more are unallocated. SUB computes Rn + NOT(op2) + 1.

function buildAddSubShifted(f: Fields): Op | null {
  const sf = f.sf;
  if (f.shift === 3) return null;
  if (!sf && f.imm6 >= 32) return null;
  if (f.Rd === 31 && !f.S) return nop;
  const d = 2 * f.Rd;
  const n = ri(f.Rn),
    nm = rm(f.Rn);
  const m = ri(f.Rm),
    mm = rm(f.Rm);
  const inv = f.op ? -1 : 0;
  const cin = f.op;
  const amt = f.imm6;
  if (!sf) {
    const sh = SHIFT32[f.shift];
    if (!f.S) {
      if (amt === 0)
        return (pe) => {
          pe.x[d] = (pe.x[n] & nm) + (((pe.x[m] & mm) ^ inv) >>> 0) + cin;
          pe.x[d + 1] = 0;
        };
      return (pe) => {
        pe.x[d] = (pe.x[n] & nm) + ((sh(pe.x[m] & mm, amt) ^ inv) >>> 0) + cin;
        pe.x[d + 1] = 0;
      };
    }
    if (f.Rd === 31) {
      return (pe) => void addWithCarry32(pe, (pe.x[n] & nm) >>> 0, (sh(pe.x[m] & mm, amt) ^ inv) >>> 0, cin);
    }
    return (pe) => {
      pe.x[d] = addWithCarry32(pe, (pe.x[n] & nm) >>> 0, (sh(pe.x[m] & mm, amt) ^ inv) >>> 0, cin);
      pe.x[d + 1] = 0;
    };
  }
  const sh = SHIFT64[f.shift];
  if (!f.S) {
    if (amt === 0) {
      return (pe) => {
        const x = pe.x;
        const s = ((x[n] & nm) >>> 0) + (((x[m] & mm) ^ inv) >>> 0) + cin;
        x[d + 1] = ((x[n + 1] & nm) >>> 0) + (((x[m + 1] & mm) ^ inv) >>> 0) + (s >= TWO32 ? 1 : 0);
        x[d] = s;
      };
    }
    return (pe) => {
      const x = pe.x;
      const blo = (sh(x[m] & mm, x[m + 1] & mm, amt) ^ inv) >>> 0;
      const bhi = (r.hi ^ inv) >>> 0;
      const s = ((x[n] & nm) >>> 0) + blo + cin;
      x[d + 1] = ((x[n + 1] & nm) >>> 0) + bhi + (s >= TWO32 ? 1 : 0);
      x[d] = s;
    };
  }
  if (f.Rd === 31) {
    // CMP/CMN: flags only.
    return (pe) => {
      const x = pe.x;
      const blo = (sh(x[m] & mm, x[m + 1] & mm, amt) ^ inv) >>> 0;
      const bhi = (r.hi ^ inv) >>> 0;
      addWithCarry64(pe, (x[n] & nm) >>> 0, (x[n + 1] & nm) >>> 0, blo, bhi, cin);
    };
  }
  return (pe) => {
    const x = pe.x;
    const blo = (sh(x[m] & mm, x[m + 1] & mm, amt) ^ inv) >>> 0;
    const bhi = (r.hi ^ inv) >>> 0;
    x[d] = addWithCarry64(pe, (x[n] & nm) >>> 0, (x[n + 1] & nm) >>> 0, blo, bhi, cin);
    x[d + 1] = r.hi;
  };
}

function disAddSubShifted(f: Fields): string {
  const sf = f.sf;
  const rd = regName(f.Rd, sf),
    rn = regName(f.Rn, sf),
    rmn = regName(f.Rm, sf);
  const sfx = shiftSuffix(f.shift, f.imm6);
  if (f.S && f.Rd === 31) return `${f.op ? 'cmp' : 'cmn'}\t${rn}, ${rmn}${sfx}`;
  if (f.op && f.Rn === 31) return `${f.S ? 'negs' : 'neg'}\t${rd}, ${rmn}${sfx}`;
  return `${f.op ? 'sub' : 'add'}${f.S ? 's' : ''}\t${rd}, ${rn}, ${rmn}${sfx}`;
}

// ---------------------------------------------------------------------------------------
// ADD/ADDS/SUB/SUBS (extended register) (C6.2, ExtendReg J1.1.3): Rm extended by option
// (UXTB..SXTX) then shifted left by imm3 ≤ 4. Rn is SP-capable; Rd is SP-capable unless S.

const EXT_NAMES = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'] as const;

/** ExtendReg of a 64-bit (lo, hi) operand: returns lo, hi in r.hi. */
function extend64(option: number, lo: number, hi: number): number {
  switch (option) {
    case 0:
      r.hi = 0;
      return lo & 0xff;
    case 1:
      r.hi = 0;
      return lo & 0xffff;
    case 2:
      r.hi = 0;
      return lo >>> 0;
    case 4: {
      const v = (lo << 24) >> 24;
      r.hi = (v >> 31) >>> 0;
      return v >>> 0;
    }
    case 5: {
      const v = (lo << 16) >> 16;
      r.hi = (v >> 31) >>> 0;
      return v >>> 0;
    }
    case 6:
      r.hi = (lo >> 31) >>> 0;
      return lo >>> 0;
    default:
      r.hi = hi >>> 0;
      return lo >>> 0;
  }
}

function extend32(option: number, v: number): number {
  switch (option & 3) {
    case 0:
      return option & 4 ? ((v << 24) >> 24) >>> 0 : v & 0xff;
    case 1:
      return option & 4 ? ((v << 16) >> 16) >>> 0 : v & 0xffff;
    default:
      return v >>> 0;
  }
}

function buildAddSubExtended(f: Fields): Op | null {
  const sf = f.sf;
  if (f.opt !== 0 || f.imm3 > 4) return null;
  const sp = !f.S; // Rd is SP-capable
  const d = 2 * f.Rd;
  const n = 2 * f.Rn; // SP-capable
  const m = ri(f.Rm),
    mm = rm(f.Rm);
  const inv = f.op ? -1 : 0;
  const cin = f.op;
  const option = f.option;
  const amt = f.imm3;
  const wd = sp || f.Rd !== 31;
  if (!sf) {
    if (!f.S)
      return (pe) => {
        pe.x[d] = pe.x[n] + (((extend32(option, pe.x[m] & mm) << amt) ^ inv) >>> 0) + cin;
        pe.x[d + 1] = 0;
      };
    return (pe) => {
      const v = addWithCarry32(pe, pe.x[n], ((extend32(option, pe.x[m] & mm) << amt) ^ inv) >>> 0, cin);
      if (wd) {
        pe.x[d] = v;
        pe.x[d + 1] = 0;
      }
    };
  }
  if (!f.S)
    return (pe) => {
      const x = pe.x;
      const elo = extend64(option, x[m] & mm, x[m + 1] & mm);
      const blo = (lsl64(elo, r.hi, amt) ^ inv) >>> 0;
      const bhi = (r.hi ^ inv) >>> 0;
      const s = x[n] + blo + cin;
      x[d + 1] = x[n + 1] + bhi + (s >= TWO32 ? 1 : 0);
      x[d] = s;
    };
  return (pe) => {
    const x = pe.x;
    const elo = extend64(option, x[m] & mm, x[m + 1] & mm);
    const blo = (lsl64(elo, r.hi, amt) ^ inv) >>> 0;
    const bhi = (r.hi ^ inv) >>> 0;
    const lo = addWithCarry64(pe, x[n], x[n + 1], blo, bhi, cin);
    if (wd) {
      x[d] = lo;
      x[d + 1] = r.hi;
    }
  };
}

function disAddSubExtended(f: Fields): string {
  const sf = f.sf;
  const rd = regName(f.Rd, sf, !f.S);
  const rn = regName(f.Rn, sf, true);
  const rmn = regName(f.Rm, sf && (f.option & 3) === 3);
  // With SP as Rd or Rn, the "default" extend (UXTX, or UXTW for 32-bit) is spelt LSL, and
  // omitted when the shift is 0 (C6.2 ADD (extended register) assembler notes).
  const spForm = f.Rn === 31 || (!f.S && f.Rd === 31);
  let ext: string;
  if (spForm && f.option === (sf ? 3 : 2)) ext = f.imm3 ? `, lsl #${f.imm3}` : '';
  else ext = `, ${EXT_NAMES[f.option]}${f.imm3 ? ` #${f.imm3}` : ''}`;
  if (f.S && f.Rd === 31) return `${f.op ? 'cmp' : 'cmn'}\t${rn}, ${rmn}${ext}`;
  return `${f.op ? 'sub' : 'add'}${f.S ? 's' : ''}\t${rd}, ${rn}, ${rmn}${ext}`;
}

// ---------------------------------------------------------------------------------------
// ADC/ADCS/SBC/SBCS (C6.2): Rn + (NOT?)Rm + C.

function buildAddSubCarry(f: Fields): Op | null {
  if (f.Rd === 31 && !f.S) return nop;
  const d = 2 * f.Rd;
  const n = ri(f.Rn),
    nm = rm(f.Rn);
  const m = ri(f.Rm),
    mm = rm(f.Rm);
  const inv = f.op ? -1 : 0;
  const wd = f.Rd !== 31;
  if (!f.sf) {
    if (!f.S)
      return (pe) => {
        pe.x[d] = (pe.x[n] & nm) + (((pe.x[m] & mm) ^ inv) >>> 0) + pe.c;
        pe.x[d + 1] = 0;
      };
    return (pe) => {
      const v = addWithCarry32(pe, (pe.x[n] & nm) >>> 0, ((pe.x[m] & mm) ^ inv) >>> 0, pe.c);
      if (wd) {
        pe.x[d] = v;
        pe.x[d + 1] = 0;
      }
    };
  }
  if (!f.S)
    return (pe) => {
      const x = pe.x;
      const s = ((x[n] & nm) >>> 0) + (((x[m] & mm) ^ inv) >>> 0) + pe.c;
      x[d + 1] = ((x[n + 1] & nm) >>> 0) + (((x[m + 1] & mm) ^ inv) >>> 0) + (s >= TWO32 ? 1 : 0);
      x[d] = s;
    };
  return (pe) => {
    const x = pe.x;
    const lo = addWithCarry64(pe, (x[n] & nm) >>> 0, (x[n + 1] & nm) >>> 0, ((x[m] & mm) ^ inv) >>> 0, ((x[m + 1] & mm) ^ inv) >>> 0, pe.c);
    if (wd) {
      x[d] = lo;
      x[d + 1] = r.hi;
    }
  };
}

function disAddSubCarry(f: Fields): string {
  const sf = f.sf;
  const name = `${f.op ? 'sbc' : 'adc'}${f.S ? 's' : ''}`;
  if (f.op && f.Rn === 31) return `${f.S ? 'ngcs' : 'ngc'}\t${regName(f.Rd, sf)}, ${regName(f.Rm, sf)}`;
  return `${name}\t${regName(f.Rd, sf)}, ${regName(f.Rn, sf)}, ${regName(f.Rm, sf)}`;
}

// ---------------------------------------------------------------------------------------
// CCMN/CCMP (register and immediate) (C6.2): if cond then flags of Rn ± op2, else NZCV = #nzcv.

function buildCondCompare(f: Fields): Op | null {
  if (f.S !== 1 || f.o2 !== 0 || f.o3 !== 0) return null;
  const cond = f.cond;
  const nzcv = f.nzcv;
  const fn = (nzcv >> 3) & 1,
    fz = (nzcv >> 2) & 1,
    fc = (nzcv >> 1) & 1,
    fv = nzcv & 1;
  const n = ri(f.Rn),
    nm = rm(f.Rn);
  const inv = f.op ? -1 : 0;
  const cin = f.op;
  const imm = f.i;
  // Immediate form: the operand is the constant imm5; register form reads Rm (ZR-capable).
  const m = imm ? 0 : ri(f.Rm),
    mm = imm ? 0 : rm(f.Rm);
  const k = imm ? f.Rm : 0;
  if (!f.sf) {
    return (pe) => {
      if (conditionHolds(pe, cond)) {
        addWithCarry32(pe, (pe.x[n] & nm) >>> 0, (((pe.x[m] & mm) | k) ^ inv) >>> 0, cin);
      } else {
        pe.n = fn;
        pe.z = fz;
        pe.c = fc;
        pe.v = fv;
      }
    };
  }
  return (pe) => {
    if (conditionHolds(pe, cond)) {
      const x = pe.x;
      addWithCarry64(pe, (x[n] & nm) >>> 0, (x[n + 1] & nm) >>> 0, (((x[m] & mm) | k) ^ inv) >>> 0, ((x[m + 1] & mm) ^ inv) >>> 0, cin);
    } else {
      pe.n = fn;
      pe.z = fz;
      pe.c = fc;
      pe.v = fv;
    }
  };
}

function disCondCompare(f: Fields): string {
  const op2 = f.i ? `#0x${f.Rm.toString(16)}` : regName(f.Rm, f.sf);
  return `${f.op ? 'ccmp' : 'ccmn'}\t${regName(f.Rn, f.sf)}, ${op2}, #0x${f.nzcv.toString(16)}, ${COND_NAMES[f.cond]}`;
}

// ---------------------------------------------------------------------------------------
// CSEL/CSINC/CSINV/CSNEG (C6.2): Rd = cond ? Rn : f(Rm), f = id, +1, NOT, negate.

function buildCondSelect(f: Fields): Op | null {
  if (f.S !== 0) return null;
  if (f.Rd === 31) return nop;
  const cond = f.cond;
  const d = 2 * f.Rd;
  const n = ri(f.Rn),
    nm = rm(f.Rn);
  const m = ri(f.Rm),
    mm = rm(f.Rm);
  const kind = (f.op << 1) | f.o2;
  const inv = f.op ? -1 : 0; // CSINV, CSNEG invert; CSINC, CSNEG add 1
  const inc = f.o2;
  if (!f.sf) {
    return (pe) => {
      if (conditionHolds(pe, cond)) pe.x[d] = pe.x[n] & nm;
      else pe.x[d] = (((pe.x[m] & mm) ^ inv) >>> 0) + inc;
      pe.x[d + 1] = 0;
    };
  }
  if (kind === 0) {
    return (pe) => {
      const x = pe.x;
      if (conditionHolds(pe, cond)) {
        x[d] = x[n] & nm;
        x[d + 1] = x[n + 1] & nm;
      } else {
        x[d] = x[m] & mm;
        x[d + 1] = x[m + 1] & mm;
      }
    };
  }
  return (pe) => {
    const x = pe.x;
    if (conditionHolds(pe, cond)) {
      x[d] = x[n] & nm;
      x[d + 1] = x[n + 1] & nm;
    } else {
      const s = (((x[m] & mm) ^ inv) >>> 0) + inc;
      x[d + 1] = (((x[m + 1] & mm) ^ inv) >>> 0) + (s >= TWO32 ? 1 : 0);
      x[d] = s;
    }
  };
}

function disCondSelect(f: Fields): string {
  const sf = f.sf;
  const rd = regName(f.Rd, sf),
    rn = regName(f.Rn, sf),
    rmn = regName(f.Rm, sf);
  const kind = (f.op << 1) | f.o2;
  const inv = COND_NAMES[f.cond ^ 1];
  const notAl = f.cond < 14;
  if (kind === 1 && notAl) {
    if (f.Rn === 31 && f.Rm === 31) return `cset\t${rd}, ${inv}`;
    if (f.Rn === f.Rm && f.Rm !== 31) return `cinc\t${rd}, ${rn}, ${inv}`;
  }
  if (kind === 2 && notAl) {
    if (f.Rn === 31 && f.Rm === 31) return `csetm\t${rd}, ${inv}`;
    if (f.Rn === f.Rm && f.Rm !== 31) return `cinv\t${rd}, ${rn}, ${inv}`;
  }
  if (kind === 3 && notAl && f.Rn === f.Rm) return `cneg\t${rd}, ${rn}, ${inv}`;
  return `${['csel', 'csinc', 'csinv', 'csneg'][kind]}\t${rd}, ${rn}, ${rmn}, ${COND_NAMES[f.cond]}`;
}

// ---------------------------------------------------------------------------------------
// Data-processing (2 source) (C6.2 UDIV, SDIV, LSLV, LSRV, ASRV, RORV, CRC32*, CRC32C*).
// Division by zero gives 0 and INT_MIN / -1 gives INT_MIN (no trap in A64).

const VSHIFT_BY_OPC: Record<number, number> = { 8: 0, 9: 1, 10: 2, 11: 3 };

function buildDp2(f: Fields): Op | null {
  const sf = f.sf;
  const opc = f.opcode;
  const d = 2 * f.Rd;
  const n = ri(f.Rn),
    nm = rm(f.Rn);
  const m = ri(f.Rm),
    mm = rm(f.Rm);
  const valid = opc === 2 || opc === 3 || (opc >= 8 && opc <= 11) || (opc >= 16 && opc <= 23);
  if (!valid) return null;
  if (opc >= 16) {
    // CRC32{B,H,W,X}, CRC32C{...}: sz = opcode[1:0], C = opcode[2]; only X uses sf = 1.
    const sz = opc & 3;
    if ((sz === 3) !== (sf === 1)) return null;
    if (f.Rd === 31) return nop;
    const t = opc & 4 ? CRC32C_TABLE : CRC32_TABLE;
    const bytes = 1 << sz;
    if (sz === 3)
      return (pe) => {
        const c = crcUpdate(t, (pe.x[n] & nm) >>> 0, pe.x[m] & mm, 4);
        pe.x[d] = crcUpdate(t, c, pe.x[m + 1] & mm, 4);
        pe.x[d + 1] = 0;
      };
    return (pe) => {
      pe.x[d] = crcUpdate(t, (pe.x[n] & nm) >>> 0, pe.x[m] & mm, bytes);
      pe.x[d + 1] = 0;
    };
  }
  if (f.Rd === 31) return nop;
  if (opc >= 8) {
    const st = VSHIFT_BY_OPC[opc];
    if (!sf) {
      const sh = SHIFT32[st];
      return (pe) => {
        pe.x[d] = sh(pe.x[n] & nm, pe.x[m] & mm & 31);
        pe.x[d + 1] = 0;
      };
    }
    const sh = [lsl64, lsr64, asr64, ror64][st];
    return (pe) => {
      const x = pe.x;
      x[d] = sh(x[n] & nm, x[n + 1] & nm, x[m] & mm & 63);
      x[d + 1] = r.hi;
    };
  }
  if (!sf) {
    if (opc === 2) {
      return (pe) => {
        const b = (pe.x[m] & mm) >>> 0;
        pe.x[d] = b === 0 ? 0 : Math.floor(((pe.x[n] & nm) >>> 0) / b);
        pe.x[d + 1] = 0;
      };
    }
    return (pe) => {
      const b = pe.x[m] & mm;
      // Math.trunc of the exact quotient: |a|, |b| < 2^31 keeps the double division exact
      // enough (the fractional part is ≥ 1/|a| away from an integer). INT_MIN/-1 = 2^31
      // wraps to INT_MIN on the uint32 store.
      pe.x[d] = b === 0 ? 0 : Math.trunc((pe.x[n] & nm) / b);
      pe.x[d + 1] = 0;
    };
  }
  if (opc === 2) {
    return (pe) => {
      const x = pe.x;
      const alo = (x[n] & nm) >>> 0,
        ahi = (x[n + 1] & nm) >>> 0;
      const blo = (x[m] & mm) >>> 0,
        bhi = (x[m + 1] & mm) >>> 0;
      if ((blo | bhi) === 0) {
        x[d] = 0;
        x[d + 1] = 0;
      } else if ((ahi | bhi) === 0) {
        x[d] = Math.floor(alo / blo);
        x[d + 1] = 0;
      } else {
        // Rare: a 64-bit dividend or divisor. BigInt keeps it exact.
        x[d] = fromBig(toBig(alo, ahi) / toBig(blo, bhi));
        x[d + 1] = r.hi;
      }
    };
  }
  return (pe) => {
    const x = pe.x;
    const alo = x[n] & nm,
      ahi = x[n + 1] & nm;
    const blo = x[m] & mm,
      bhi = x[m + 1] & mm;
    if ((blo | bhi) === 0) {
      x[d] = 0;
      x[d + 1] = 0;
    } else if (ahi === alo >> 31 && bhi === blo >> 31) {
      // Both operands are sign-extended 32-bit values: the quotient is exact as a number
      // (including INT32_MIN / -1 = 2^31, which fits the 64-bit result).
      const q = Math.trunc(alo / blo);
      x[d] = q;
      x[d + 1] = q < 0 ? 0xffffffff : 0;
    } else {
      // BigInt division truncates toward zero like SDIV; INT64_MIN / -1 wraps to INT64_MIN.
      x[d] = fromBig(BigInt.asUintN(64, toBigSigned(alo, ahi) / toBigSigned(blo, bhi)));
      x[d + 1] = r.hi;
    }
  };
}

const DP2_NAMES: Record<number, string> = {
  2: 'udiv',
  3: 'sdiv',
  8: 'lsl',
  9: 'lsr',
  10: 'asr',
  11: 'ror',
  16: 'crc32b',
  17: 'crc32h',
  18: 'crc32w',
  19: 'crc32x',
  20: 'crc32cb',
  21: 'crc32ch',
  22: 'crc32cw',
  23: 'crc32cx',
};

function disDp2(f: Fields): string {
  const sf = f.sf;
  const name = DP2_NAMES[f.opcode];
  if (f.opcode >= 16) return `${name}\t${regName(f.Rd, 0)}, ${regName(f.Rn, 0)}, ${regName(f.Rm, sf)}`;
  return `${name}\t${regName(f.Rd, sf)}, ${regName(f.Rn, sf)}, ${regName(f.Rm, sf)}`;
}

// ---------------------------------------------------------------------------------------
// Data-processing (1 source) (C6.2 RBIT, REV16, REV32, REV, CLZ, CLS).

function buildDp1(f: Fields): Op | null {
  const sf = f.sf;
  const opc = f.opcode;
  if (opc > 5 || (!sf && opc === 3)) return null;
  if (f.Rd === 31) return nop;
  const d = 2 * f.Rd;
  const n = ri(f.Rn),
    nm = rm(f.Rn);
  if (!sf) {
    const fn = [rbit32, rev16, bswap32, bswap32, (v: number) => Math.clz32(v), cls32][opc];
    return (pe) => {
      pe.x[d] = fn(pe.x[n] & nm);
      pe.x[d + 1] = 0;
    };
  }
  switch (opc) {
    case 0: // RBIT: reverse all 64 bits = swap halves and reverse each
    case 3: {
      // REV: swap halves and byte-reverse each
      const fn = opc === 0 ? rbit32 : bswap32;
      return (pe) => {
        const lo = pe.x[n] & nm,
          hi = pe.x[n + 1] & nm;
        pe.x[d] = fn(hi);
        pe.x[d + 1] = fn(lo);
      };
    }
    case 1:
    case 2: {
      const fn = opc === 1 ? rev16 : bswap32;
      return (pe) => {
        const lo = pe.x[n] & nm,
          hi = pe.x[n + 1] & nm;
        pe.x[d] = fn(lo);
        pe.x[d + 1] = fn(hi);
      };
    }
    case 4:
      return (pe) => {
        const hi = pe.x[n + 1] & nm;
        pe.x[d] = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(pe.x[n] & nm);
        pe.x[d + 1] = 0;
      };
    default:
      return (pe) => {
        const lo = pe.x[n] & nm,
          hi = pe.x[n + 1] & nm;
        // CLS = CLZ(x XOR (x >> 1)) − 1 over 64 bits (arithmetic shift).
        const yhi = hi ^ (hi >> 1);
        const ylo = lo ^ ((lo >>> 1) | (hi << 31));
        pe.x[d] = (yhi !== 0 ? Math.clz32(yhi) : 32 + Math.clz32(ylo)) - 1;
        pe.x[d + 1] = 0;
      };
  }
}

function disDp1(f: Fields): string {
  const sf = f.sf;
  const names = sf ? ['rbit', 'rev16', 'rev32', 'rev', 'clz', 'cls'] : ['rbit', 'rev16', 'rev', '', 'clz', 'cls'];
  return `${names[f.opcode]}\t${regName(f.Rd, sf)}, ${regName(f.Rn, sf)}`;
}

// ---------------------------------------------------------------------------------------
// Data-processing (3 source) (C6.2 MADD, MSUB, SMADDL, SMSUBL, SMULH, UMADDL, UMSUBL, UMULH).

function buildDp3(f: Fields): Op | null {
  const sf = f.sf;
  const op31 = f.op31;
  const sub = f.o0;
  if (f.op54 !== 0) return null;
  if (!sf && op31 !== 0) return null;
  if (op31 === 3 || op31 === 4 || op31 === 7) return null;
  if ((op31 === 2 || op31 === 6) && sub) return null;
  if (f.Rd === 31) return nop;
  const d = 2 * f.Rd;
  const n = ri(f.Rn),
    nm = rm(f.Rn);
  const m = ri(f.Rm),
    mm = rm(f.Rm);
  const a = ri(f.Ra),
    am = rm(f.Ra);
  if (!sf) {
    if (sub)
      return (pe) => {
        pe.x[d] = (pe.x[a] & am) - Math.imul(pe.x[n] & nm, pe.x[m] & mm);
        pe.x[d + 1] = 0;
      };
    return (pe) => {
      pe.x[d] = (pe.x[a] & am) + Math.imul(pe.x[n] & nm, pe.x[m] & mm);
      pe.x[d + 1] = 0;
    };
  }
  if (op31 === 2 || op31 === 6) {
    const fn = op31 === 2 ? smulh64 : umulh64;
    return (pe) => {
      const x = pe.x;
      x[d] = fn(x[n] & nm, x[n + 1] & nm, x[m] & mm, x[m + 1] & mm);
      x[d + 1] = r.hi;
    };
  }
  // Product (lo, hi), then Ra ± product as a 64-bit add (NOT(p) + 1 for subtraction).
  const inv = sub ? -1 : 0;
  const cin = sub;
  if (op31 === 0) {
    return (pe) => {
      const x = pe.x;
      const plo = (mul64(x[n] & nm, x[n + 1] & nm, x[m] & mm, x[m + 1] & mm) ^ inv) >>> 0;
      const phi = (r.hi ^ inv) >>> 0;
      const s = ((x[a] & am) >>> 0) + plo + cin;
      x[d + 1] = ((x[a + 1] & am) >>> 0) + phi + (s >= TWO32 ? 1 : 0);
      x[d] = s;
    };
  }
  const fn = op31 === 1 ? smull32 : umull32;
  return (pe) => {
    const x = pe.x;
    const plo = (fn(x[n] & nm, x[m] & mm) ^ inv) >>> 0;
    const phi = (r.hi ^ inv) >>> 0;
    const s = ((x[a] & am) >>> 0) + plo + cin;
    x[d + 1] = ((x[a + 1] & am) >>> 0) + phi + (s >= TWO32 ? 1 : 0);
    x[d] = s;
  };
}

function disDp3(f: Fields): string {
  const sf = f.sf;
  const rd = regName(f.Rd, sf);
  const op31 = f.op31;
  if (op31 === 2 || op31 === 6) return `${op31 === 2 ? 'smulh' : 'umulh'}\t${rd}, ${regName(f.Rn, 1)}, ${regName(f.Rm, 1)}`;
  const long = op31 !== 0;
  const rn = regName(f.Rn, long ? 0 : sf),
    rmn = regName(f.Rm, long ? 0 : sf);
  const base = op31 === 0 ? ['madd', 'msub'] : op31 === 1 ? ['smaddl', 'smsubl'] : ['umaddl', 'umsubl'];
  const alias = op31 === 0 ? ['mul', 'mneg'] : op31 === 1 ? ['smull', 'smnegl'] : ['umull', 'umnegl'];
  if (f.Ra === 31) return `${alias[f.o0]}\t${rd}, ${rn}, ${rmn}`;
  return `${base[f.o0]}\t${rd}, ${rn}, ${rmn}, ${regName(f.Ra, sf)}`;
}

export const DP_REG: InsnDef[] = [
  {
    name: 'Logical (shifted register)',
    pattern: 'sf:1 opc:2 01010 shift:2 N:1 Rm:5 imm6:6 Rn:5 Rd:5',
    build: buildLogicalReg,
    disasm: disLogicalReg,
  },
  {
    name: 'Add/subtract (shifted register)',
    pattern: 'sf:1 op:1 S:1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5',
    build: buildAddSubShifted,
    disasm: disAddSubShifted,
  },
  {
    name: 'Add/subtract (extended register)',
    pattern: 'sf:1 op:1 S:1 01011 opt:2 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5',
    build: buildAddSubExtended,
    disasm: disAddSubExtended,
  },
  {
    name: 'Add/subtract (with carry)',
    pattern: 'sf:1 op:1 S:1 11010000 Rm:5 000000 Rn:5 Rd:5',
    build: buildAddSubCarry,
    disasm: disAddSubCarry,
  },
  {
    name: 'Conditional compare',
    pattern: 'sf:1 op:1 S:1 11010010 Rm:5 cond:4 i:1 o2:1 Rn:5 o3:1 nzcv:4',
    build: buildCondCompare,
    disasm: disCondCompare,
  },
  {
    name: 'Conditional select',
    pattern: 'sf:1 op:1 S:1 11010100 Rm:5 cond:4 0 o2:1 Rn:5 Rd:5',
    build: buildCondSelect,
    disasm: disCondSelect,
  },
  {
    name: 'Data-processing (2 source)',
    pattern: 'sf:1 0 0 11010110 Rm:5 opcode:6 Rn:5 Rd:5',
    build: buildDp2,
    disasm: disDp2,
  },
  {
    name: 'Data-processing (1 source)',
    pattern: 'sf:1 1 0 11010110 00000 opcode:6 Rn:5 Rd:5',
    build: buildDp1,
    disasm: disDp1,
  },
  {
    name: 'Data-processing (3 source)',
    pattern: 'sf:1 op54:2 11011 op31:3 Rm:5 o0:1 Ra:5 Rn:5 Rd:5',
    build: buildDp3,
    disasm: disDp3,
  },
];
