// `armvisor run --board r82` as users run it: the demo guest, the board options and their
// errors (one line, status 1), and the MPU views of --explain and --dump-tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, oneLineError } from '../helpers/cli.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const GUESTS = fileURLToPath(new URL('../../../guests/', import.meta.url));

test('run --board r82 with no image boots the r82 demo guest at EL2 with the Cortex-R82 MIDR', () => {
  const r = cli(['run', '--board', 'r82']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /at EL2/);
  assert.match(r.stdout, /part d15/);
  assert.match(r.stdout, /DONE pass=2 fail=0/);
});

test('r82 board options are checked, and refused on virt', () => {
  oneLineError(['run', '--board', 'r82', '--el', '1'], /^armvisor: --el: .*EL2/);
  oneLineError(['run', '--board', 'r82', '--mpu-el2-regions', '300'], /^armvisor: --mpu-el2-regions: '300' must be 0\.\.255/);
  oneLineError(['run', '--board', 'r82', '--mpu-faults', 'sometimes'], /^armvisor: --mpu-faults: /);
  oneLineError(['run', '--board', 'r82', '--smp', '9'], /^armvisor: --smp: '9' must be 1\.\.8/);
  oneLineError(['run', '--board', 'r82', '--mem', '3G'], /^armvisor: --mem: .*2 GiB/);
  oneLineError(['run', '--board', 'r82', '--walk', '0x1000'], /^armvisor: --walk: .*MPUs/);
  oneLineError(['run', '--mpu-el1-regions', '16'], /^armvisor: --mpu-el1-regions: is an option of the r82 board/);
  oneLineError(['run', '--board', 'r83'], /boards: virt, juno, seattle, r82/);
  oneLineError(['run', '--board', 'r82', join(GUESTS, 'bin/hello.elf')], /outside RAM/);
});

test('--explain names the regions behind an MPU fault; --dump-tables lists the enabled regions', () => {
  const r = cli(['run', '--board', 'r82', join(GUESTS, 'bin/pmsa.elf'), '--explain', '--dump-tables']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /MPU fault at PC .* \(ESR 0x9600000c to EL2\):\n {2}data access at 0x1000800 from EL2\n {2}EL2 MPU \(stage 1\)/);
  assert.match(r.stderr, /several regions hold it/);
  assert.match(r.stderr, /EL2 MPU \(stage 2, HCR_EL2\.VM = 1\) for IPA 0x1002008/);
  assert.match(r.stderr, /PE0 MPUs:\n {2}EL2 MPU: 32 regions, SCTLR_EL2\.M = 0/);
});
