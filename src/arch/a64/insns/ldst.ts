// A64 "Loads and Stores" (Arm ARM C4.1, the A64 encoding index, op0 = x1x0), general-purpose
// registers only: V = 0 throughout. SIMD&FP forms (V = 1) are left to the decoder's FP trap /
// UNDEF fallback. LSE atomics (ID_AA64ISAR0_EL1.Atomic = 0), LOR (LDLAR/STLLR), RCpc,
// pointer-authenticated loads and MTE forms are not implemented and decode as UNDEFINED.
//
// Semantics live in ../ldst/ (address generation, single, pair, exclusive); this file maps
// encodings to them and formats the disassembly.
import type { InsnDef, Fields } from '../table.js';
import type { Op } from '../op.js';
import { regName, sext } from '../regs.js';
import { Ext, RegExt, type Kind, offsetOp, indexedOp, unprivOp, regOffsetOp, literalOp, orderedOp } from '../ldst/single.js';
import { pairOp, PairMode } from '../ldst/pair.js';
import { ldxrOp, ldxpOp, stxrOp, stxpOp } from '../ldst/exclusive.js';
import { baseName, rtIs64, singleMnemonic, offsetAddr, preAddr, postAddr, regAddr, targetAddr, prfop } from '../ldst/disasm.js';

const nop: Op = () => {};

/**
 * size:opc of a single-register access (Arm ARM C4.1, "Load/store register" tables):
 * opc 00 store, 01 zero-extending load, 10 load sign-extended to X (size 11: PRFM),
 * 11 load sign-extended to W (bytes and halfwords only).
 */
function kindOf(size: number, opc: number): Kind | 'prfm' | null {
  switch (opc) {
    case 0:
      return { size, store: true, ext: Ext.Zero };
    case 1:
      return { size, store: false, ext: Ext.Zero };
    case 2:
      return size === 3 ? 'prfm' : { size, store: false, ext: Ext.SignX };
    default:
      return size >= 2 ? null : { size, store: false, ext: Ext.SignW };
  }
}

function rt(k: Kind, t: number): string {
  return regName(t, rtIs64(k));
}

const SZ = ['b', 'h', '', ''];

// imm9 forms, bits [11:10].
const enum Imm9Mode {
  Unscaled = 0,
  Post = 1,
  Unpriv = 2,
  Pre = 3,
}

export const LDST: InsnDef[] = [
  // --- Load/store exclusive, load-acquire/store-release ("Load/store exclusive" class) ---------
  // Rs and Rt2 are (1) fields where unused; QEMU 7.2 (disas_ldst_excl) ignores them, as we do.
  {
    name: 'STXR',
    pattern: 'size:2 001000 0 0 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5',
    build: (f) => stxrOp(f.size, f.Rs, f.Rn, f.Rt, f.o0 === 1),
    disasm: (f) => `${f.o0 ? 'stlxr' : 'stxr'}${SZ[f.size]} ${regName(f.Rs, false)}, ${regName(f.Rt, f.size === 3)}, [${baseName(f.Rn)}]`,
  },
  {
    name: 'LDXR',
    pattern: 'size:2 001000 0 1 0 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5',
    build: (f) => ldxrOp(f.size, f.Rn, f.Rt, f.o0 === 1),
    disasm: (f) => `${f.o0 ? 'ldaxr' : 'ldxr'}${SZ[f.size]} ${regName(f.Rt, f.size === 3)}, [${baseName(f.Rn)}]`,
  },
  {
    // size 0x with o1 = 1 is CASP (LSE): not matched, so UNDEFINED.
    name: 'STXP',
    pattern: '1 sz:1 001000 0 0 1 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5',
    build: (f) => stxpOp(2 + f.sz, f.Rs, f.Rn, f.Rt, f.Rt2, f.o0 === 1),
    disasm: (f) =>
      `${f.o0 ? 'stlxp' : 'stxp'} ${regName(f.Rs, false)}, ${regName(f.Rt, f.sz)}, ${regName(f.Rt2, f.sz)}, [${baseName(f.Rn)}]`,
  },
  {
    name: 'LDXP',
    pattern: '1 sz:1 001000 0 1 1 Rs:5 o0:1 Rt2:5 Rn:5 Rt:5',
    build: (f) => ldxpOp(2 + f.sz, f.Rn, f.Rt, f.Rt2, f.o0 === 1),
    disasm: (f) => `${f.o0 ? 'ldaxp' : 'ldxp'} ${regName(f.Rt, f.sz)}, ${regName(f.Rt2, f.sz)}, [${baseName(f.Rn)}]`,
  },
  {
    // o0 = 0 would be STLLR (FEAT_LOR, not implemented).
    name: 'STLR',
    pattern: 'size:2 001000 1 0 0 Rs:5 1 Rt2:5 Rn:5 Rt:5',
    build: (f) => orderedOp({ size: f.size, store: true, ext: Ext.Zero }, f.Rn, f.Rt),
    disasm: (f) => `stlr${SZ[f.size]} ${regName(f.Rt, f.size === 3)}, [${baseName(f.Rn)}]`,
  },
  {
    name: 'LDAR',
    pattern: 'size:2 001000 1 1 0 Rs:5 1 Rt2:5 Rn:5 Rt:5',
    build: (f) => orderedOp({ size: f.size, store: false, ext: Ext.Zero }, f.Rn, f.Rt),
    disasm: (f) => `ldar${SZ[f.size]} ${regName(f.Rt, f.size === 3)}, [${baseName(f.Rn)}]`,
  },

  // --- Load register (literal) ------------------------------------------------------------
  {
    name: 'LDR (literal)',
    pattern: 'opc:2 011 0 00 imm19:19 Rt:5',
    build: (f) => {
      const off = sext(f.imm19, 19) * 4;
      if (f.opc === 3) return nop; // PRFM (literal): a hint, never faults
      const k: Kind = f.opc === 2 ? { size: 2, store: false, ext: Ext.SignX } : { size: 2 + f.opc, store: false, ext: Ext.Zero };
      return literalOp(k, f.Rt, off);
    },
    disasm: (f, pc) => {
      const target = targetAddr(pc, sext(f.imm19, 19) * 4);
      if (f.opc === 3) return `prfm ${prfop(f.Rt)}, ${target}`;
      return `${f.opc === 2 ? 'ldrsw' : 'ldr'} ${regName(f.Rt, f.opc !== 0)}, ${target}`;
    },
  },

  // --- Load/store pair: no-allocate (mode 00), post (01), offset (10), pre (11) -------------
  {
    name: 'LDP/STP',
    pattern: 'opc:2 101 0 0 mode:2 L:1 imm7:7 Rt2:5 Rn:5 Rt:5',
    build: (f) => {
      const p = pairShape(f);
      if (!p) return null;
      const pm = f.mode === 1 ? PairMode.Post : f.mode === 3 ? PairMode.Pre : PairMode.Offset;
      return pairOp(f.L === 1, p.esize, p.signed, f.Rn, f.Rt, f.Rt2, sext(f.imm7, 7) << p.esize, pm);
    },
    disasm: (f) => {
      const p = pairShape(f)!;
      const imm = sext(f.imm7, 7) << p.esize;
      const mn = p.signed ? 'ldpsw' : (f.L ? 'ld' : 'st') + (f.mode === 0 ? 'np' : 'p');
      const is64 = p.esize === 3 || p.signed;
      const addr = f.mode === 1 ? postAddr(f.Rn, imm) : f.mode === 3 ? preAddr(f.Rn, imm) : offsetAddr(f.Rn, imm);
      return `${mn} ${regName(f.Rt, is64)}, ${regName(f.Rt2, is64)}, ${addr}`;
    },
  },

  // --- Load/store register: unscaled (00), post (01), unprivileged (10), pre (11) -----------
  {
    name: 'LDR/STR (imm9)',
    pattern: 'size:2 111 0 00 opc:2 0 imm9:9 mode:2 Rn:5 Rt:5',
    build: (f) => {
      const k = kindOf(f.size, f.opc);
      if (k === null) return null;
      if (k === 'prfm') return f.mode === Imm9Mode.Unscaled ? nop : null; // PRFUM
      const imm = sext(f.imm9, 9);
      switch (f.mode as Imm9Mode) {
        case Imm9Mode.Unscaled:
          return offsetOp(k, f.Rn, f.Rt, imm);
        case Imm9Mode.Post:
          return indexedOp(k, f.Rn, f.Rt, imm, true);
        case Imm9Mode.Pre:
          return indexedOp(k, f.Rn, f.Rt, imm, false);
        default:
          return unprivOp(k, f.Rn, f.Rt, imm);
      }
    },
    disasm: (f) => {
      const k = kindOf(f.size, f.opc)!;
      const imm = sext(f.imm9, 9);
      if (k === 'prfm') return `prfum ${prfop(f.Rt)}, ${offsetAddr(f.Rn, imm)}`;
      switch (f.mode as Imm9Mode) {
        case Imm9Mode.Unscaled:
          return `${singleMnemonic(k, 'u')} ${rt(k, f.Rt)}, ${offsetAddr(f.Rn, imm)}`;
        case Imm9Mode.Post:
          return `${singleMnemonic(k, '')} ${rt(k, f.Rt)}, ${postAddr(f.Rn, imm)}`;
        case Imm9Mode.Pre:
          return `${singleMnemonic(k, '')} ${rt(k, f.Rt)}, ${preAddr(f.Rn, imm)}`;
        default:
          return `${singleMnemonic(k, 't')} ${rt(k, f.Rt)}, ${offsetAddr(f.Rn, imm)}`;
      }
    },
  },

  // --- Load/store register (register offset): option 0b0x0 / 0b1x0... ------------------------
  // option<1> = 0 is reserved (UNDEFINED). Bits 11:10 = 00 with bit 21 = 1 are the LSE atomics,
  // x1 the pointer-auth LDRAA/LDRAB: neither matches this pattern.
  {
    name: 'LDR/STR (register)',
    pattern: 'size:2 111 0 00 opc:2 1 Rm:5 option:3 S:1 10 Rn:5 Rt:5',
    build: (f) => {
      const k = kindOf(f.size, f.opc);
      if (k === null || (f.option & 2) === 0) return null;
      if (k === 'prfm') return nop;
      return regOffsetOp(k, f.Rn, f.Rt, f.Rm, f.option as RegExt, f.S ? f.size : 0);
    },
    disasm: (f) => {
      const k = kindOf(f.size, f.opc)!;
      const addr = regAddr(f.Rn, f.Rm, f.option, f.S, f.size);
      if (k === 'prfm') return `prfm ${prfop(f.Rt)}, ${addr}`;
      return `${singleMnemonic(k, '')} ${rt(k, f.Rt)}, ${addr}`;
    },
  },

  // --- Load/store register (unsigned immediate), imm12 scaled by the size -------------------
  {
    name: 'LDR/STR (immediate)',
    pattern: 'size:2 111 0 01 opc:2 imm12:12 Rn:5 Rt:5',
    build: (f) => {
      const k = kindOf(f.size, f.opc);
      if (k === null) return null;
      if (k === 'prfm') return nop;
      return offsetOp(k, f.Rn, f.Rt, f.imm12 << f.size);
    },
    disasm: (f) => {
      const k = kindOf(f.size, f.opc)!;
      const addr = offsetAddr(f.Rn, f.imm12 << f.size);
      if (k === 'prfm') return `prfm ${prfop(f.Rt)}, ${addr}`;
      return `${singleMnemonic(k, '')} ${rt(k, f.Rt)}, ${addr}`;
    },
  },
];

/** Pair element shape from opc/L/mode: W (esize 2), X (3), LDPSW; null when unallocated. */
function pairShape(f: Fields): { esize: number; signed: boolean } | null {
  switch (f.opc) {
    case 0:
      return { esize: 2, signed: false };
    case 2:
      return { esize: 3, signed: false };
    case 1:
      // LDPSW (L = 1, not the no-allocate form); L = 0 is STGP (MTE).
      return f.L === 1 && f.mode !== 0 ? { esize: 2, signed: true } : null;
    default:
      return null;
  }
}
