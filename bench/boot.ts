// Start-of-day benchmark (issue 5): host time from reset to the end-of-boot line on each board
// (virt; juno: RAM low and at 34 GB; seattle: RAM at 512 GB), plus the virtual time (retired
// instructions) the boot took. Prints numbers; asserts nothing.
import { bootXen } from '../src/cli/boot.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
for (const board of ['virt', 'juno', 'seattle']) {
  const times: number[] = [];
  let insns = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = bootXen({ board, loader: 'direct', strict: true, console: () => undefined });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${board}: boot failed: ${r.message}`);
    insns = r.machine.totalRetired;
  }
  times.sort((a, b) => a - b);
  console.log(
    `${board.padEnd(10)} ${times[times.length >> 1].toFixed(1).padStart(7)} ms host (median of ${runs})  ${insns} instructions of virtual time`,
  );
}
