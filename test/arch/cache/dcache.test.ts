// The data-cache model on its own (src/arch/cache/dcache.ts): write-back, eviction, the
// maintenance operations and the seeded victim choice. Memory is the bus's RAM, read directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../../src/platform/bus.js';
import { CacheOp, DataCache, dataCacheGeometryProblem } from '../../../src/arch/cache/dcache.js';

const RAM = 0x4000_0000;

function setup(sizeBytes = 1024, ways = 2, seed = 1): { bus: Bus; dc: DataCache; mem32(pa: number): number } {
  const bus = new Bus();
  bus.addRam(RAM, 0x10_0000);
  const dc = new DataCache(bus, { sizeBytes, ways, seed });
  bus.dcache = dc;
  const mem32 = (pa: number): number => new DataView(bus.readBytes(pa, 4).buffer).getUint32(0, true);
  return { bus, dc, mem32 };
}

test('geometry: sets = size / (64 * ways); CCSIDR_EL1 and CLIDR_EL1 describe it', () => {
  const { dc } = setup(32 * 1024, 4);
  assert.equal(dc.sets, 128);
  const ccsidr = dc.ccsidr();
  assert.equal(Number(ccsidr & 7n) + 4, 6, 'LineSize: log2(64) - 4');
  assert.equal(Number((ccsidr >> 3n) & 0x3ffn) + 1, 4, 'Associativity');
  assert.equal(Number((ccsidr >> 13n) & 0x7fffn) + 1, 128, 'NumSets');
  const clidr = dc.clidr();
  assert.equal(Number(clidr & 7n), 4, 'Ctype1: unified');
  assert.equal(Number((clidr >> 3n) & 7n), 0, 'no level 2');
  assert.equal(Number((clidr >> 24n) & 7n), 1, 'LoC = 1');
  assert.equal(Number((clidr >> 27n) & 7n), 1, 'LoUU = 1: fetch needs the line cleaned');
  assert.match(dataCacheGeometryProblem(1000, 4) ?? '', /power of two/);
  assert.match(dataCacheGeometryProblem(1024, 3) ?? '', /ways/);
  assert.match(dataCacheGeometryProblem(64, 4) ?? '', /sets/);
  assert.equal(dataCacheGeometryProblem(64, 1), null);
});

test('write-back: a cacheable write stays in a dirty line; memory keeps the old value', () => {
  const { dc, mem32 } = setup();
  dc.write(RAM + 0x100, 4, 0xdead_beef, 0, false);
  assert.equal(mem32(RAM + 0x100), 0);
  assert.equal(dc.read(RAM + 0x100, 4), 0xdead_beef);
  assert.deepEqual(dc.occupancy(), { valid: 1, dirty: 1 });
  // 8-byte reads return the high half in rhi.
  dc.write(RAM + 0x108, 8, 0x1111_2222, 0x3333_4444, false);
  assert.equal(dc.read(RAM + 0x108, 8), 0x1111_2222);
  assert.equal(dc.rhi, 0x3333_4444);
});

test('a read allocates a clean line filled from memory', () => {
  const { bus, dc } = setup();
  bus.writeBytes(RAM + 0x40, Uint8Array.of(1, 2, 3, 4));
  assert.equal(dc.read(RAM + 0x42, 2), 0x0403);
  assert.deepEqual(dc.occupancy(), { valid: 1, dirty: 0 });
});

test('eviction writes the dirty victim back (a set of 2 ways, 3 lines)', () => {
  const { dc, mem32 } = setup(1024, 2); // 8 sets: lines 512 bytes apart share a set
  const a = [RAM, RAM + 512, RAM + 1024];
  a.forEach((pa, i) => dc.write(pa, 4, 0x100 + i, 0, false));
  assert.equal(dc.stats.evictions, 1);
  assert.equal(dc.stats.writebacks, 1);
  const inMemory = a.slice(0, 2).filter((pa, i) => mem32(pa) === 0x100 + i);
  assert.equal(inMemory.length, 1, 'exactly one of the first two lines was evicted and written back');
  assert.equal(mem32(a[2]), 0, 'the newest line is still only in the cache');
  // Whatever was evicted, the cache still returns the latest data for every address.
  a.forEach((pa, i) => assert.equal(dc.read(pa, 4), 0x100 + i));
});

test('invalidate discards a dirty line; clean makes memory current and keeps the line', () => {
  const { bus, dc, mem32 } = setup();
  bus.writeBytes(RAM + 0x200, Uint8Array.of(0x11, 0, 0, 0));
  dc.write(RAM + 0x200, 4, 0x22, 0, false);
  dc.maintain(RAM + 0x23c, CacheOp.Invalidate); // any address in the line
  assert.equal(mem32(RAM + 0x200), 0x11);
  assert.equal(dc.read(RAM + 0x200, 4), 0x11, 'the write is lost: memory is read again');

  dc.write(RAM + 0x200, 4, 0x33, 0, false);
  dc.maintain(RAM + 0x200, CacheOp.Clean);
  assert.equal(mem32(RAM + 0x200), 0x33);
  assert.deepEqual(dc.occupancy(), { valid: 1, dirty: 0 });
  dc.maintain(RAM + 0x200, CacheOp.CleanInvalidate);
  assert.deepEqual(dc.occupancy(), { valid: 0, dirty: 0 });
});

test('write-through: updates a resident line and never dirties or allocates', () => {
  const { dc, mem32 } = setup();
  dc.write(RAM + 0x300, 4, 5, 0, true);
  assert.deepEqual(dc.occupancy(), { valid: 0, dirty: 0 }, 'no write-allocate');
  assert.equal(dc.read(RAM + 0x300, 4), 0);
  dc.write(RAM + 0x300, 4, 6, 0, true);
  assert.equal(dc.read(RAM + 0x300, 4), 6);
  assert.deepEqual(dc.occupancy(), { valid: 1, dirty: 0 });
  assert.equal(mem32(RAM + 0x300), 0, 'memory is written by the caller (mem/access.ts), not the cache');
});

/** DC CSW/CISW operands for every set and way (the loop software runs, from CCSIDR). */
function allSetWays(dc: DataCache): number[] {
  const a = Math.log2(dc.ways);
  const out: number[] = [];
  for (let w = 0; w < dc.ways; w++) for (let s = 0; s < dc.sets; s++) out.push(((a ? w << (32 - a) : 0) | (s << 6) | 0) >>> 0);
  return out;
}

test('set/way clean and clean+invalidate reach every line; other levels are ignored', () => {
  for (const ways of [1, 4]) {
    const { dc, mem32 } = setup(4096, ways);
    for (let o = 0; o < 4096; o += 64) dc.write(RAM + 0x8000 + o, 4, o + 1, 0, false);
    assert.deepEqual(dc.occupancy(), { valid: 64, dirty: 64 });
    for (const sw of allSetWays(dc)) dc.setWay(sw | (1 << 1), CacheOp.Clean); // level 2: none
    assert.equal(dc.occupancy().dirty, 64);
    for (const sw of allSetWays(dc)) dc.setWay(sw, CacheOp.Clean);
    assert.deepEqual(dc.occupancy(), { valid: 64, dirty: 0 });
    for (let o = 0; o < 4096; o += 64) assert.equal(mem32(RAM + 0x8000 + o), o + 1);
    for (const sw of allSetWays(dc)) dc.setWay(sw, CacheOp.CleanInvalidate);
    assert.deepEqual(dc.occupancy(), { valid: 0, dirty: 0 });
  }
});

test('set/way invalidate discards dirty data in the addressed way only', () => {
  const { dc, mem32 } = setup(1024, 2);
  dc.write(RAM, 4, 7, 0, false); // set 0, way 0 (first invalid way)
  dc.write(RAM + 512, 4, 8, 0, false); // set 0, way 1
  dc.setWay((1 << 31) >>> 0, CacheOp.Invalidate);
  assert.equal(dc.read(RAM, 4), 7);
  assert.equal(dc.read(RAM + 512, 4), 0, 'way 1 discarded');
  assert.equal(mem32(RAM), 0);
});

/** A fixed pseudo-random workload on a small cache; returns memory and residency afterwards. */
function workload(seed: number): string {
  const { bus, dc } = setup(512, 4, seed); // 2 sets of 4 ways
  let x = 12345;
  for (let i = 0; i < 400; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const pa = RAM + ((x >>> 8) % 64) * 64;
    if (x & 1) dc.write(pa, 4, i, 0, false);
    else dc.read(pa, 4);
  }
  const mem = Array.from(bus.readBytes(RAM, 64 * 64)).join(',');
  return `${dc.stats.writebacks}/${mem}`;
}

test('eviction is deterministic per seed and differs between seeds', () => {
  assert.equal(workload(1), workload(1));
  assert.equal(workload(99), workload(99));
  const distinct = new Set([1, 2, 3, 4].map(workload));
  assert.ok(distinct.size > 1, 'different seeds pick different victims');
  assert.notEqual(workload(1), workload(2));
});

test('decoded instructions on a page are dropped when a line is written back there', () => {
  const { bus, dc } = setup();
  const page = bus.ramPage(RAM)!;
  page.code = new Array(1024).fill(undefined);
  page.code[0] = () => undefined;
  page.decoded = 1;
  dc.write(RAM, 4, 1, 0, false);
  assert.equal(page.decoded, 1, 'a write into the cache leaves memory, and so fetch, alone');
  dc.maintain(RAM, CacheOp.Clean);
  assert.equal(page.decoded, 0);
});

test('host-side helpers: cacheable byte writes, range maintenance', () => {
  const { bus, dc } = setup(4096, 4);
  dc.writeBytes(RAM + 0x3e, Uint8Array.of(1, 2, 3, 4, 5, 6)); // spans two lines
  assert.deepEqual(Array.from(dc.readBytes(RAM + 0x3e, 6)), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(bus.readBytes(RAM + 0x3e, 6)), [0, 0, 0, 0, 0, 0]);
  assert.equal(dc.occupancy().dirty, 2);
  dc.maintainRange(RAM + 0x3f, 2, CacheOp.CleanInvalidate); // touches both lines
  assert.deepEqual(Array.from(bus.readBytes(RAM + 0x3e, 6)), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(dc.occupancy(), { valid: 0, dirty: 0 });
});
