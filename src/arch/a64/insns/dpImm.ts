// A64 "Data Processing -- Immediate" (Arm ARM C4.1.86, op0 = 100x): PC-relative addressing,
// add/subtract (immediate), logical (immediate), move wide, bitfield and extract.
//
// Register conventions (C1.2.5): in ADD/SUB (immediate) Rn is SP-capable and Rd is SP-capable
// except in the S forms; in the logical immediates Rd is SP-capable except ANDS and Rn is ZR.
// An SP-capable 31 is simply slot 31 of pe.x; a ZR read becomes a constant (or an index with a
// zero mask), a ZR write is dropped — all decided here, at build time.
import type { InsnDef, Fields } from '../table.js';
import type { Op } from '../op.js';
import type { Pe } from '../../pe.js';
import { regName, sext } from '../regs.js';
import { r } from '../u64.js';
import { addWithCarry32, addWithCarry64, logicFlags32, logicFlags64 } from '../alu/flags.js';
import { decodeLogicalImm, moveWidePreferred } from '../alu/bitmask.js';
import { lsl64, lsr64, asr64 } from '../alu/shift.js';
import { immText, targetText } from '../alu/fmt.js';

const TWO32 = 4294967296;
const nop: Op = () => {};

// ---------------------------------------------------------------------------------------
// PC-relative addressing (C6.2 ADR, ADRP). The Op recomputes from pe.curPc because a decoded
// page may be executed through more than one virtual address.

function buildAdr(f: Fields): Op | null {
  const imm = sext((f.immhi << 2) | f.immlo, 21);
  const d = 2 * f.Rd;
  if (f.Rd === 31) return nop;
  if (f.op === 0) {
    return (pe) => {
      const v = pe.curPc + imm;
      pe.x[d] = v;
      pe.x[d + 1] = Math.floor(v / TWO32);
    };
  }
  const off = imm * 4096;
  return (pe) => {
    const v = Math.floor(pe.curPc / 4096) * 4096 + off;
    pe.x[d] = v;
    pe.x[d + 1] = Math.floor(v / TWO32);
  };
}

function adrTarget(f: Fields, pc: number): number {
  const imm = sext((f.immhi << 2) | f.immlo, 21);
  return f.op === 0 ? pc + imm : Math.floor(pc / 4096) * 4096 + imm * 4096;
}

// ---------------------------------------------------------------------------------------
// ADD/ADDS/SUB/SUBS (immediate) (C6.2). SUB is Rn + NOT(imm) + 1 (AddWithCarry).

function buildAddSubImm(f: Fields): Op | null {
  const imm = f.imm12 << (f.sh * 12);
  const sub = f.op;
  const blo = sub ? ~imm >>> 0 : imm;
  const bhi = sub ? 0xffffffff : 0;
  const cin = sub;
  const n = 2 * f.Rn;
  const d = 2 * f.Rd;
  if (!f.S) {
    if (f.sf) {
      // Rd may be SP (slot 31): no ZR case.
      return (pe) => {
        const x = pe.x;
        const s = x[n] + blo + cin;
        x[d + 1] = x[n + 1] + bhi + (s >= TWO32 ? 1 : 0);
        x[d] = s;
      };
    }
    return (pe) => {
      const x = pe.x;
      x[d] = x[n] + blo + cin;
      x[d + 1] = 0;
    };
  }
  if (f.sf) {
    if (f.Rd === 31) return (pe) => void addWithCarry64(pe, pe.x[n], pe.x[n + 1], blo, bhi, cin);
    return (pe) => {
      const x = pe.x;
      x[d] = addWithCarry64(pe, x[n], x[n + 1], blo, bhi, cin);
      x[d + 1] = r.hi;
    };
  }
  if (f.Rd === 31) return (pe) => void addWithCarry32(pe, pe.x[n], blo, cin);
  return (pe) => {
    const x = pe.x;
    x[d] = addWithCarry32(pe, x[n], blo, cin);
    x[d + 1] = 0;
  };
}

function disAddSubImm(f: Fields): string {
  const sf = f.sf;
  const shift = f.sh ? ', lsl #12' : '';
  const imm = '#0x' + f.imm12.toString(16);
  if (f.S) {
    const rn = regName(f.Rn, sf, true);
    if (f.Rd === 31) return `${f.op ? 'cmp' : 'cmn'}\t${rn}, ${imm}${shift}`;
    return `${f.op ? 'subs' : 'adds'}\t${regName(f.Rd, sf)}, ${rn}, ${imm}${shift}`;
  }
  const rd = regName(f.Rd, sf, true);
  const rn = regName(f.Rn, sf, true);
  if (!f.op && !f.sh && f.imm12 === 0 && (f.Rd === 31 || f.Rn === 31)) return `mov\t${rd}, ${rn}`;
  return `${f.op ? 'sub' : 'add'}\t${rd}, ${rn}, ${imm}${shift}`;
}

// ---------------------------------------------------------------------------------------
// Logical (immediate) (C6.2 AND/ORR/EOR/ANDS (immediate)). Reserved: N=1 with sf=0 and the
// encodings DecodeBitMasks rejects → UNDEFINED (null).

function buildLogicalImm(f: Fields): Op | null {
  if (!f.sf && f.N) return null;
  const m = decodeLogicalImm(f.N, f.imms, f.immr, f.sf ? 64 : 32);
  if (!m) return null;
  const ilo = m.lo;
  const ihi = m.hi;
  const opc = f.opc;
  const d = 2 * f.Rd;
  // Rn is ZR-capable: read it as (index, mask) so one closure serves both.
  const n = f.Rn === 31 ? 0 : 2 * f.Rn;
  const nm = f.Rn === 31 ? 0 : -1;
  if (opc === 3) {
    // ANDS: Rd is ZR (TST when 31).
    if (f.sf) {
      if (f.Rd === 31) return (pe) => logicFlags64(pe, pe.x[n] & nm & ilo, pe.x[n + 1] & nm & ihi);
      return (pe) => {
        const x = pe.x;
        const lo = x[n] & nm & ilo;
        const hi = x[n + 1] & nm & ihi;
        logicFlags64(pe, lo, hi);
        x[d] = lo;
        x[d + 1] = hi;
      };
    }
    if (f.Rd === 31) return (pe) => logicFlags32(pe, (pe.x[n] & nm & ilo) >>> 0);
    return (pe) => {
      const x = pe.x;
      const v = (x[n] & nm & ilo) >>> 0;
      logicFlags32(pe, v);
      x[d] = v;
      x[d + 1] = 0;
    };
  }
  // AND/ORR/EOR: Rd is SP-capable (slot 31).
  if (f.Rn === 31) {
    // ZR op imm is a constant (ORR from ZR is the MOV (bitmask immediate) alias).
    const lo = opc === 0 ? 0 : ilo;
    const hi = opc === 0 ? 0 : ihi;
    return (pe) => {
      pe.x[d] = lo;
      pe.x[d + 1] = hi;
    };
  }
  if (!f.sf) {
    // 32-bit: the result is Wd, so bits 63:32 become 0 whatever Xn held.
    if (opc === 0)
      return (pe) => {
        pe.x[d] = pe.x[n] & ilo;
        pe.x[d + 1] = 0;
      };
    if (opc === 1)
      return (pe) => {
        pe.x[d] = pe.x[n] | ilo;
        pe.x[d + 1] = 0;
      };
    return (pe) => {
      pe.x[d] = pe.x[n] ^ ilo;
      pe.x[d + 1] = 0;
    };
  }
  if (opc === 0) {
    return (pe) => {
      const x = pe.x;
      x[d + 1] = x[n + 1] & ihi;
      x[d] = x[n] & ilo;
    };
  }
  if (opc === 1) {
    return (pe) => {
      const x = pe.x;
      x[d + 1] = x[n + 1] | ihi;
      x[d] = x[n] | ilo;
    };
  }
  return (pe) => {
    const x = pe.x;
    x[d + 1] = x[n + 1] ^ ihi;
    x[d] = x[n] ^ ilo;
  };
}

function disLogicalImm(f: Fields): string {
  const sf = f.sf;
  const m = decodeLogicalImm(f.N, f.imms, f.immr, sf ? 64 : 32)!;
  const imm = immText(m.lo, m.hi, sf);
  const rn = regName(f.Rn, sf);
  if (f.opc === 3) {
    if (f.Rd === 31) return `tst\t${rn}, ${imm}`;
    return `ands\t${regName(f.Rd, sf)}, ${rn}, ${imm}`;
  }
  const rd = regName(f.Rd, sf, true);
  if (f.opc === 1 && f.Rn === 31 && (f.Rd === 31 || !moveWidePreferred(sf, f.N, f.imms, f.immr))) return `mov\t${rd}, ${imm}`;
  return `${['and', 'orr', 'eor'][f.opc]}\t${rd}, ${rn}, ${imm}`;
}

// ---------------------------------------------------------------------------------------
// Move wide (C6.2 MOVN, MOVZ, MOVK). opc=01 is unallocated; hw ≥ 2 is unallocated for 32-bit.

function buildMoveWide(f: Fields): Op | null {
  if (f.opc === 1) return null;
  if (!f.sf && f.hw >= 2) return null;
  if (f.Rd === 31) return nop;
  const d = 2 * f.Rd;
  const pos = f.hw * 16;
  const vlo = pos < 32 ? (f.imm16 << pos) >>> 0 : 0;
  const vhi = pos >= 32 ? (f.imm16 << (pos - 32)) >>> 0 : 0;
  if (f.opc === 3) {
    // MOVK keeps the other bits; 32-bit MOVK still zeroes bits 63:32 (write to Wd).
    const keepLo = pos < 32 ? ~(0xffff << pos) : -1;
    const keepHi = pos >= 32 ? ~(0xffff << (pos - 32)) : -1;
    if (!f.sf)
      return (pe) => {
        pe.x[d] = (pe.x[d] & keepLo) | vlo;
        pe.x[d + 1] = 0;
      };
    return (pe) => {
      const x = pe.x;
      x[d] = (x[d] & keepLo) | vlo;
      x[d + 1] = (x[d + 1] & keepHi) | vhi;
    };
  }
  let lo = vlo;
  let hi = vhi;
  if (f.opc === 0) {
    lo = ~lo >>> 0;
    hi = f.sf ? ~hi >>> 0 : 0;
  }
  return (pe) => {
    pe.x[d] = lo;
    pe.x[d + 1] = hi;
  };
}

function disMoveWide(f: Fields): string {
  const sf = f.sf;
  const rd = regName(f.Rd, sf);
  const pos = f.hw * 16;
  const lsl = pos ? `, lsl #${pos}` : '';
  const raw = `#0x${f.imm16.toString(16)}${lsl}`;
  if (f.opc === 3) return `movk\t${rd}, ${raw}`;
  const v = BigInt(f.imm16) << BigInt(pos);
  if (f.opc === 2) {
    if (f.imm16 === 0 && f.hw !== 0) return `movz\t${rd}, ${raw}`;
    return `mov\t${rd}, #0x${v.toString(16)}`;
  }
  if ((f.imm16 === 0 && f.hw !== 0) || (!sf && f.imm16 === 0xffff)) return `movn\t${rd}, ${raw}`;
  const inv = BigInt.asUintN(sf ? 64 : 32, ~v);
  return `mov\t${rd}, #0x${inv.toString(16)}`;
}

// ---------------------------------------------------------------------------------------
// Bitfield (C6.2 SBFM, BFM, UBFM). With datasize ds, L = ds-1-imms and R = (L + immr) mod ds,
// SBFM/UBFM are (Rn << L) >> R (arithmetic/logical): that places bits imms..immr at 0 when
// imms ≥ immr (xBFX) and bits imms..0 at ds-immr when imms < immr (xBFIZ), equal to the
// pseudocode's ROR+wmask/tmask for every allocated encoding. BFM merges the UBFM result
// into Rd under the UBFM image of all-ones.

function buildBitfield(f: Fields): Op | null {
  const sf = f.sf;
  if (f.opc === 3) return null;
  if (f.N !== sf) return null;
  if (!sf && (f.imms & 0x20 || f.immr & 0x20)) return null;
  if (f.Rd === 31) return nop;
  const ds = sf ? 64 : 32;
  const L = ds - 1 - f.imms;
  const R = (L + f.immr) % ds;
  const d = 2 * f.Rd;
  const n = f.Rn === 31 ? 0 : 2 * f.Rn;
  const nm = f.Rn === 31 ? 0 : -1;
  if (!sf) {
    if (f.opc === 0)
      return (pe) => {
        pe.x[d] = ((pe.x[n] & nm) << L) >> R;
        pe.x[d + 1] = 0;
      };
    if (f.opc === 2)
      return (pe) => {
        pe.x[d] = ((pe.x[n] & nm) << L) >>> R;
        pe.x[d + 1] = 0;
      };
    const mask = (-1 << L) >>> R;
    return (pe) => {
      pe.x[d] = (pe.x[d] & ~mask) | ((((pe.x[n] & nm) << L) >>> R) & mask);
      pe.x[d + 1] = 0;
    };
  }
  if (f.opc === 0) {
    return (pe) => {
      const x = pe.x;
      const lo = lsl64(x[n] & nm, x[n + 1] & nm, L);
      x[d] = asr64(lo, r.hi, R);
      x[d + 1] = r.hi;
    };
  }
  if (f.opc === 2) {
    return (pe) => {
      const x = pe.x;
      const lo = lsl64(x[n] & nm, x[n + 1] & nm, L);
      x[d] = lsr64(lo, r.hi, R);
      x[d + 1] = r.hi;
    };
  }
  const mlo = lsr64(lsl64(-1, -1, L), r.hi, R);
  const mhi = r.hi;
  return (pe) => {
    const x = pe.x;
    const lo = lsr64(lsl64(x[n] & nm, x[n + 1] & nm, L), r.hi, R);
    const hi = r.hi;
    x[d] = (x[d] & ~mlo) | (lo & mlo);
    x[d + 1] = (x[d + 1] & ~mhi) | (hi & mhi);
  };
}

/** BFXPreferred (Arm ARM J1.1.3): whether SBFM/UBFM prints as SBFX/UBFX. */
function bfxPreferred(sf: number, uns: number, imms: number, immr: number): boolean {
  if (imms < immr) return false;
  if (imms === (sf ? 63 : 31)) return false;
  if (immr === 0) {
    if (!sf && (imms === 7 || imms === 15)) return false;
    if (sf && !uns && (imms === 7 || imms === 15 || imms === 31)) return false;
  }
  return true;
}

function disBitfield(f: Fields): string {
  const sf = f.sf;
  const ds = sf ? 64 : 32;
  const rd = regName(f.Rd, sf);
  const rn = regName(f.Rn, sf);
  const { imms, immr } = f;
  const ins = `#${ds - immr}, #${imms + 1}`;
  const ext = `#${immr}, #${imms - immr + 1}`;
  if (f.opc === 1) {
    if (imms < immr) {
      if (f.Rn === 31) return `bfc\t${rd}, ${ins}`;
      return `bfi\t${rd}, ${rn}, ${ins}`;
    }
    return `bfxil\t${rd}, ${rn}, ${ext}`;
  }
  const u = f.opc === 2 ? 'u' : 's';
  if (f.opc === 2 && imms !== ds - 1 && imms + 1 === immr) return `lsl\t${rd}, ${rn}, #${ds - 1 - imms}`;
  if (imms === ds - 1) return `${f.opc === 2 ? 'lsr' : 'asr'}\t${rd}, ${rn}, #${immr}`;
  if (imms < immr) return `${u}bfiz\t${rd}, ${rn}, ${ins}`;
  if (bfxPreferred(sf, f.opc >> 1, imms, immr)) return `${u}bfx\t${rd}, ${rn}, ${ext}`;
  if (immr === 0) {
    const w = regName(f.Rn, 0);
    if (imms === 7) return `${u}xtb\t${rd}, ${w}`;
    if (imms === 15) return `${u}xth\t${rd}, ${w}`;
    if (imms === 31 && f.opc === 0) return `sxtw\t${rd}, ${w}`;
  }
  return `${u}bfm\t${rd}, ${rn}, #${immr}, #${imms}`;
}

// ---------------------------------------------------------------------------------------
// Extract (C6.2 EXTR): bits lsb+ds-1..lsb of Rn:Rm. sf must equal N, op21 = 00, o0 = 0, and
// lsb < 32 for the 32-bit form.

function buildExtract(f: Fields): Op | null {
  const sf = f.sf;
  if (f.op21 !== 0 || f.o0 !== 0 || f.N !== sf) return null;
  if (!sf && f.imms >= 32) return null;
  if (f.Rd === 31) return nop;
  const d = 2 * f.Rd;
  const n = f.Rn === 31 ? 0 : 2 * f.Rn;
  const nm = f.Rn === 31 ? 0 : -1;
  const m = f.Rm === 31 ? 0 : 2 * f.Rm;
  const mm = f.Rm === 31 ? 0 : -1;
  const lsb = f.imms;
  if (!sf) {
    if (lsb === 0)
      return (pe) => {
        pe.x[d] = pe.x[m] & mm;
        pe.x[d + 1] = 0;
      };
    return (pe) => {
      pe.x[d] = ((pe.x[m] & mm) >>> lsb) | ((pe.x[n] & nm) << (32 - lsb));
      pe.x[d + 1] = 0;
    };
  }
  // 128-bit Rn:Rm shifted right by lsb, as four 32-bit words w3..w0 = nhi, nlo, mhi, mlo.
  const word = lsb >> 5;
  const s = lsb & 31;
  return (pe: Pe) => {
    const x = pe.x;
    const w0 = x[m] & mm,
      w1 = x[m + 1] & mm,
      w2 = x[n] & nm,
      w3 = x[n + 1] & nm;
    let a: number, b: number, c: number;
    if (word === 0) {
      a = w0;
      b = w1;
      c = w2;
    } else {
      a = w1;
      b = w2;
      c = w3;
    }
    if (s === 0) {
      x[d] = a;
      x[d + 1] = b;
    } else {
      x[d] = (a >>> s) | (b << (32 - s));
      x[d + 1] = (b >>> s) | (c << (32 - s));
    }
  };
}

function disExtract(f: Fields): string {
  const sf = f.sf;
  const rd = regName(f.Rd, sf);
  const rn = regName(f.Rn, sf);
  if (f.Rn === f.Rm) return `ror\t${rd}, ${rn}, #${f.imms}`;
  return `extr\t${rd}, ${rn}, ${regName(f.Rm, sf)}, #${f.imms}`;
}

export const DP_IMM: InsnDef[] = [
  {
    name: 'ADR/ADRP',
    pattern: 'op:1 immlo:2 10000 immhi:19 Rd:5',
    build: buildAdr,
    disasm: (f, pc) => `${f.op ? 'adrp' : 'adr'}\t${regName(f.Rd, 1)}, ${targetText(adrTarget(f, pc))}`,
  },
  {
    name: 'ADD/SUB (immediate)',
    pattern: 'sf:1 op:1 S:1 100010 sh:1 imm12:12 Rn:5 Rd:5',
    build: buildAddSubImm,
    disasm: disAddSubImm,
  },
  {
    name: 'Logical (immediate)',
    pattern: 'sf:1 opc:2 100100 N:1 immr:6 imms:6 Rn:5 Rd:5',
    build: buildLogicalImm,
    disasm: disLogicalImm,
  },
  {
    name: 'Move wide (immediate)',
    pattern: 'sf:1 opc:2 100101 hw:2 imm16:16 Rd:5',
    build: buildMoveWide,
    disasm: disMoveWide,
  },
  {
    name: 'Bitfield',
    pattern: 'sf:1 opc:2 100110 N:1 immr:6 imms:6 Rn:5 Rd:5',
    build: buildBitfield,
    disasm: disBitfield,
  },
  {
    name: 'Extract',
    pattern: 'sf:1 op21:2 100111 N:1 o0:1 Rm:5 imms:6 Rn:5 Rd:5',
    build: buildExtract,
    disasm: disExtract,
  },
];
