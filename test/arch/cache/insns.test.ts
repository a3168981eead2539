// The data cache as instructions see it: cacheable (HCR_EL2.DC = 1, as in seed 001's patch)
// against MMU-off accesses (Device: they bypass the cache), the DC maintenance instructions,
// the set/way geometry in CLIDR/CCSIDR and instruction fetch reading memory.
// Words assembled with aarch64-linux-gnu-as and checked with objdump -d.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, normalMemory, DATA, CODE, type TestCpu } from '../../helpers/cpu.js';
import { sr } from '../../../src/arch/sysreg/index.js';
import { DataCache } from '../../../src/arch/cache/dcache.js';

const STR_X1 = 0xf9000001; // str x1, [x0]
const STR_X2 = 0xf9000002; // str x2, [x0]
const LDR_X2 = 0xf9400002; // ldr x2, [x0]
const LDR_X3 = 0xf9400003; // ldr x3, [x0]
const DC_CVAC = 0xd50b7a20; // dc cvac, x0
const DC_CIVAC = 0xd50b7e20; // dc civac, x0
const DC_IVAC = 0xd5087620; // dc ivac, x0
const DC_CVAU = 0xd50b7b20; // dc cvau, x0
const DC_CSW = 0xd5087a43; // dc csw, x3
const MRS_CLIDR = 0xd5390024; // mrs x4, clidr_el1
const MRS_CCSIDR = 0xd5390005; // mrs x5, ccsidr_el1
const STR_W1 = 0xb9000001; // str w1, [x0]
const MOV_X5_1 = 0xd2800025; // mov x5, #0x1
const MOV_X5_2 = 0xd2800045; // mov x5, #0x2

function withCache(words: number[]): { c: TestCpu; dc: DataCache; mem64(pa: number): bigint } {
  const c = makeCpu(words, { el: 1 });
  const dc = new DataCache(c.bus, { sizeBytes: 4096, ways: 4, seed: 1 });
  c.bus.dcache = dc;
  c.pe.flushTlb();
  normalMemory(c); // identity stage 2, Normal WB, HCR_EL2 = DC
  const mem64 = (pa: number): bigint => new DataView(c.bus.readBytes(pa, 8).buffer).getBigUint64(0, true);
  return { c, dc, mem64 };
}

/** HCR_EL2.DC on (EL1 data cacheable with the MMU off) or off (MMU off: Device, uncached). */
function cacheable(c: TestCpu, on: boolean): void {
  c.pe.sys[sr('HCR_EL2')] = on ? 1n << 12n : 0n;
  c.pe.refreshControl();
}

test('seed 001: data written cacheable is stale for an MMU-off read until DC CVAC', () => {
  const { c, dc, mem64 } = withCache([STR_X1, LDR_X2, DC_CVAC, LDR_X3]);
  c.setX(0, DATA);
  c.setX(1, 0x1234_5678_9abc_def0n);
  c.pe.run(1); // cacheable store: a dirty line
  assert.equal(mem64(DATA), 0n);
  cacheable(c, false);
  c.pe.run(1);
  assert.equal(c.x(2), 0n, 'the MMU-off read goes to memory and misses the dirty line');
  c.pe.run(2); // dc cvac (MMU off: VA = PA), ldr
  assert.equal(c.x(3), 0x1234_5678_9abc_def0n);
  assert.deepEqual(dc.occupancy(), { valid: 1, dirty: 0 }, 'clean keeps the line');
});

test('DC CIVAC writes the line back and removes it', () => {
  const { c, dc, mem64 } = withCache([STR_X1, DC_CIVAC]);
  c.setX(0, DATA + 0x48);
  c.setX(1, 77);
  c.pe.run(2);
  assert.equal(mem64(DATA + 0x48), 77n);
  assert.deepEqual(dc.occupancy(), { valid: 0, dirty: 0 });
});

test('the reverse: an MMU-off write leaves a stale clean line that cacheable reads still hit', () => {
  const { c } = withCache([LDR_X2, STR_X1, LDR_X3, DC_IVAC, LDR_X2]);
  c.bus.writeBytes(DATA, Uint8Array.of(5));
  c.setX(0, DATA);
  c.setX(1, 6);
  c.pe.run(1); // cacheable read allocates a clean line holding 5
  assert.equal(c.x(2), 5n);
  cacheable(c, false);
  c.pe.run(1); // memory := 6
  cacheable(c, true);
  c.pe.run(1);
  assert.equal(c.x(3), 5n, 'stale line');
  c.pe.run(2); // dc ivac (a clean line: upgraded or not, it goes), then the read refills
  assert.equal(c.x(2), 6n);
});

test('DC IVAC discards a dirty line; at EL1 with HCR_EL2.VM/DC it is a clean+invalidate', () => {
  // Plain invalidate: the store is lost.
  let t = withCache([STR_X1, DC_IVAC, LDR_X2]);
  t.c.setX(0, DATA);
  t.c.setX(1, 9);
  t.c.pe.run(1);
  cacheable(t.c, false); // HCR_EL2 = 0: not upgraded
  t.c.pe.run(2);
  assert.equal(t.c.x(2), 0n);
  assert.equal(t.mem64(DATA), 0n);
  // Under HCR_EL2.DC (which makes VM behave as 1) the guest cannot discard data.
  t = withCache([STR_X1, DC_IVAC]);
  t.c.setX(0, DATA);
  t.c.setX(1, 9);
  t.c.pe.run(2);
  assert.equal(t.mem64(DATA), 9n);
  assert.deepEqual(t.dc.occupancy(), { valid: 0, dirty: 0 });
});

test('cacheable stores never take the fast path (the second store must not reach memory)', () => {
  const { c, mem64, dc } = withCache([STR_X1, STR_X2, LDR_X3]);
  c.setX(0, DATA);
  c.setX(1, 1);
  c.setX(2, 2);
  c.pe.run(3);
  assert.equal(mem64(DATA), 0n);
  assert.equal(c.x(3), 2n);
  assert.equal(dc.stats.misses, 1);
  assert.equal(dc.stats.hits, 2);
});

test('CLIDR_EL1/CCSIDR_EL1 describe the model; DC CSW over that geometry cleans everything', () => {
  const { c, dc, mem64 } = withCache([MRS_CLIDR, MRS_CCSIDR]);
  c.pe.run(2);
  const clidr = c.x(4);
  const ccsidr = c.x(5);
  assert.equal(clidr & 7n, 4n);
  const lineLog = Number(ccsidr & 7n) + 4;
  const ways = Number((ccsidr >> 3n) & 0x3ffn) + 1;
  const sets = Number((ccsidr >> 13n) & 0x7fffn) + 1;
  assert.deepEqual([1 << lineLog, ways, sets], [64, 4, 16]);
  // Dirty every line of a 4 KiB window (exactly the cache's size), then clean by set/way.
  for (let o = 0; o < 4096; o += 64) dc.write(DATA + o, 8, o + 1, 0, false);
  const csw = withCacheSharing(c, [DC_CSW]);
  const a = Math.ceil(Math.log2(ways));
  for (let w = 0; w < ways; w++) {
    for (let s = 0; s < sets; s++) {
      csw.setX(3, ((w << (32 - a)) | (s << lineLog)) >>> 0);
      csw.pe.pc = CODE;
      csw.pe.run(1);
    }
  }
  assert.deepEqual(dc.occupancy(), { valid: 64, dirty: 0 });
  for (let o = 0; o < 4096; o += 64) assert.equal(mem64(DATA + o), BigInt(o + 1));
});

/** Reload `words` at CODE on the same PE and bus (fetch re-decodes the page). */
function withCacheSharing(c: TestCpu, words: number[]): TestCpu {
  const b = new Uint8Array(words.length * 4);
  words.forEach((w, i) => new DataView(b.buffer).setUint32(i * 4, w, true));
  c.bus.writeBytes(CODE, b);
  c.bus.ramPage(CODE)!.invalidateCode();
  c.pe.flushFetch();
  return c;
}

test('without the model CLIDR_EL1 reads the Cortex-A57 hierarchy', () => {
  const c = makeCpu([MRS_CLIDR], { el: 1 });
  c.pe.run(1);
  assert.equal(c.x(4), 0x0a20_0023n);
});

test('instruction fetch reads memory: code stored through the cache runs only after DC CVAU', () => {
  // CODE: str w1, [x0] ; mov x5, #1 (overwritten in the cache by mov x5, #2)
  const { c } = withCache([STR_W1, MOV_X5_1, DC_CVAU]);
  c.setX(0, CODE + 4);
  c.setX(1, MOV_X5_2);
  c.pe.run(2);
  assert.equal(c.x(5), 1n, 'the dirty line is invisible to fetch');
  c.pe.run(1); // dc cvau, x0
  c.pe.pc = CODE + 4;
  c.pe.run(1);
  assert.equal(c.x(5), 2n);
});
