// Blocking and virtual interrupts end to end (Xen's vcpu_block / vcpu_kick, vgic_to_sgi,
// virt_timer_save with a software timer, per-domain CNTVOFF): a 2-vCPU domU whose vCPU1 waits
// in WFI for an SGI from vCPU0; a domU that sleeps on its virtual timer (WFI, then
// SCHEDOP_block) beside another domain, with its CNTVCT starting near 0; and a machine whose
// only vCPU sleeps 100 ms of virtual time without retiring anything like 100 ms of instructions
// (its runstate area, VCPUOP_register_runstate_memory_area, shows the 100 ms as blocked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootDomUs, domU } from './domUs.js';

const lines = (out: string, prefix: string): string[] => out.split('\n').filter((l) => l.startsWith(prefix));

function assertPasses(out: string, dom: string, names: string[], total: number): void {
  const d = lines(out, `(XEN) ${dom}: `);
  assert.equal(d.filter((l) => l.includes('FAIL')).length, 0, d.join('\n'));
  for (const p of names) assert.ok(d.includes(`(XEN) ${dom}: PASS ${p}`), `${p}\n${d.join('\n')}`);
  assert.ok(d.includes(`(XEN) ${dom}: DONE pass=${total} fail=0`), d.join('\n'));
}

for (const smp of [2, 1]) {
  test(`SGIs between vCPUs: vCPU1 blocked in WFI takes vCPU0's SGIs (TargetList, IRM), and one while running (${smp} pCPU)`, () => {
    const r = bootDomUs([domU(1, 'domu-sgi.img', { cpus: 2 })], { smp: smp });
    assert.equal(r.status, 0, r.out + r.message);
    assertPasses(
      r.out,
      'DOM1',
      [
        'sgi-list-taken',
        'sgi-list-intid',
        'sgi-woke-after-send',
        'sgi-slept-through-delay',
        'sgi-others-taken',
        'sgi-others-intid',
        'sgi-bad-target-dropped',
        'sgi-to-running-taken',
        'sgi-to-running-intid',
        'sgi-not-to-self',
        'vcpu1-off',
      ],
      12,
    );
    const lat = /\(XEN\) DOM1: sgi to running vCPU after (-?\d+) ticks/.exec(r.out);
    assert.ok(lat, r.out);
    // Each vCPU on its own pCPU: the kick (event-check SGI) makes vCPU1 exit at once — far less
    // than the 62 500-tick slice it would otherwise run before seeing the interrupt.
    if (smp === 2) assert.ok(Number(lat[1]) < 2_000, `latency ${lat[1]} ticks`);
    // The SGI to Aff0 = 5 (no such vCPU) is dropped with one line, as Xen's vgic_to_sgi warns.
    assert.match(r.out, /\(XEN\) d1v0: vGICv3: SGI1R 0x3000020: target\(s\) 5 not an online vCPU\n/);
  });
}

for (const smp of [1, 2]) {
  test(`a domU sleeps on its virtual timer (WFI, SCHEDOP_block) while another domain runs; CNTVCT starts near 0 (${smp} pCPU)`, () => {
    const r = bootDomUs([domU(1, 'domu-wfi-timer.img'), domU(2, 'domu-spin.img')], { smp: smp });
    assert.equal(r.status, 0, r.out + r.message);
    assertPasses(
      r.out,
      'DOM1',
      [
        'cntvoff-nonzero',
        'cntvct-starts-near-0',
        'wfi-vtimer-taken',
        'wfi-woke-after-deadline',
        'wfi-woke-once',
        'schedop-block-ret',
        'schedop-block-taken',
        'schedop-block-after-deadline',
        'schedop-block-unmasked-irqs',
        'long-sleep-after-deadline',
        'vcpuop-is-up-einval',
        'vcpuop-runstate-bad-vcpu',
        'vcpuop-runstate-register',
        'runstate-running',
        'runstate-blocked-100ms',
        'runstate-running-again',
      ],
      16,
    );
    assert.ok(r.out.includes('(XEN) DOM2: DONE pass=1 fail=0'));
    if (smp === 1) {
      // One pCPU: the spinner ran while d1 was blocked — its first line comes before d1's first wake-up check.
      const all = r.out.split('\n');
      assert.ok(all.indexOf('(XEN) DOM2: spin: start') < all.indexOf('(XEN) DOM1: PASS wfi-woke-after-deadline'));
    }
  });
}

test('a blocked vCPU consumes no time slices: 100 ms asleep in WFI, virtual time jumps over it', () => {
  const r = bootDomUs([domU(1, 'domu-wfi-timer.img')], { smp: 1 });
  assert.equal(r.status, 0, r.out + r.message);
  const slept = /\(XEN\) DOM1: slept (\d+) ticks/.exec(r.out);
  assert.ok(slept, r.out);
  // 62.5 MHz: 100 ms = 6 250 000 ticks of virtual time passed in the long sleep…
  assert.ok(Number(slept[1]) >= 6_250_000);
  // …but a vCPU spinning (or yielding) through it would retire ~100M instructions (1 ns each).
  const retired = r.machine.pes.reduce((a, p) => a + p.retired, 0);
  assert.ok(retired < 30_000_000, `retired ${retired}`);
});

test('blocking is deterministic: two runs, the same console and the same retired instructions', () => {
  const a = bootDomUs([domU(1, 'domu-sgi.img', { cpus: 2 }), domU(2, 'domu-wfi-timer.img')], { smp: 2 });
  const b = bootDomUs([domU(1, 'domu-sgi.img', { cpus: 2 }), domU(2, 'domu-wfi-timer.img')], { smp: 2 });
  assert.equal(a.status, 0, a.out + a.message);
  assert.equal(a.out, b.out);
  assert.deepEqual(
    a.machine.pes.map((p) => p.retired),
    b.machine.pes.map((p) => p.retired),
  );
});
