// The virtual layout (seed 002), its start-of-day self-checks and the identity-map decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GB,
  MB,
  PAGE_SIZE,
  decideIdentityMap,
  fixaddrTop,
  identityClash,
  layoutSelfChecks,
  makeLayout,
  regionAt,
  slot0,
  tableOffset,
  type IdentityInput,
} from '../../src/hv/mm/mmu/layout.js';
import { buildXenImage } from '../../src/hv/image.js';

const seed = makeLayout('seed');
const upstream = makeLayout('upstream');
const IMAGE = buildXenImage(seed).size;

test('seed layout: Xen at 512GB + 2MB, L0 slot 0 free, directmap at slot 256', () => {
  assert.equal(seed.xenVirtStart, 512 * GB + 2 * MB);
  assert.equal(tableOffset(seed.xenVirtStart, 0), 1);
  for (const r of seed.regions) assert.ok(tableOffset(r.start, 0) >= 1, r.name);
  assert.equal(seed.directmapStart, slot0(256));
  assert.equal(upstream.xenVirtStart, slot0(20) + 2 * MB);
});

test('both layouts pass every build-time assertion', () => {
  assert.deepEqual(layoutSelfChecks(seed, IMAGE), []);
  assert.deepEqual(layoutSelfChecks(upstream, IMAGE), []);
  assert.ok(fixaddrTop(seed) < seed.bootFdtStart);
});

test('self-checks catch a broken layout', () => {
  const bad = { ...seed, xenVirtStart: 2 * MB, regions: seed.regions.map((r) => (r.name === 'Xen image' ? { ...r, start: 2 * MB } : r)) };
  const fails = layoutSelfChecks(bad, IMAGE);
  assert.ok(
    fails.some((f) => f.includes('zeroeth_table_offset(XEN_VIRT_START)')),
    fails.join('\n'),
  );
  assert.ok(layoutSelfChecks(seed, IMAGE + 1).some((f) => f.includes('page aligned')));
  assert.ok(layoutSelfChecks(seed, 16 * MB).some((f) => f.includes('Xen is too big')));
});

const virt = { start: 0x4000_0000, size: GB };
const seattle = { start: 0x80_0000_0000, size: 2 * GB };

function input(load: number, banks: IdentityInput['banks'], avoid: IdentityInput['avoid'] = []): IdentityInput {
  return { image: { start: load, end: load + IMAGE }, banks, avoid };
}

test('identity map: RAM below 512GB is mapped 1:1 where it is', () => {
  const d = decideIdentityMap(seed, input(0x4020_0000, [virt]));
  assert.equal(d.kind, 'direct');
  assert.equal(d.kind === 'direct' && d.idPa, 0x4020_0000);
});

test('identity map: loaded at the link address needs no extra mapping', () => {
  assert.equal(decideIdentityMap(seed, input(seed.xenVirtStart, [seattle])).kind, 'runtime');
});

test('identity map: a clash at 512GB (seattle) relocates the switch page to a free RAM page', () => {
  const avoid = [{ start: 0x80_0000_0000, end: 0x80_0000_4000 }];
  const d = decideIdentityMap(seed, input(0x80_0040_0000, [seattle], avoid));
  assert.equal(d.kind, 'trampoline');
  if (d.kind !== 'trampoline') return;
  assert.match(d.clash, /Xen image region/);
  assert.equal(identityClash(seed, d.idPa), null);
  assert.equal(d.idPa, 0x80_0000_4000, 'lowest free page after the avoided range');
  // The upstream layout has the 10TB identity area: no clash there.
  assert.equal(decideIdentityMap(upstream, input(0x80_0040_0000, [seattle])).kind, 'direct');
});

test('identity map: RAM only inside the hypervisor regions is a clash', () => {
  const d = decideIdentityMap(seed, input(0x80_0040_0000, [{ start: 0x80_0020_0000, size: 8 * MB }]));
  assert.equal(d.kind, 'clash');
  assert.match(d.log, /identity map impossible/);
  assert.match(identityClash(seed, 2 ** 48) ?? '', /beyond the 48-bit/);
});

test('identity map decision on a grid: the chosen page never clashes, is RAM and overwrites nothing', () => {
  const bankSets = [
    [virt],
    [seattle],
    [
      { start: 0x8000_0000, size: 2 * GB },
      { start: 0x8_8000_0000, size: 6 * GB },
    ],
    [{ start: 0x80_0000_0000, size: 64 * GB }],
  ];
  let checked = 0;
  for (const banks of bankSets) {
    for (const b of banks) {
      for (const off of [0, 2 * MB, 0x123_4000, 512 * MB, GB + 4 * MB, b.size - IMAGE - PAGE_SIZE]) {
        const load = b.start + off;
        if (off + IMAGE > b.size) continue;
        const avoid = [{ start: b.start, end: b.start + 2 * MB }];
        const d = decideIdentityMap(seed, input(load, banks, avoid));
        checked++;
        if (d.kind === 'clash') assert.fail(`unexpected clash for load ${load.toString(16)}: ${d.log}`);
        if (d.kind === 'runtime') {
          assert.equal(load, seed.xenVirtStart);
          continue;
        }
        assert.equal(identityClash(seed, d.idPa), null);
        assert.equal(regionAt(seed, d.idPa), undefined);
        if (d.kind === 'direct') assert.equal(d.idPa, load);
        else {
          assert.ok(banks.some((x) => d.idPa >= x.start && d.idPa + PAGE_SIZE <= x.start + x.size));
          assert.ok(d.idPa + PAGE_SIZE <= load || d.idPa >= load + IMAGE, 'not inside the image');
          assert.ok(!avoid.some((a) => d.idPa < a.end && a.start < d.idPa + PAGE_SIZE), 'not over the DTB/modules');
        }
      }
    }
  }
  assert.ok(checked > 15);
});

test('identity map decision, random RAM layouts (seeded): sound choices, and a clash only when no page qualifies', () => {
  let x = 0x2545f491;
  const rnd = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const seen = new Map<string, number>();
  const hot = [0, 512 * GB, 512 * GB + 2 * MB, 512 * GB + GB, 544 * GB, slot0(256), 2 ** 47];
  for (let iter = 0; iter < 300; iter++) {
    const banks: { start: number; size: number }[] = [];
    for (let b = 0, n = 1 + rnd(3); b < n; b++) {
      const base = hot[rnd(hot.length)] + rnd(4096) * PAGE_SIZE * (1 + rnd(64));
      const size = (1 + rnd(512)) * PAGE_SIZE * (rnd(2) ? 1 : 64);
      if (banks.some((o) => base < o.start + o.size && o.start < base + size)) continue;
      banks.push({ start: base, size });
    }
    const b0 = banks[rnd(banks.length)];
    if (b0.size < IMAGE) continue;
    const load = b0.start + Math.floor(rnd(Math.max(1, (b0.size - IMAGE) / PAGE_SIZE))) * PAGE_SIZE;
    const d = decideIdentityMap(seed, input(load, banks));
    seen.set(d.kind, (seen.get(d.kind) ?? 0) + 1);
    if (d.kind === 'runtime') assert.equal(load, seed.xenVirtStart);
    else if (d.kind === 'direct') assert.equal(identityClash(seed, load), null);
    else if (d.kind === 'trampoline') {
      assert.equal(identityClash(seed, d.idPa), null);
      assert.ok(banks.some((b) => d.idPa >= b.start && d.idPa + PAGE_SIZE <= b.start + b.size));
      assert.ok(d.idPa + PAGE_SIZE <= load || d.idPa >= load + IMAGE);
    } else {
      // Brute force (banks are small enough): no page of RAM outside the image is usable.
      for (const b of banks) {
        for (let p = b.start; p + PAGE_SIZE <= b.start + b.size; p += PAGE_SIZE) {
          if (p + PAGE_SIZE > load && p < load + IMAGE) continue;
          assert.notEqual(identityClash(seed, p), null, `page 0x${p.toString(16)} was usable`);
        }
      }
    }
  }
  for (const k of ['direct', 'trampoline', 'clash']) assert.ok((seen.get(k) ?? 0) > 0, `kind ${k} exercised: ${[...seen].join(' ')}`);
});
