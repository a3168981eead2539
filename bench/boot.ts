// Start-of-day benchmark (issue 5): host time from reset to the end-of-boot line for each RAM
// layout (virt; juno-like banks low and at 34 GB; seattle-like RAM at 512 GB), plus the
// virtual time (retired instructions) the boot took. Prints numbers; asserts nothing.
import { bootXen, type RamBankSpec } from '../src/cli/boot.js';

const GB = 2 ** 30;
const runs = Number(process.env.BENCH_RUNS ?? 5);
const boards: [string, RamBankSpec[] | undefined][] = [
  ['virt (512 MB at 1 GB)', undefined],
  [
    'juno-like (2 GB + 6 GB at 0x8_8000_0000)',
    [
      { start: 0x8000_0000, size: 2 * GB },
      { start: 0x8_8000_0000, size: 6 * GB },
    ],
  ],
  ['seattle-like (8 GB at 512 GB)', [{ start: 512 * GB, size: 8 * GB }]],
];
for (const [name, ram] of boards) {
  const times: number[] = [];
  let insns = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = bootXen({ board: 'virt', loader: 'direct', strict: true, console: () => undefined, ...(ram ? { ram } : {}) });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${name}: boot failed: ${r.message}`);
    insns = r.machine.totalRetired;
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(44)} ${times[times.length >> 1].toFixed(1).padStart(7)} ms host (median of ${runs})  ${insns} instructions of virtual time`,
  );
}
