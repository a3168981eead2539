// Seed 001's measurement: the three MMU-off guests (guests/src-mmuoff) under each cache policy
// (src/hv/cacheCoherency.ts), booted with the data-cache model on, one full hypervisor boot per
// cache seed. What varies from boot to boot is only the eviction PRNG's seed; the hypervisor,
// the policy code paths, the guest and the cache geometry are the same real code every time.
// A boot counts as corrupted unless the guest printed its PASS line.
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { bootXen } from './boot.js';
import { MMU_OFF_POLICIES, type MmuOffPolicy } from '../hv/cacheCoherency.js';
import type { DataCacheOptions } from '../arch/cache/dcache.js';

export const SEED001_GUESTS = ['mmuoff-image', 'mmuoff-m-before-c', 'mmuoff-setway'] as const;
export type Seed001Guest = (typeof SEED001_GUESTS)[number];

/** Which cells a policy claims to cover (the table's expectation, checked by the test). */
export const SEED001_COVERS: Record<MmuOffPolicy, readonly Seed001Guest[]> = {
  none: [],
  seed: ['mmuoff-image', 'mmuoff-setway'],
  xen: ['mmuoff-image', 'mmuoff-m-before-c', 'mmuoff-setway'],
};

export type Seed001Outcome = 'pass' | 'fail' | 'crash';

const images = new Map<string, Uint8Array>();
function guestImage(g: Seed001Guest): Uint8Array {
  let b = images.get(g);
  if (!b) {
    b = readFileSync(fileURLToPath(new URL(`../../../guests/bin/${g}.elf`, import.meta.url)));
    images.set(g, b);
  }
  return b;
}

/** One boot: the hypervisor, one 4 MB domU running `guest` under `policy`, the cache on. */
export function seed001Boot(
  guest: Seed001Guest,
  policy: MmuOffPolicy,
  cache: Partial<DataCacheOptions> & { seed: number },
): { outcome: Seed001Outcome; line: string } {
  let out = '';
  bootXen({
    board: 'virt',
    smp: 1,
    loader: 'direct',
    domains: [
      {
        name: 'domU1',
        memKb: 4096,
        cpus: 1,
        vpl011: true,
        kernel: { kind: 'kernel', data: guestImage(guest), name: guest },
        mmuOffPolicy: policy,
      },
    ],
    maxInsns: 20_000_000,
    console: (b) => {
      out += String.fromCharCode(b);
    },
    onMachine: (m) => void m.enableDataCache(cache),
  });
  const line = out.split('\n').find((l) => /DOM1: (PASS|FAIL) /.test(l)) ?? '';
  const outcome = line.includes(': PASS ') ? 'pass' : line.includes(': FAIL ') ? 'fail' : 'crash';
  return { outcome, line: line.replace(/^.*DOM1: /, '') };
}

export interface Seed001Cell {
  guest: Seed001Guest;
  policy: MmuOffPolicy;
  boots: number;
  pass: number;
  fail: number;
  crash: number;
  /** First corrupted seed (a reproducer), or null. */
  firstBad: number | null;
}

/** `boots` boots of one cell with cache seeds firstSeed, firstSeed + 1, ... */
export function seed001Cell(guest: Seed001Guest, policy: MmuOffPolicy, boots: number, firstSeed = 1): Seed001Cell {
  const c: Seed001Cell = { guest, policy, boots, pass: 0, fail: 0, crash: 0, firstBad: null };
  for (let s = firstSeed; s < firstSeed + boots; s++) {
    const r = seed001Boot(guest, policy, { seed: s });
    c[r.outcome]++;
    if (r.outcome !== 'pass' && c.firstBad === null) c.firstBad = s;
  }
  return c;
}

/** The table as docs/SEED-001.md shows it. */
export function seed001Table(cells: Seed001Cell[]): string {
  const rows = [
    '| policy | guest | boots | PASS | FAIL | crashed/hung | corrupted | claims to cover | first bad seed |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of cells) {
    const bad = c.fail + c.crash;
    const covers = SEED001_COVERS[c.policy].includes(c.guest) ? 'yes' : 'no';
    rows.push(
      `| ${c.policy} | ${c.guest} | ${c.boots} | ${c.pass} | ${c.fail} | ${c.crash} | ${((100 * bad) / c.boots).toFixed(1)}% | ${covers} | ${c.firstBad ?? '-'} |`,
    );
  }
  return rows.join('\n');
}

export { MMU_OFF_POLICIES };
