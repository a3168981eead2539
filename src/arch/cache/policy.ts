// Which data accesses go through the data cache (cache/dcache.ts), from their effective memory
// attributes (mmu/memattr.ts, the Translation of mem/translate.ts) and the cache controls.
//
// - Normal Inner Write-Back: cached, write-back, write-allocate.
// - Normal Inner Write-Through: reads allocate clean lines; writes update a resident line and
//   memory (no dirty lines ever, no write-allocate).
// - Normal Non-cacheable, any Device type: straight to memory, blind to resident lines.
// The single modelled level stands for the Inner Shareable caches, so the *inner* attribute
// decides. On top of the translation's attributes (Arm ARM D8.5, arm-facts §4.8):
// - SCTLR_ELx.C = 0 makes the regime's Normal data accesses Non-cacheable — except that for
//   EL1&0 HCR_EL2.DC = 1 makes the PE ignore SCTLR_EL1.C (Arm ARM D17.2.48, HCR_EL2.DC: the
//   default memory type is Normal Write-Back), which is what seed 001's patch relies on;
// - HCR_EL2.CD = 1 makes EL1&0 stage-2 data attributes Non-cacheable.
// With the MMU off the data attributes are Device-nGnRnE (D8.2.10), so they bypass too.
import type { Pe } from '../pe.js';
import { Cacheability, type MemAttrs } from '../mmu/memattr.js';
import { HCR, SCTLR } from '../sysreg/fields.js';

export function dataCacheability(pe: Pe, attrs: MemAttrs): Cacheability {
  if (attrs.device || attrs.inner === Cacheability.NonCacheable) return Cacheability.NonCacheable;
  if (pe.el === 2) return pe.sctlrEl2 & SCTLR.C ? attrs.inner : Cacheability.NonCacheable;
  const dc = pe.cfg.hasEl2 && (pe.hcrLo & HCR.DC) !== 0;
  if (!dc && (pe.sctlrEl1 & SCTLR.C) === 0) return Cacheability.NonCacheable;
  const s2 = pe.mmu.s2;
  if (s2 !== undefined && s2.enabled && s2.dataNonCacheable) return Cacheability.NonCacheable;
  return attrs.inner;
}
