// Address translation for every access the PE makes (Arm ARM D8, "The AArch64 Virtual Memory
// System Architecture"): regime selection, the TLB, the stage-1 and stage-2 walks on a miss,
// then the checks in the order of the AArch64.FullTranslate pseudocode — stage-1 alignment
// (Device), stage-1 permission, stage-2 alignment, stage-2 permission — and the aborts they
// raise with their syndromes. The MMU-off behaviour of each regime is here too (D8.2.10).
import { EXCEPTION_TAKEN, type Pe } from '../pe.js';
import { PAGE_SIZE } from '../../platform/bus.js';
import { ABT, EC, FSC, makeEsr } from '../esr.js';
import { takeException, syncTargetEl, Vector } from '../exceptions.js';
import { loadStoreSyndrome } from '../a64/ldst/syndrome.js';
import { Regime } from '../mmu/regime.js';
import { PERM, walkStage1, walkStage2, type WalkLeaf, type WalkResult } from '../mmu/walk.js';
import { CTX_EL2, ctxEl10, ctxEl10Flat, ctxStage2, type TlbEntry } from '../mmu/tlb.js';
import { combineStages, mmuOffAttrs, type MemAttrs } from '../mmu/memattr.js';
import { translatePmsa } from '../pmsa/translate.js';

export const enum AccessKind {
  Read = 0,
  Write = 1,
  Fetch = 2,
}

/** How an access reports a fault (the ISS bits that depend on what made the access). */
export const enum FaultFlags {
  None = 0,
  /** DC/IC by VA and AT: ISS.CM = 1 (and WnR = 1 for DC/IC). */
  CacheMaint = 1,
  /** DC ZVA: ISS.WnR = 1 but CM = 0 (it is not a cache maintenance instruction for ISS.CM). */
  ZeroBlock = 2,
}

export interface Translation {
  pa: number;
  /** Device memory (any Device-nGnRnE..GRE type): no unaligned access, no speculation. */
  device: boolean;
  /** Loads / stores are permitted at this EL (the fast read / write paths may be used). */
  readable: boolean;
  writable: boolean;
  /** Final memory attributes, and the TLB entry they came from (undefined with every stage off). */
  attrs: MemAttrs;
  entry?: TlbEntry;
  /**
   * Armv8-R: the outcome holds only for VAs in [lo, hi) of this page (an MPU region boundary
   * inside it); readable/writable are then false so the page-granular fast TLB is not filled.
   */
  span?: { lo: number; hi: number };
}

/** A translation fault description, raised by `raiseFault` or returned to AT. */
export interface FaultInfo {
  fsc: number;
  stage: 1 | 2;
  s1ptw: boolean;
  ipa: number;
}

const ACCESS_PERM: number[][] = [
  // [kind][el 0 | el 1+]
  [PERM.R0, PERM.R1],
  [PERM.W0, PERM.W1],
  [PERM.X0, PERM.X1],
];

function mmuOffTranslation(pe: Pe, va: number, kind: AccessKind, icache: boolean, alignSensitive: boolean, flags: FaultFlags): Translation {
  // With stage 1 off, VA bits at or above the PA size are an Address size fault at level 0.
  if (va < 0 || va >= 2 ** pe.cfg.paBits) raiseFault(pe, va, kind, flags, { fsc: FSC.ADDR_SIZE, stage: 1, s1ptw: false, ipa: 0 });
  const attrs = mmuOffAttrs(kind === AccessKind.Fetch, icache, false);
  if (alignSensitive && attrs.device) raiseFault(pe, va, kind, flags, { fsc: FSC.ALIGNMENT, stage: 1, s1ptw: false, ipa: 0 });
  return { pa: va, device: attrs.device, readable: true, writable: true, attrs };
}

/**
 * Translate `va` for an access of `kind` at `el`. `alignSensitive` says the access is
 * unaligned (or is DC ZVA), so that a Device mapping makes it an Alignment fault at the stage
 * that produced the Device type.
 */
export function translate(pe: Pe, va: number, kind: AccessKind, el: number, alignSensitive = false, flags = FaultFlags.None): Translation {
  if (pe.cfg.profile === 'R') return translatePmsa(pe, va, kind, el, alignSensitive, flags);
  const m = pe.mmu;
  const regime = el === 2 ? Regime.EL2 : Regime.EL10;
  const c = regime === Regime.EL2 ? m.el2 : m.el10;
  const s2on = regime === Regime.EL10 && m.s2.enabled;
  // (HCR_EL2.DC turns stage 2 on, so the MMU-off path never sees it.)
  if (!c.enabled && !s2on) return mmuOffTranslation(pe, va, kind, c.instCache, alignSensitive, flags);

  const tlb = m.tlb;
  let e: TlbEntry | undefined;
  if (!c.enabled) {
    if (va < 0 || va >= 2 ** pe.cfg.paBits) raiseFault(pe, va, kind, flags, { fsc: FSC.ADDR_SIZE, stage: 1, s1ptw: false, ipa: 0 });
    e = tlb.lookup(ctxEl10Flat(m.vmid), va) ?? fillFlat(pe, va, kind, flags);
  } else if (regime === Regime.EL2) {
    e = tlb.lookup(CTX_EL2, va) ?? fillStage1(pe, va, kind, el, regime, alignSensitive, flags);
  } else {
    e = tlb.lookupEl10(m.vmid, c.asid, va) ?? fillStage1(pe, va, kind, el, regime, alignSensitive, flags);
  }
  const need = ACCESS_PERM[kind][el === 0 ? 0 : 1];
  const ipa = e.ipaBase + (va - e.vaBase);
  if (e.s1Level >= 0) checkStage1(pe, va, kind, flags, e.s1Attrs, e.s1Perms, e.s1Level, need, alignSensitive);
  if (e.s2Level >= 0) {
    // Stage 1 off: the stage-1 "attributes" are the MMU-off ones (Device for data unless DC).
    const s1 = e.s1Level >= 0 ? e.s1Attrs : mmuOffAttrs(kind === AccessKind.Fetch, c.instCache, c.defaultCacheable);
    const attrs = e.s1Level >= 0 ? e.attrs : combineStages(s1, e.attrs);
    if (alignSensitive && attrs.device && kind !== AccessKind.Fetch) {
      raiseFault(pe, va, kind, flags, { fsc: FSC.ALIGNMENT, stage: s1.device ? 1 : 2, s1ptw: false, ipa });
    }
    if ((e.s2Perms & need) === 0) raiseFault(pe, va, kind, flags, { fsc: FSC.PERMISSION + e.s2Level, stage: 2, s1ptw: false, ipa });
    return fromEntry(e, va, el, attrs);
  }
  return fromEntry(e, va, el, e.attrs);
}

function fromEntry(e: TlbEntry, va: number, el: number, attrs: MemAttrs): Translation {
  const perms = e.s1Perms & e.s2Perms;
  const i = el === 0 ? 0 : 1;
  return {
    pa: e.paBase + (va - e.vaBase),
    device: attrs.device,
    readable: (perms & ACCESS_PERM[AccessKind.Read][i]) !== 0,
    writable: (perms & ACCESS_PERM[AccessKind.Write][i]) !== 0,
    attrs,
    entry: e,
  };
}

function checkStage1(
  pe: Pe,
  va: number,
  kind: AccessKind,
  flags: FaultFlags,
  attrs: MemAttrs,
  perms: number,
  level: number,
  need: number,
  alignSensitive: boolean,
): void {
  if (alignSensitive && attrs.device && kind !== AccessKind.Fetch)
    raiseFault(pe, va, kind, flags, { fsc: FSC.ALIGNMENT, stage: 1, s1ptw: false, ipa: 0 });
  if ((perms & need) === 0) raiseFault(pe, va, kind, flags, { fsc: FSC.PERMISSION + level, stage: 1, s1ptw: false, ipa: 0 });
}

/** Stage-2 translation of `ipa` (a descriptor address or a stage-1-off access) via the TLB. */
export function stage2Lookup(pe: Pe, ipa: number): WalkResult {
  const m = pe.mmu;
  const e = m.tlb.lookup(ctxStage2(m.vmid), ipa);
  if (e) return leafFromEntry(e, ipa);
  const r = walkStage2(pe.bus, m.s2, ipa);
  if (r.ok) {
    pe.rules?.checkLeaf(pe, r, 2);
    m.tlb.insert(ctxStage2(m.vmid), stage2Entry(pe, ipa, r));
    pe.onTlbFill?.(pe, m.tlb.lookup(ctxStage2(m.vmid), ipa)!);
  }
  return r;
}

function leafFromEntry(e: TlbEntry, ia: number): WalkLeaf {
  return {
    ok: true,
    oa: e.paBase + (ia - e.vaBase),
    level: e.s2Level,
    size: e.size,
    lo: e.descLo[e.descLo.length - 1],
    hi: e.descHi[e.descHi.length - 1],
    attrs: e.attrs,
    perms: e.s2Perms,
    global: true,
    contiguous: false,
    steps: [],
  };
}

/** The descriptors an entry was built from (for the rule checker's liveness tracking). */
class DescriptorList {
  readonly pas: number[] = [];
  readonly los: number[] = [];
  readonly his: number[] = [];
  readonly meta: number[] = [];

  add(pa: number, lo: number, hi: number, meta: number): void {
    if (Number.isNaN(pa)) return;
    this.pas.push(pa);
    this.los.push(lo);
    this.his.push(hi);
    this.meta.push(meta);
  }

  addSteps(r: WalkResult): void {
    for (const s of r.steps) {
      if (s.s2) for (const t of s.s2) this.add(t.descPa, t.lo, t.hi, 8 + t.level);
      this.add(s.descPa, s.lo, s.hi, s.stage * 4 + s.level);
    }
  }

  addEntry(e: TlbEntry): void {
    for (let i = 0; i < e.descPas.length; i++) this.add(e.descPas[i], e.descLo[i], e.descHi[i], e.descMeta[i]);
  }
}

function stage2Entry(pe: Pe, ipa: number, r: WalkLeaf): TlbEntry {
  const base = ipa - (ipa % r.size);
  const d = new DescriptorList();
  d.addSteps(r);
  return {
    regime: Regime.EL10,
    stage2Only: true,
    vmid: pe.mmu.vmid,
    asid: -1,
    vaBase: base,
    size: r.size,
    paBase: r.oa - (ipa - base),
    ipaBase: base,
    s1Level: -1,
    s2Level: r.level,
    s1Perms: PERM.ALL,
    s2Perms: r.perms,
    s1Attrs: r.attrs,
    attrs: r.attrs,
    descPas: d.pas,
    descLo: d.los,
    descHi: d.his,
    descMeta: d.meta,
  };
}

/** EL1&0 with stage 1 off under stage 2: IPA = VA, cached as a flat entry (see tlb.ts). */
function fillFlat(pe: Pe, va: number, kind: AccessKind, flags: FaultFlags): TlbEntry {
  const m = pe.mmu;
  const r = stage2Lookup(pe, va);
  if (!r.ok) raiseFault(pe, va, kind, flags, { fsc: r.fsc, stage: 2, s1ptw: false, ipa: va });
  const e: TlbEntry = { ...m.tlb.lookup(ctxStage2(m.vmid), va)!, stage2Only: false };
  m.tlb.insert(ctxEl10Flat(m.vmid), e);
  pe.onTlbFill?.(pe, e);
  return e;
}

/** The stage-1 walk (through stage 2 for EL1&0 when it is on); stage-1 checks precede the stage-2 walk. */
function fillStage1(
  pe: Pe,
  va: number,
  kind: AccessKind,
  el: number,
  regime: Regime,
  alignSensitive: boolean,
  flags: FaultFlags,
): TlbEntry {
  const m = pe.mmu;
  const c = m.stage1(regime);
  const s2on = regime === Regime.EL10 && m.s2.enabled;
  const fetch = kind === AccessKind.Fetch;
  const r1 = walkStage1(pe.bus, c, va, fetch, s2on ? (ipa) => protectedWalk(pe, ipa) : null);
  if (!r1.ok) raiseFault(pe, va, kind, flags, { fsc: r1.fsc, stage: r1.stage, s1ptw: r1.s1ptw, ipa: r1.ipa });
  pe.rules?.checkLeaf(pe, r1, 1);
  const need = ACCESS_PERM[kind][el === 0 ? 0 : 1];
  checkStage1(pe, va, kind, flags, r1.attrs, r1.perms, r1.level, need, alignSensitive);
  const d = new DescriptorList();
  d.addSteps(r1);
  let size = r1.size;
  let pa = r1.oa;
  let s2Level = -1;
  let s2Perms: number = PERM.ALL;
  let attrs = r1.attrs;
  if (s2on) {
    const r2 = stage2Lookup(pe, r1.oa);
    if (!r2.ok) raiseFault(pe, va, kind, flags, { fsc: r2.fsc, stage: 2, s1ptw: false, ipa: r1.oa });
    d.addEntry(m.tlb.lookup(ctxStage2(m.vmid), r1.oa)!);
    size = Math.min(size, r2.size);
    pa = r2.oa;
    s2Level = r2.level;
    s2Perms = r2.perms;
    attrs = combineStages(r1.attrs, r2.attrs);
  }
  const vaBase = va - (((va % size) + size) % size);
  const e: TlbEntry = {
    regime,
    stage2Only: false,
    vmid: regime === Regime.EL2 ? 0 : m.vmid,
    asid: r1.global ? -1 : c.asid,
    vaBase,
    size,
    paBase: pa - (va - vaBase),
    ipaBase: r1.oa - (va - vaBase),
    s1Level: r1.level,
    s2Level,
    s1Perms: r1.perms,
    s2Perms,
    s1Attrs: r1.attrs,
    attrs,
    descPas: d.pas,
    descLo: d.los,
    descHi: d.his,
    descMeta: d.meta,
  };
  m.tlb.insert(regime === Regime.EL2 ? CTX_EL2 : ctxEl10(e.vmid, e.asid), e);
  pe.onTlbFill?.(pe, e);
  return e;
}

/**
 * Stage-2 translation of a stage-1 descriptor address. The walk reads, so it needs stage-2
 * read permission; with HCR_EL2.PTW a walk into stage-2 Device memory is a Permission fault
 * (Arm ARM D8.3.x "Stage 2 fault on a stage 1 translation table walk"). Both are S1PTW faults.
 */
function protectedWalk(pe: Pe, ipa: number): WalkResult {
  const r = stage2Lookup(pe, ipa);
  if (!r.ok) return r;
  if ((r.perms & PERM.R1) === 0 || (pe.mmu.s2.protectedWalk && r.attrs.device)) {
    return { ok: false, fsc: FSC.PERMISSION + r.level, level: r.level, stage: 2, s1ptw: true, ipa, steps: r.steps };
  }
  return r;
}

/** Raise the abort for a failed translation of `va` (instruction or data as `kind` says). */
export function raiseFault(pe: Pe, va: number, kind: AccessKind, flags: FaultFlags, f: FaultInfo): never {
  // Stage-2 faults go to EL2; stage-1 faults to the regime's EL (EL2 for EL0 under TGE).
  const tel = f.stage === 2 ? 2 : syncTargetEl(pe);
  const fetch = kind === AccessKind.Fetch;
  let iss = f.fsc;
  if (f.s1ptw) iss |= ABT.S1PTW;
  let ec: number;
  if (fetch) ec = tel > pe.el ? EC.IABT_LOW : EC.IABT_CUR;
  else {
    ec = tel > pe.el ? EC.DABT_LOW : EC.DABT_CUR;
    if (kind === AccessKind.Write || flags & (FaultFlags.CacheMaint | FaultFlags.ZeroBlock)) iss |= ABT.WNR;
    if (flags & FaultFlags.CacheMaint) iss |= ABT.CM;
    // The instruction syndrome is given for stage-2 aborts on a single-register load/store
    // (Arm ARM D17.2.37, ISS.ISV), which is what lets a hypervisor emulate MMIO.
    if (f.stage === 2 && !f.s1ptw && !(flags & (FaultFlags.CacheMaint | FaultFlags.ZeroBlock)) && f.fsc !== FSC.ALIGNMENT) {
      iss |= loadStoreSyndrome(pe.currentWord());
    }
  }
  pe.onTranslationFault?.(pe, va, pe.el, fetch, `ESR 0x${makeEsr(ec, true, iss).toString(16)} to EL${tel}`);
  const hpfar = f.stage === 2 && f.fsc !== FSC.ALIGNMENT ? BigInt(Math.floor(f.ipa / PAGE_SIZE)) << 4n : undefined;
  takeException(pe, tel, Vector.Sync, makeEsr(ec, true, iss), fetch ? va : pe.curPc, va, hpfar);
  throw EXCEPTION_TAKEN;
}
