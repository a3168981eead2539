// Reading translation tables without translating anything: the live mappings of a regime as
// coalesced ranges (`armvisor run --dump-tables`, ptdump-style) and a step-by-step account of
// one translation (`armvisor walk`, `--explain`). Both read memory through the bus only and
// reuse the walker, so they show exactly what the machine would do.
import type { Pe } from '../pe.js';
import { PAGE_SIZE } from '../../platform/bus.js';
import { DescKind, describeDescriptor, descAddress, descKind, levelShift, levelSize } from './descriptor.js';
import { combineStages, describeAttrs, mmuOffAttrs } from './memattr.js';
import { Regime, type Stage1Config, type TableHalf } from './regime.js';
import { PERM, walkStage1, walkStage2, type WalkLeaf, type WalkResult, type WalkStep } from './walk.js';
import type { TlbEntry } from './tlb.js';
import { coherentWord } from '../cache/dcache.js';

interface Leaf {
  va: number;
  size: number;
  oa: number;
  text: string;
}

export function hex(v: number, w = 16): string {
  return '0x' + (v < 0 ? BigInt.asUintN(64, BigInt(v)).toString(16) : v.toString(16)).padStart(w, '0');
}

export function sizeText(n: number): string {
  for (const [u, s] of [
    ['T', 2 ** 40],
    ['G', 2 ** 30],
    ['M', 2 ** 20],
    ['K', 2 ** 10],
  ] as const) {
    if (n >= s && n % s === 0) return `${n / s}${u}`;
  }
  return `${n}`;
}

export function permText(p: number, who: Regime | 's2'): string {
  const t = (r: number, w: number, x: number): string => `${p & r ? 'R' : '-'}${p & w ? 'W' : '-'}${p & x ? 'X' : '-'}`;
  if (who === Regime.EL2) return `EL2 ${t(PERM.R1, PERM.W1, PERM.X1)}`;
  if (who === 's2') return `S2 ${t(PERM.R1, PERM.W1, PERM.X1)}`;
  return `EL1 ${t(PERM.R1, PERM.W1, PERM.X1)} EL0 ${t(PERM.R0, PERM.W0, PERM.X0)}`;
}

function read64(pe: Pe, pa: number): [number, number] | null {
  const page = pe.bus.ramPage(pa);
  if (!page) return null;
  // What a walk would read: a resident data-cache line wins (cache/dcache.ts).
  return [coherentWord(pe.bus, page, pa), coherentWord(pe.bus, page, pa + 4)];
}

/** Input ranges of every valid leaf under one table (VA order); `toPa` locates tables. */
function leafRanges(
  pe: Pe,
  table: number,
  level: number,
  entries: number,
  iaBase: number,
  toPa: (a: number) => number | null,
  out: [number, number][],
): void {
  const tpa = toPa(table);
  if (tpa === null) return;
  for (let i = 0; i < entries; i++) {
    const d = read64(pe, tpa + i * 8);
    if (!d) return;
    const kind = descKind(d[0], level);
    const ia = iaBase + i * levelSize(level);
    if (kind === DescKind.Table) leafRanges(pe, descAddress(d[0], d[1]), level + 1, 512, ia, toPa, out);
    else if (kind === DescKind.Block || kind === DescKind.Page) out.push([ia, levelSize(level)]);
  }
}

function coalesce(leaves: Leaf[]): string[] {
  const lines: string[] = [];
  let cur: (Leaf & { n: number; total: number }) | null = null;
  const flush = (): void => {
    if (!cur) return;
    const each = cur.n > 1 ? `  (${cur.n} x ${sizeText(cur.size)})` : '';
    lines.push(`  ${hex(cur.va)}-${hex(cur.va + cur.total)} ${sizeText(cur.total).padStart(5)} -> ${hex(cur.oa, 10)}  ${cur.text}${each}`);
  };
  for (const l of leaves) {
    if (cur && l.va === cur.va + cur.total && l.oa === cur.oa + cur.total && l.text === cur.text && l.size === cur.size) {
      cur.n++;
      cur.total += l.size;
      continue;
    }
    flush();
    cur = { ...l, n: 1, total: l.size };
  }
  flush();
  return lines.length ? lines : ['  (no valid mappings)'];
}

function s1Text(c: Stage1Config, r: WalkLeaf): string {
  return `${permText(r.perms, c.regime)}  ${describeAttrs(r.attrs)}${r.global ? '' : ' nG'}`;
}

function dumpHalf(pe: Pe, c: Stage1Config, h: TableHalf, upper: boolean): string[] {
  const m = pe.mmu;
  const s2 = c.regime === Regime.EL10 && m.s2.enabled;
  const toPa = (a: number): number | null => {
    if (!s2) return a;
    const r = walkStage2(pe.bus, m.s2, a);
    return r.ok ? r.oa : null;
  };
  const ranges: [number, number][] = [];
  const vaBase = upper ? -(2 ** h.iaBits) : 0;
  leafRanges(pe, h.base, h.startLevel, 2 ** (h.iaBits - levelShift(h.startLevel)), vaBase, toPa, ranges);
  const leaves: Leaf[] = [];
  for (const [va, size] of ranges) {
    // Walk each leaf for real: hierarchical permissions, AF and address-size checks included.
    const r = walkStage1(pe.bus, c, va, false, s2 ? (a) => walkStage2(pe.bus, m.s2, a) : null);
    if (r.ok) leaves.push({ va, size, oa: r.oa, text: s1Text(c, r) });
    else leaves.push({ va, size, oa: 0, text: `faults: ${faultText(r)}` });
  }
  return coalesce(leaves);
}

/** `--dump-tables`: the live tables of every regime of `pe` that has translation enabled. */
export function dumpTables(pe: Pe): string[] {
  const m = pe.mmu;
  const out: string[] = [];
  const regimes: [string, Stage1Config][] = [];
  if (pe.cfg.hasEl2) regimes.push(['EL2', m.el2]);
  regimes.push(['EL1&0', m.el10]);
  for (const [name, c] of regimes) {
    if (!c.enabled) {
      out.push(`PE${pe.id} ${name} stage 1: off (SCTLR.M = 0${c.defaultCacheable ? ', HCR_EL2.DC = 1' : ''})`);
      continue;
    }
    const halves: [string, TableHalf, boolean][] = [['TTBR0', c.lo, false]];
    if (c.hi) halves.push(['TTBR1', c.hi, true]);
    for (const [t, h, upper] of halves) {
      const ttbr = c.regime === Regime.EL2 ? 'TTBR0_EL2' : `${t}_EL1`;
      const asid = c.regime === Regime.EL10 ? `, ASID ${c.asid}` : '';
      if (h.disabled) {
        out.push(`PE${pe.id} ${name} stage 1 ${ttbr}: walks disabled (TCR.EPD)`);
        continue;
      }
      out.push(`PE${pe.id} ${name} stage 1 ${ttbr} = ${hex(h.base, 10)} (${h.iaBits}-bit VA, start level ${h.startLevel}${asid}):`);
      out.push(...dumpHalf(pe, c, h, upper));
    }
  }
  const s2 = m.s2;
  if (pe.cfg.hasEl2 && s2.enabled) {
    out.push(`PE${pe.id} stage 2 VTTBR_EL2 = ${hex(s2.base, 10)} (VMID ${s2.vmid}, ${s2.iaBits}-bit IPA, start level ${s2.startLevel}):`);
    if (s2.badConfig) out.push('  (VTCR_EL2 T0SZ/SL0 inconsistent: every access faults at level 0)');
    else {
      const ranges: [number, number][] = [];
      leafRanges(pe, s2.base, s2.startLevel, 2 ** (s2.iaBits - levelShift(s2.startLevel)), 0, (a) => a, ranges);
      const leaves = ranges.map(([ipa, size]): Leaf => {
        const r = walkStage2(pe.bus, s2, ipa);
        return r.ok
          ? { va: ipa, size, oa: r.oa, text: `${permText(r.perms, 's2')}  ${describeAttrs(r.attrs)}` }
          : { va: ipa, size, oa: 0, text: `faults: ${faultText(r)}` };
      });
      out.push(...coalesce(leaves));
    }
  }
  return out;
}

/**
 * One TLB entry as a line (`--trace-tlb`): what it translates, to where, with which effective
 * attributes and permissions, and the descriptors it was built from.
 */
export function describeEntry(e: TlbEntry): string {
  let kind: string;
  if (e.regime === Regime.EL2) kind = 'EL2';
  else if (e.stage2Only) kind = `stage 2 VMID ${e.vmid} (IPA)`;
  else if (e.s1Level < 0) kind = `EL1&0 VMID ${e.vmid} stage 1 off (attributes shown: stage 2's)`;
  else kind = `EL1&0 VMID ${e.vmid} ${e.asid < 0 ? 'global' : `ASID ${e.asid}`}`;
  const stages = [e.s1Level >= 0 ? `S1 L${e.s1Level}` : '', e.s2Level >= 0 ? `S2 L${e.s2Level}` : ''].filter(Boolean).join(', ');
  const ipa = e.s1Level >= 0 && e.s2Level >= 0 ? ` via IPA ${hex(e.ipaBase, 10)}` : '';
  const perms = e.s1Perms & e.s2Perms;
  const descs = e.descPas.map((pa) => hex(pa, 10)).join(' ');
  return `${kind}: ${hex(e.vaBase)} +${sizeText(e.size)} -> PA ${hex(e.paBase, 10)}${ipa}  ${describeAttrs(e.attrs)}  ${permText(perms, e.regime)}  (${stages}; descriptors at ${descs})`;
}

const FAULT_NAMES: Record<number, string> = { 0: 'address size', 1: 'translation', 2: 'access flag', 3: 'permission' };

export function faultText(r: WalkResult): string {
  if (r.ok) return 'no fault';
  const kind =
    r.fsc < 0x10
      ? `${FAULT_NAMES[r.fsc >> 2]} fault, level ${r.level}`
      : r.fsc === 0x21
        ? 'alignment fault'
        : `external abort on walk, level ${r.level}`;
  return `stage ${r.stage} ${kind}${r.s1ptw ? ' (on the stage-1 walk: S1PTW)' : ''}`;
}

function stepLines(steps: WalkStep[], indent: string): string[] {
  const out: string[] = [];
  for (const s of steps) {
    if (s.s2?.length) {
      out.push(`${indent}  (stage-2 walk of the descriptor's IPA ${hex(s.descIa, 10)}:)`);
      out.push(...stepLines(s.s2, indent + '    '));
    }
    const where =
      s.descIa === s.descPa || Number.isNaN(s.descPa) ? hex(s.descIa, 10) : `IPA ${hex(s.descIa, 10)} = PA ${hex(s.descPa, 10)}`;
    const desc = Number.isNaN(s.descPa) ? 'not readable' : describeDescriptor(s.lo, s.hi, s.level, s.stage);
    out.push(`${indent}stage ${s.stage} level ${s.level} descriptor at ${where}: ${desc}`);
  }
  return out;
}

/**
 * `armvisor walk`: one translation of `va` as an access at `el` explained step by step —
 * which regime and half, each descriptor read (with the stage-2 walks that located stage-1
 * tables), the leaf's permissions and attributes, the stage-2 result and the combined one.
 */
export function explainWalk(pe: Pe, va: number, el: number, fetch = false): string[] {
  const m = pe.mmu;
  const regime = el === 2 ? Regime.EL2 : Regime.EL10;
  const c = m.stage1(regime);
  const s2on = regime === Regime.EL10 && m.s2.enabled;
  const out: string[] = [
    `VA ${hex(va)} at EL${el} (${regime === Regime.EL2 ? 'EL2' : 'EL1&0'} regime${fetch ? ', instruction fetch' : ''}):`,
  ];
  let ipa = va;
  let s1: WalkLeaf | null = null;
  if (!c.enabled) {
    const beyond = va >= 2 ** pe.cfg.paBits || va < 0 ? ' — beyond the PA size: address size fault, level 0' : '';
    const attrs = describeAttrs(mmuOffAttrs(fetch, c.instCache, c.defaultCacheable));
    out.push(`  stage 1 off: ${s2on ? 'IPA' : 'PA'} = VA, ${attrs}${c.defaultCacheable ? ' (HCR_EL2.DC)' : ''}${beyond}`);
  } else {
    const r = walkStage1(pe.bus, c, va, fetch, s2on ? (a) => walkStage2(pe.bus, m.s2, a) : null);
    const h = va < 0 ? 'TTBR1' : 'TTBR0';
    const half = va < 0 ? c.hi : c.lo;
    if (half)
      out.push(
        `  ${h}: table ${hex(half.base, 10)}, ${half.iaBits}-bit VA, start level ${half.startLevel}${regime === Regime.EL10 ? `, ASID ${c.asid}` : ''}`,
      );
    out.push(...stepLines(r.steps, '  '));
    if (!r.ok) {
      out.push(`  => ${faultText(r)}`);
      return out;
    }
    s1 = r;
    ipa = r.oa;
    out.push(`  => ${s2on ? 'IPA' : 'PA'} ${hex(r.oa, 10)}  ${s1Text(c, r)}${r.contiguous ? '  Contiguous' : ''}`);
  }
  if (!s2on) return out;
  const s2 = m.s2;
  out.push(`  stage 2: VTTBR_EL2 ${hex(s2.base, 10)}, VMID ${s2.vmid}, ${s2.iaBits}-bit IPA, start level ${s2.startLevel}`);
  const r2 = walkStage2(pe.bus, s2, ipa);
  out.push(...stepLines(r2.steps, '  '));
  if (!r2.ok) {
    out.push(`  => ${faultText(r2)}; HPFAR_EL2 would be ${hex(Math.floor(ipa / PAGE_SIZE) * 16, 10)}`);
    return out;
  }
  const attrs = s1 ? combineStages(s1.attrs, r2.attrs) : r2.attrs;
  out.push(
    `  => PA ${hex(r2.oa, 10)}  ${permText(r2.perms, 's2')}  ${describeAttrs(r2.attrs)} at stage 2; combined: ${describeAttrs(attrs)}`,
  );
  return out;
}
