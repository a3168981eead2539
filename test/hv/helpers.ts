// Shared helpers for the hypervisor unit tests: DTS text → DTB, a fake physical memory for
// copyFromPaddr, and a small seeded PRNG for property tests.
import assert from 'node:assert/strict';
import { buildDtb } from '../../src/fdt/dtb.js';
import { parseDts } from '../../src/fdt/dts.js';
import { HvPanic } from '../../src/hv/panic.js';

/** Compile DTS text to a DTB blob with our own fdt code. */
export function dtb(text: string): Uint8Array {
  return buildDtb(parseDts(text, 'test.dts'));
}

/** A sparse physical memory: blobs at addresses; reads elsewhere return zeros. Records reads. */
export class FakeMemory {
  readonly reads: { pa: number; len: number }[] = [];
  private readonly blobs: { pa: number; data: Uint8Array }[] = [];
  put(pa: number, data: Uint8Array): this {
    this.blobs.push({ pa, data });
    return this;
  }
  copyFromPaddr = (pa: number, len: number): Uint8Array => {
    this.reads.push({ pa, len });
    const out = new Uint8Array(len);
    for (const b of this.blobs) {
      for (let i = 0; i < len; i++) {
        const off = pa + i - b.pa;
        if (off >= 0 && off < b.data.length) out[i] = b.data[off];
      }
    }
    return out;
  };
}

/** Assert that `fn` panics with a message matching `re`; returns the message. */
export function assertPanics(fn: () => unknown, re: RegExp): string {
  let msg = '';
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof HvPanic, `expected HvPanic, got ${String(e)}`);
    msg = e.reason;
    assert.match(e.reason, re);
    assert.doesNotMatch(e.reason, /\n/, 'one line');
    return true;
  });
  return msg;
}

/** mulberry32: a tiny deterministic PRNG (seeded), returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi] from `rnd`. */
export function randInt(rnd: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rnd() * (hi - lo + 1));
}
