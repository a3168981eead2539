// The boot allocator (Xen's bootmem regions) and populateBootAllocator over BootInfo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootAllocator, MAX_BOOTMEM_REGIONS, PAGE_SIZE, populateBootAllocator } from '../../src/hv/mm/bootAllocator.js';
import { bootFdtInfo } from '../../src/hv/bootfdt.js';
import { Heap } from '../../src/hv/mm/pageAlloc.js';
import type { BootInfo, MemBank } from '../../src/hv/bootinfo.js';
import { assertPanics, dtb, FakeMemory, prng, randInt } from './helpers.js';

const P = PAGE_SIZE;
const bankEnd = (b: MemBank): number => b.start + b.size;
const overlap = (a: MemBank, b: MemBank): boolean => a.start < bankEnd(b) && b.start < bankEnd(a);

test('init_boot_pages rounds inwards and keeps the ranges sorted; overlaps are a Xen BUG', () => {
  const a = new BootAllocator();
  a.initBootPages(0x5000_0800, 0x5001_0800); // → [0x50001000, 0x50010000)
  a.initBootPages(0x4000_0000, 0x4000_4000);
  a.initBootPages(0x6000_0000, 0x6000_0fff); // less than a page: nothing
  assert.deepEqual(a.freeRanges(), [
    { start: 0x4000_0000, size: 4 * P },
    { start: 0x5000_1000, size: 15 * P },
  ]);
  assertPanics(
    () => a.initBootPages(0x4000_3000, 0x4000_5000),
    /^Xen BUG at page_alloc\.c: init_boot_pages: \[0x40003000, 0x40005000\) overlaps boot region \[0x40000000, 0x40004000\)$/,
  );
});

test('alloc_boot_pages carves from the top of the highest region that fits, honouring the alignment', () => {
  const a = new BootAllocator();
  a.initBootPages(0x4010_0000, 0x4020_0000); // 256 pages, no 2 MiB boundary inside
  a.initBootPages(0x8000_0000, 0x8000_3000); // 3 pages, highest
  assert.equal(a.allocBootPages(1), 0x8000_2000);
  assert.equal(a.allocBootPages(2), 0x8000_0000); // exactly what is left up there
  assert.equal(a.allocBootPages(4), 0x401f_c000); // next region down
  // 2 MiB alignment (512 pages) cannot be met in a 1 MiB region.
  assertPanics(() => a.allocBootPages(1, 512), /^Xen BUG at page_alloc\.c: alloc_boot_pages\(1, 512\): Out of memory/);
  assert.equal(a.allocBootPages(16, 16), 0x401e_0000); // aligned down below the hole left by 4 pages
  assert.deepEqual(a.freeRanges(), [
    { start: 0x4010_0000, size: 0xe0 * P },
    { start: 0x401f_0000, size: 0xc * P },
  ]);
  assertPanics(() => a.allocBootPages(1, 3), /alignment is not a power of two/);
  assertPanics(() => a.allocBootPages(0), /bad page count/);
  assertPanics(
    () => a.allocBootPages(0x1000),
    /Out of memory — no boot region holds 4096 page\(s\) aligned to 1 \(236 pages free in 2 region\(s\)\)/,
  );
});

test('end_boot_allocator hands over the first region, then the rest from the top; then it is closed', () => {
  const a = new BootAllocator();
  a.initBootPages(0x4000_0000, 0x4000_2000);
  a.initBootPages(0x5000_0000, 0x5000_1000);
  a.initBootPages(0x6000_0000, 0x6000_3000);
  assert.deepEqual(a.endBootAllocator(), [
    { start: 0x4000_0000, size: 2 * P },
    { start: 0x6000_0000, size: 3 * P },
    { start: 0x5000_0000, size: P },
  ]);
  assertPanics(() => a.allocBootPages(1), /after end_boot_allocator/);
  assertPanics(() => a.initBootPages(0, P), /after end_boot_allocator/);
  assertPanics(() => new BootAllocator().allocBootPages(1), /the boot allocator has no memory/);
});

test('the region list is one page: more than 256 regions is a Xen BUG', () => {
  const a = new BootAllocator();
  for (let i = 0; i < MAX_BOOTMEM_REGIONS; i++) a.initBootPages(i * 2 * P, i * 2 * P + P);
  assertPanics(() => a.initBootPages(0x1000_0000, 0x1000_1000), /more than 256 boot regions/);
});

test('property: allocations never overlap each other or anything outside the given ranges, and are aligned', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rnd = prng(seed);
    const a = new BootAllocator();
    const given: MemBank[] = [];
    let at = randInt(rnd, 0, 16) * P;
    for (let i = randInt(rnd, 1, 6); i > 0; i--) {
      at += randInt(rnd, 1, 64) * P;
      const size = randInt(rnd, 1, 2048) * P;
      a.initBootPages(at, at + size);
      given.push({ start: at, size });
      at += size;
    }
    const total = a.freePages();
    const got: MemBank[] = [];
    for (let n = 0; n < 60; n++) {
      const pages = randInt(rnd, 1, 64);
      const align = 2 ** randInt(rnd, 0, 6);
      let pa: number;
      try {
        pa = a.allocBootPages(pages, align);
      } catch {
        continue; // out of memory for this shape: allowed
      }
      const blk = { start: pa, size: pages * P };
      assert.equal((pa / P) % align, 0, `seed ${seed}: alignment`);
      assert.ok(
        given.some((g) => blk.start >= g.start && bankEnd(blk) <= bankEnd(g)),
        `seed ${seed}: ${pa.toString(16)} inside one given range`,
      );
      for (const o of got) assert.ok(!overlap(o, blk), `seed ${seed}: no double allocation`);
      for (const f of a.freeRanges()) assert.ok(!overlap(f, blk), `seed ${seed}: allocated pages are not still free`);
      got.push(blk);
    }
    const used = got.reduce((s, b) => s + b.size / P, 0);
    assert.equal(a.freePages() + used, total, `seed ${seed}: pages are conserved`);
  }
});

// ---- populateBootAllocator ---------------------------------------------------------------------

function bi(over: Partial<BootInfo>): BootInfo {
  return { mem: [], reserved: [], staticHeap: [], modules: [], xenBootargs: '', domains: [], ...over };
}

test('populate_boot_allocator: RAM minus image, DTB, modules and reserved ranges, page rounded inwards', () => {
  const info = bi({
    mem: [
      { start: 0x4000_0000, size: 0x100_0000 },
      { start: 0x8_8000_0000, size: 0x10_0000 },
    ],
    modules: [
      { kind: 'kernel', start: 0x4080_0000, size: 0x1800, node: '/chosen/k' }, // ends mid-page
      { kind: 'ramdisk', start: 0x4090_0800, size: 0x1000, node: '/chosen/r' }, // starts mid-page
    ],
    reserved: [
      { start: 0x40f0_0000, size: 0x20_0000, name: '/reserved-memory/a' }, // runs past the bank end
      { start: 0x1000_0000, size: 0x1000, name: '/reserved-memory/outside' },
    ],
  });
  const ranges = populateBootAllocator(info, { start: 0x4020_0000, size: 0x12_3456 }, { start: 0x4800_0000, size: 0x10_0000 });
  assert.deepEqual(ranges, [
    { start: 0x4000_0000, size: 0x20_0000 },
    { start: 0x4032_4000, size: 0x4080_0000 - 0x4032_4000 },
    { start: 0x4080_2000, size: 0x4090_0000 - 0x4080_2000 },
    { start: 0x4090_2000, size: 0x40f0_0000 - 0x4090_2000 },
    { start: 0x8_8000_0000, size: 0x10_0000 },
  ]);
  // Fed to an allocator, the same ranges.
  const a = new BootAllocator();
  populateBootAllocator(info, { start: 0x4020_0000, size: 0x12_3456 }, { start: 0x4800_0000, size: 0x10_0000 }, a);
  assert.deepEqual(a.freeRanges(), ranges);
});

test('populate_boot_allocator: with a static heap only its banks are used', () => {
  const info = bi({
    mem: [{ start: 0x4000_0000, size: 0x4000_0000 }],
    staticHeap: [
      { start: 0x7000_0000, size: 0x100_0000 },
      { start: 0x5000_0000, size: 0x100_0000 },
    ],
  });
  assert.deepEqual(populateBootAllocator(info, { start: 0x4020_0000, size: P }, { start: 0x4800_0000, size: P }), [
    { start: 0x5000_0000, size: 0x100_0000 },
    { start: 0x7000_0000, size: 0x100_0000 },
  ]);
});

test('property: from a parsed tree, no page of a module, the image, the DTB or a reserved range is ever handed out', () => {
  for (let seed = 1; seed <= 25; seed++) {
    const rnd = prng(1000 + seed);
    const ramBase = 0x4000_0000;
    const ramSize = 0x800_0000; // 128 MiB
    const pick = (): [number, number] => [
      ramBase + randInt(rnd, 0, ramSize / P - 64) * P + randInt(rnd, 0, 3) * 0x100,
      randInt(rnd, 1, 48) * 0x800,
    ];
    // Non-overlapping modules and reserved ranges (retry on overlap).
    const taken: MemBank[] = [
      { start: 0x4020_0000, size: 0x20_0000 },
      { start: 0x4700_0000, size: 0x10_0000 },
    ];
    const place = (): [number, number] => {
      for (;;) {
        const [s, n] = pick();
        if (!taken.some((t) => overlap(t, { start: s, size: n }))) {
          taken.push({ start: s, size: n });
          return [s, n];
        }
      }
    };
    const mods = Array.from({ length: randInt(rnd, 0, 4) }, (_, i) => {
      const [s, n] = place();
      return `m${i} { compatible = "multiboot,module"; reg = <0x0 ${s} 0x0 ${n}>; };`;
    }).join('\n');
    const rsv = Array.from({ length: randInt(rnd, 0, 4) }, (_, i) => {
      const [s, n] = place();
      return `r${i} { reg = <0x0 ${s} 0x0 ${n}>; };`;
    }).join('\n');
    const text = `/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;
      memory@40000000 { device_type = "memory"; reg = <0x0 ${ramBase} 0x0 ${ramSize}>; };
      reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges; ${rsv} };
      chosen { ${mods} }; };`;
    const info = bootFdtInfo(dtb(text), 0x4700_0000, new FakeMemory().copyFromPaddr, { xenImage: taken[0] });
    const a = new BootAllocator();
    populateBootAllocator(info, taken[0], taken[1], a);
    const forbidden = [...info.modules, ...info.reserved];
    for (const f of a.freeRanges()) {
      for (const x of forbidden)
        assert.ok(!overlap(f, x), `seed ${seed}: free range ${f.start.toString(16)} overlaps ${x.start.toString(16)}`);
    }
    // Half the time, hand over to the heap first and drain that instead.
    if (seed % 2 === 0) {
      const heap = new Heap();
      heap.initFromBanks(a.endBootAllocator());
      let got = 0;
      for (;;) {
        let order = randInt(rnd, 0, 9);
        let pa = heap.allocDomheapPages(order);
        if (pa === null) {
          order = 0;
          pa = heap.allocXenheapPages(0);
        }
        if (pa === null) break;
        const blk = { start: pa, size: 2 ** order * P };
        assert.ok(blk.start >= ramBase && bankEnd(blk) <= ramBase + ramSize);
        for (const x of forbidden) assert.ok(!overlap(blk, x), `seed ${seed}: heap handed out reserved ${pa.toString(16)}`);
        got += blk.size;
      }
      assert.equal(heap.freePages, 0, `seed ${seed}: drained`);
      assert.ok(got > 0);
      continue;
    }
    // Drain it: every page handed out is RAM and not forbidden.
    for (;;) {
      let pa: number;
      try {
        pa = a.allocBootPages(randInt(rnd, 1, 512));
      } catch {
        break;
      }
      const blk = { start: pa, size: P };
      assert.ok(pa >= ramBase && pa < ramBase + ramSize);
      for (const x of forbidden) assert.ok(!overlap(blk, x), `seed ${seed}: allocated ${pa.toString(16)} is reserved`);
    }
  }
});
