// The r82 board's device tree and board options (src/platform/boards/r82*.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDtb, getCells, getNode, getReg, getString, getU32, parseDtb } from '../../src/fdt/dtb.js';
import { makeR82Dtb, R82_MEMMAP } from '../../src/platform/boards/r82Dt.js';
import { R82Board, R82_MIDR } from '../../src/platform/boards/r82.js';
import { InputError } from '../../src/util/errors.js';

test('r82 tree: FVP_BaseR-like addresses, cortex-r82 CPUs with PSCI over SMC, GICv3, PL011', () => {
  const root = parseDtb(buildDtb(makeR82Dtb({ ramSize: 0x4000_0000, cpus: 2, bootargs: 'console=ttyAMA0' })), 'r82').root;
  const mem = getNode(root, '/memory@0')!;
  assert.deepEqual(getReg(root, mem), [{ address: 0, size: 0x4000_0000 }]);
  const cpus = getNode(root, '/cpus')!;
  assert.deepEqual(
    cpus.children.map((c) => [c.name, getString(c, 'compatible'), getU32(c, 'reg'), getString(c, 'enable-method')]),
    [
      ['cpu@0', 'arm,cortex-r82', 0, 'psci'],
      ['cpu@1', 'arm,cortex-r82', 1, 'psci'],
    ],
  );
  assert.equal(getString(getNode(root, '/psci')!, 'method'), 'smc');
  const gic = getNode(root, '/interrupt-controller@af000000')!;
  assert.deepEqual(getReg(root, gic), [
    { address: 0xaf00_0000, size: 0x1_0000 },
    { address: 0xaf10_0000, size: 2 * 0x2_0000 },
  ]);
  assert.equal(getU32(root, 'interrupt-parent'), getU32(gic, 'phandle'));
  const uart = getNode(root, '/uart@9c090000')!;
  assert.deepEqual(getReg(root, uart), [{ address: R82_MEMMAP.uart.base, size: 0x1_0000 }]);
  assert.deepEqual(getCells(uart, 'interrupts'), [0, 5, 4]);
  assert.equal(getString(getNode(root, '/chosen')!, 'stdout-path'), '/uart@9c090000');
  assert.equal(getString(getNode(root, '/chosen')!, 'bootargs'), 'console=ttyAMA0');
  assert.deepEqual(getCells(getNode(root, '/timer')!, 'interrupts'), [1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4]);
});

test('r82 board: Armv8-R PEs with the Cortex-R82 MIDR and the PMSA options; bad options are one InputError', () => {
  const b = new R82Board({ cpus: 2, memSize: 0x100_0000, console: () => {}, pmsa: { el2Regions: 64, el1Vmsa: false } });
  for (const pe of b.machine.pes) {
    assert.equal(pe.cfg.profile, 'R');
    assert.equal(pe.cfg.midr, R82_MIDR);
    assert.equal(pe.cfg.pmsa?.el2Regions, 64);
    assert.equal(pe.cfg.pmsa?.el1Regions, 32);
    assert.equal(pe.cfg.pmsa?.el1Vmsa, false);
  }
  const bad = (o: object, opt: string): void =>
    assert.throws(
      () => new R82Board({ cpus: 1, memSize: 0x100_0000, console: () => {}, ...o }),
      (e: unknown) => e instanceof InputError && e.message.includes(opt),
    );
  bad({ pmsa: { el2Regions: 256 } }, '--mpu-el2-regions');
  bad({ pmsa: { el1Regions: -1 } }, '--mpu-el1-regions');
  bad({ pmsa: { faultModel: 'background' } }, '--mpu-faults');
  bad({ cpus: 9 }, '--smp');
  bad({ memSize: 0x1_0000_0000 }, '--mem');
});
