// The slow data/instruction access path: alignment, translation, memory type, RAM or MMIO,
// faults. The PE's fast path handles aligned hits in its fast TLB and falls back here.
import { EXCEPTION_TAKEN, type Pe } from '../pe.js';
import { PAGE_SIZE } from '../../platform/bus.js';
import { EC, FSC, ABT, makeEsr } from '../esr.js';
import { takeException, syncTargetEl, Vector } from '../exceptions.js';
import { translate, AccessKind, FaultFlags, type Translation } from './translate.js';
import { storeClearsMonitors } from './exclusive.js';
import { SCTLR } from '../sysreg/fields.js';
import type { Op } from '../a64/op.js';
import { decodeOp } from '../a64/decode.js';
import { dataCacheability } from '../cache/policy.js';
import { Cacheability } from '../mmu/memattr.js';

export const enum AccessFlags {
  None = 0,
  /** LDTR/STTR family: permission-checked as EL0 when executed at EL1 (Arm ARM C3.2.5). */
  Unprivileged = 1,
  /** Exclusive access: must be aligned to its size (Arm ARM B2.5.2). */
  Exclusive = 2,
  /** Load-acquire / store-release: must be aligned to its size. */
  Ordered = 4,
  /** Cache maintenance by VA (syndrome CM bit, WnR=1). */
  CacheMaint = 8,
  /** DC ZVA: WnR=1, CM=0; any Device mapping is an Alignment fault. */
  ZeroBlock = 16,
}

function faultFlags(flags: AccessFlags): FaultFlags {
  return (flags & AccessFlags.CacheMaint ? FaultFlags.CacheMaint : 0) | (flags & AccessFlags.ZeroBlock ? FaultFlags.ZeroBlock : 0);
}

/** Data Abort (or alignment fault) for the executing instruction (Arm ARM D17.2.37). */
export function dataAbort(
  pe: Pe,
  va: number,
  fsc: number,
  isWrite: boolean,
  flags: AccessFlags,
  extraIss = 0,
  target?: number,
  hpfar?: bigint,
): never {
  const tel = target ?? syncTargetEl(pe);
  const ec = tel > pe.el ? EC.DABT_LOW : EC.DABT_CUR;
  let iss = fsc | extraIss;
  if (isWrite || flags & (AccessFlags.CacheMaint | AccessFlags.ZeroBlock)) iss |= ABT.WNR;
  if (flags & AccessFlags.CacheMaint) iss |= ABT.CM;
  takeException(pe, tel, Vector.Sync, makeEsr(ec, true, iss), pe.curPc, va, hpfar);
  throw EXCEPTION_TAKEN;
}

function alignmentRequired(pe: Pe, flags: AccessFlags): boolean {
  if (flags & (AccessFlags.Exclusive | AccessFlags.Ordered)) return true;
  const sctlr = pe.el === 2 ? pe.sctlrEl2 : pe.sctlrEl1;
  return (sctlr & SCTLR.A) !== 0;
}

function accessEl(pe: Pe, flags: AccessFlags): number {
  return flags & AccessFlags.Unprivileged && pe.el === 1 ? 0 : pe.el;
}

/** Read `size` bytes (1..8) at `va`; returns the low 32 bits, high half in pe.rhi. */
export function readSlow(pe: Pe, va: number, size: number, flags: AccessFlags): number {
  const misaligned = va % size !== 0;
  if (misaligned && alignmentRequired(pe, flags)) dataAbort(pe, va, FSC.ALIGNMENT, false, flags);
  // Device memory never allows an unaligned access (Arm ARM B2.5.2): translate() faults it.
  const t = translate(pe, va, AccessKind.Read, accessEl(pe, flags), misaligned, faultFlags(flags));
  if (misaligned) return readBytewise(pe, va, size, flags);
  return readPhys(pe, va, t, size, flags, false);
}

function readBytewise(pe: Pe, va: number, size: number, flags: AccessFlags): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < size; i++) {
    const t = translate(pe, va + i, AccessKind.Read, accessEl(pe, flags));
    const b = readPhys(pe, va + i, t, 1, flags, true);
    if (i < 4) lo |= b << (8 * i);
    else hi |= b << (8 * (i - 4));
  }
  pe.rhi = hi >>> 0;
  return lo >>> 0;
}

function readPhys(pe: Pe, va: number, t: Translation, size: number, flags: AccessFlags, noFill: boolean): number {
  const page = pe.bus.ramPage(t.pa);
  if (page) {
    // With the data cache on, cacheable reads go through it and never enter the fast TLB
    // (which reads memory); Non-cacheable and Device reads keep the fast path.
    const dc = pe.bus.dcache;
    if (dc !== null && dataCacheability(pe, t.attrs) !== Cacheability.NonCacheable) {
      const v = dc.read(t.pa, size);
      if (size === 8) pe.rhi = dc.rhi;
      return v;
    }
    const o = t.pa % PAGE_SIZE;
    if (!noFill && !(flags & AccessFlags.Unprivileged)) pe.fillFast(va, page, t.readable, t.writable);
    const dv = page.view;
    switch (size) {
      case 1:
        return dv.getUint8(o);
      case 2:
        return dv.getUint16(o, true);
      case 4:
        return dv.getUint32(o, true);
      default:
        pe.rhi = dv.getUint32(o + 4, true);
        return dv.getUint32(o, true);
    }
  }
  const r = pe.bus.findMmio(t.pa);
  if (!r) return dataAbort(pe, va, FSC.SYNC_EXTERNAL, false, flags);
  const off = t.pa - r.base;
  if (size === 8) {
    const lo = r.dev.read(off, 4, pe.id) >>> 0;
    pe.rhi = r.dev.read(off + 4, 4, pe.id) >>> 0;
    return lo;
  }
  return r.dev.read(off, size, pe.id) >>> 0;
}

/** Write `size` bytes (1..8) at `va`: value (lo, hi). */
export function writeSlow(pe: Pe, va: number, size: number, lo: number, hi: number, flags: AccessFlags): void {
  const misaligned = va % size !== 0;
  if (misaligned && alignmentRequired(pe, flags)) dataAbort(pe, va, FSC.ALIGNMENT, true, flags);
  const t = translate(pe, va, AccessKind.Write, accessEl(pe, flags), misaligned, faultFlags(flags));
  if (misaligned) {
    // Translate every byte before writing any, so a fault leaves memory untouched.
    const ts: Translation[] = [];
    for (let i = 0; i < size; i++) ts.push(translate(pe, va + i, AccessKind.Write, accessEl(pe, flags)));
    for (let i = 0; i < size; i++) {
      const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
      writePhys(pe, va + i, ts[i], 1, b, 0, flags, true);
    }
    return;
  }
  writePhys(pe, va, t, size, lo, hi, flags, false);
}

function writePhys(pe: Pe, va: number, t: Translation, size: number, lo: number, hi: number, flags: AccessFlags, noFill: boolean): void {
  const page = pe.bus.ramPage(t.pa);
  if (page) {
    const dc = pe.bus.dcache;
    let fill = !noFill && !(flags & AccessFlags.Unprivileged);
    if (dc !== null) {
      const c = dataCacheability(pe, t.attrs);
      if (c !== Cacheability.NonCacheable) {
        fill = false;
        dc.write(t.pa, size, lo, hi, c === Cacheability.WriteThrough);
        if (c === Cacheability.WriteBack) {
          // Memory (and so instruction fetch) is unchanged until the line is written back.
          if (page.monitors) storeClearsMonitors(pe, t.pa, size);
          if (page.ptWatch) pe.rules?.descriptorWrite(pe, page, t.pa, size);
          return;
        }
      }
    }
    const o = t.pa % PAGE_SIZE;
    const dv = page.view;
    switch (size) {
      case 1:
        dv.setUint8(o, lo);
        break;
      case 2:
        dv.setUint16(o, lo, true);
        break;
      case 4:
        dv.setUint32(o, lo, true);
        break;
      default:
        dv.setUint32(o, lo, true);
        dv.setUint32(o + 4, hi, true);
    }
    page.invalidateCode();
    if (page.monitors) storeClearsMonitors(pe, t.pa, size);
    if (page.ptWatch) pe.rules?.descriptorWrite(pe, page, t.pa, size);
    if (fill) pe.fillFast(va, page, t.readable, t.writable);
    return;
  }
  const r = pe.bus.findMmio(t.pa);
  if (!r) return dataAbort(pe, va, FSC.SYNC_EXTERNAL, true, flags);
  const off = t.pa - r.base;
  if (size === 8) {
    r.dev.write(off, 4, lo >>> 0, pe.id);
    r.dev.write(off + 4, 4, hi >>> 0, pe.id);
    return;
  }
  r.dev.write(off, size, lo >>> 0, pe.id);
}

/** Translate for an explicit access without performing it (exclusives need the PA). */
export function translateData(pe: Pe, va: number, size: number, isWrite: boolean, flags: AccessFlags): Translation {
  const misaligned = va % size !== 0;
  if (misaligned && alignmentRequired(pe, flags)) dataAbort(pe, va, FSC.ALIGNMENT, isWrite, flags);
  const sensitive = misaligned || (flags & AccessFlags.ZeroBlock) !== 0;
  return translate(pe, va, isWrite ? AccessKind.Write : AccessKind.Read, accessEl(pe, flags), sensitive, faultFlags(flags));
}

/**
 * Instruction fetch miss: PC alignment, translation, and loading the decoded-op window for
 * the 4 KiB page holding `pc`. On a fault the exception is taken and the loop goes on from
 * the vector (fetch faults are not thrown: no instruction is executing yet). Returns true
 * when the window is loaded, false when an exception was taken instead.
 */
export function fetchSlow(pe: Pe, pc: number): boolean {
  pe.curPc = pc;
  try {
    if (pc % 4 !== 0) {
      // PC alignment fault (Arm ARM D1.10.4): EC 0x22, FAR = the misaligned PC.
      const tel = syncTargetEl(pe);
      takeException(pe, tel, Vector.Sync, makeEsr(EC.PC_ALIGN, true, 0), pc, pc);
      return false;
    }
    const t = translate(pe, pc, AccessKind.Fetch, pe.el);
    const page = pe.bus.ramPage(t.pa);
    if (!page) {
      const tel = syncTargetEl(pe);
      const ec = tel > pe.el ? EC.IABT_LOW : EC.IABT_CUR;
      takeException(pe, tel, Vector.Sync, makeEsr(ec, true, FSC.SYNC_EXTERNAL), pc, pc);
      return false;
    }
    pe.fetchPage = page;
    pe.fetchBase = pc - (t.pa % PAGE_SIZE);
    const code = pe.bus.codeFor(page);
    pe.fetchOps = t.span ? spanWindow(t.span.lo - pe.fetchBase, t.span.hi - pe.fetchBase) : code;
    return true;
  } catch (e) {
    if (e !== EXCEPTION_TAKEN) throw e;
    return false;
  }
}

/**
 * A fetch window for part of a page (Armv8-R: an MPU region boundary inside it). Slots inside
 * [lo, hi) run the page's decoded op (shared, so writes to the page still invalidate it);
 * slots outside re-fetch, which re-checks the MPU and takes the fault or loads the window of
 * the next region. The hot loop is unchanged: it just finds these ops in the window.
 */
function spanWindow(lo: number, hi: number): (Op | undefined)[] {
  const w = new Array<Op | undefined>(PAGE_SIZE / 4);
  for (let i = 0; i < w.length; i++) w[i] = i * 4 >= lo && i * 4 < hi ? runShared : refetch;
  return w;
}

/** The page's own decoded op for the current instruction (decoding it on first use). */
const runShared: Op = (pe) => {
  const off = pe.curPc - pe.fetchBase;
  const page = pe.fetchPage!;
  const code = page.code!;
  let op = code[off >> 2];
  if (op === undefined) {
    op = decodeOp(page.view.getUint32(off, true));
    code[off >> 2] = op;
    page.decoded++;
  }
  op(pe);
};

/** Leave the partial window: fetch the current PC afresh, then run its instruction. */
const refetch: Op = (pe) => {
  const pc = pe.curPc;
  pe.pc = pc;
  if (!pe.fetchMiss(pc)) {
    // fetchMiss charged the abort as one instruction; the loop charges this slot as another.
    pe.retired--;
    return;
  }
  pe.pc = pc + 4;
  runShared(pe);
};
