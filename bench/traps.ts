// Trap round-trip benchmark (issue 6): a domU writes a vpl011 register 100000 times; each write
// is a stage-2 data abort to EL2, decoded and emulated by the hypervisor, and an ERET back.
// Prints round trips per host second (median of BENCH_RUNS boots, each minus the time of the
// same boot with a guest that makes no such writes); asserts nothing. The peer is real Xen 4.17
// on QEMU (bench/realXen.ts; tools/fetch-real-xen.sh): the same guest as a dom0less domU, whose
// loop the guest times itself with CNTVCT (host time under QEMU TCG); the ratio is ours over
// real Xen's. Without real Xen the line says why.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bootXen } from '../src/cli/boot.js';
import { findRealXen, runRealXen } from './realXen.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const guest = (f: string): Uint8Array => readFileSync(fileURLToPath(new URL(`../../guests/bin/${f}`, import.meta.url)));

function timeBoot(file: string): { ms: number; out: string } {
  let out = '';
  const t0 = process.hrtime.bigint();
  const r = bootXen({
    board: 'virt',
    loader: 'direct',
    smp: 1,
    console: (b) => (out += String.fromCharCode(b)),
    domains: [{ name: 'domU1', memKb: 16 * 1024, cpus: 1, vpl011: true, kernel: { kind: 'kernel', data: guest(file), name: file } }],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${file}: ${r.message}`);
  return { ms, out };
}

const med = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1];
const base: number[] = [];
const bench: number[] = [];
let trips = 0;
for (let i = 0; i < runs; i++) {
  base.push(timeBoot('hello-domu.img').ms);
  const b = timeBoot('domu-mmio-bench.img');
  bench.push(b.ms);
  trips = Number(/BENCH mmio-round-trips=(\d+)/.exec(b.out)?.[1] ?? 0);
}
const ms = med(bench) - med(base);
console.log(
  `domU MMIO write emulated by the hypervisor: ${trips} round trips in ${ms.toFixed(0)} ms host => ${Math.round((trips / ms) * 1000)} round trips/s`,
);

const peer = findRealXen();
if ('missing' in peer) console.log(`real Xen 4.17 on QEMU: not run (${peer.missing})`);
else {
  // The peer's time is the guest's own: its loop timed with CNTVCT, which under QEMU TCG follows
  // host time (BENCH mmio-ticks); so QEMU's and Xen's boot times do not enter the figure.
  const done = /DOM1: DONE pass=\d+ fail=\d+\n/;
  const realMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runRealXen(peer.xen, [{ kernel: guest('domu-mmio-bench.img'), memKb: 16 * 1024, done }]);
    const m = /BENCH mmio-ticks=(\d+) cntfrq=(\d+)/.exec(r.out);
    if (r.timedOut || !m || !/DOM1: DONE pass=1 fail=0/.test(r.out))
      throw new Error(`real Xen: domu-mmio-bench did not finish:\n${r.out.slice(-2000)}`);
    realMs.push((Number(m[1]) / Number(m[2])) * 1000);
  }
  const rms = med(realMs);
  const ours = trips / ms;
  const theirs = trips / rms;
  console.log(
    `real Xen 4.17 on QEMU 7.2 (TCG), same guest: ${trips} round trips in ${rms.toFixed(0)} ms host (the guest's CNTVCT) => ${Math.round(theirs * 1000)} round trips/s; ratio armvisor/real Xen = ${(ours / theirs).toFixed(3)}`,
  );
}
