// PRBAR/PRLAR codec, the numbered-alias rule and the region match (src/arch/pmsa).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aliasEncoding,
  aliasName,
  aliasRegion,
  decodePrbar,
  decodePrlar,
  decodeRegion,
  encodePrbar,
  encodePrlar,
  PRBAR_WRITE_MASK,
  PRLAR_WRITE_MASK,
  type Region,
} from '../../../src/arch/pmsa/regions.js';
import { MatchKind, matchRegions, MpuUse, regionPerms } from '../../../src/arch/pmsa/lookup.js';
import { PERM } from '../../../src/arch/mmu/walk.js';

test('PRBAR fields: BASE [47:6], SH [5:4], AP [3:2], XN [1:0] (Xen REGION_*_PRBAR constants)', () => {
  // Xen's text region PRBAR low bits 0x38: SH = 11, AP = 10 (RO EL2), XN = 00.
  assert.deepEqual(decodePrbar(0x4000_0038n), { base: 0x4000_0000, sh: 3, ap: 2, xn: 0 });
  // 0x3A: read-only data (XN = 10); 0x22: device (SH = 10, AP = 00, XN = 10).
  assert.deepEqual(decodePrbar(0x9c09_003an), { base: 0x9c09_0000, sh: 3, ap: 2, xn: 2 });
  assert.deepEqual(decodePrbar(0x22n), { base: 0, sh: 2, ap: 0, xn: 2 });
  for (const f of [
    { base: 0xffff_ffff_ffc0, sh: 3, ap: 1, xn: 2 },
    { base: 0x40, sh: 0, ap: 3, xn: 0 },
  ] as const) {
    assert.deepEqual(decodePrbar(encodePrbar(f)), f);
  }
  assert.equal(PRBAR_WRITE_MASK, 0xffff_ffff_ffffn);
});

test('PRLAR fields: LIMIT is inclusive ((LIMIT << 6) | 0x3F), AttrIndx [3:1], EN [0]; bit 5 RES0', () => {
  // Xen normal RAM: 0x0F = AttrIndx 7, EN; device 0x09 = AttrIndx 4, EN.
  assert.deepEqual(decodePrlar(0x4fff_ffc0n | 0x0fn), { limit: 0x4fff_ffff, ns: false, attrIndx: 7, en: true });
  assert.deepEqual(decodePrlar(0x9c09_0fc0n | 0x09n), { limit: 0x9c09_0fff, ns: false, attrIndx: 4, en: true });
  assert.deepEqual(decodePrlar(0x10n), { limit: 0x3f, ns: true, attrIndx: 0, en: false });
  const f = { limit: 0x1234_5fff, ns: false, attrIndx: 5, en: true };
  assert.deepEqual(decodePrlar(encodePrlar(f)), f);
  assert.equal(PRLAR_WRITE_MASK & (1n << 5n), 0n);
  assert.equal(PRLAR_WRITE_MASK >> 48n, 0n);
});

test('numbered aliases: region PRSELR[7:4]:n, encodings CRm 8 + n/2, op2 (n&1)*4 (+1 for PRLAR)', () => {
  assert.equal(aliasRegion(0x10, 3), 19); // arm-facts §1.6 example
  assert.equal(aliasRegion(0x17, 0), 0x17); // n = 0 is PRBAR_ELx: the whole selector
  assert.equal(aliasRegion(0xf5, 15), 0xff);
  assert.deepEqual(aliasEncoding(2, 0, false), { op0: 3, op1: 4, crn: 6, crm: 8, op2: 0 });
  assert.deepEqual(aliasEncoding(2, 0, true), { op0: 3, op1: 4, crn: 6, crm: 8, op2: 1 });
  assert.deepEqual(aliasEncoding(1, 3, false), { op0: 3, op1: 0, crn: 6, crm: 9, op2: 4 });
  // PRBAR6_EL1 is S3_0_C6_C11_0 (Bao's header has the typo C12_0).
  assert.deepEqual(aliasEncoding(1, 6, false), { op0: 3, op1: 0, crn: 6, crm: 11, op2: 0 });
  assert.deepEqual(aliasEncoding(2, 15, true), { op0: 3, op1: 4, crn: 6, crm: 15, op2: 5 });
  assert.equal(aliasName(2, 0, false), 'PRBAR_EL2');
  assert.equal(aliasName(1, 15, true), 'PRLAR15_EL1');
});

const R = (index: number, base: number, limit: number, extra: Partial<Region> = {}): Region => ({
  ...decodeRegion(index, encodePrbar({ base, sh: 3, ap: 0, xn: 0 }), encodePrlar({ limit, ns: false, attrIndx: 0, en: true })),
  ...extra,
});

test('region match: hit, no match, overlap, empty regions; 64-byte boundaries', () => {
  const regs = [R(0, 0x1000, 0x1fff), R(1, 0x3040, 0x307f), R(2, 0x5000, 0x4fff)];
  const hit = matchRegions(regs, 0x1ff8);
  assert.equal(hit.kind, MatchKind.Hit);
  assert.equal(hit.region?.index, 0);
  assert.equal(matchRegions(regs, 0x3040).kind, MatchKind.Hit);
  assert.equal(matchRegions(regs, 0x307f).kind, MatchKind.Hit);
  assert.equal(matchRegions(regs, 0x303f).kind, MatchKind.NoMatch);
  assert.equal(matchRegions(regs, 0x3080).kind, MatchKind.NoMatch);
  // LIMIT < BASE: matches nothing.
  assert.equal(matchRegions(regs, 0x5000).kind, MatchKind.NoMatch);
  const ov = matchRegions([...regs, R(3, 0x1800, 0x18ff)], 0x1810);
  assert.equal(ov.kind, MatchKind.Overlap);
  assert.deepEqual([ov.region?.index, ov.other?.index], [0, 3]);
  assert.equal(matchRegions([...regs, R(3, 0x1800, 0x18ff)], 0x1900).kind, MatchKind.Hit);
});

test('region match: the span of one outcome inside the 4 KiB page', () => {
  // A region covering the whole page: the whole page.
  assert.deepEqual(pick(matchRegions([R(0, 0x1000, 0x1fff)], 0x1234)), [0x1000, 0x2000]);
  // A region ending inside the page, another starting later in it.
  const regs = [R(0, 0x1000, 0x147f), R(1, 0x1800, 0x2fff)];
  assert.deepEqual(pick(matchRegions(regs, 0x1440)), [0x1000, 0x1480]);
  assert.deepEqual(pick(matchRegions(regs, 0x1500)), [0x1480, 0x1800]); // no match between them
  assert.deepEqual(pick(matchRegions(regs, 0x1900)), [0x1800, 0x2000]);
  // No region touches the page: the whole page (background region or fault throughout).
  assert.deepEqual(pick(matchRegions(regs, 0x7008)), [0x7000, 0x8000]);
});

function pick(m: { spanLo: number; spanHi: number }): [number, number] {
  return [m.spanLo, m.spanHi];
}

test('region permissions: AP[2:1] and XN[1] for each use of an MPU', () => {
  const P = (ap: number, xn: number, use: MpuUse): number => regionPerms(R(0, 0, 0x3f, { ap, xn }), use);
  const { R0, W0, X0, R1, W1, X1 } = PERM;
  // EL2 MPU for EL2 itself: AP[1] (bit 0) does not matter, AP[2] (bit 1) is read-only.
  assert.equal(P(0, 0, MpuUse.El2Stage1), R1 | W1 | X1);
  assert.equal(P(1, 0, MpuUse.El2Stage1), R1 | W1 | X1);
  assert.equal(P(2, 2, MpuUse.El2Stage1), R1);
  // EL1 MPU: AP bit 0 gives EL0 the same rights.
  assert.equal(P(0, 0, MpuUse.El1Stage1), R1 | W1 | X1);
  assert.equal(P(1, 0, MpuUse.El1Stage1), R0 | W0 | X0 | R1 | W1 | X1);
  assert.equal(P(3, 2, MpuUse.El1Stage1), R0 | R1);
  assert.equal(P(2, 0, MpuUse.El1Stage1), R1 | X1);
  // EL2 MPU as stage 2: EL1&0 reach only regions with AP bit 0 (Xen/Bao guest regions).
  assert.equal(P(0, 0, MpuUse.El2Stage2), 0);
  assert.equal(P(2, 0, MpuUse.El2Stage2), 0);
  assert.equal(P(1, 0, MpuUse.El2Stage2), R0 | W0 | X0 | R1 | W1 | X1);
  assert.equal(P(3, 2, MpuUse.El2Stage2), R0 | R1);
  // XN[0] is RES0: ignored.
  assert.equal(P(1, 1, MpuUse.El2Stage2), R0 | W0 | X0 | R1 | W1 | X1);
});
