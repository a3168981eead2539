// Differential against real Xen 4.17 under QEMU (bench/realXen.ts; tools/fetch-real-xen.sh
// fetches it into a cache outside the repo — skipped with the reason when it is absent): the
// abort guest (domu-abort) must print the same syndrome lines under both hypervisors, i.e. the
// injected ESR_EL1, FAR_EL1 and vector are Xen's, and the vpl011 must refuse the same accesses
// with the same log lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bootXen } from '../../src/cli/boot.js';
import { findRealXen, runRealXen } from '../../bench/realXen.js';

const guest = (name: string): Uint8Array => readFileSync(fileURLToPath(new URL(`../../../guests/bin/${name}`, import.meta.url)));
const peer = findRealXen();

/** domU1's result lines (syndromes, checks, the summary) and the vpl011's log lines about it. */
function resultLines(out: string): string[] {
  return out.split('\n').filter((l) => /^\(XEN\) (DOM1: (ABT|PASS|FAIL|DONE) |d1v0 vpl011: )/.test(l));
}

test(
  'domu-abort: the injected aborts are the same under real Xen 4.17 on QEMU and under armvisor',
  { skip: 'missing' in peer ? peer.missing : false },
  async () => {
    if (!('xen' in peer)) return;
    const abort = guest('domu-abort.img');
    const hello = guest('hello-domu.img');
    const real = await runRealXen(peer.xen, [
      { kernel: abort, memKb: 16 * 1024, done: /DOM1: DONE pass=\d+ fail=\d+\n/ },
      { kernel: hello, memKb: 16 * 1024, done: /DOM2: DONE pass=\d+ fail=\d+\n/ },
    ]);
    assert.ok(!real.timedOut, real.out.slice(-3000));
    let out = '';
    const ours = bootXen({
      board: 'virt',
      loader: 'direct',
      smp: 2,
      console: (b) => (out += String.fromCharCode(b)),
      domains: [
        { name: 'domU1', memKb: 16 * 1024, cpus: 1, vpl011: true, kernel: { kind: 'kernel', data: abort, name: 'domu-abort.img' } },
        { name: 'domU2', memKb: 16 * 1024, cpus: 1, vpl011: true, kernel: { kind: 'kernel', data: hello, name: 'hello-domu.img' } },
      ],
    });
    assert.equal(ours.status, 0, out);
    const theirs = resultLines(real.out);
    assert.ok(theirs.includes('(XEN) DOM1: DONE pass=10 fail=0'), real.out.slice(-3000));
    assert.deepEqual(resultLines(out), theirs);
  },
);
