// A small deterministic PRNG (mulberry32) for everything the machine chooses "at random" —
// today the data cache's eviction victims — so that a run with the same seed replays exactly
// (DESIGN.md §2: no host entropy on guest-visible paths).

export class Prng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  /** The next 32-bit unsigned value. */
  nextU32(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n) (n ≤ 2^32; the tiny modulo bias is irrelevant for victim choice). */
  below(n: number): number {
    return this.nextU32() % n;
  }
}
