// The VMSAv8-64 translation table walk, stage 1 and stage 2, 4 KB granule (Arm ARM D8.2-D8.4
// and the AArch64.TranslationTableWalk pseudocode; arm-facts §4.3-4.9). Pure: it reads
// descriptors from the bus and returns either a leaf or a fault description, never raising
// anything, so the same code serves translation, AT, the rule checker, `armvisor walk` and
// `--dump-tables`. Each step is recorded for explanation.
import type { Bus } from '../../platform/bus.js';
import { PAGE_SIZE } from '../../platform/bus.js';
import { coherentWord } from '../cache/dcache.js';
import { FSC } from '../esr.js';
import { DESC, DescKind, descAddress, descBit, descKind, levelShift, levelSize } from './descriptor.js';
import { type MemAttrs, type Shareability, decodeMair, decodeS2MemAttr } from './memattr.js';
import { mairByte, Regime, type Stage1Config, type Stage2Config, type TableHalf } from './regime.js';

/** Permission bits of a translation: read/write/execute at EL0 and at EL1 (or EL2). */
export const PERM = {
  R0: 1,
  W0: 2,
  X0: 4,
  R1: 8,
  W1: 16,
  X1: 32,
  ALL: 63,
} as const;

export interface WalkStep {
  stage: 1 | 2;
  level: number;
  /** Descriptor address as the walk computed it (an IPA for stage 1 under stage 2). */
  descIa: number;
  /** Physical address the descriptor was read from (NaN when it could not be). */
  descPa: number;
  lo: number;
  hi: number;
  kind: DescKind;
  /** The stage-2 walk that located a stage-1 descriptor (stage 1 under stage 2 only). */
  s2?: WalkStep[];
}

export interface WalkFault {
  ok: false;
  /** Fault status code including the level (DFSC/IFSC). */
  fsc: number;
  level: number;
  stage: 1 | 2;
  /** A stage-2 fault while reading a stage-1 descriptor. */
  s1ptw: boolean;
  /** The IPA that faulted at stage 2 (for HPFAR_EL2). */
  ipa: number;
  steps: WalkStep[];
}

export interface WalkLeaf {
  ok: true;
  /** Output address of the input address. */
  oa: number;
  level: number;
  /** Bytes the leaf maps (the input is inside an aligned block of this size). */
  size: number;
  lo: number;
  hi: number;
  attrs: MemAttrs;
  perms: number;
  /** Stage 1: nG = 0. */
  global: boolean;
  contiguous: boolean;
  steps: WalkStep[];
}

export type WalkResult = WalkLeaf | WalkFault;

/** Translate a stage-1 descriptor IPA through stage 2 (for S1PTW walks). */
export type DescriptorTranslator = (ipa: number) => WalkResult;

function fault(fsc: number, level: number, stage: 1 | 2, steps: WalkStep[], ipa = 0, s1ptw = false): WalkFault {
  return { ok: false, fsc: fsc + (fsc < FSC.SYNC_EXTERNAL || fsc === FSC.SYNC_EXTERNAL_WALK ? level : 0), level, stage, s1ptw, ipa, steps };
}

function readDescriptor(bus: Bus, pa: number): [number, number] | null {
  const page = bus.ramPage(pa);
  if (!page) return null;
  // A dirty line of the data cache holds the current descriptor (cache/dcache.ts).
  if (bus.dcache !== null) return [coherentWord(bus, page, pa), coherentWord(bus, page, pa + 4)];
  const o = pa % PAGE_SIZE;
  return [page.view.getUint32(o, true), page.view.getUint32(o + 4, true)];
}

/**
 * Which half of the EL1&0 VA space (or the single EL2 range) holds `va`, and the input
 * address bits below the range's size; null when `va` lies outside both (level-0 fault).
 */
export function selectHalf(c: Stage1Config, va: number, fetch: boolean): { half: TableHalf; ia: number } | null {
  let v = va;
  // Top-byte-ignore (data accesses only, Arm ARM D8.8 "Address tagging"): bits [63:56] are
  // replaced by bit 55 in the EL1&0 regime, by zeros in the single-range EL2 regime. Bit 55
  // picks the half whether or not TBI is on.
  const low56 = ((v % 2 ** 56) + 2 ** 56) % 2 ** 56;
  const bit55 = low56 >= 2 ** 55;
  const half0 = c.hi && bit55 ? c.hi : c.lo;
  if (half0.tbi && !fetch) v = c.hi ? (bit55 ? low56 - 2 ** 56 : low56) : low56;
  const upper = v < 0;
  const half = upper ? c.hi : c.lo;
  if (!half) return null;
  const span = 2 ** half.iaBits;
  if (upper) return v >= -span ? { half, ia: v + span } : null;
  return v < span ? { half, ia: v } : null;
}

/** Stage-1 permissions (AArch64.CheckPermission, Armv8.0; arm-facts §4.5). */
function s1Perms(regime: Regime, lo: number, hi: number, apTable: number, xnTable: boolean, pxnTable: boolean, wxn: boolean): number {
  let ap = (lo >>> DESC.AP1) & 3; // AP[2:1]
  // Hierarchical controls: APTable[1] forbids writes, APTable[0] forbids EL0 access below.
  if (apTable & 2) ap |= 2;
  if (regime === Regime.EL2) {
    // One privilege level: AP[1] is ignored (RES1), only AP[2] (read-only) counts.
    const w = (ap & 2) === 0;
    const xn = descBit(lo, hi, DESC.UXN) === 1 || xnTable || (w && wxn);
    return PERM.R1 | (w ? PERM.W1 : 0) | (xn ? 0 : PERM.X1);
  }
  if (apTable & 1) ap &= 2;
  const privW = (ap & 2) === 0;
  const userR = (ap & 1) === 1;
  const userW = ap === 1;
  const uxn = descBit(lo, hi, DESC.UXN) === 1 || xnTable || (userW && wxn);
  // Memory writable at EL0 is never executable at EL1.
  const pxn = descBit(lo, hi, DESC.PXN) === 1 || pxnTable || (privW && wxn) || userW;
  let p = PERM.R1;
  if (privW) p |= PERM.W1;
  if (!pxn) p |= PERM.X1;
  if (userR) p |= PERM.R0;
  if (userW) p |= PERM.W0;
  // EL0 may execute what it cannot read (execute-only memory): UXN alone decides.
  if (!uxn) p |= PERM.X0;
  return p;
}

/** Stage-2 permissions: S2AP[0] read, S2AP[1] write, XN (bit 54) execute, for EL0 and EL1. */
function s2Perms(lo: number, hi: number): number {
  let p = 0;
  if (lo & (1 << DESC.AP1)) p |= PERM.R0 | PERM.R1;
  if (lo & (1 << DESC.AP2)) p |= PERM.W0 | PERM.W1;
  if (!descBit(lo, hi, DESC.UXN)) p |= PERM.X0 | PERM.X1;
  return p;
}

interface Walker {
  stage: 1 | 2;
  base: number;
  baseTooBig: boolean;
  iaBits: number;
  startLevel: number;
  oaBits: number;
}

/**
 * The common descent: from the start table to a leaf. For stage 1 under stage 2, every
 * descriptor address goes through `s2` first (a fault there is an S1PTW fault).
 */
function descend(bus: Bus, w: Walker, ia: number, s2: DescriptorTranslator | null, onTable?: (lo: number, hi: number) => void): WalkResult {
  const steps: WalkStep[] = [];
  if (w.baseTooBig) return fault(FSC.ADDR_SIZE, 0, w.stage, steps);
  let table = w.base;
  for (let level = w.startLevel; ; level++) {
    const shift = levelShift(level);
    const bits = level === w.startLevel ? w.iaBits - shift : 9;
    const index = Math.floor(ia / 2 ** shift) % 2 ** bits;
    const descIa = table + index * 8;
    let descPa = descIa;
    let s2steps: WalkStep[] | undefined;
    if (s2) {
      const r = s2(descIa);
      s2steps = r.steps;
      if (!r.ok) {
        steps.push({ stage: w.stage, level, descIa, descPa: NaN, lo: 0, hi: 0, kind: DescKind.Invalid, s2: s2steps });
        return { ...r, s1ptw: true, ipa: descIa, steps };
      }
      descPa = r.oa;
    }
    const d = readDescriptor(bus, descPa);
    if (!d) {
      steps.push({ stage: w.stage, level, descIa, descPa, lo: 0, hi: 0, kind: DescKind.Invalid, s2: s2steps });
      return fault(FSC.SYNC_EXTERNAL_WALK, level, w.stage, steps, w.stage === 2 ? ia : 0);
    }
    const [lo, hi] = d;
    const kind = descKind(lo, level);
    steps.push({ stage: w.stage, level, descIa, descPa, lo, hi, kind, s2: s2steps });
    if (kind === DescKind.Invalid || kind === DescKind.Reserved) return fault(FSC.TRANSLATION, level, w.stage, steps, ia);
    const addr = descAddress(lo, hi);
    // Output (or next-table) address bits at or above the output size: Address size fault.
    if (addr >= 2 ** w.oaBits) return fault(FSC.ADDR_SIZE, level, w.stage, steps, ia);
    if (kind === DescKind.Table) {
      onTable?.(lo, hi);
      table = addr;
      continue;
    }
    if (!descBit(lo, hi, DESC.AF)) return fault(FSC.ACCESS_FLAG, level, w.stage, steps, ia);
    const size = levelSize(level);
    const oa = addr - (addr % size) + (ia % size);
    return {
      ok: true,
      oa,
      level,
      size,
      lo,
      hi,
      attrs: undefined as unknown as MemAttrs,
      perms: 0,
      global: true,
      contiguous: descBit(lo, hi, DESC.CONTIGUOUS) === 1,
      steps,
    };
  }
}

/** Stage-1 walk of `va` in regime `c` (which must be enabled). */
export function walkStage1(bus: Bus, c: Stage1Config, va: number, fetch: boolean, s2: DescriptorTranslator | null): WalkResult {
  const sel = selectHalf(c, va, fetch);
  if (!sel || sel.half.disabled) return fault(FSC.TRANSLATION, 0, 1, []);
  let apTable = 0;
  let xnTable = false;
  let pxnTable = false;
  const h = sel.half;
  const r = descend(
    bus,
    { stage: 1, base: h.base, baseTooBig: h.baseTooBig, iaBits: h.iaBits, startLevel: h.startLevel, oaBits: c.oaBits },
    sel.ia,
    s2,
    (lo, hi) => {
      apTable |= (hi >>> (DESC.AP_TABLE - 32)) & 3;
      if ((hi >>> (DESC.XN_TABLE - 32)) & 1) xnTable = true;
      if ((hi >>> (DESC.PXN_TABLE - 32)) & 1) pxnTable = true;
    },
  );
  if (!r.ok) return r;
  const sh = ((r.lo >>> DESC.SH) & 3) as Shareability;
  r.attrs = decodeMair(mairByte(c, (r.lo >>> DESC.ATTR_INDX) & 7), sh);
  r.perms = s1Perms(c.regime, r.lo, r.hi, apTable, xnTable, pxnTable, c.wxn);
  // nG only exists in regimes with ASIDs (the EL1&0 regime here).
  r.global = c.regime === Regime.EL2 || !descBit(r.lo, r.hi, DESC.NG);
  return r;
}

/** Stage-2 walk of `ipa` for the current VMID. */
export function walkStage2(bus: Bus, c: Stage2Config, ipa: number): WalkResult {
  if (c.badConfig || ipa >= 2 ** c.iaBits || ipa < 0) return fault(FSC.TRANSLATION, 0, 2, [], ipa);
  const r = descend(
    bus,
    { stage: 2, base: c.base, baseTooBig: c.baseTooBig, iaBits: c.iaBits, startLevel: c.startLevel, oaBits: c.oaBits },
    ipa,
    null,
  );
  if (!r.ok) {
    r.ipa = ipa;
    return r;
  }
  const sh = ((r.lo >>> DESC.SH) & 3) as Shareability;
  r.attrs = decodeS2MemAttr((r.lo >>> DESC.MEM_ATTR) & 15, sh);
  r.perms = s2Perms(r.lo, r.hi);
  return r;
}
