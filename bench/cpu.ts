// CPU benchmark: guest MIPS of armvisor on the CPU-bound `bench` guest, and the ratio to QEMU
// (TCG) running the same image in the same process tree. Prints numbers; asserts nothing.
//
// armvisor's MIPS = instructions retired by the guest / host seconds of the run loop.
// QEMU's MIPS = the guest's own count (BENCH insns=N) / (wall time − wall time of the `hello`
// guest, i.e. QEMU's start-up and shutdown).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { armvisorRun, guests, median, mipsOf } from './lib.js';

const image = path.join(guests, 'bin/bench.elf');
const el = (process.argv.includes('--el2') ? 2 : 1) as 1 | 2;

function qemuSeconds(file: string): number | null {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', [path.join(guests, 'run-qemu.sh'), file, String(el), '1'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
const ours = Array.from({ length: runs }, () => armvisorRun(image, el));
const guestCount = Number(/BENCH insns=(\d+)/.exec(ours[0].out)?.[1] ?? NaN);
const mips = median(ours.map(mipsOf));
console.log(`bench guest: ${guestCount} instructions in its timed loop, ${ours[0].insns} retired in all (EL${el})`);
console.log(`armvisor: ${mips.toFixed(1)} MIPS (median of ${runs}; ${ours.map((r) => r.seconds.toFixed(2) + 's').join(' ')})`);

const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-aarch64']).status === 0;
if (!hasQemu) {
  console.log('qemu: not installed, no ratio');
} else {
  const base = median(Array.from({ length: runs }, () => qemuSeconds(path.join(guests, 'bin/hello.elf')) ?? NaN));
  const full = median(Array.from({ length: runs }, () => qemuSeconds(image) ?? NaN));
  const qmips = guestCount / Math.max(full - base, 1e-3) / 1e6;
  console.log(`qemu:     ${qmips.toFixed(0)} MIPS (wall ${full.toFixed(2)}s − start-up ${base.toFixed(2)}s)`);
  console.log(`ratio:    armvisor runs at 1/${(qmips / mips).toFixed(1)} of QEMU's speed`);
}
console.log(`memory:   ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB RSS`);
