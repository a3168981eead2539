// Single-register loads and stores: LDR/STR and their byte, halfword and sign-extending forms,
// in every addressing mode (Arm ARM C3.3.8-C3.3.13), plus LDTR/STTR and LDAR/STLR.
//
// Specialisation: the builder picks, at decode time, an access function for the size and
// extension (one per kind, so each calls exactly one `pe.readN`/`pe.writeN` fast path) and
// an address closure per addressing mode. The commonest forms (base + immediate, every size
// but the sign-extending byte/halfword loads) get their own closures, so V8 sees a single
// call target in each instead of one shared, megamorphic `acc` call.
import type { Pe } from '../../pe.js';
import type { Op } from '../op.js';
import { AccessFlags, readSlow, writeSlow } from '../../mem/access.js';
import { HI_MAX, HI_MIN, TWO32, baseVa, wideVa, setBase } from './address.js';

/** How a loaded value reaches Rt: zero-extended, sign-extended to 32 (Wt) or to 64 (Xt). */
export const enum Ext {
  Zero = 0,
  SignW = 1,
  SignX = 2,
}

/** One access kind: log2 of the size, store or load, and for loads the extension. */
export interface Kind {
  size: number;
  store: boolean;
  ext: Ext;
}

/** Put a loaded value (lo, rhi) into Rt, extended as `ext` says, for a `size`-byte load. */
function setLoaded(x: Uint32Array, t: number, lo: number, hi: number, bytes: number, ext: Ext): void {
  if (t === 31) return;
  if (ext === Ext.Zero || bytes === 8) {
    x[2 * t] = lo;
    x[2 * t + 1] = bytes === 8 ? hi : 0;
    return;
  }
  const sh = 32 - 8 * bytes;
  const v = (lo << sh) >> sh;
  x[2 * t] = v;
  x[2 * t + 1] = ext === Ext.SignX ? v >> 31 : 0;
}

// --- access functions: (pe, va, t) → load into / store from register t ------------------------

type Access = (pe: Pe, va: number, t: number) => void;

// Loads. Rt = 31 is XZR: the access still happens (it can fault), the value is dropped.
const LD: Access[][] = [
  [
    (pe, va, t) => {
      const v = pe.read8(va);
      if (t !== 31) {
        pe.x[2 * t] = v;
        pe.x[2 * t + 1] = 0;
      }
    },
    (pe, va, t) => {
      const v = (pe.read8(va) << 24) >> 24;
      if (t !== 31) {
        pe.x[2 * t] = v;
        pe.x[2 * t + 1] = 0;
      }
    },
    (pe, va, t) => {
      const v = (pe.read8(va) << 24) >> 24;
      if (t !== 31) {
        pe.x[2 * t] = v;
        pe.x[2 * t + 1] = v >> 31;
      }
    },
  ],
  [
    (pe, va, t) => {
      const v = pe.read16(va);
      if (t !== 31) {
        pe.x[2 * t] = v;
        pe.x[2 * t + 1] = 0;
      }
    },
    (pe, va, t) => {
      const v = (pe.read16(va) << 16) >> 16;
      if (t !== 31) {
        pe.x[2 * t] = v;
        pe.x[2 * t + 1] = 0;
      }
    },
    (pe, va, t) => {
      const v = (pe.read16(va) << 16) >> 16;
      if (t !== 31) {
        pe.x[2 * t] = v;
        pe.x[2 * t + 1] = v >> 31;
      }
    },
  ],
  [
    (pe, va, t) => {
      const v = pe.read32(va);
      if (t !== 31) {
        pe.x[2 * t] = v;
        pe.x[2 * t + 1] = 0;
      }
    },
    // LDRSW to Wt does not exist; index kept for shape.
    (pe, va, t) => {
      const v = pe.read32(va);
      if (t !== 31) {
        pe.x[2 * t] = v;
        pe.x[2 * t + 1] = 0;
      }
    },
    (pe, va, t) => {
      const v = pe.read32(va) | 0;
      if (t !== 31) {
        pe.x[2 * t] = v;
        pe.x[2 * t + 1] = v >> 31;
      }
    },
  ],
  [
    (pe, va, t) => {
      const lo = pe.read64(va);
      if (t !== 31) {
        pe.x[2 * t] = lo;
        pe.x[2 * t + 1] = pe.rhi;
      }
    },
  ],
];

// Stores from a register, and from XZR (Rt = 31).
const ST: Access[] = [
  (pe, va, t) => pe.write8(va, pe.x[2 * t] & 0xff),
  (pe, va, t) => pe.write16(va, pe.x[2 * t] & 0xffff),
  (pe, va, t) => pe.write32(va, pe.x[2 * t]),
  (pe, va, t) => pe.write64(va, pe.x[2 * t], pe.x[2 * t + 1]),
];
const ST_ZR: Access[] = [
  (pe, va) => pe.write8(va, 0),
  (pe, va) => pe.write16(va, 0),
  (pe, va) => pe.write32(va, 0),
  (pe, va) => pe.write64(va, 0, 0),
];

/** The plain (fast-path) access function for a kind. */
export function plainAccess(k: Kind, t: number): Access {
  if (k.store) return t === 31 ? ST_ZR[k.size] : ST[k.size];
  return LD[k.size][k.size === 3 ? 0 : k.ext];
}

/** An access through the slow path with flags (unprivileged, ordered, exclusive). */
export function flaggedAccess(k: Kind, t: number, flags: AccessFlags): Access {
  const bytes = 1 << k.size;
  if (k.store) {
    const mask = bytes >= 4 ? 0xffffffff : (1 << (8 * bytes)) - 1;
    return (pe, va) => {
      const lo = t === 31 ? 0 : pe.x[2 * t];
      const hi = t === 31 || bytes < 8 ? 0 : pe.x[2 * t + 1];
      writeSlow(pe, va, bytes, (lo & mask) >>> 0, hi, flags);
    };
  }
  const ext = k.ext;
  return (pe, va, t2) => {
    const lo = readSlow(pe, va, bytes, flags);
    setLoaded(pe.x, t2, lo, pe.rhi, bytes, ext);
  };
}

// --- addressing modes ------------------------------------------------------------------------

/** Xn|SP + imm (unsigned-offset and unscaled forms). Hot forms get their own closure. */
export function offsetOp(k: Kind, n: number, t: number, imm: number): Op {
  const bytes = 1 << k.size;
  const w = k.store;
  const nl = 2 * n;
  const nh = nl + 1;
  if (t !== 31) {
    const tl = 2 * t;
    const th = tl + 1;
    if (!w && k.size === 3)
      return (pe) => {
        const x = pe.x;
        const hi = x[nh] | 0;
        const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), 8, false, 0);
        x[tl] = pe.read64(va);
        x[th] = pe.rhi;
      };
    if (!w && k.size === 2 && k.ext === Ext.Zero)
      return (pe) => {
        const x = pe.x;
        const hi = x[nh] | 0;
        const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), 4, false, 0);
        x[tl] = pe.read32(va);
        x[th] = 0;
      };
    if (!w && k.size === 0 && k.ext === Ext.Zero)
      return (pe) => {
        const x = pe.x;
        const hi = x[nh] | 0;
        const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), 1, false, 0);
        x[tl] = pe.read8(va);
        x[th] = 0;
      };
    if (!w && k.size === 1 && k.ext === Ext.Zero)
      return (pe) => {
        const x = pe.x;
        const hi = x[nh] | 0;
        const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), 2, false, 0);
        x[tl] = pe.read16(va);
        x[th] = 0;
      };
    if (!w && k.size === 2 && k.ext === Ext.SignX)
      return (pe) => {
        const x = pe.x;
        const hi = x[nh] | 0;
        const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), 4, false, 0);
        const v = pe.read32(va) | 0;
        x[tl] = v;
        x[th] = v >> 31;
      };
    if (w && k.size === 3)
      return (pe) => {
        const x = pe.x;
        const hi = x[nh] | 0;
        const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), 8, true, 0);
        pe.write64(va, x[tl], x[th]);
      };
    if (w && k.size === 2)
      return (pe) => {
        const x = pe.x;
        const hi = x[nh] | 0;
        const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), 4, true, 0);
        pe.write32(va, x[tl]);
      };
    if (w && k.size === 1)
      return (pe) => {
        const x = pe.x;
        const hi = x[nh] | 0;
        const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), 2, true, 0);
        pe.write16(va, x[tl] & 0xffff);
      };
    if (w && k.size === 0)
      return (pe) => {
        const x = pe.x;
        const hi = x[nh] | 0;
        const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), 1, true, 0);
        pe.write8(va, x[tl] & 0xff);
      };
  }
  const acc = plainAccess(k, t);
  return (pe) => {
    const x = pe.x;
    const hi = x[nh] | 0;
    const va = hi >= HI_MIN && hi < HI_MAX ? hi * TWO32 + x[nl] + imm : wideVa(pe, x[nl], x[nh], BigInt(imm), bytes, w, 0);
    acc(pe, va, t);
  };
}

/**
 * Pre-indexed (`[Xn, #imm]!`) and post-indexed (`[Xn], #imm`). The access comes first, so a
 * fault leaves Xn unchanged; then Xn is written back.
 *
 * Rt == Rn (Rn != SP) is CONSTRAINED UNPREDICTABLE (Arm ARM K1.2.6 WBOVERLAPLD/WBOVERLAPST).
 * We do what QEMU (7.2, translate-a64.c disas_ldst_reg_imm9) does: a load writes Rt, then the
 * writeback overwrites it, so Rn ends up holding the updated address; a store stores Rt's
 * value from before the writeback.
 */
export function indexedOp(k: Kind, n: number, t: number, imm: number, post: boolean): Op {
  const bytes = 1 << k.size;
  const w = k.store;
  const acc = plainAccess(k, t);
  const off = post ? 0 : imm;
  const after = post ? imm : 0;
  if (k.size === 3 && t !== 31) {
    const tl = 2 * t;
    const th = tl + 1;
    if (!w)
      return (pe) => {
        const va = baseVa(pe, n, off, 8, false, 0);
        const x = pe.x;
        x[tl] = pe.read64(va);
        x[th] = pe.rhi;
        setBase(x, n, va + after);
      };
    return (pe) => {
      const va = baseVa(pe, n, off, 8, true, 0);
      const x = pe.x;
      pe.write64(va, x[tl], x[th]);
      setBase(x, n, va + after);
    };
  }
  return (pe) => {
    const va = baseVa(pe, n, off, bytes, w, 0);
    acc(pe, va, t);
    setBase(pe.x, n, va + after);
  };
}

/**
 * LDTR/STTR family (Arm ARM C3.3.11): at EL1 the access is checked as if at EL0
 * (AccessFlags.Unprivileged); at EL0 and EL2 (HCR_EL2.{E2H,TGE} != {1,1}) it is a normal one.
 */
export function unprivOp(k: Kind, n: number, t: number, imm: number): Op {
  const bytes = 1 << k.size;
  const w = k.store;
  const acc = plainAccess(k, t);
  const unpriv = flaggedAccess(k, t, AccessFlags.Unprivileged);
  return (pe) => {
    const va = baseVa(pe, n, imm, bytes, w, AccessFlags.Unprivileged);
    if (pe.el === 1) unpriv(pe, va, t);
    else acc(pe, va, t);
  };
}

/** Register-offset extend options (Arm ARM C6.2, "ExtendType"): 0b010, 0b011, 0b110, 0b111. */
export const enum RegExt {
  UXTW = 2,
  LSL = 3,
  SXTW = 6,
  SXTX = 7,
}

/** [Xn|SP, Wm|Xm{, extend {#amount}}]: Xn + (extend(Rm) << shift). Rm = 31 is XZR. */
export function regOffsetOp(k: Kind, n: number, t: number, m: number, option: RegExt, shift: number): Op {
  if (m === 31) return offsetOp(k, n, t, 0);
  const bytes = 1 << k.size;
  const w = k.store;
  const acc = plainAccess(k, t);
  const scale = 2 ** shift;
  const ml = 2 * m;
  const mh = ml + 1;
  if (option === RegExt.UXTW)
    return (pe) => {
      acc(pe, baseVa(pe, n, pe.x[ml] * scale, bytes, w, 0), t);
    };
  if (option === RegExt.SXTW)
    return (pe) => {
      acc(pe, baseVa(pe, n, (pe.x[ml] | 0) * scale, bytes, w, 0), t);
    };
  // LSL / SXTX: a 64-bit offset. |Xm| < 2^49 keeps (Xm << 3) + base exact; beyond that, BigInt.
  return (pe) => {
    const x = pe.x;
    const h = x[mh] | 0;
    let va: number;
    if (h >= -0x20000 && h < 0x20000) va = baseVa(pe, n, (h * TWO32 + x[ml]) * scale, bytes, w, 0);
    else {
      const off = BigInt.asIntN(64, ((BigInt(x[mh]) << 32n) | BigInt(x[ml])) << BigInt(shift));
      va = wideVa(pe, x[2 * n], x[2 * n + 1], off, bytes, w, 0);
    }
    acc(pe, va, t);
  };
}

/** LDR/LDRSW (literal): PC + imm. PC is always an exact canonical address. */
export function literalOp(k: Kind, t: number, imm: number): Op {
  const acc = plainAccess(k, t);
  return (pe) => acc(pe, pe.curPc + imm, t);
}

/**
 * LDAR/STLR (Arm ARM C3.3.9, "Load-Acquire/Store-Release"): the address is Xn|SP, and must be
 * aligned to the access size whatever the memory type. Aligned accesses take the fast path
 * (this machine has no reordering to fence); misaligned ones go to the slow path with
 * AccessFlags.Ordered, which raises the alignment fault.
 */
export function orderedOp(k: Kind, n: number, t: number): Op {
  const bytes = 1 << k.size;
  const w = k.store;
  const acc = plainAccess(k, t);
  const slow = flaggedAccess(k, t, AccessFlags.Ordered);
  const mask = bytes - 1;
  return (pe) => {
    const va = baseVa(pe, n, 0, bytes, w, AccessFlags.Ordered);
    if ((va & mask) === 0) acc(pe, va, t);
    else slow(pe, va, t);
  };
}
