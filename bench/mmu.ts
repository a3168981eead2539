// MMU benchmark (issue 3): guest MIPS with translation on — stage 1 at EL1, and stage 1 under
// stage 2 — against the same loop with the MMU off, in the same process. The TLB hit path must
// keep both within 25% of MMU-off speed. Prints numbers; asserts nothing.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { armvisorRun, guests, median, mipsOf } from './lib.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const cases: [string, string, 1 | 2][] = [
  ['MMU off (EL1)', 'bench.elf', 1],
  ['stage 1 on (EL1)', 'bench-mmu.elf', 1],
  ['stage 1 + stage 2 (EL1 under EL2)', 'bench-s2.elf', 2],
];
let base = NaN;
for (const [name, file, el] of cases) {
  const image = path.join(guests, 'bin', file);
  if (!existsSync(image)) {
    console.log(`${name.padEnd(34)} ${file} not built (guests/build.sh)`);
    continue;
  }
  const rs = Array.from({ length: runs }, () => armvisorRun(image, el));
  if (!/BENCH insns=\d+/.test(rs[0].out))
    console.log(`${name}: the guest did not report (output: ${JSON.stringify(rs[0].out.slice(-200))})`);
  const mips = median(rs.map(mipsOf));
  if (Number.isNaN(base)) base = mips;
  const rel = ((mips / base) * 100).toFixed(0);
  console.log(`${name.padEnd(34)} ${mips.toFixed(1).padStart(6)} MIPS  ${rel.padStart(3)}% of MMU-off`);
}
