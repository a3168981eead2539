// Seed 001's table: `node dist/bench/seed001-table.js [--boots N] [--policy none|seed|xen]
// [--guest NAME] [--first-seed S]`. Every cell is N full hypervisor boots (cache seeds S..S+N-1)
// of one MMU-off guest under one policy with the data-cache model on (src/cli/seed001.ts);
// prints the Markdown table of docs/SEED-001.md. Progress goes to stderr.
import { MMU_OFF_POLICIES, SEED001_GUESTS, seed001Cell, seed001Table, type Seed001Cell } from '../src/cli/seed001.js';
import type { MmuOffPolicy } from '../src/hv/cacheCoherency.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const boots = Number(arg('--boots') ?? 100);
const firstSeed = Number(arg('--first-seed') ?? 1);
const policies = (arg('--policy') ? [arg('--policy')] : [...MMU_OFF_POLICIES]) as MmuOffPolicy[];
const guests = arg('--guest') ? SEED001_GUESTS.filter((g) => g === arg('--guest')) : [...SEED001_GUESTS];
for (const p of policies) if (!(MMU_OFF_POLICIES as readonly string[]).includes(p)) throw new Error(`--policy ${p}: none, seed or xen`);
if (!Number.isInteger(boots) || boots < 1 || guests.length === 0)
  throw new Error('--boots N (N >= 1) and --guest one of ' + SEED001_GUESTS.join(', '));

const cells: Seed001Cell[] = [];
const t0 = Date.now();
for (const p of policies) {
  for (const g of guests) {
    const c = seed001Cell(g, p, boots, firstSeed);
    cells.push(c);
    process.stderr.write(`${p} ${g}: ${c.pass}/${c.boots} pass (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
}
process.stdout.write(seed001Table(cells) + '\n');
