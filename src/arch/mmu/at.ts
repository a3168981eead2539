// Address translation instructions (AT) and PAR_EL1 (Arm ARM C5.4 "A64 System instructions for
// address translation", D17.2.113 PAR_EL1; arm-facts §4.12). AT walks the tables afresh, as
// QEMU does (using cached entries is also permitted). Stage-1 faults and, for the S12 forms,
// stage-2 faults are reported in PAR_EL1; a stage-2 fault on the stage-1 walk of an AT
// executed at EL1 is taken to EL2 instead.
import type { Pe } from '../pe.js';
import { FSC } from '../esr.js';
import { AccessKind, FaultFlags, raiseFault } from '../mem/translate.js';
import { Regime } from './regime.js';
import { PERM, walkStage1, walkStage2, type WalkResult } from './walk.js';
import { attrsToMair, combineStages, mmuOffAttrs, type MemAttrs } from './memattr.js';

export interface AtOp {
  el: 0 | 1 | 2;
  s12: boolean;
  write: boolean;
}

const PAR_F = 1n;
const PAR_PTW = 1n << 8n;
const PAR_S = 1n << 9n;
/** PAR_EL1 bit 11 is RES1 in both layouts; NS (bit 9 of the F = 0 layout) reads 1 in Non-secure state, as on QEMU. */
const PAR_RES1 = 1n << 11n;
const PAR_NS = 1n << 9n;

function parFault(fsc: number, stage: 1 | 2, s1ptw: boolean): bigint {
  return PAR_RES1 | (s1ptw ? PAR_PTW : 0n) | (stage === 2 ? PAR_S : 0n) | (BigInt(fsc) << 1n) | PAR_F;
}

function parOk(pa: number, a: MemAttrs): bigint {
  return (BigInt(attrsToMair(a)) << 56n) | (BigInt(pa) & 0xffff_ffff_f000n) | PAR_RES1 | PAR_NS | (BigInt(a.sh) << 7n);
}

/** Perform AT `op` on `va`; returns the new PAR_EL1 value (or takes a stage-2 abort to EL2). */
export function addressTranslate(pe: Pe, va: number, op: AtOp): bigint {
  const m = pe.mmu;
  const regime = op.el === 2 ? Regime.EL2 : Regime.EL10;
  const c = m.stage1(regime);
  const s2on = regime === Regime.EL10 && m.s2.enabled;
  const need = op.write ? (op.el === 0 ? PERM.W0 : PERM.W1) : op.el === 0 ? PERM.R0 : PERM.R1;
  const kind = op.write ? AccessKind.Write : AccessKind.Read;

  let ipa: number;
  let s1attrs: MemAttrs;
  if (!c.enabled) {
    if (va < 0 || va >= 2 ** pe.cfg.paBits) return parFault(FSC.ADDR_SIZE, 1, false);
    ipa = va;
    s1attrs = mmuOffAttrs(false, c.instCache, c.defaultCacheable);
  } else {
    const s2fn = s2on ? (a: number): WalkResult => walkStage2(pe.bus, m.s2, a) : null;
    const r = walkStage1(pe.bus, c, va, false, s2fn);
    if (!r.ok) {
      if (r.stage === 2 && pe.el === 1) raiseFault(pe, va, kind, FaultFlags.CacheMaint, { fsc: r.fsc, stage: 2, s1ptw: true, ipa: r.ipa });
      return parFault(r.fsc, r.stage, r.s1ptw);
    }
    if ((r.perms & need) === 0) return parFault(FSC.PERMISSION + r.level, 1, false);
    ipa = r.oa;
    s1attrs = r.attrs;
  }
  if (!op.s12 || !s2on) return parOk(ipa, s1attrs);
  const r2 = walkStage2(pe.bus, m.s2, ipa);
  if (!r2.ok) return parFault(r2.fsc, 2, false);
  if ((r2.perms & need) === 0) return parFault(FSC.PERMISSION + r2.level, 2, false);
  return parOk(r2.oa, combineStages(s1attrs, r2.attrs));
}
