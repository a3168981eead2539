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
  /**
   * The armvisor board (default virt). Boards QEMU cannot model (r82: Armv8-R AArch64) have
   * goldens from armvisor itself, trusted because each check in those guests asserts the
   * architected outcome; their QEMU run is skipped.
   */
  board?: string;
  /** Extra `armvisor run` options (board options such as --mpu-el2-regions). */
  args?: string[];
  semihosting?: boolean;
  expected: string;
  /**
   * armvisor's golden where QEMU 7.2 is laxer than the architecture: identical to the QEMU
   * golden except that QEMU's `DEVIATION …` lines are the architecture's `PASS …` lines.
   */
  armvisor_expected?: string;
  exit_code?: number;
  /** Long-running benchmark guests run from bench/, not from the test suite. */
  bench?: boolean;
  /** A file (relative to guests/) fed to the UART's input. */
  input?: string;
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
  const board = g.board ?? 'virt';
  const label = `${g.id} (${g.image}, ${board === 'virt' ? '' : `board ${board}, `}EL${g.el}, smp ${g.smp}${g.args?.length ? ', ' + g.args.join(' ') : ''})`;
  const image = path.join(guests, g.image);
  const expected = clean(readFileSync(path.join(guests, g.expected), 'utf8'));
  const ours = g.armvisor_expected ? clean(readFileSync(path.join(guests, g.armvisor_expected), 'utf8')) : expected;

  if (g.armvisor_expected) {
    test(`goldens: ${g.id} differs from QEMU only in DEVIATION and OBSERVED lines`, () => {
      // OBSERVED lines report which architecturally permitted outcome a run saw (a stale or a
      // new translation): they may differ, but must name the same cases in the same order.
      const norm = (l: string): string => l.replace(/^(OBSERVED \S+) (stale|new)$/, '$1');
      const q = expected
        .split('\n')
        .filter((l) => !/^DONE /.test(l))
        .map(norm);
      const a = ours
        .split('\n')
        .filter((l) => !/^DONE /.test(l))
        .map(norm);
      const qSet = new Set(q);
      // Everything else is identical, in order; each DEVIATION names a check armvisor passes.
      assert.deepEqual(
        a.filter((l) => qSet.has(l)),
        q.filter((l) => !/^DEVIATION /.test(l)),
      );
      for (const l of a.filter((x) => !qSet.has(x))) assert.match(l, /^PASS /, `armvisor-only line is not a PASS: ${l}`);
      for (const d of q.filter((l) => /^DEVIATION /.test(l))) {
        const name = d.split(' ')[1];
        assert.ok(a.includes(`PASS ${name}`), `QEMU deviates on ${name}; armvisor must PASS it`);
      }
    });
  }

  test(`armvisor: ${label}`, () => {
    const args = [cli, 'run', image, '--board', board, '--el', String(g.el), '--smp', String(g.smp), '--max-insns', '2000000000'];
    args.push(...(g.args ?? []));
    if (g.semihosting === false) args.push('--no-semihosting');
    const input = g.input ? readFileSync(path.join(guests, g.input)) : '';
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000, input });
    const out = clean(r.stdout);
    assert.equal(r.error, undefined, `did not finish: ${r.error?.message}`);
    assert.doesNotMatch(out, /^FAIL /m, 'a guest check failed');
    assert.equal(out, ours, `output differs from the golden output\nstderr: ${r.stderr}`);
    assert.equal(r.status, g.exit_code ?? 0, `exit status; stderr: ${r.stderr}`);
  });

  const qemuSkip =
    board !== 'virt' ? `QEMU has no ${board} board (Armv8-R AArch64)` : hasQemu ? false : 'qemu-system-aarch64 not installed';
  test(`qemu: ${label}`, { skip: qemuSkip }, () => {
    const args = [path.join(guests, 'run-qemu.sh'), image, String(g.el), String(g.smp)];
    if (g.semihosting) args.push('semihosting');
    // QEMU's PL011 drops bytes that arrive before the guest enables its receiver, and the input
    // is fed after a wall-clock delay (run-qemu.sh): on a loaded host the guest may not be ready
    // yet and then waits for input forever. Retry with longer delays; only QEMU's side is timed.
    const delays = g.input ? ['1', '4', '10'] : [''];
    const runQemu = (delay: string) => {
      const env = g.input ? { ...process.env, GUEST_INPUT: path.join(guests, g.input), GUEST_INPUT_DELAY: delay } : process.env;
      return spawnSync('bash', args, { encoding: 'utf8', timeout: 60_000, env });
    };
    let r = runQemu(delays[0]);
    for (const delay of delays.slice(1)) if (r.status === 124) r = runQemu(delay);
    assert.equal(r.status, g.exit_code ?? 0, `QEMU exit status; stderr: ${r.stderr}`);
    assert.equal(clean(r.stdout), expected, `QEMU no longer matches the golden file; stderr: ${r.stderr}`);
  });
}
