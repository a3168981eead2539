// A domU's multiboot,ramdisk module (issue 6): copied into guest RAM where Xen's place_modules
// puts it (after the DTB's 2MB slot), named by /chosen linux,initrd-start/-end, logged as real
// Xen logs it. guests/src-domu/domu-initrd reads the range from its device tree and checks
// the bytes of guests/input/domu-initrd.bin (header, FNV-1a checksum, generated payload).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDomu } from '../../src/cli/boot.js';
import { bootDomUs, domU as sharedDomU } from './domUs.js';
import type { XenBootModule, XenDomainSpec } from '../../src/platform/loader/xenBoot.js';
import { placeModules } from '../../src/hv/domain/domain.js';
import { InputError } from '../../src/util/errors.js';

const MB = 1024 * 1024;
const file = (rel: string): string => fileURLToPath(new URL(`../../../guests/${rel}`, import.meta.url));
const RAMDISK = file('input/domu-initrd.bin');
const rd = (data: Uint8Array = readFileSync(RAMDISK)): XenBootModule => ({ kind: 'ramdisk', data, name: 'domu-initrd.bin' });

const domU = (memKb: number, modules: XenBootModule[]): XenDomainSpec => sharedDomU(1, 'domu-initrd.img', { memKb, modules });

const boot = (domains: XenDomainSpec[], loader: 'direct' | 'grub' = 'direct') => bootDomUs(domains, { smp: 1, loader });

/** domu-initrd.bin's format (guests/src-domu/domu-initrd/main.c), for ramdisks of any length. */
function makeRamdisk(n: number): Uint8Array {
  const b = new Uint8Array(n);
  const dv = new DataView(b.buffer);
  b.set(new TextEncoder().encode('ARMVRD01'));
  dv.setUint32(8, n, true);
  let h = 0x811c9dc5;
  for (let i = 16; i < n; i++) {
    const j = i - 16;
    b[i] = (j * 131 + (j >> 8)) & 0xff;
    h = Math.imul(h ^ b[i], 0x01000193) >>> 0;
  }
  dv.setUint32(12, h, true);
  return b;
}

const num = (h: string): number => parseInt(h, 16);

/** The log's module, initrd and DTB lines, and what place_modules says they should be. */
function loaded(out: string) {
  const mod = /\(XEN\) Loading ramdisk from boot module @ ([0-9a-f]{16})\n/.exec(out);
  const ird = /\(XEN\) Loading d1 initrd from ([0-9a-f]{16}) to 0x([0-9a-f]{16})-0x([0-9a-f]{16})\n/.exec(out);
  const dtb = /\(XEN\) Loading d1 DTB to 0x([0-9a-f]{16})-0x([0-9a-f]{16})\n/.exec(out);
  const kern = /\(XEN\) Loading zImage from [0-9a-f]{16} to ([0-9a-f]{16})-([0-9a-f]{16})\n/.exec(out);
  assert.ok(mod && ird && dtb && kern, out);
  return { mod: num(mod[1]), from: num(ird[1]), start: num(ird[2]), end: num(ird[3]), dtb: num(dtb[1]), dtbEnd: num(dtb[2]), kern };
}

test('a domU ramdisk: placed after the DTB, named in /chosen, its bytes intact (the guest checks)', () => {
  const data = readFileSync(RAMDISK);
  assert.deepEqual(new Uint8Array(data), makeRamdisk(data.length), 'the committed ramdisk is the documented format');
  const r = boot([domU(16 * 1024, [rd()])]);
  assert.equal(r.status, 0, r.out + r.message);
  assert.equal(r.ruleEvents, 0);
  assert.match(r.out, /\(XEN\) DOM1: DONE pass=10 fail=0\n/);
  assert.equal(r.out.match(/FAIL/g), null, r.out);
  const l = loaded(r.out);
  // Xen's order: kernel module, ramdisk module; then zImage, initrd, DTB.
  assert.ok(r.out.indexOf('Loading d1 kernel from') < r.out.indexOf('Loading ramdisk from'));
  assert.ok(
    r.out.indexOf('Loading zImage') < r.out.indexOf('Loading d1 initrd') &&
      r.out.indexOf('Loading d1 initrd') < r.out.indexOf('Loading d1 DTB'),
  );
  assert.equal(l.from, l.mod);
  assert.equal(l.end - l.start, data.length);
  const kern = { start: num(l.kern[1]), end: num(l.kern[2]) };
  assert.deepEqual(placeModules({ start: 0x4000_0000, size: 16 * MB }, kern, l.dtbEnd - l.dtb, data.length), {
    dtb: l.dtb,
    initrd: l.start,
  });
});

test("a 256MB domU with a 0xf1040-byte ramdisk, modules high in RAM (grub): DTB at 0x48000000, initrd at 0x48200000 as in real Xen's log", () => {
  // The reference boot log (real-xen-bootlog.txt, d1): initrd to 0x48200000-0x482f1040, DTB to 0x48000000.
  const r = boot([domU(256 * 1024, [rd(makeRamdisk(0xf_1040))])], 'grub');
  assert.equal(r.status, 0, r.out + r.message);
  assert.match(r.out, /\(XEN\) DOM1: DONE pass=10 fail=0\n/);
  const l = loaded(r.out);
  assert.equal(l.start, 0x4820_0000);
  assert.equal(l.end, 0x482f_1040);
  assert.equal(l.dtb, 0x4800_0000);
  // Cut short by a page, the module no longer matches its header: the guest notices.
  const cut = boot([domU(256 * 1024, [rd(makeRamdisk(0xf_1040).subarray(0, 0xf_0040))])], 'grub');
  assert.match(cut.out, /\(XEN\) DOM1: FAIL initrd-length /);
  assert.match(cut.out, /\(XEN\) DOM1: FAIL initrd-checksum /);
});

test('without a ramdisk module the guest finds no initrd properties (the check can fail)', () => {
  const r = boot([domU(16 * 1024, [])]);
  assert.match(r.out, /\(XEN\) DOM1: FAIL initrd-chosen-props /);
  assert.doesNotMatch(r.out, /initrd from/);
});

test("a ramdisk that does not fit beside the kernel in the domain stops the boot with Xen's panic", () => {
  const r = boot([domU(8 * 1024, [rd(new Uint8Array(7 * MB))])]);
  assert.equal(r.status, 3, r.out);
  assert.match(r.out, /Not enough memory in the first bank for the kernel\+dtb\+initrd/);
});

test('--domu FILE,ramdisk=FILE2 adds a multiboot,ramdisk module to the domain; a missing file is one clear error', () => {
  const d = parseDomu(`${file('bin/domu-initrd.img')},mem=8M,ramdisk=${RAMDISK}`, 0);
  assert.deepEqual(
    d.modules?.map((m) => [m.kind, m.data.length]),
    [['ramdisk', readFileSync(RAMDISK).length]],
  );
  assert.throws(
    () => parseDomu(`${file('bin/domu-initrd.img')},ramdisk=/nonexistent/rd`, 0),
    (e: unknown) => e instanceof InputError && /ramdisk/.test(e.message),
  );
});
