// Unit tests for the VMSA pieces: descriptor codec, MAIR/MemAttr decoding and stage
// combination, the walker (levels, faults, hierarchical permissions, concatenated stage-2
// roots), the TLB's TLBI scopes, and the rule checker's break-before-make detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, RAM_BASE, type TestCpu } from '../../helpers/cpu.js';
import { sr } from '../../../src/arch/sysreg/index.js';
import { DescKind, descKind, describeDescriptor, leafOutput } from '../../../src/arch/mmu/descriptor.js';
import { attrsToMair, combineStages, decodeMair, decodeS2MemAttr, describeAttrs, Shareability } from '../../../src/arch/mmu/memattr.js';
import { PERM, walkStage1, walkStage2 } from '../../../src/arch/mmu/walk.js';
import { Tlb, ctxEl10, ctxStage2, type TlbEntry } from '../../../src/arch/mmu/tlb.js';
import { Regime } from '../../../src/arch/mmu/regime.js';
import { tlbiVa } from '../../../src/arch/mmu/tlbi.js';
import { RuleChecker } from '../../../src/arch/rules/checker.js';
import { explainWalk, dumpTables } from '../../../src/arch/mmu/dump.js';

const T = RAM_BASE + 0x0800_0000; // page-table area
const VALID = 1n;
const TABLE = 3n;
const AF = 1n << 10n;

function poke(c: TestCpu, pa: number, v: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  c.bus.writeBytes(pa, b);
}
function setSys(c: TestCpu, name: string, v: bigint): void {
  c.pe.sys[sr(name)] = v;
  c.pe.refreshControl();
}

/** EL1&0 tables: L0 -> L1 -> L2 -> L3 for RAM_BASE; L2 block for RAM_BASE + 2M. */
function el1Tables(c: TestCpu, pageAttrs = AF | (3n << 2n), blockAttrs = AF | (3n << 2n)): void {
  const l0 = T;
  const l1 = T + 0x1000;
  const l2 = T + 0x2000;
  const l3 = T + 0x3000;
  poke(c, l0, BigInt(l1) | TABLE);
  poke(c, l1 + 8 * 1, BigInt(l2) | TABLE); // 1 GB slot 1 = 0x4000_0000
  poke(c, l2 + 8 * 0, BigInt(l3) | TABLE);
  poke(c, l2 + 8 * 1, BigInt(RAM_BASE + 0x20_0000) | blockAttrs | VALID);
  poke(c, l3 + 8 * 5, BigInt(RAM_BASE + 0x9000) | pageAttrs | TABLE);
  setSys(c, 'MAIR_EL1', 0xff440400n);
  setSys(c, 'TCR_EL1', 16n | (1n << 23n) | (2n << 32n)); // T0SZ 16, EPD1, IPS 40-bit
  setSys(c, 'TTBR0_EL1', BigInt(l0));
  setSys(c, 'SCTLR_EL1', c.pe.sys[sr('SCTLR_EL1')] | 1n);
}

test('descriptor kinds by level, leaf output, decode text', () => {
  assert.equal(descKind(0, 1), DescKind.Invalid);
  assert.equal(descKind(1, 0), DescKind.Reserved); // no blocks at level 0 with 4 KB
  assert.equal(descKind(1, 2), DescKind.Block);
  assert.equal(descKind(3, 2), DescKind.Table);
  assert.equal(descKind(3, 3), DescKind.Page);
  assert.equal(descKind(1, 3), DescKind.Reserved);
  // 2 MB block at 0x80000000 (lo bit 31 set: the codec must stay unsigned)
  assert.equal(leafOutput(0x8000_0401, 0, 2, 0x1234_5678), 0x8000_0000 + (0x1234_5678 % 0x20_0000));
  assert.match(describeDescriptor(0x8000_0401 | (3 << 2), 1 << 22, 2, 1), /block -> 0x80000000 AttrIndx=3 .* AF=1 UXN/);
});

test('MAIR and stage-2 MemAttr decoding; the most restrictive combination wins', () => {
  assert.equal(describeAttrs(decodeMair(0x00, Shareability.Inner)), 'Device-nGnRnE');
  assert.equal(describeAttrs(decodeMair(0x04, Shareability.Inner)), 'Device-nGnRE');
  assert.equal(describeAttrs(decodeMair(0x44, Shareability.Inner)), 'Normal-NC OSH'); // NC is always outer shareable
  assert.equal(describeAttrs(decodeMair(0xff, Shareability.Inner)), 'Normal-WB ISH');
  assert.equal(describeAttrs(decodeMair(0xaa, Shareability.Non)), 'Normal-WT NSH');
  assert.equal(describeAttrs(decodeS2MemAttr(0x1, Shareability.Non)), 'Device-nGnRE');
  assert.equal(describeAttrs(decodeS2MemAttr(0xf, Shareability.Inner)), 'Normal-WB ISH');
  const wb = decodeMair(0xff, Shareability.Inner);
  assert.equal(describeAttrs(combineStages(wb, decodeS2MemAttr(0x5, Shareability.Inner))), 'Normal-NC OSH');
  assert.equal(describeAttrs(combineStages(wb, decodeS2MemAttr(0x1, Shareability.Inner))), 'Device-nGnRE');
  assert.equal(describeAttrs(combineStages(decodeMair(0x00, 0), decodeS2MemAttr(0x1, 0))), 'Device-nGnRnE');
  assert.equal(attrsToMair(wb), 0xff);
  assert.equal(attrsToMair(combineStages(wb, decodeS2MemAttr(0x5, Shareability.Inner))), 0x44);
  assert.equal(decodeMair(0x01, 0).reserved, true);
});

test('stage-1 walk: page and block leaves, faults with their levels', () => {
  const c = makeCpu([0xd503201f]);
  el1Tables(c);
  const cfg = c.pe.mmu.el10;
  const page = walkStage1(c.bus, cfg, RAM_BASE + 0x5123, false, null);
  assert.ok(page.ok);
  assert.equal(page.oa, RAM_BASE + 0x9123);
  assert.equal(page.level, 3);
  assert.equal(page.steps.length, 4);
  const block = walkStage1(c.bus, cfg, RAM_BASE + 0x23_4567, false, null);
  assert.ok(block.ok && block.level === 2 && block.oa === RAM_BASE + 0x23_4567);
  const f3 = walkStage1(c.bus, cfg, RAM_BASE + 0x6000, false, null);
  assert.ok(!f3.ok && f3.fsc === 0x07 && f3.stage === 1); // translation, level 3
  const f2 = walkStage1(c.bus, cfg, RAM_BASE + 0x40_0000, false, null);
  assert.ok(!f2.ok && f2.fsc === 0x06);
  const f1 = walkStage1(c.bus, cfg, 0x8000_0000, false, null);
  assert.ok(!f1.ok && f1.fsc === 0x05);
  const f0 = walkStage1(c.bus, cfg, 2 ** 47 + 0x1000, false, null); // beyond 48-bit VA? no: L0 slot 256 invalid
  assert.ok(!f0.ok && f0.fsc === 0x04);
  const out = walkStage1(c.bus, cfg, 2 ** 48, false, null); // outside TTBR0's range
  assert.ok(!out.ok && out.fsc === 0x04 && out.steps.length === 0);
  const up = walkStage1(c.bus, cfg, -4096, false, null); // TTBR1 half, EPD1 = 1
  assert.ok(!up.ok && up.fsc === 0x04);
});

test('stage-1 faults: access flag, address size (IPS), permissions with APTable and WXN', () => {
  const c = makeCpu([0xd503201f]);
  el1Tables(c, 3n << 2n /* AF = 0 */, AF | (3n << 2n) | (1n << 6n) /* EL0 RW */);
  let r = walkStage1(c.bus, c.pe.mmu.el10, RAM_BASE + 0x5000, false, null);
  assert.ok(!r.ok && r.fsc === 0x0b); // access flag, level 3
  // EL0-writable block: EL1 may not execute it (PXN implied), EL0 may read, write and execute
  r = walkStage1(c.bus, c.pe.mmu.el10, RAM_BASE + 0x20_0000, false, null);
  assert.ok(r.ok);
  assert.equal(r.perms, PERM.R1 | PERM.W1 | PERM.R0 | PERM.W0 | PERM.X0);
  // APTable[1] (read-only below) on the level-1 table descriptor
  poke(c, T + 0x1000 + 8, BigInt(T + 0x2000) | TABLE | (1n << 62n));
  r = walkStage1(c.bus, c.pe.mmu.el10, RAM_BASE + 0x20_0000, false, null);
  assert.ok(r.ok && (r.perms & (PERM.W0 | PERM.W1)) === 0);
  // Output address above IPS (32-bit): address size fault at the leaf's level
  setSys(c, 'TCR_EL1', 16n | (1n << 23n));
  poke(c, T + 0x2000 + 8 * 1, (1n << 33n) | AF | VALID);
  r = walkStage1(c.bus, c.pe.mmu.el10, RAM_BASE + 0x20_0000, false, null);
  assert.ok(!r.ok && r.fsc === 0x02);
});

test('stage 2: concatenated level-1 root (40-bit IPA), permissions, S1PTW through stage 2', () => {
  const c = makeCpu([0xd503201f]);
  const root = T + 0x10_0000; // 8 KB, two concatenated level-1 tables
  // IPA 0x40000000 (1 GB, index 1) -> PA RAM, RW; IPA 0x80_0000_0000 is beyond 40 bits
  poke(c, root + 8, BigInt(RAM_BASE) | (0xfn << 2n) | (3n << 6n) | AF | VALID);
  // Upper half of the concatenated root: IPA 0x100_0000_0000 - 1G = index 1023 -> read-only
  poke(c, root + 8 * 1023, BigInt(RAM_BASE) | (0xfn << 2n) | (1n << 6n) | AF | VALID);
  setSys(c, 'VTCR_EL2', (1n << 31n) | (2n << 16n) | (1n << 6n) | 24n);
  setSys(c, 'VTTBR_EL2', BigInt(root) | (5n << 48n));
  setSys(c, 'HCR_EL2', 1n);
  const s2 = c.pe.mmu.s2;
  assert.equal(s2.vmid, 5);
  let r = walkStage2(c.bus, s2, RAM_BASE + 0x1234);
  assert.ok(r.ok && r.oa === RAM_BASE + 0x1234 && r.level === 1 && r.perms === (PERM.R0 | PERM.R1 | PERM.W0 | PERM.W1 | PERM.X0 | PERM.X1));
  r = walkStage2(c.bus, s2, 2 ** 40 - 2 ** 30 + 8);
  assert.ok(r.ok && (r.perms & PERM.W1) === 0);
  r = walkStage2(c.bus, s2, 0x1000);
  assert.ok(!r.ok && r.fsc === 0x05 && r.stage === 2 && r.ipa === 0x1000);
  r = walkStage2(c.bus, s2, 2 ** 40);
  assert.ok(!r.ok && r.fsc === 0x04); // beyond the IPA size: level 0
  // A stage-1 table at an IPA stage 2 does not map: S1PTW fault at stage 2
  el1Tables(c);
  setSys(c, 'TTBR0_EL1', 0x1000n);
  const s1 = walkStage1(c.bus, c.pe.mmu.el10, RAM_BASE, false, (ipa) => walkStage2(c.bus, c.pe.mmu.s2, ipa));
  assert.ok(!s1.ok && s1.stage === 2 && s1.s1ptw && s1.ipa === 0x1000 && s1.fsc === 0x05);
  // SL0 inconsistent with T0SZ (level 2 start for a 40-bit IPA needs 512 tables)
  setSys(c, 'VTCR_EL2', (1n << 31n) | (2n << 16n) | 24n);
  assert.ok(c.pe.mmu.s2.badConfig);
});

function entry(over: Partial<TlbEntry>): TlbEntry {
  const attrs = decodeMair(0xff, Shareability.Inner);
  return {
    regime: Regime.EL10,
    stage2Only: false,
    vmid: 0,
    asid: -1,
    vaBase: 0,
    size: 4096,
    paBase: 0,
    ipaBase: 0,
    s1Level: 3,
    s2Level: -1,
    s1Perms: PERM.ALL,
    s2Perms: PERM.ALL,
    s1Attrs: attrs,
    attrs,
    descPas: [],
    descLo: [],
    descHi: [],
    descMeta: [],
    ...over,
  };
}

test('TLB: entries tagged by VMID and ASID; TLBI scopes remove exactly what they name', () => {
  const t = new Tlb();
  t.insert(ctxEl10(1, 7), entry({ vmid: 1, asid: 7, vaBase: 0x1000, paBase: 0xa000 }));
  t.insert(ctxEl10(1, 8), entry({ vmid: 1, asid: 8, vaBase: 0x1000, paBase: 0xb000 }));
  t.insert(ctxEl10(1, -1), entry({ vmid: 1, vaBase: 0x20_0000, size: 0x20_0000, paBase: 0x40_0000 }));
  t.insert(ctxEl10(2, 7), entry({ vmid: 2, asid: 7, vaBase: 0x1000, paBase: 0xc000 }));
  t.insert(ctxStage2(1), entry({ vmid: 1, stage2Only: true, vaBase: 0x1000, paBase: 0xd000 }));
  assert.equal(t.lookupEl10(1, 7, 0x1abc)?.paBase, 0xa000);
  assert.equal(t.lookupEl10(1, 8, 0x1abc)?.paBase, 0xb000);
  assert.equal(t.lookupEl10(1, 9, 0x31_0000)?.paBase, 0x40_0000); // global, any ASID
  assert.equal(t.lookupEl10(2, 7, 0x1000)?.paBase, 0xc000);
  t.invalidate({ el10: true, vmid: 1, asid: 7 }); // ASIDE1: non-global of ASID 7, VMID 1 only
  assert.equal(t.lookupEl10(1, 7, 0x1000), undefined);
  assert.ok(t.lookupEl10(1, 8, 0x1000) && t.lookupEl10(2, 7, 0x1000) && t.lookupEl10(1, 7, 0x20_0000));
  t.invalidate({ el10: true, vmid: 1, addr: 0x3f_f000 }); // VAAE1 inside the 2 MB block
  assert.equal(t.lookupEl10(1, 9, 0x20_0000), undefined);
  t.invalidate({ el10: true, vmid: 1 }); // VMALLE1 leaves stage-2-only entries
  assert.ok(t.lookup(ctxStage2(1), 0x1000));
  assert.equal(t.lookupEl10(1, 8, 0x1000), undefined);
  t.invalidate({ stage2: true, vmid: 1, addr: 0x1000 }); // IPAS2E1
  assert.equal(t.lookup(ctxStage2(1), 0x1000), undefined);
  assert.ok(t.lookupEl10(2, 7, 0x1000));
  assert.equal(t.size, 1);
  // TLBI operand: VA[55:12] in Xt[43:0], sign-extended from bit 55
  assert.equal(tlbiVa(0x40081n), 0x4008_1000);
  assert.equal(tlbiVa(0xfff_ffff_ffffn), -4096);
});

test('translation through the TLB keeps a stale entry until TLBI; the rule checker flags the missing break-before-make', () => {
  // ldr w1, [x0]; ldr w2, [x0]; tlbi vaae1, x3; ldr w4, [x0]
  const c = makeCpu([0xb9400001, 0xb9400002, 0xd5088763, 0xb9400004]);
  const rules = new RuleChecker(c.bus);
  const events: string[] = [];
  rules.sink = (l) => events.push(l);
  rules.attach(c.pe);
  el1Tables(c, AF | (3n << 2n), AF | (3n << 2n));
  // Identity-map the code (the rest of the L3 table) and the page tables (a 2 MB block).
  poke(c, T + 0x2000 + 8 * ((T - RAM_BASE) / 0x20_0000), BigInt(T) | AF | (3n << 2n) | VALID);
  for (let i = 0; i < 512; i++) if (i !== 5) poke(c, T + 0x3000 + 8 * i, BigInt(RAM_BASE + i * 4096) | AF | (3n << 2n) | TABLE);
  c.bus.writeBytes(RAM_BASE + 0x9000, new Uint8Array([0x11, 0, 0, 0]));
  c.bus.writeBytes(RAM_BASE + 0xa000, new Uint8Array([0x22, 0, 0, 0]));
  c.setX(0, RAM_BASE + 0x5000);
  c.setX(3, (RAM_BASE + 0x5000) / 4096);
  c.pe.pc = RAM_BASE + 0x1000;
  c.pe.run(1); // ldr w1: fills the TLB
  assert.equal(c.x(1), 0x11n);
  // Rewrite the live leaf in place (valid -> valid, new output address) with a store from the PE
  poke(c, T + 0x3000 + 8 * 5, BigInt(RAM_BASE + 0xa000) | AF | (3n << 2n) | TABLE); // host poke: not seen by rules
  c.pe.run(1); // ldr w2: the stale entry is used
  assert.equal(c.x(2), 0x11n);
  c.pe.run(2); // tlbi vaae1; ldr w4
  assert.equal(c.x(4), 0x22n);
  assert.equal(events.length, 0);
  // Now the same change made by the guest (a store through the slow path) is reported.
  c.setX(5, BigInt(RAM_BASE + 0x9000) | AF | (3n << 2n) | TABLE);
  c.setX(6, T + 0x3000 + 8 * 5);
  c.bus.writeBytes(RAM_BASE + 0x1010, new Uint8Array([0xc5, 0x00, 0x00, 0xf9])); // str x5, [x6]
  c.pe.pc = RAM_BASE + 0x1010;
  c.pe.flushFetch();
  c.pe.run(1);
  assert.equal(events.length, 1);
  assert.match(events[0], /rule bbm .*output address/);
  assert.equal(rules.counts.get('bbm'), 1);
});

test('explainWalk and dumpTables describe the live tables', () => {
  const c = makeCpu([0xd503201f]);
  el1Tables(c);
  const lines = explainWalk(c.pe, RAM_BASE + 0x5123, 1);
  assert.match(lines[0], /VA 0x0000000040005123 at EL1 \(EL1&0 regime\)/);
  assert.equal(lines.filter((l) => /stage 1 level \d descriptor/.test(l)).length, 4);
  assert.match(lines[lines.length - 1], /=> PA 0x0040009123 +EL1 RWX EL0 --X  Normal-WB NSH/);
  const dump = dumpTables(c.pe).join('\n');
  assert.match(dump, /0x0000000040005000-0x0000000040006000 +4K -> 0x0040009000 +EL1 RWX EL0 --X/);
  assert.match(dump, /0x0000000040200000-0x0000000040400000 +2M -> 0x0040200000/);
});

test('rule checker: a Contiguous run that does not agree and a reserved MAIR encoding are reported when they enter the TLB', () => {
  const c = makeCpu([0xb9400001 /* ldr w1, [x0] */, 0xb9400041 /* ldr w1, [x2] */]);
  const rules = new RuleChecker(c.bus);
  const events: string[] = [];
  rules.sink = (l) => events.push(l);
  rules.attach(c.pe);
  // Index 5 carries the Contiguous bit, its 15 neighbours (identity pages for the code) do not.
  el1Tables(c, AF | (3n << 2n) | (1n << 52n));
  for (let i = 0; i < 512; i++) if (i !== 5) poke(c, T + 0x3000 + 8 * i, BigInt(RAM_BASE + i * 4096) | AF | (3n << 2n) | TABLE);
  // MAIR index 4 = 0x40: outer Non-cacheable with inner 0000, an UNPREDICTABLE encoding.
  setSys(c, 'MAIR_EL1', 0x40_ff440400n);
  poke(c, T + 0x3000 + 8 * 7, BigInt(RAM_BASE + 0x7000) | AF | (4n << 2n) | TABLE);
  c.setX(0, RAM_BASE + 0x5000);
  c.setX(2, RAM_BASE + 0x7000);
  c.run();
  assert.equal(events.length, 2, events.join('\n'));
  assert.match(
    events[0],
    /rule contiguous .*stage-1 level-3 descriptor at PA 0x48003028: the run's output address 0x40004000 is not aligned|rule contiguous .*entry \d+ of the run/,
  );
  assert.match(events[1], /rule reserved-attr .*reserved memory-attribute encoding/);
});
