// `armvisor run --dcache` as users run it: option errors (one line, status 1) and replay of
// a seeded run (src/arch/cache).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, oneLineError } from '../helpers/cli.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const GUEST = join(fileURLToPath(new URL('../../../guests/', import.meta.url)), 'bin/dcache.elf');

test('--dcache options are checked', () => {
  oneLineError(['run', '--dcache-seed', '3'], /^armvisor: --dcache-seed: needs --dcache/);
  oneLineError(['run', '--dcache-ways', '2'], /^armvisor: --dcache-ways: needs --dcache/);
  oneLineError(['run', '--dcache', '--dcache-ways', '3'], /^armvisor: --dcache-ways: ways must be a power of two/);
  oneLineError(['run', '--dcache', '--dcache-size', '1000'], /^armvisor: --dcache-size: size must be a power of two/);
  oneLineError(['run', '--dcache', '--dcache-size', '4G'], /^armvisor: --dcache-size: .* sets \(1\.\.32768 allowed\)/);
  oneLineError(['run', '--dcache', '--dcache-seed', 'x'], /^armvisor: --dcache-seed: 'x' is not a number/);
});

test('a seeded run replays exactly; the model is invisible without --dcache', () => {
  const args = ['run', GUEST, '--no-semihosting', '--dcache', '--dcache-size', '256', '--dcache-ways', '2', '--dcache-seed', '7'];
  const a = cli(args);
  const b = cli(args);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.doesNotMatch(a.stdout, /^FAIL/m);
  const off = cli(['run', GUEST, '--no-semihosting']);
  assert.equal(off.status, 0, off.stderr);
  assert.doesNotMatch(off.stdout, /OBSERVED \S+ stale/, 'no cache: every read sees memory, as on QEMU');
});
