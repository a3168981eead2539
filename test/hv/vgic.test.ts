// The vGICv3 and the virtual timer end to end: a domU programs its distributor and
// redistributor, arms the EL1 virtual timer, WFIs and takes virtual PPI 27 through a list
// register (acknowledged and EOIed through ICV_*), then an SPI it made pending itself — while
// another domU runs beside it. Deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootDomUs, domU } from './domUs.js';

function boot(smp: number) {
  return bootDomUs([domU(1, 'domu-vgic.img'), domU(2, 'hello-domu.img')], { smp });
}

const lines = (out: string, prefix: string): string[] => out.split('\n').filter((l) => l.startsWith(prefix));

for (const smp of [1, 2]) {
  test(`a domU takes its virtual timer and an SPI through the vGIC's list registers (${smp} pCPU)`, () => {
    const r = boot(smp);
    assert.equal(r.status, 0, r.out + r.message);
    const d1 = lines(r.out, '(XEN) DOM1: ');
    assert.equal(d1.filter((l) => l.includes('FAIL')).length, 0, d1.join('\n'));
    for (const p of [
      'vtimer-taken',
      'vtimer-intid',
      'vtimer-istatus',
      'vtimer-again',
      'spi-taken',
      'spi-intid',
      'gicr-typer-last',
      'vpl011-spi-taken',
      'vpl011-spi-intid',
      'vpl011-spi-once',
      'vpl011-spi-once-then-vtimer',
    ])
      assert.ok(d1.includes(`(XEN) DOM1: PASS ${p}`), `${p}\n${d1.join('\n')}`);
    assert.ok(d1.includes('(XEN) DOM1: DONE pass=28 fail=0'), d1.join('\n'));
    assert.ok(r.out.includes('(XEN) DOM2: DONE pass=2 fail=0'));
    // The unimplemented offset is logged once, Xen-style, and read as zero.
    assert.match(r.out, /\(XEN\) d1v0: vGICD: unhandled read offset 0x008000\n/);
  });
}

test('vGIC determinism: two runs, the same console and the same retired instructions', () => {
  const a = boot(2);
  const b = boot(2);
  assert.equal(a.out, b.out);
  assert.deepEqual(
    a.machine.pes.map((p) => p.retired),
    b.machine.pes.map((p) => p.retired),
  );
});
