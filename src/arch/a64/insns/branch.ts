// A64 branches (Arm ARM C4.1.87 "Branches, Exception Generating and System instructions",
// the non-system part): B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET.
//
// Targets are computed from pe.curPc at run time (a decoded page may be reached through more
// than one VA). Addresses are signed-canonical JS numbers (pe.ts): PC + offset in plain
// arithmetic wraps exactly like 64-bit addition for every canonical address.
import type { InsnDef, Fields } from '../table.js';
import type { Op } from '../op.js';
import type { Pe } from '../../pe.js';
import { regName, sext } from '../regs.js';
import { COND_TEXT as COND_NAMES, targetText } from '../alu/fmt.js';

const TWO32 = 4294967296;

/**
 * A 64-bit register value as a branch target (signed-canonical number). Exact when
 * |value| < 2^53, which covers every canonical address (bits 63:48, or 63:52 with LVA, all
 * equal). Anything larger is rounded to a nearby double that is still far outside the
 * canonical ranges, so the fetch at pe.pc takes the Translation/Address size fault the
 * architecture requires; only the reported FAR/ELR low bits may differ in that case.
 * TBI is not applied to instruction addresses here (Arm ARM D8.8: branch-target TBI
 * handling) — the caller sees the untagged rule.
 */
function regTarget(pe: Pe, n: number): number {
  return (pe.x[n + 1] | 0) * TWO32 + pe.x[n];
}

/** pe.pc (= curPc + 4) into X30, for BL/BLR. */
function writeLink(pe: Pe): void {
  const ret = pe.pc;
  pe.x[60] = ret;
  pe.x[61] = Math.floor(ret / TWO32);
}

// ---------------------------------------------------------------------------------------
// B, BL (C6.2 B, BL): imm26 words, ±128 MiB.

function buildBImm(f: Fields): Op {
  const off = sext(f.imm26, 26) * 4;
  if (f.op) {
    return (pe) => {
      writeLink(pe);
      pe.pc = pe.curPc + off;
    };
  }
  return (pe) => {
    pe.pc = pe.curPc + off;
  };
}

// ---------------------------------------------------------------------------------------
// B.cond (C6.2 B.cond): one closure shape per condition so the test is straight-line
// (ConditionHolds, J1.1.3; AL and NV both always branch).

type CondBranch = (off: number) => Op;
const COND_BRANCH: CondBranch[] = [
  (o) => (pe) => {
    if (pe.z) pe.pc = pe.curPc + o;
  }, // EQ
  (o) => (pe) => {
    if (!pe.z) pe.pc = pe.curPc + o;
  }, // NE
  (o) => (pe) => {
    if (pe.c) pe.pc = pe.curPc + o;
  }, // CS/HS
  (o) => (pe) => {
    if (!pe.c) pe.pc = pe.curPc + o;
  }, // CC/LO
  (o) => (pe) => {
    if (pe.n) pe.pc = pe.curPc + o;
  }, // MI
  (o) => (pe) => {
    if (!pe.n) pe.pc = pe.curPc + o;
  }, // PL
  (o) => (pe) => {
    if (pe.v) pe.pc = pe.curPc + o;
  }, // VS
  (o) => (pe) => {
    if (!pe.v) pe.pc = pe.curPc + o;
  }, // VC
  (o) => (pe) => {
    if (pe.c && !pe.z) pe.pc = pe.curPc + o;
  }, // HI
  (o) => (pe) => {
    if (!pe.c || pe.z) pe.pc = pe.curPc + o;
  }, // LS
  (o) => (pe) => {
    if (pe.n === pe.v) pe.pc = pe.curPc + o;
  }, // GE
  (o) => (pe) => {
    if (pe.n !== pe.v) pe.pc = pe.curPc + o;
  }, // LT
  (o) => (pe) => {
    if (!pe.z && pe.n === pe.v) pe.pc = pe.curPc + o;
  }, // GT
  (o) => (pe) => {
    if (pe.z || pe.n !== pe.v) pe.pc = pe.curPc + o;
  }, // LE
  (o) => (pe) => {
    pe.pc = pe.curPc + o;
  }, // AL
  (o) => (pe) => {
    pe.pc = pe.curPc + o;
  }, // NV (behaves as AL)
];

// ---------------------------------------------------------------------------------------
// CBZ/CBNZ (C6.2): compare a W or X register with zero. XZR makes them unconditional/no-ops.

function buildCompareBranch(f: Fields): Op {
  const off = sext(f.imm19, 19) * 4;
  const t = 2 * f.Rt;
  const nz = f.op;
  if (f.Rt === 31)
    return nz
      ? () => {}
      : (pe) => {
          pe.pc = pe.curPc + off;
        };
  if (f.sf) {
    if (nz)
      return (pe) => {
        if ((pe.x[t] | pe.x[t + 1]) !== 0) pe.pc = pe.curPc + off;
      };
    return (pe) => {
      if ((pe.x[t] | pe.x[t + 1]) === 0) pe.pc = pe.curPc + off;
    };
  }
  if (nz)
    return (pe) => {
      if (pe.x[t] !== 0) pe.pc = pe.curPc + off;
    };
  return (pe) => {
    if (pe.x[t] === 0) pe.pc = pe.curPc + off;
  };
}

// ---------------------------------------------------------------------------------------
// TBZ/TBNZ (C6.2): test bit b5:b40 of Xt (b5 = 0 names Wt).

function buildTestBranch(f: Fields): Op {
  const off = sext(f.imm14, 14) * 4;
  const bit = (f.b5 << 5) | f.b40;
  const nz = f.op;
  if (f.Rt === 31)
    return nz
      ? () => {}
      : (pe) => {
          pe.pc = pe.curPc + off;
        };
  const i = 2 * f.Rt + (bit >> 5);
  const mask = 1 << (bit & 31);
  if (nz)
    return (pe) => {
      if (pe.x[i] & mask) pe.pc = pe.curPc + off;
    };
  return (pe) => {
    if ((pe.x[i] & mask) === 0) pe.pc = pe.curPc + off;
  };
}

// ---------------------------------------------------------------------------------------
// BR, BLR, RET (C6.2): Rn is a general register (31 = XZR, branching to 0). BLR reads Rn
// before writing X30, so `blr x30` jumps to the old X30.

function buildBranchReg(f: Fields): Op | null {
  if (f.opc === 3) return null;
  if (f.Rn === 31) {
    if (f.opc === 1)
      return (pe) => {
        writeLink(pe);
        pe.pc = 0;
      };
    return (pe) => {
      pe.pc = 0;
    };
  }
  const n = 2 * f.Rn;
  if (f.opc === 1) {
    return (pe) => {
      const target = regTarget(pe, n);
      writeLink(pe);
      pe.pc = target;
    };
  }
  return (pe) => {
    pe.pc = regTarget(pe, n);
  };
}

function disBranchReg(f: Fields): string {
  if (f.opc === 2) return f.Rn === 30 ? 'ret' : `ret\t${regName(f.Rn, 1)}`;
  return `${f.opc ? 'blr' : 'br'}\t${regName(f.Rn, 1)}`;
}

export const BRANCH: InsnDef[] = [
  {
    name: 'B/BL (immediate)',
    pattern: 'op:1 00101 imm26:26',
    build: buildBImm,
    disasm: (f, pc) => `${f.op ? 'bl' : 'b'}\t${targetText(pc + sext(f.imm26, 26) * 4)}`,
  },
  {
    name: 'B.cond',
    pattern: '0101010 0 imm19:19 0 cond:4',
    build: (f) => COND_BRANCH[f.cond](sext(f.imm19, 19) * 4),
    disasm: (f, pc) => `b.${COND_NAMES[f.cond]}\t${targetText(pc + sext(f.imm19, 19) * 4)}`,
  },
  {
    name: 'CBZ/CBNZ',
    pattern: 'sf:1 011010 op:1 imm19:19 Rt:5',
    build: buildCompareBranch,
    disasm: (f, pc) => `${f.op ? 'cbnz' : 'cbz'}\t${regName(f.Rt, f.sf)}, ${targetText(pc + sext(f.imm19, 19) * 4)}`,
  },
  {
    name: 'TBZ/TBNZ',
    pattern: 'b5:1 011011 op:1 b40:5 imm14:14 Rt:5',
    build: buildTestBranch,
    disasm: (f, pc) =>
      `${f.op ? 'tbnz' : 'tbz'}\t${regName(f.Rt, f.b5)}, #${(f.b5 << 5) | f.b40}, ${targetText(pc + sext(f.imm14, 14) * 4)}`,
  },
  {
    name: 'BR/BLR/RET',
    pattern: '1101011 0 0 opc:2 11111 000000 Rn:5 00000',
    build: buildBranchReg,
    disasm: disBranchReg,
  },
];
