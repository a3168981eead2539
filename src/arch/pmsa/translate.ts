// Translation for an Armv8-R AArch64 PE (PMSAv8-64; arm-facts §5): the single entry
// src/arch/mem/translate.ts hands every access to when pe.cfg.profile is 'R'.
//
//   EL2 accesses:   EL2 MPU (SCTLR_EL2.M, SCTLR_EL2.BR background region).
//   EL1&0 accesses: stage 1 = EL1 MPU (VTCR_EL2.MSA = 0) or the VMSAv8-64 EL1&0 MMU
//                   (VTCR_EL2.MSA = 1, only if the board implements it); then, with
//                   HCR_EL2.VM = 1, stage 2 = the EL2 MPU checking the IPA, which is the PA
//                   (no translation). Stage-2 faults go to EL2 with HPFAR_EL2.
//
// The checks run in the order of the A-profile path (stage-1 alignment for Device, stage-1
// permission, stage-2 alignment, stage-2 permission), with the MPU's own faults — no region,
// several regions — where the walk's translation faults would be. There is no TLB: the
// region lookup is cheap, and the PE's per-EL fast TLB caches a page only when one outcome
// covers all of it (lookup.ts), so 64-byte region boundaries are exact.
import { PAGE_SIZE } from '../../platform/bus.js';
import { FSC } from '../esr.js';
import type { Pe } from '../pe.js';
import { AccessKind, raiseFault, type FaultFlags, type Translation } from '../mem/translate.js';
import { combineStages, decodeMair, mmuOffAttrs, type MemAttrs } from '../mmu/memattr.js';
import { mairByte, type Stage1Config } from '../mmu/regime.js';
import { PERM, walkStage1, type WalkResult } from '../mmu/walk.js';
import { HCR, SCTLR } from '../sysreg/fields.js';
import { MatchKind, matchRegions, MpuUse, regionPerms } from './lookup.js';
import { pmsaOf, type MpuBank, type PmsaState } from './state.js';
import { vtcrMsa } from './controls.js';

const ACCESS_PERM: number[][] = [
  [PERM.R0, PERM.R1],
  [PERM.W0, PERM.W1],
  [PERM.X0, PERM.X1],
];

/** The outcome of one MPU check: permissions, attributes and the page span it holds for. */
export interface MpuResult {
  ok: true;
  perms: number;
  attrs: MemAttrs;
  spanLo: number;
  spanHi: number;
  /** Region number, or -1 for the background region / MPU off. */
  region: number;
}

export interface MpuFault {
  ok: false;
  fsc: number;
  why: 'no-region' | 'overlap';
}

/** DFSC/IFSC for an address no region (or more than one region) holds: the board's fault model. */
export function mpuMatchFsc(st: PmsaState): number {
  // QEMU (ptw.c, Armv8-R AArch32) reports both as a Permission fault, level 0; the
  // 'translation' model reports a Translation fault, level 0 (arm-facts §5.6, open question 1).
  return st.cfg.faultModel === 'translation' ? FSC.TRANSLATION : FSC.PERMISSION;
}

/**
 * Check `addr` against one MPU. `background` says a miss falls back to the default memory
 * map (SCTLR_ELx.BR for a privileged access of that MPU's own regime); `c` gives MAIR_ELx.
 */
export function mpuCheck(
  st: PmsaState,
  bank: MpuBank,
  use: MpuUse,
  c: Stage1Config,
  addr: number,
  fetch: boolean,
  background: boolean,
): MpuResult | MpuFault {
  const m = matchRegions(bank.enabledRegions(), addr, PAGE_SIZE);
  if (m.kind === MatchKind.Overlap) return { ok: false, fsc: mpuMatchFsc(st), why: 'overlap' };
  if (m.kind === MatchKind.NoMatch) {
    if (!background) return { ok: false, fsc: mpuMatchFsc(st), why: 'no-region' };
    // The background region: the default memory map, as with the MPU off (privileged only).
    return {
      ok: true,
      perms: PERM.R1 | PERM.W1 | PERM.X1,
      attrs: mmuOffAttrs(fetch, c.instCache, false),
      spanLo: m.spanLo,
      spanHi: m.spanHi,
      region: -1,
    };
  }
  const r = m.region!;
  return {
    ok: true,
    perms: regionPerms(r, use),
    attrs: decodeMair(mairByte(c, r.attrIndx), r.sh),
    spanLo: m.spanLo,
    spanHi: m.spanHi,
    region: r.index,
  };
}

/** Offset of `addr` in its 4 KiB page (also for kernel-half VAs, negative numbers here). */
function pageOffset(addr: number): number {
  return ((addr % PAGE_SIZE) + PAGE_SIZE) % PAGE_SIZE;
}

/** The whole page, for stages that do not restrict it (MPU off, a VMSA leaf of 4 KiB or more). */
function wholePage(addr: number, perms: number, attrs: MemAttrs): MpuResult {
  const lo = addr - pageOffset(addr);
  return { ok: true, perms, attrs, spanLo: lo, spanHi: lo + PAGE_SIZE, region: -1 };
}

/** Stage 1 of the EL2 regime, or of the EL1&0 regime with the EL1 MPU. */
function mpuStage1(pe: Pe, st: PmsaState, el: number, va: number, fetch: boolean): MpuResult | MpuFault {
  const el2 = el === 2;
  const c = el2 ? pe.mmu.el2 : pe.mmu.el10;
  if (!c.enabled) return wholePage(va, PERM.ALL, mmuOffAttrs(fetch, c.instCache, c.defaultCacheable));
  const sctlr = el2 ? pe.sctlrEl2 : pe.sctlrEl1;
  // The background region serves privileged accesses only: never EL0 (arm-facts §5.4).
  const background = (sctlr & SCTLR.BR) !== 0 && el !== 0;
  const r = mpuCheck(st, el2 ? st.el2 : st.el1, el2 ? MpuUse.El2Stage1 : MpuUse.El1Stage1, c, va, fetch, background);
  return r.ok && c.wxn && r.region >= 0 ? { ...r, perms: wxnPerms(r.perms) } : r;
}

/**
 * SCTLR_ELx.WXN for a stage-1 MPU region, as for a VMSA stage 1 (walk.ts s1Perms): memory
 * writable at a level is execute-never there, and memory EL0 may write is also never executed
 * at EL1 (the PXN half of the VMSA rule). Seed 000's hypervisor sets WXN and keeps W^X in its
 * own regions, so this only shows when a region breaks it. The background region is left RWX:
 * the Arm ARM's default memory map has no write-implies-XN step (?).
 */
function wxnPerms(p: number): number {
  if (p & PERM.W0) p &= ~(PERM.X0 | PERM.X1);
  if (p & PERM.W1) p &= ~PERM.X1;
  return p;
}

/** HCR_EL2.VM: the EL2 MPU checks EL1&0 accesses as stage 2 (no background region). */
function stage2On(pe: Pe): boolean {
  return (pe.hcrLo & HCR.VM) !== 0;
}

function mpuStage2(pe: Pe, st: PmsaState, ipa: number, fetch: boolean): MpuResult | MpuFault {
  return mpuCheck(st, st.el2, MpuUse.El2Stage2, pe.mmu.el2, ipa, fetch, false);
}

/** Stage-2 check of a stage-1 descriptor read (VMSA at EL1 under the EL2 MPU): an S1PTW fault. */
function descriptorCheck(pe: Pe, st: PmsaState, ipa: number): WalkResult {
  const r = mpuStage2(pe, st, ipa, false);
  if (!r.ok || (r.perms & PERM.R1) === 0) {
    const fsc = r.ok ? FSC.PERMISSION : r.fsc;
    return { ok: false, fsc, level: 0, stage: 2, s1ptw: true, ipa, steps: [] };
  }
  return {
    ok: true,
    oa: ipa,
    level: 0,
    size: 64,
    lo: 0,
    hi: 0,
    attrs: r.attrs,
    perms: r.perms,
    global: true,
    contiguous: false,
    steps: [],
  };
}

export function translatePmsa(pe: Pe, va: number, kind: AccessKind, el: number, alignSensitive: boolean, flags: FaultFlags): Translation {
  const st = pmsaOf(pe);
  const fetch = kind === AccessKind.Fetch;
  const need = ACCESS_PERM[kind][el === 0 ? 0 : 1];
  const s2on = el !== 2 && stage2On(pe);

  // Stage 1.
  let s1: MpuResult;
  let ipa = va;
  if (el !== 2 && vtcrMsa(pe) && pe.mmu.el10.enabled) {
    const r = walkStage1(pe.bus, pe.mmu.el10, va, fetch, s2on ? (a) => descriptorCheck(pe, st, a) : null);
    if (!r.ok) raiseFault(pe, va, kind, flags, { fsc: r.fsc, stage: r.stage, s1ptw: r.s1ptw, ipa: r.ipa });
    ipa = r.oa;
    s1 = wholePage(va, r.perms, r.attrs);
  } else {
    // VA = PA: an address at or above the PA size is an Address size fault, level 0.
    if (va < 0 || va >= 2 ** pe.cfg.paBits) raiseFault(pe, va, kind, flags, { fsc: FSC.ADDR_SIZE, stage: 1, s1ptw: false, ipa: 0 });
    const r = mpuStage1(pe, st, el, va, fetch);
    if (!r.ok) raiseFault(pe, va, kind, flags, { fsc: r.fsc, stage: 1, s1ptw: false, ipa: 0 });
    s1 = r;
  }
  if (alignSensitive && s1.attrs.device && !fetch) raiseFault(pe, va, kind, flags, { fsc: FSC.ALIGNMENT, stage: 1, s1ptw: false, ipa: 0 });
  if ((s1.perms & need) === 0) raiseFault(pe, va, kind, flags, { fsc: FSC.PERMISSION, stage: 1, s1ptw: false, ipa: 0 });

  // Stage 2.
  let attrs = s1.attrs;
  let perms = s1.perms;
  let spanLo = s1.spanLo - va; // offsets relative to the access, so they carry over VA → IPA
  let spanHi = s1.spanHi - va;
  if (s2on) {
    const r = mpuStage2(pe, st, ipa, fetch);
    if (!r.ok) raiseFault(pe, va, kind, flags, { fsc: r.fsc, stage: 2, s1ptw: false, ipa });
    attrs = combineStages(s1.attrs, r.attrs);
    if (alignSensitive && attrs.device && !fetch) {
      raiseFault(pe, va, kind, flags, { fsc: FSC.ALIGNMENT, stage: s1.attrs.device ? 1 : 2, s1ptw: false, ipa });
    }
    if ((r.perms & need) === 0) raiseFault(pe, va, kind, flags, { fsc: FSC.PERMISSION, stage: 2, s1ptw: false, ipa });
    perms &= r.perms;
    spanLo = Math.max(spanLo, r.spanLo - ipa);
    spanHi = Math.min(spanHi, r.spanHi - ipa);
  }

  const i = el === 0 ? 0 : 1;
  const pageLo = -pageOffset(va);
  const whole = spanLo === pageLo && spanHi === pageLo + PAGE_SIZE;
  const t: Translation = {
    pa: ipa,
    device: attrs.device,
    // Only a page with one outcome throughout may enter the PE's page-granular fast TLB.
    readable: whole && (perms & ACCESS_PERM[AccessKind.Read][i]) !== 0,
    writable: whole && (perms & ACCESS_PERM[AccessKind.Write][i]) !== 0,
    attrs,
  };
  if (!whole) t.span = { lo: va + spanLo, hi: va + spanHi };
  return t;
}
