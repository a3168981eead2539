// The architecture-rule checker (issue 3): watches translation-table writes, TTBR switches and
// MMU enables across every PE of a machine, and reports violations of the rules in
// catalogue.ts as events with a counter; in strict mode the first one stops the machine.
//
// Liveness: a descriptor is "live" while some PE's TLB holds an entry built from it. Pages
// holding live descriptors take the slow store path (RamPage.ptWatch), where every store is
// compared with the value each TLB cached: a change that needs break-before-make while the
// old value is still cached is exactly the case where hardware may use either value, or both.
import type { Pe } from '../pe.js';
import type { Bus, RamPage } from '../../platform/bus.js';
import { PAGE_SIZE } from '../../platform/bus.js';
import type { TlbEntry } from '../mmu/tlb.js';
import { Regime, type Stage1Config, type Stage2Config } from '../mmu/regime.js';
import { walkStage1, walkStage2, type WalkLeaf, type WalkResult } from '../mmu/walk.js';
import { DESC, descAddress, descBit, levelSize } from '../mmu/descriptor.js';
import { RULES, type RuleDef } from './catalogue.js';
import { coherentWord } from '../cache/dcache.js';

export interface RuleEvent {
  rule: RuleDef;
  pe: number;
  pc: number;
  /** Retired instructions of that PE when it happened (replays land on the same one). */
  at: number;
  detail: string;
}

/** Thrown out of the PE in strict mode; the machine stops with it. */
export class StrictRuleViolation extends Error {
  constructor(readonly event: RuleEvent) {
    super(`${event.rule.id}: ${event.detail}`);
  }
}

interface Live {
  pe: Pe;
  lo: number;
  hi: number;
  /** stage * 4 + level of the descriptor. */
  meta: number;
  refs: number;
}

/** Bits whose change needs break-before-make on a leaf: type/size (bit 1), attributes, SH, nG, Contiguous. */
const LEAF_ATTR_LO = (0xf << 2) | (3 << DESC.SH) | (1 << DESC.NG);
const CONT_HI = 1 << (DESC.CONTIGUOUS - 32);

export class RuleChecker {
  strict = false;
  readonly counts = new Map<string, number>();
  readonly events: RuleEvent[] = [];
  /** Printed when a rule fires for the first time (and for every event in strict mode). */
  sink: ((line: string) => void) | null = null;
  private readonly live = new Map<number, Live[]>();

  constructor(private readonly bus: Bus) {}

  /** Hook a PE's TLB and control changes to the checker. */
  attach(pe: Pe): void {
    pe.rules = this;
    pe.mmu.tlb.onInsert = (e) => this.track(pe, e, +1);
    pe.mmu.tlb.onDrop = (e) => this.track(pe, e, -1);
  }

  report(pe: Pe, rule: RuleDef, detail: string): void {
    const ev: RuleEvent = { rule, pe: pe.id, pc: pe.curPc, at: pe.retired, detail };
    const n = (this.counts.get(rule.id) ?? 0) + 1;
    this.counts.set(rule.id, n);
    if (this.events.length < 1000) this.events.push(ev);
    // In strict mode the stop message carries the event instead.
    if (n === 1 && !this.strict) this.sink?.(formatEvent(ev));
    if (this.strict) throw new StrictRuleViolation(ev);
  }

  summary(): string[] {
    return [...this.counts].map(([id, n]) => `rule ${id}: ${n} event${n === 1 ? '' : 's'}`);
  }

  // --- break-before-make --------------------------------------------------------------------

  private track(pe: Pe, e: TlbEntry, delta: number): void {
    for (let i = 0; i < e.descPas.length; i++) {
      const pa = e.descPas[i];
      let list = this.live.get(pa);
      if (!list) this.live.set(pa, (list = []));
      let l = list.find((x) => x.pe === pe && x.lo === e.descLo[i] && x.hi === e.descHi[i]);
      if (delta > 0) {
        if (!l) {
          list.push((l = { pe, lo: e.descLo[i], hi: e.descHi[i], meta: e.descMeta[i], refs: 0 }));
          if (list.length === 1) this.watch(pa, +1);
        }
        l.refs++;
      } else if (l && --l.refs === 0) {
        list.splice(list.indexOf(l), 1);
        if (list.length === 0) {
          this.live.delete(pa);
          this.watch(pa, -1);
        }
      }
    }
  }

  private watch(pa: number, delta: number): void {
    const page = this.bus.ramPage(pa);
    if (!page) return;
    page.ptWatch += delta;
    if (delta > 0 && page.ptWatch === 1) this.bus.forceSlowWrites(page.ppn);
  }

  /** A store of `size` bytes at `pa` landed on a page holding live descriptors. */
  descriptorWrite(pe: Pe, page: RamPage, pa: number, size: number): void {
    const first = pa - (pa % 8);
    for (let d = first; d < pa + size; d += 8) {
      const list = this.live.get(d);
      if (!list) continue;
      // The store may sit in a dirty data-cache line: read what a walk would read.
      const lo = coherentWord(this.bus, page, d);
      const hi = coherentWord(this.bus, page, d + 4);
      for (const l of list) {
        const why = bbmNeeded(l, lo, hi);
        if (why) {
          const stage = l.meta >> 2;
          this.report(
            pe,
            RULES.bbm,
            `store to ${stage === 2 ? 'stage-2' : 'stage-1'} level-${l.meta & 3} descriptor at PA 0x${d.toString(16)} ` +
              `changes its ${why} while PE${l.pe.id}'s TLB holds the old value ` +
              `(0x${hex64(l.lo, l.hi)} -> 0x${hex64(lo, hi)}); write an invalid entry and TLBI first`,
          );
        }
      }
    }
  }

  // --- leaves as they enter a TLB -----------------------------------------------------------

  /** A leaf just used to fill a TLB: reserved attribute encodings, inconsistent Contiguous runs. */
  checkLeaf(pe: Pe, r: WalkLeaf, stage: 1 | 2): void {
    const leaf = r.steps[r.steps.length - 1];
    if (!leaf || Number.isNaN(leaf.descPa)) return;
    const where = `stage-${stage} level-${r.level} descriptor at PA 0x${leaf.descPa.toString(16)}`;
    if (r.attrs.reserved) this.report(pe, RULES.reservedAttr, `${where} selects a reserved memory-attribute encoding`);
    if (r.contiguous) {
      const why = contiguousProblem(this.bus, leaf.descPa, r.level, leaf.lo, leaf.hi);
      if (why) this.report(pe, RULES.contiguous, `${where}: ${why}`);
    }
  }

  // --- TTBR switches and MMU enables ------------------------------------------------------

  /** Called after any translation-control write, with the controls from before it. */
  controlChanged(pe: Pe, prev: { el10: Stage1Config; el2: Stage1Config; s2: Stage2Config }): void {
    // Armv8-R: EL2 has an MPU and stage 2 is the EL2 MPU, not the tables these checks walk.
    if (pe.cfg.profile === 'R') return;
    const m = pe.mmu;
    for (const regime of [Regime.EL10, Regime.EL2]) {
      const before = regime === Regime.EL2 ? prev.el2 : prev.el10;
      const now = m.stage1(regime);
      if (now.lo.clamped && !before.lo.clamped) this.report(pe, RULES.txszRange, `${regimeName(regime)} T0SZ out of range`);
      if (now.hi?.clamped && !before.hi?.clamped) this.report(pe, RULES.txszRange, `EL1&0 T1SZ out of range`);
      const current = (pe.el === 2) === (regime === Regime.EL2);
      if (current && before.enabled && now.enabled && tablesChanged(before, now)) this.checkTtbrSwitch(pe, regime, before, now, prev.s2);
      if (!before.enabled && now.enabled) this.checkEnable(pe, regime, now);
    }
  }

  private checkTtbrSwitch(pe: Pe, regime: Regime, before: Stage1Config, now: Stage1Config, s2: Stage2Config): void {
    const pc = pe.curPc;
    const s2fn = regime === Regime.EL10 && s2.enabled ? (ipa: number): WalkResult => walkStage2(this.bus, s2, ipa) : null;
    const s2now = regime === Regime.EL10 && pe.mmu.s2.enabled ? (ipa: number): WalkResult => walkStage2(this.bus, pe.mmu.s2, ipa) : null;
    const a = walkStage1(this.bus, before, pc, true, s2fn);
    const b = walkStage1(this.bus, now, pc, true, s2now);
    const same = a.ok && b.ok ? a.oa === b.oa : !a.ok && !b.ok;
    if (same) return;
    const show = (r: WalkResult): string => (r.ok ? `PA 0x${r.oa.toString(16)}` : `a level-${r.level} fault`);
    this.report(
      pe,
      RULES.ttbrSwitch,
      `${regimeName(regime)} tables switched at PC 0x${pc.toString(16)} with the MMU on: the old tables give ${show(a)}, ` +
        `the new ones ${show(b)}; switch with the MMU off (identity-mapped) or through tables that agree on this code`,
    );
  }

  /** Translation just turned on: every cached entry the regime can use must agree with its tables. */
  private checkEnable(pe: Pe, regime: Regime, c: Stage1Config): void {
    const m = pe.mmu;
    let conflicts = 0;
    let example = '';
    for (const [, e] of m.tlb.entries()) {
      if (e.s1Level < 0 || e.regime !== regime) continue; // stage-2-only and flat entries are not this stage 1
      if (regime === Regime.EL10 && (e.vmid !== m.vmid || (e.asid >= 0 && e.asid !== c.asid))) continue;
      const s2fn = regime === Regime.EL10 && m.s2.enabled ? (ipa: number): WalkResult => walkStage2(this.bus, m.s2, ipa) : null;
      const r = walkStage1(this.bus, c, e.vaBase, false, s2fn);
      const overlap = m.tlb.overlapping(e);
      if (r.ok && r.oa === e.ipaBase && !overlap) continue;
      conflicts++;
      if (!example) {
        example = overlap
          ? `VA 0x${e.vaBase.toString(16)} is cached twice with different sizes`
          : `VA 0x${e.vaBase.toString(16)} cached as IPA/PA 0x${e.ipaBase.toString(16)}, tables now give ${r.ok ? '0x' + r.oa.toString(16) : 'a fault'}`;
      }
    }
    if (conflicts) {
      this.report(
        pe,
        RULES.tlbConflict,
        `${regimeName(regime)} MMU enabled with ${conflicts} conflicting TLB entr${conflicts === 1 ? 'y' : 'ies'} (${example}); TLBI before enabling`,
      );
    }
  }
}

function tablesChanged(a: Stage1Config, b: Stage1Config): boolean {
  return a.lo.base !== b.lo.base || a.hi?.base !== b.hi?.base || a.lo.iaBits !== b.lo.iaBits || a.hi?.iaBits !== b.hi?.iaBits;
}

/** What a store changed that needs break-before-make (null: a change allowed in place). */
function bbmNeeded(l: Live, lo: number, hi: number): string | null {
  if ((lo & 1) === 0) return null; // valid -> invalid is the "break"
  if (((lo ^ l.lo) & 2) !== 0) return 'type (block/table/page)';
  const isTable = (l.lo & 2) !== 0 && (l.meta & 3) < 3;
  if (descAddress(lo, hi) !== descAddress(l.lo, l.hi)) return isTable ? 'next-level table address' : 'output address';
  if (isTable) return null;
  if ((lo ^ l.lo) & LEAF_ATTR_LO) return descBit(lo ^ l.lo, 0, DESC.NG) ? 'nG bit' : 'memory attributes or shareability';
  if ((hi ^ l.hi) & CONT_HI) return 'Contiguous bit';
  return null;
}

/** Same-attribute bits of a leaf: [11:2] (attributes, AP, SH, AF, nG) and [54:52] (Contiguous, PXN, UXN). */
const RUN_LO = 0xffc;
const RUN_HI = 7 << 20;

/** Why the aligned run of 16 descriptors holding `descPa` is not a valid contiguous run (or null). */
function contiguousProblem(bus: Bus, descPa: number, level: number, lo: number, hi: number): string | null {
  const first = descPa - (descPa % 128);
  const size = levelSize(level);
  const oa0 = descAddress(lo, hi) - ((descPa - first) / 8) * size;
  if (oa0 % (16 * size) !== 0) return `the run's output address 0x${oa0.toString(16)} is not aligned to 16 entries`;
  const page = bus.ramPage(first);
  if (!page) return null;
  for (let i = 0; i < 16; i++) {
    const o = (first % PAGE_SIZE) + i * 8;
    const l = page.view.getUint32(o, true);
    const h = page.view.getUint32(o + 4, true);
    if ((l & 3) !== (lo & 3)) return `entry ${i} of the run is not a valid entry of the same type`;
    if ((l & RUN_LO) !== (lo & RUN_LO) || (h & RUN_HI) !== (hi & RUN_HI))
      return `entry ${i} of the run has different attributes or permissions`;
    if (descAddress(l, h) !== oa0 + i * size) return `entry ${i} of the run does not continue the output addresses`;
  }
  return null;
}

function regimeName(r: Regime): string {
  return r === Regime.EL2 ? 'EL2' : 'EL1&0';
}

function hex64(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

export function formatEvent(e: RuleEvent): string {
  return `armvisor: rule ${e.rule.id} (PE${e.pe} PC 0x${e.pc.toString(16)} insn ${e.at}): ${e.rule.title}: ${e.detail} [${e.rule.ref}]`;
}
