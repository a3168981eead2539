// The MMU tools and the rule checker through the command line: rule events on a deliberately
// bad guest and silence on its well-behaved twin, --strict, --dump-tables, --walk, and
// `armvisor walk` on a saved state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const GUESTS = fileURLToPath(new URL('../../../guests/bin/', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'armvisor-mmu-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

for (const el of ['1', '2']) {
  test(`rules-bad at EL${el}: every deliberate mistake is reported once, with its rule and reference`, () => {
    const r = cli(['run', join(GUESTS, 'rules-bad.elf'), '--el', el]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /rule bbm \(PE0 PC 0x[0-9a-f]+ insn \d+\): live translation table entry changed without break-before-make: .*output address.*D8\.16\.1/,
    );
    assert.match(r.stderr, /rule ttbr-switch .*tables switched at PC .* with the MMU on/);
    assert.match(r.stderr, /rule tlb-conflict .*MMU enabled with 2 conflicting TLB entries/);
    // output address, block->table, table->block, memory type: four BBM events in all
    assert.match(r.stderr, /^armvisor: rule bbm: 4 events$/m);
    assert.match(r.stderr, /^armvisor: rule ttbr-switch: 1 event$/m);
    assert.match(r.stderr, /^armvisor: rule tlb-conflict: 1 event$/m);
  });

  test(`rules-good at EL${el}: the same changes done right raise nothing`, () => {
    const r = cli(['run', join(GUESTS, 'rules-good.elf'), '--el', el]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /rule/);
  });
}

test('--strict stops at the first violation with status 4 and one line naming it', () => {
  const r = cli(['run', join(GUESTS, 'rules-bad.elf'), '--strict']);
  assert.equal(r.status, 4);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0], /^armvisor: stopped by --strict: rule bbm /);
  assert.match(r.stdout, /PHASE bbm-output-address\n/);
  assert.doesNotMatch(r.stdout, /PHASE bbm-block-to-table/);
});

test('--dump-tables prints the live tables as coalesced ranges; --walk explains one translation', () => {
  const r = cli(['run', join(GUESTS, 'bench-mmu.elf'), '--dump-tables', '--walk', '0x40080000,0x9000010']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /PE0 EL1&0 stage 1 TTBR0_EL1 = 0x[0-9a-f]+ \(48-bit VA, start level 0, ASID 0\):/);
  assert.match(r.stderr, /0x0000000040000000-0x0000000060000000 +512M -> 0x0040000000 +EL1 RWX EL0 --X +Normal-WB ISH +\(256 x 2M\)/);
  assert.match(r.stderr, /0x0000000009000000-0x0000000009001000 +4K -> 0x0009000000 +EL1 RW- EL0 --- +Device-nGnRE/);
  assert.match(r.stderr, /VA 0x0000000040080000 at EL1 \(EL1&0 regime\):\n +TTBR0: table 0x[0-9a-f]+, 48-bit VA, start level 0, ASID 0\n/);
  assert.match(r.stderr, /stage 1 level 2 descriptor at 0x[0-9a-f]+: 0x[0-9a-f]{16} block -> 0x40000000 AttrIndx=3/);
  assert.match(r.stderr, /=> PA 0x0009000010 +EL1 RW- EL0 --- +Device-nGnRE/);
});

test('armvisor walk explains a translation from a saved state, stage 2 included', () => {
  const state = join(TMP, 's2.json');
  // Stop inside the benchmark loop, while the EL1 guest runs under stage 2.
  const run = cli(['run', join(GUESTS, 'bench-s2.elf'), '--el', '2', '--max-insns', '3M', '--save-state', state]);
  assert.equal(run.status, 2, run.stderr);
  const r = cli(['walk', state, '0x40080000', '--el', '1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^VA 0x0000000040080000 at EL1 \(EL1&0 regime\):/);
  assert.match(r.stdout, /=> IPA 0x0040080000 /);
  assert.match(r.stdout, /stage 2: VTTBR_EL2 0x[0-9a-f]+, VMID \d+, \d+-bit IPA, start level \d/);
  assert.match(r.stdout, /\(stage-2 walk of the descriptor's IPA 0x[0-9a-f]+:\)/);
  assert.match(r.stdout, /=> PA 0x0040080000 +S2 RWX +Normal-WB ISH at stage 2; combined: Normal-WB ISH/);
  const bad = cli(['walk', state, 'nope']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^armvisor: walk: 'nope' is not an address/);
  const nostate = cli(['walk', join(TMP, 'missing.json'), '0x0']);
  assert.equal(nostate.status, 1);
  assert.match(nostate.stderr, /cannot read .*no such file/);
});
