// The buddy heap: splitting, merging, xenheap/domheap accounting, and property tests with a
// seeded PRNG (no double allocation, nothing outside the heap handed out, alignment, everything
// freed comes back fully merged).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Heap, MAX_ORDER } from '../../src/hv/mm/pageAlloc.js';
import { BootAllocator, PAGE_SIZE } from '../../src/hv/mm/bootAllocator.js';
import { assertPanics, prng, randInt } from './helpers.js';

const P = PAGE_SIZE;

test('init splits a range into naturally aligned blocks; adjacent ranges merge', () => {
  const h = new Heap();
  h.initHeapPages(0x4000_1000, 7); // pfns 0x40001..0x40007
  assert.deepEqual(
    h.freeBlocks().map((b) => [b.pa.toString(16), b.order]),
    [
      ['40001000', 0],
      ['40002000', 1],
      ['40004000', 2],
    ],
  );
  h.initHeapPages(0x4000_0000, 1); // completes an order-3 block
  assert.deepEqual(h.freeBlocks(), [{ pa: 0x4000_0000, order: 3 }]);
  assert.equal(h.totalPages, 8);
  assert.equal(h.freePages, 8);
  assertPanics(() => h.initHeapPages(0x4000_3000, 2), /is already in the heap/);
});

test('allocation splits the highest block and returns its top; freeing merges back', () => {
  const h = new Heap();
  h.initHeapPages(0x4000_0000, 16);
  const a = h.allocXenheapPages(0)!;
  assert.equal(a, 0x4000_f000);
  assert.deepEqual(
    h.freeBlocks().map((b) => [b.pa.toString(16), b.order]),
    [
      ['40000000', 3],
      ['40008000', 2],
      ['4000c000', 1],
      ['4000e000', 0],
    ],
  );
  const b = h.allocDomheapPages(2)!;
  assert.equal(b, 0x4000_8000);
  assert.equal(h.xenheapPages, 1);
  assert.equal(h.domheapPages, 4);
  assert.equal(h.freePages, 11);
  assertPanics(() => h.freeDomheapPages(a, 0), /free_domheap_pages\(0x4000f000, 0\): the block is a xenheap block/);
  assertPanics(() => h.freeXenheapPages(a, 1), /was allocated with order 0/);
  h.freeXenheapPages(a, 0);
  assertPanics(() => h.freeXenheapPages(a, 0), /double free or never allocated/);
  h.freeDomheapPages(b, 2);
  assert.deepEqual(h.freeBlocks(), [{ pa: 0x4000_0000, order: 4 }]);
  assert.equal(h.allocDomheapPages(5), null);
  assertPanics(() => h.allocDomheapPages(MAX_ORDER + 1), /order 19 is outside 0\.\.18/);
});

test('blocks never exceed MAX_ORDER, and higher zones are used first', () => {
  const h = new Heap();
  h.initHeapPages(0, 2 ** (MAX_ORDER + 1) + 1);
  const orders = h.freeBlocks().map((b) => b.order);
  assert.deepEqual(orders, [MAX_ORDER, MAX_ORDER, 0]);
  // Higher zone first even though a smaller order would fit lower down.
  assert.equal(h.allocXenheapPages(0), 2 ** (MAX_ORDER + 1) * P);
  const h2 = new Heap();
  h2.initHeapPages(0x8_8000_0000, 4);
  h2.initHeapPages(0x8000_0000, 1);
  assert.equal(h2.allocDomheapPages(0), 0x8_8000_3000);
});

test('the boot log totals', () => {
  const h = new Heap();
  h.initHeapPages(0x4000_0000, 256);
  h.allocDomheapPages(4);
  assert.deepEqual(h.heapInfoLog(), [
    'Physical memory information:',
    '    Xen heap: 0kB free',
    '    heap[19]: 960kB free',
    '    Dom heap: 960kB free',
  ]);
});

test('property: random alloc/free never double-allocates, stays in the heap, is aligned, and all frees merge back', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const rnd = prng(seed * 7919);
    // Boot allocator leftovers as the heap's source, with holes between ranges.
    const boot = new BootAllocator();
    let at = 0x4000_0000 + randInt(rnd, 0, 511) * P;
    for (let i = randInt(rnd, 1, 5); i > 0; i--) {
      const n = randInt(rnd, 1, 3000);
      boot.initBootPages(at, at + n * P);
      at += (n + randInt(rnd, 1, 700)) * P;
    }
    for (let i = randInt(rnd, 0, 5); i > 0; i--) {
      try {
        boot.allocBootPages(randInt(rnd, 1, 40), 2 ** randInt(rnd, 0, 3));
      } catch {
        break;
      }
    }
    const banks = boot.endBootAllocator();
    const h = new Heap();
    h.initFromBanks(banks);
    const initial = h.freeBlocks();
    const total = h.totalPages;
    assert.equal(h.freePages, total);
    const inHeap = (pa: number, pages: number): boolean => banks.some((b) => pa >= b.start && pa + pages * P <= b.start + b.size);

    const live = new Map<number, { order: number; xen: boolean }>();
    const owner = new Map<number, number>(); // pfn → block pa
    for (let step = 0; step < 400; step++) {
      if (live.size > 0 && rnd() < 0.45) {
        const keys = [...live.keys()];
        const pa = keys[randInt(rnd, 0, keys.length - 1)];
        const { order, xen } = live.get(pa)!;
        if (xen) h.freeXenheapPages(pa, order);
        else h.freeDomheapPages(pa, order);
        live.delete(pa);
        for (let i = 0; i < 2 ** order; i++) owner.delete(pa / P + i);
        continue;
      }
      const order = randInt(rnd, 0, 6);
      const xen = rnd() < 0.5;
      const pa = xen ? h.allocXenheapPages(order) : h.allocDomheapPages(order);
      if (pa === null) continue;
      assert.equal((pa / P) % 2 ** order, 0, `seed ${seed}: natural alignment`);
      assert.ok(inHeap(pa, 2 ** order), `seed ${seed}: block inside a heap range`);
      for (let i = 0; i < 2 ** order; i++) {
        assert.equal(owner.get(pa / P + i), undefined, `seed ${seed}: page ${(pa + i * P).toString(16)} allocated twice`);
        owner.set(pa / P + i, pa);
      }
      live.set(pa, { order, xen });
      assert.equal(h.freePages + owner.size, total, `seed ${seed}: pages conserved`);
    }
    for (const [pa, { order, xen }] of live) {
      if (xen) h.freeXenheapPages(pa, order);
      else h.freeDomheapPages(pa, order);
    }
    assert.equal(h.freePages, total, `seed ${seed}: free count back to the total`);
    assert.equal(h.xenheapPages + h.domheapPages, 0);
    assert.deepEqual(h.freeBlocks(), initial, `seed ${seed}: buddies fully merged again`);
  }
});

test('MEMF_bits: allocDomheapPagesBelow only hands out blocks that end below 2^bits', () => {
  const h = new Heap();
  h.initHeapPages(0x4000_0000, (512 * 1024 * 1024) / P); // 0x40000000..0x60000000
  h.initHeapPages(0x1_0000_0000, (64 * 1024 * 1024) / P); // above 4 GB
  assert.ok(h.allocDomheapPages(10)! >= 0x1_0000_0000, 'unrestricted: the highest zone first');
  assert.equal(h.allocDomheapPagesBelow(10, 30), null, 'nothing lies below 1 GB');
  const pa = h.allocDomheapPagesBelow(14, 31)!;
  assert.ok(pa >= 0x4000_0000 && pa + (P << 14) <= 0x8000_0000, `0x${pa.toString(16)} below 2 GB`);
  assert.equal(pa % (P << 14), 0, 'naturally aligned');
  assert.equal(h.allocDomheapPagesBelow(18, 32), null, 'no free 1 GB block below 4 GB');
});
