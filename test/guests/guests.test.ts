// End-to-end: every guest in guests/manifest.json runs on `armvisor run` and must print
// exactly what QEMU printed for it (the committed golden file), with no FAIL line. Where
// qemu-system-aarch64 is installed, QEMU is run too and must agree with the golden file, so a
// stale golden cannot hide a difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const guests = path.join(root, 'guests');
const cli = path.join(root, 'dist/src/cli/main.js');

interface Entry {
  id: string;
  name: string;
  image: string;
  el: 1 | 2;
  smp: number;
  semihosting?: boolean;
  expected: string;
  exit_code?: number;
  /** Long-running benchmark guests run from bench/, not from the test suite. */
  bench?: boolean;
}

const manifestPath = path.join(guests, 'manifest.json');
const manifest: Entry[] = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : [];
const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-aarch64'], { encoding: 'utf8' }).status === 0;

function clean(s: string): string {
  return s.replace(/\r/g, '');
}

test('the guest manifest lists guests', () => {
  assert.ok(manifest.length > 0, 'guests/manifest.json is missing or empty');
});

for (const g of manifest.filter((e) => !e.bench)) {
  const label = `${g.id} (${g.image}, EL${g.el}, smp ${g.smp})`;
  const image = path.join(guests, g.image);
  const expected = clean(readFileSync(path.join(guests, g.expected), 'utf8'));

  test(`armvisor: ${label}`, () => {
    const args = [cli, 'run', image, '--el', String(g.el), '--smp', String(g.smp), '--max-insns', '2000000000'];
    if (g.semihosting === false) args.push('--no-semihosting');
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
    const out = clean(r.stdout);
    assert.equal(r.error, undefined, `did not finish: ${r.error?.message}`);
    assert.doesNotMatch(out, /^FAIL /m, 'a guest check failed');
    assert.equal(out, expected, `output differs from QEMU's golden output\nstderr: ${r.stderr}`);
    assert.equal(r.status, g.exit_code ?? 0, `exit status; stderr: ${r.stderr}`);
  });

  test(`qemu: ${label}`, { skip: hasQemu ? false : 'qemu-system-aarch64 not installed' }, () => {
    const args = [path.join(guests, 'run-qemu.sh'), image, String(g.el), String(g.smp)];
    if (g.semihosting) args.push('semihosting');
    const r = spawnSync('bash', args, { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, g.exit_code ?? 0, `QEMU exit status; stderr: ${r.stderr}`);
    assert.equal(clean(r.stdout), expected, `QEMU no longer matches the golden file; stderr: ${r.stderr}`);
  });
}
