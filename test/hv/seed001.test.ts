// Seed 001 (src/hv/cacheCoherency.ts): guests that start with the MMU off, with the data-cache
// model on, under the three per-domain policies. A few cache seeds per cell (the docs' table,
// docs/SEED-001.md, has 1000): a policy must show corruption on a guest it does not cover and
// none on the guests it claims to; the regression scenario is the one that got the seed's
// patch reverted (guest b sets SCTLR.M before SCTLR.C).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MMU_OFF_POLICIES, SEED001_COVERS, SEED001_GUESTS, seed001Boot, seed001Cell } from '../../src/cli/seed001.js';
import { cacheStats } from '../../src/hv/cacheCoherency.js';
import { bootXen, parseDomu } from '../../src/cli/boot.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/util/errors.js';

const SEEDS = 3;

test('seed 001: every policy is clean on the guests it covers and corrupted on the others', () => {
  for (const p of MMU_OFF_POLICIES) {
    for (const g of SEED001_GUESTS) {
      const c = seed001Cell(g, p, SEEDS, 101);
      const bad = c.fail + c.crash;
      if (SEED001_COVERS[p].includes(g))
        assert.equal(bad, 0, `${p} claims ${g}: ${bad}/${SEEDS} boots corrupted (first seed ${c.firstBad})`);
      else assert.ok(bad > 0, `${p} does not cover ${g}, yet all ${SEEDS} boots passed`);
    }
  }
});

test("seed 001 regression: M before C breaks the seed's HCR_EL2.DC policy; Xen's adopted policy fixes it", () => {
  const before = { ...cacheStats };
  const seed = seed001Boot('mmuoff-m-before-c', 'seed', { seed: 42 });
  assert.equal(seed.outcome, 'fail', seed.line);
  assert.match(seed.line, /^FAIL mmuoff-m-before-c [0-9a-f]{8}$/);
  // The seed's path ran: the trapped SCTLR write with M set dropped DC and TVM.
  assert.ok(cacheStats.dcDropped > before.dcDropped && cacheStats.tvmTraps > before.tvmTraps);
  const xen = seed001Boot('mmuoff-m-before-c', 'xen', { seed: 42 });
  assert.equal(xen.outcome, 'pass', xen.line);
});

test("seed 001: Xen's set/way path traps DC CISW, turns on TVM and cleans the domain", () => {
  const before = { ...cacheStats };
  assert.equal(seed001Boot('mmuoff-setway', 'xen', { seed: 7 }).outcome, 'pass');
  // Two set/way loops of 512 operations each, all trapped; each loop and each cache toggle
  // cleans the VM once (not once per operation).
  assert.equal(cacheStats.setWayTraps - before.setWayTraps, 2 * 512);
  assert.equal(cacheStats.vmFlushes - before.vmFlushes, 4);
});

test('--domu policy= selects the policy; a bad name is one clear error', () => {
  const d = parseDomu('guests/bin/mmuoff-image.elf,mem=4M,policy=seed', 0);
  assert.equal(d.mmuOffPolicy, 'seed');
  assert.equal(parseDomu('guests/bin/mmuoff-image.elf', 0).mmuOffPolicy, undefined);
  assert.throws(
    () => parseDomu('guests/bin/mmuoff-image.elf,policy=kvm', 0),
    (e: unknown) => e instanceof InputError && /policy=kvm/.test(e.message),
  );
});

test('armvisor,mmu-off-policy with an unknown value stops the boot with one panic line', () => {
  const data = readFileSync(fileURLToPath(new URL('../../../guests/bin/mmuoff-image.elf', import.meta.url)));
  const r = bootXen({
    board: 'virt',
    loader: 'direct',
    domains: [{ name: 'domU1', memKb: 4096, cpus: 1, vpl011: true, kernel: { kind: 'kernel', data, name: 'g' }, mmuOffPolicy: 'kvm' }],
    console: () => {},
  });
  assert.equal(r.status, 3);
  assert.match(r.message ?? '', /Unable to create \/chosen\/domU1: armvisor,mmu-off-policy = "kvm" \(must be none, seed, xen\)/);
});
