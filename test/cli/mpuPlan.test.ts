// `armvisor mpu-plan` as users run it: the built-in r82 configuration at several region
// counts, DTS and DTB input, a domain refused for lack of regions, and bad input as one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, oneLineError } from '../helpers/cli.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDtb } from '../../src/fdt/dtb.js';
import { r82DefaultTree } from '../../src/hv/configs/r82.js';
import { defaultXenSections } from '../../src/hv/mm/mpu/layout.js';

/** The image's extent as the planner sees it (it grows with the hypervisor's routines). */
const SECTIONS = defaultXenSections();
const sectionEnd = (name: string): number => SECTIONS.find((s) => s.name === name)!.end;
const pa9 = (n: number): string => '0x' + n.toString(16).padStart(9, '0');

const tmp = mkdtempSync(join(tmpdir(), 'mpu-plan-'));

function file(name: string, text: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

test('mpu-plan with no argument plans the built-in r82 configuration at MPUIR_EL2 = 32', () => {
  const r = cli(['mpu-plan']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const out = r.stdout;
  assert.match(out, /MPUIR_EL2\.REGION = 32/);
  assert.match(out, /Boot-time configuration: 14 regions \+ 2 reserved/);
  assert.match(
    out,
    /^ {4}0 {2}0x000200000\.\.0x000200fff {2}RX .* PRBAR=0x000000200038 PRLAR=0x000000200fcf {2}\.text\.idmap — code: executable, read-only \(W\^X\)$/m,
  );
  assert.match(out, /^Freed after init: \.init\.text, \.init\.data, DTB, MODULE\[2\] Kernel/m);
  assert.ok(out.includes(`xen: .text.idmap + .text -> 0x000200000..${pa9(sectionEnd('.text') - 1)}`), out);
  assert.match(out, /domU2: RAM bank 0 \+ RAM bank 1 -> 0x008000000\.\.0x00bffffff/);
  assert.match(out, /Runtime configuration: 8 hypervisor regions in slots 0\.\.7/);
  assert.match(out, /^ {2}domU2: 2 regions$/m);
  assert.match(out, /Budget: 8 hypervisor \+ 2 reserved \+ 2 \(largest domain\) = 12 of 32: 22 regions available to a domain -> fits/);
  assert.match(out, /Context switch: PRENR_EL2/);
  assert.equal((out.match(/-> .*: 1 register write$/gm) ?? []).length, 6);
});

test('mpu-plan --regions 16/64 and --switch rewrite', () => {
  const r16 = cli(['mpu-plan', '--regions', '16', '--switch', 'rewrite']);
  assert.equal(r16.status, 0, r16.stderr);
  assert.match(r16.stdout, /rewrite the 2-slot window 14\.\.15/);
  assert.match(r16.stdout, /idle -> domU1: 3 register writes/);
  assert.match(r16.stdout, /domU2 -> domU1: 4 register writes/);
  const r64 = cli(['mpu-plan', '--regions', '64']);
  assert.equal(r64.status, 0, r64.stderr);
  assert.match(r64.stdout, /guest slots 29\.\.31/);
  assert.match(r64.stdout, /available to a domain/);
});

test('mpu-plan reads a DTS fragment (overlaid on the r82 board) or a full DTB', () => {
  const dtb = file('host.dtb', buildDtb(r82DefaultTree()));
  const a = cli(['mpu-plan', dtb]);
  const b = cli(['mpu-plan']);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(
    a.stdout.split('\n').slice(1).join('\n'),
    b.stdout.split('\n').slice(1).join('\n'),
    'same plan as the built-in configuration',
  );
  const many = Array.from({ length: 8 }, (_, i) => `0x0 ${'0x' + (0x0800_0000 + i * 0x20_0000).toString(16)} 0x0 0x100000`).join(' ');
  const big = file(
    'big.dts',
    `/dts-v1/; / { chosen { #address-cells = <2>; #size-cells = <2>; xen,static-heap = <0x0 0x01000000 0x0 0x01000000>;
       small { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; direct-map; xen,static-mem = <0x0 0x04000000 0x0 0x100000>; };
       big { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; direct-map; xen,static-mem = <${many}>; };
     }; };`,
  );
  const r = cli(['mpu-plan', big, '--regions', '16']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /big: REFUSED: domain big: needs 8 EL2 MPU regions, 6 available \(MPUIR_EL2 16 - 8 hypervisor - 2 reserved\)/);
  assert.match(r.stdout, /^ {2}small: 1 region$/m);
  assert.equal(
    r.stderr,
    'armvisor: mpu-plan: domain big: needs 8 EL2 MPU regions, 6 available (MPUIR_EL2 16 - 8 hypervisor - 2 reserved)\n',
  );
});

test('mpu-plan --dtb-addr moves the DTB region; a DTB over the image or the heap is refused', () => {
  const r = cli(['mpu-plan', '--dtb-addr', '0x1000']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {4}8 {2}0x000001000\.\.0x000001[0-9a-f]{3} .* DTB \[boot only\]/m);
  oneLineError(
    ['mpu-plan', '--dtb-addr', '0x201000'],
    new RegExp(
      `^armvisor: built-in r82 configuration: Region: \\[0x201000, .* overlapping with mod\\[0\\]: \\[0x200000, 0x${sectionEnd('.bss').toString(16)}\\) \\(xen image\\)$`,
    ),
  );
  oneLineError(
    ['mpu-plan', '--dtb-addr', '0x1fff000'],
    /^armvisor: built-in r82 configuration: MPU: static heap .* overlaps DTB \[0x1fff000, 0x1fff[0-9a-f]{3}\)/,
  );
});

test('mpu-plan: bad input is one line', () => {
  oneLineError(['mpu-plan', '--regions', '300'], /^armvisor: --regions: '300' must be 1\.\.255$/);
  oneLineError(['mpu-plan', '--regions', 'x'], /^armvisor: --regions: 'x' must be 1\.\.255$/);
  oneLineError(['mpu-plan', '--switch', 'sometimes'], /^armvisor: --switch: 'sometimes' must be auto, prenr or rewrite$/);
  oneLineError(
    ['mpu-plan', '--regions', '12'],
    /^armvisor: built-in r82 configuration: MPU: the boot-time configuration needs 16 EL2 MPU regions .* implements 12$/,
  );
  oneLineError(['mpu-plan', join(tmp, 'nope.dts')], /^armvisor: .*nope\.dts: cannot read: ENOENT$/);
  oneLineError(['mpu-plan', file('syntax.dts', '/dts-v1/; / { chosen { ; };')], /^armvisor: .*syntax\.dts:\d+:\d+: /);
  const nodm = file(
    'nodm.dts',
    `/dts-v1/; / { chosen { d { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; xen,static-mem = <0x0 0x04000000 0x0 0x100000>; }; }; };`,
  );
  oneLineError(['mpu-plan', nodm], /^armvisor: .*nodm\.dts: \/chosen\/d: an MPU domain needs direct-map/);
  const clash = file(
    'clash.dts',
    `/dts-v1/; / { chosen { #address-cells = <2>; #size-cells = <2>; xen,static-heap = <0x0 0x04000000 0x0 0x100000>;
       d { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; direct-map; xen,static-mem = <0x0 0x04000000 0x0 0x100000>; }; }; };`,
  );
  oneLineError(
    ['mpu-plan', clash],
    /^armvisor: .*clash\.dts: MPU: domain d: RAM bank 0 \[0x4000000, 0x4100000\) overlaps the hypervisor's static heap/,
  );
  oneLineError(
    [
      'mpu-plan',
      '--switch',
      'prenr',
      file(
        'wide.dts',
        `/dts-v1/; / { chosen { #address-cells = <2>; #size-cells = <2>; d { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; direct-map; xen,static-mem = <${Array.from({ length: 30 }, (_, i) => `0x0 ${'0x' + (0x0800_0000 + i * 0x20_0000).toString(16)} 0x0 0x100000`).join(' ')}>; }; }; };`,
      ),
      '--regions',
      '64',
    ],
    /PRENR switching keeps every domain's regions in slots 0\.\.31/,
  );
});
