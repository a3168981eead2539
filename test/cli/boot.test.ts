// `armvisor boot` and `armvisor layout` as users run them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'armvisor-boot-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('armvisor boot: the built-in two domUs on virt, rule checker strict and silent, exit 0', () => {
  const r = cli(['boot', '--strict']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^- Boot CPU booting -\n/);
  assert.match(r.stdout, /\(XEN\) Freed \d+kB init memory\.\n/);
  assert.match(r.stdout, /^\(XEN\) DOM1: DONE pass=2 fail=0$/m);
  assert.match(r.stdout, /^\(XEN\) DOM2: DONE pass=\d+ fail=0$/m);
  assert.match(r.stdout, /All domains have shut down: powering off/);
});

test('armvisor boot --domu: a user domain with options; a bad spec is one line', () => {
  const hello = fileURLToPath(new URL('../../../guests/bin/hello-domu.elf', import.meta.url));
  const r = cli(['boot', '--domu', `${hello},mem=32M,cpus=2,bootargs=a,b`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\*\*\* LOADING DOMU cpus=2 memory=8000KB \*\*\*/);
  assert.match(r.stdout, /^\(XEN\) DOM1: DONE pass=2 fail=0$/m);
  const bad = cli(['boot', '--domu', `${hello},colour=blue`]);
  assert.equal(bad.status, 1);
  assert.equal(
    bad.stderr,
    "armvisor: --domu: 'colour=blue' is not mem=SIZE, cpus=N, dtb=FILE, ramdisk=FILE, policy=NAME or bootargs=TEXT\n",
  );
});

test('armvisor boot --loader grub with an XSM policy, and the seed 003 knob', () => {
  const policy = join(TMP, 'xsm.bin');
  const b = new Uint8Array(64);
  new DataView(b.buffer).setUint32(0, 0xf97cff8c, true);
  writeFileSync(policy, b);
  // GRUB's order: the kernel first (Xen never probes the first untyped module), then the policy.
  // The kernel becomes dom0 (a kernel module outside every xen,domain node): four instructions
  // that power it off through PSCI over HVC, which halts the machine.
  const kernel = join(TMP, 'kernel.bin');
  const k = new Uint8Array(4096);
  [0x52800100, 0x72b08000, 0xd4000002, 0x14000000].forEach((w, i) => new DataView(k.buffer).setUint32(i * 4, w, true));
  writeFileSync(kernel, k);
  const mods = ['--module', `module=${kernel}`, '--module', `module=${policy}`];
  const ok = cli(['boot', '--strict', '--loader', 'grub', '--xen-bootargs', 'dom0_mem=16M', ...mods]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /MODULE\[\d\]: .* Kernel/);
  assert.match(ok.stdout, /MODULE\[\d\]: .* XSM Policy/);
  assert.match(ok.stdout, /Hardware Dom0 halted: halting machine/);
  const bad = cli(['boot', '--loader', 'grub', ...mods, '--knob', 'map-tables-with-domain-page-only']);
  assert.equal(bad.status, 3);
  assert.equal(bad.stderr, 'armvisor: the hypervisor panicked: CPU0: Unexpected Trap: Data Abort\n');
  assert.match(bad.stdout, /hasXsmMagic/);
});

test('armvisor boot without the identity map: the PE wedges on an Instruction Abort at EL2, said in one line', () => {
  const r = cli(['boot', '--knob', 'omit-identity-map']);
  assert.equal(r.status, 3);
  assert.match(
    r.stderr,
    /^armvisor: machine wedged: .*last exception: ESR_EL2 0x86000004 \(Instruction Abort taken without a change in Exception level\)/,
  );
  assert.equal(r.stderr.split('\n').length, 2);
});

test('armvisor layout: the seed layout and the identity-map decision without booting', () => {
  const r = cli(['layout']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Xen image +0000008000200000 - 00000080009fffff/);
  assert.match(r.stdout, /Self-checks: all build-time assertions hold/);
  assert.match(r.stdout, /Identity map: direct/);
  const s = cli(['layout', '--ram', '0x8000000000:4G', '--load-addr', '0x8000400000']);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /VA = PA would clash with Xen image/);
  assert.match(s.stdout, /Identity map: trampoline: .*relocated to PA 0x8000000000/);
});

test('armvisor boot --board r82: the MPU start of day with no other argument, exit 0; --mpu-el2-regions; --config', () => {
  const r = cli(['boot', '--board', 'r82']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^\(XEN\) MPU boot-time configuration: \d+ regions/m);
  assert.match(r.stdout, /^\(XEN\) MPU: runtime configuration installed: .*EL2 MPU = plan$/m);
  // Two dom0less test guests in static memory, side by side, both passing, then power off.
  assert.match(r.stdout, /^\(XEN\) DOM1: DONE pass=\d+ fail=0$/m);
  assert.match(r.stdout, /^\(XEN\) DOM2: DONE pass=\d+ fail=0$/m);
  assert.doesNotMatch(r.stdout, /FAIL/);
  assert.match(r.stdout, /All domains have shut down: powering off \(PSCI SYSTEM_OFF\)\.\n$/);
  const s = cli(['boot', '--board', 'r82', '--strict', '--mpu-el2-regions', '16']);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /MPUIR_EL2\.REGION = 16/);
  // A configuration fragment whose only domain needs more regions than are left.
  const banks = Array.from(
    { length: 9 },
    (_, i) => `<0x0 ${(0x0400_0000 + i * 0x0200_0000).toString(16).replace(/^/, '0x')} 0x0 0x01000000>`,
  );
  const dts = join(TMP, 'wide.dts');
  writeFileSync(
    dts,
    `/dts-v1/;\n/ { chosen { #address-cells = <2>; #size-cells = <2>; xen,static-heap = <0x0 0x01000000 0x0 0x01000000>;\n` +
      `  domA { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; memory = <0x0 0x24000>; cpus = <1>; direct-map;\n` +
      `    xen,static-mem = ${banks.join(', ')}; }; }; };\n`,
  );
  const refused = cli(['boot', '--board', 'r82', '--mpu-el2-regions', '16', '--config', dts]);
  assert.equal(refused.status, 3, refused.stderr);
  assert.match(
    refused.stderr,
    /^armvisor: the hypervisor panicked: Unable to create domA: domain domA: needs 9 EL2 MPU regions, \d+ available/m,
  );
});

test('bad boot input is one line and status 1', () => {
  for (const [args, re] of [
    [['boot', '--loader', 'uefi'], /^armvisor: --loader: 'uefi' must be direct or grub\n$/],
    [['boot', '--load-addr', '0x40200010'], /^armvisor: --load-addr: 0x40200010 is not 4 KiB aligned/],
    [['boot', '--load-addr', '0x10000000'], /^armvisor: --load-addr: the hypervisor image .* is not inside one RAM bank\n$/],
    [['boot', '--board', 'nope'], /^armvisor: --board: 'nope' is not a board/],
    [['boot', '--module', 'kernel'], /^armvisor: --module: 'kernel' is not <kind>=<file>/],
    [['layout', '--ram', '0x40000000'], /^armvisor: --ram: '0x40000000' is not base:size/],
    [['boot', '--ram', '0x40000000:1G,0x50000000:1G'], /^armvisor: --ram: bank 0x50000000 overlaps bank 0x40000000\+0x40000000\n$/],
    [['boot', '--smp', '9'], /^armvisor: --smp: '9' must be 1..8\n$/],
    [['boot', '--mpu-el2-regions', '16'], /^armvisor: --mpu-el2-regions: only the r82 board \(MPU\) takes it, not 'virt'\n$/],
    [['boot', '--board', 'r82', '--load-addr', '0x200010'], /^armvisor: --load-addr: 0x200010 is not 4 KiB aligned\n$/],
  ] as [string[], RegExp][]) {
    const r = cli(args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  }
});

test('armvisor boot --dtb with Xen dom0less bindings and --load blobs at the module addresses', () => {
  const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
  const args = ['boot', '--strict', '--mem', '1G', '--smp', '2', '--dtb', root('docs/dom0less-example.dts')];
  const r = cli([
    ...args,
    '--load',
    `${root('guests/bin/hello-domu.img')}@0x50000000`,
    '--load',
    `${root('guests/bin/cprog-domu.img')}@0x51000000`,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /\*\*\* LOADING DOMU cpus=1 memory=8000KB \*\*\*\n\(XEN\) Loading d1 kernel from boot module @ 0000000050000000/);
  assert.match(r.stdout, /^\(XEN\) DOM1: DONE pass=2 fail=0$/m);
  assert.match(r.stdout, /^\(XEN\) DOM2: DONE pass=\d+ fail=0$/m);
  const bad = cli([...args, '--load', `${root('guests/bin/hello-domu.img')}@0x40200000`]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^armvisor: --load: .*hello-domu.img at 0x40200000 overlaps the xen the boot loader placed at 0x40200000\n$/);
  // --dts is the same option; the tree's 1 GB /memory on the default 512 MB board is one line.
  const small = cli(['boot', '--dts', root('docs/dom0less-example.dts')]);
  assert.equal(small.status, 1);
  assert.match(
    small.stderr,
    /^armvisor: --dtb: \/memory@40000000 \[0x40000000, 0x80000000\) is not RAM on this board \(RAM: \[0x40000000, 0x60000000\); --mem\?\)\n$/,
  );
  const both = cli(['boot', '--dts', 'a.dts', '--dtb', 'b.dtb']);
  assert.equal(both.status, 1);
  assert.match(both.stderr, /^armvisor: --dts: give the host tree once/);
});
