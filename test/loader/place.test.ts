import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { getCells, getNode, getReg, getString, parseDtb } from '../../src/fdt/dtb.js';
import { makeVirtDtb } from '../../src/platform/boards/virtDt.js';
import { BOOTLOADER_MAX_SIZE, QEMU_BOARD_DTB_SIZE, bootStub, planBoot, type BootInput } from '../../src/platform/loader/place.js';
import { InputError } from '../../src/util/errors.js';
import { buildElf, buildImage } from './elfBuilder.js';

const MiB = 1 << 20;
const BASE = 0x4000_0000;

function board(ramSize: number): BootInput['dtb'] {
  return makeVirtDtb({ ramBase: BASE, ramSize, cpus: 1, el: 2, gicVersion: 3 });
}

function inputError(message: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.message, message);
    return true;
  };
}

test('modern Image (text_offset 0): kernel at base + 2 MiB, initrd at 128 MiB, DTB 2 MiB-aligned after it', () => {
  const kernel = buildImage({ textOffset: 0, imageSize: 0x180_0000, size: 8192 });
  const initrd = new Uint8Array(300_000);
  const plan = planBoot({
    ramBase: BASE,
    ramSize: 1024 * MiB,
    kernel,
    kernelName: 'Image',
    initrd,
    initrdName: 'initrd',
    cmdline: 'console=ttyAMA0',
    dtb: board(1024 * MiB),
  });
  assert.equal(plan.kind, 'linux');
  assert.equal(plan.entry, BASE + 2 * MiB);
  assert.equal(plan.kernelEnd, BASE + 2 * MiB + 0x180_0000);
  assert.equal(plan.initrdStart, 0x4800_0000);
  assert.equal(plan.initrdEnd, 0x4800_0000 + 300_000);
  assert.equal(plan.dtbAddr, 0x4820_0000);
  assert.equal(plan.x0, 0x4820_0000);
  assert.deepEqual(
    plan.loads.map((l) => [l.what, l.addr]),
    [
      ['kernel', 0x4020_0000],
      ['initrd', 0x4800_0000],
      ['dtb', 0x4820_0000],
    ],
  );

  // The placed blob carries arm_load_dtb()'s edits.
  const root = parseDtb(plan.loads[2]!.data, 'dtb').root;
  const chosen = getNode(root, '/chosen');
  assert.equal(getString(chosen, 'bootargs'), 'console=ttyAMA0');
  assert.deepEqual(getCells(chosen, 'linux,initrd-start'), [0x4800_0000]);
  assert.deepEqual(getCells(chosen, 'linux,initrd-end'), [0x4800_0000 + 300_000]);
  assert.deepEqual(getReg(root, getNode(root, '/memory')), [{ address: BASE, size: 1024 * MiB }]);
  assert.deepEqual(root.children.map((c) => c.name).slice(0, 2), ['psci', 'memory@40000000']);
});

test(
  'same placement as QEMU 7.2 for guests/bin/isa-alu.img (info roms: 0x40080000, 0x48000000, dtb 0x48200000)',
  { skip: !existsSync('/work/main/guests/bin/isa-alu.img') },
  () => {
    const kernel = new Uint8Array(readFileSync('/work/main/guests/bin/isa-alu.img'));
    const plan = planBoot({
      ramBase: BASE,
      ramSize: 512 * MiB,
      kernel,
      kernelName: 'isa-alu.img',
      initrd: new Uint8Array(300_000),
      cmdline: 'hello world',
      dtb: board(512 * MiB),
      dtbPadTo: QEMU_BOARD_DTB_SIZE,
    });
    assert.deepEqual(
      plan.loads.map((l) => [l.what, l.addr, l.data.length]),
      [
        ['kernel', 0x4008_0000, kernel.length],
        ['initrd', 0x4800_0000, 0x493e0],
        ['dtb', 0x4820_0000, 0x10_0000],
      ],
    );
    assert.deepEqual(getCells(getNode(plan.fdt!.root, '/chosen'), 'linux,initrd-end'), [0x480493e0]);
  },
);

test('text_offset below 4 KiB is moved up by 2 MiB; larger ones are kept', () => {
  const at = (textOffset: number): number =>
    planBoot({ ramBase: BASE, ramSize: 512 * MiB, kernel: buildImage({ textOffset, imageSize: 0x10000 }), kernelName: 'I' }).entry;
  assert.equal(at(0), BASE + 2 * MiB);
  assert.equal(at(BOOTLOADER_MAX_SIZE - 1), BASE + 2 * MiB + BOOTLOADER_MAX_SIZE - 1);
  assert.equal(at(BOOTLOADER_MAX_SIZE), BASE + BOOTLOADER_MAX_SIZE);
  assert.equal(at(0x80000), BASE + 0x80000);
});

test('image_size 0 and raw binaries load at base + 0x80000, sized by the file', () => {
  const old = planBoot({
    ramBase: BASE,
    ramSize: 512 * MiB,
    kernel: buildImage({ textOffset: 0, imageSize: 0, size: 5000 }),
    kernelName: 'old',
  });
  assert.equal(old.entry, BASE + 0x80000);
  assert.equal(old.kernelEnd, BASE + 0x80000 + 5000);
  const raw = planBoot({ ramBase: BASE, ramSize: 512 * MiB, kernel: Uint8Array.from([0, 0, 0, 0x14]), kernelName: 'raw.bin' });
  assert.equal(raw.entry, BASE + 0x80000);
  assert.equal(raw.dtbAddr, null);
  assert.equal(raw.x0, 0);
});

test('small RAM puts the initrd halfway; a big kernel pushes it past its end', () => {
  const small = planBoot({
    ramBase: BASE,
    ramSize: 64 * MiB,
    kernel: buildImage({ textOffset: 0, imageSize: 0x10000 }),
    kernelName: 'I',
    initrd: new Uint8Array(10),
    dtb: board(64 * MiB),
  });
  assert.equal(small.initrdStart, BASE + 32 * MiB);
  assert.equal(small.dtbAddr, BASE + 34 * MiB);
  const big = planBoot({
    ramBase: BASE,
    ramSize: 512 * MiB,
    kernel: buildImage({ textOffset: 0, imageSize: 200 * MiB + 5 }),
    kernelName: 'I',
    initrd: new Uint8Array(10),
  });
  assert.equal(big.initrdStart, BASE + 202 * MiB + 4096);
});

test('no initrd: DTB at the 2 MiB boundary at or above base + 128 MiB', () => {
  const plan = planBoot({
    ramBase: BASE,
    ramSize: 512 * MiB,
    kernel: buildImage({ textOffset: 0, imageSize: 0x10000 }),
    kernelName: 'I',
    dtb: board(512 * MiB),
  });
  assert.equal(plan.dtbAddr, 0x4800_0000);
  assert.equal(plan.initrdStart, null);
  assert.equal(getNode(plan.fdt!.root, '/chosen').props.has('linux,initrd-start'), false);
});

test('gzip-compressed Image is decompressed first', () => {
  const image = buildImage({ textOffset: 0, imageSize: 0x10000, size: 10000 });
  const plan = planBoot({ ramBase: BASE, ramSize: 512 * MiB, kernel: new Uint8Array(gzipSync(image)), kernelName: 'Image.gz' });
  assert.deepEqual(plan.loads[0]!.data, image);
  assert.equal(plan.entry, BASE + 2 * MiB);
});

test("boot stub: QEMU's 40-byte AArch64 loader at the RAM base", () => {
  const plan = planBoot({
    ramBase: BASE,
    ramSize: 512 * MiB,
    kernel: buildImage({ textOffset: 0, imageSize: 0x10000 }),
    kernelName: 'I',
    dtb: board(512 * MiB),
    bootStub: true,
  });
  assert.equal(plan.entry, BASE);
  assert.equal(plan.x0, 0x4800_0000);
  const stub = plan.loads[0]!;
  assert.equal(stub.what, 'bootloader');
  assert.deepEqual(stub.data, bootStub(0x4800_0000, BASE + 2 * MiB));
  const dv = new DataView(stub.data.buffer);
  assert.equal(dv.getUint32(0, true), 0x580000c0);
  assert.equal(dv.getUint32(24, true), 0x4800_0000);
  assert.equal(dv.getUint32(32, true), BASE + 2 * MiB);
});

const code = Uint8Array.from([0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14]);

test('ELF: segments at paddr, PC = entry, x0 = 0, DTB at the RAM base when it fits below the image', () => {
  const kernel = buildElf({ entry: 0x4008_0000, segments: [{ paddr: 0x4008_0000, data: code, memsz: 0x1000 }] });
  const plan = planBoot({ ramBase: BASE, ramSize: 512 * MiB, kernel, kernelName: 'k.elf', dtb: board(512 * MiB), cmdline: 'x' });
  assert.equal(plan.kind, 'elf');
  assert.equal(plan.entry, 0x4008_0000);
  assert.equal(plan.x0, 0);
  assert.equal(plan.dtbAddr, BASE);
  assert.deepEqual(
    plan.loads.map((l) => [l.what, l.addr, l.data.length]),
    [
      ['dtb', BASE, plan.loads[0]!.data.length],
      ['kernel segment 0', 0x4008_0000, 0x1000],
    ],
  );
  assert.equal(getString(getNode(plan.fdt!.root, '/chosen'), 'bootargs'), 'x');
});

test('ELF: a QEMU-sized (1 MiB) DTB does not fit below an image at +0x80000, so none is loaded — as QEMU does', () => {
  const kernel = buildElf({ entry: 0x4008_0000, segments: [{ paddr: 0x4008_0000, data: code }] });
  const plan = planBoot({
    ramBase: BASE,
    ramSize: 512 * MiB,
    kernel,
    kernelName: 'k.elf',
    dtb: board(512 * MiB),
    dtbPadTo: QEMU_BOARD_DTB_SIZE,
  });
  assert.equal(plan.dtbAddr, null);
  assert.deepEqual(
    plan.loads.map((l) => l.what),
    ['kernel segment 0'],
  );
});

test('ELF covering the RAM base: no DTB', () => {
  const kernel = buildElf({ entry: BASE, segments: [{ paddr: BASE, data: code }] });
  assert.equal(planBoot({ ramBase: BASE, ramSize: 512 * MiB, kernel, kernelName: 'k.elf', dtb: board(512 * MiB) }).dtbAddr, null);
});

test('real guest ELF', { skip: !existsSync('/work/main/guests/bin/isa-alu.elf') }, () => {
  const kernel = new Uint8Array(readFileSync('/work/main/guests/bin/isa-alu.elf'));
  const plan = planBoot({
    ramBase: BASE,
    ramSize: 512 * MiB,
    kernel,
    kernelName: 'isa-alu.elf',
    dtb: board(512 * MiB),
    dtbPadTo: QEMU_BOARD_DTB_SIZE,
  });
  assert.equal(plan.loads[0]!.addr, 0x4008_0000); // QEMU info roms: segment 0 at 0x40080000, no dtb
  assert.equal(plan.dtbAddr, null);
  assert.equal(plan.entry, plan.elf!.entry);
});

// ---- bad input -------------------------------------------------------------

test('ELF with an initrd', () => {
  const kernel = buildElf({ entry: 0x4008_0000, segments: [{ paddr: 0x4008_0000, data: code }] });
  assert.throws(
    () => planBoot({ ramBase: BASE, ramSize: 512 * MiB, kernel, kernelName: 'k.elf', initrd: new Uint8Array(4), initrdName: 'rd.cpio' }),
    inputError('rd.cpio: an initrd needs a Linux Image kernel; QEMU ignores -initrd for ELF kernels'),
  );
});

test('ELF segment outside RAM', () => {
  const kernel = buildElf({ entry: 0x1000, segments: [{ paddr: 0x1000, data: code }] });
  assert.throws(
    () => planBoot({ ramBase: BASE, ramSize: 512 * MiB, kernel, kernelName: 'k.elf' }),
    inputError('k.elf: kernel segment 0 [0x1000, 0x1008) is outside RAM [0x40000000, 0x60000000)'),
  );
});

test('overlapping ELF segments', () => {
  const kernel = buildElf({
    entry: 0x4008_0000,
    segments: [
      { paddr: 0x4008_0000, data: code },
      { paddr: 0x4008_0004, data: code },
    ],
  });
  assert.throws(
    () => planBoot({ ramBase: BASE, ramSize: 512 * MiB, kernel, kernelName: 'k.elf' }),
    inputError('k.elf: kernel segment 0 [0x40080000, 0x40080008) overlaps kernel segment 1 [0x40080004, 0x4008000c)'),
  );
});

test('kernel larger than RAM', () => {
  assert.throws(
    () => planBoot({ ramBase: BASE, ramSize: 16 * MiB, kernel: buildImage({ textOffset: 0, imageSize: 32 * MiB }), kernelName: 'Image' }),
    inputError('Image: kernel is too large to fit in RAM (kernel size 0x2000000, RAM size 0x1000000)'),
  );
});

test('initrd too big for RAM after the kernel', () => {
  assert.throws(
    () =>
      planBoot({
        ramBase: BASE,
        ramSize: 16 * MiB,
        kernel: buildImage({ textOffset: 0, imageSize: 0x1000 }),
        kernelName: 'Image',
        initrd: new Uint8Array(9 * MiB),
        initrdName: 'big.cpio',
      }),
    inputError('big.cpio: could not load initrd: too big to fit into RAM after the kernel ([0x40800000, 0x41100000) ends past 0x41000000)'),
  );
});

test('no room for the DTB after the initrd', () => {
  assert.throws(
    () =>
      planBoot({
        ramBase: BASE,
        ramSize: 16 * MiB,
        kernel: buildImage({ textOffset: 0, imageSize: 0x1000 }),
        kernelName: 'Image',
        initrd: new Uint8Array(8 * MiB - 1),
        dtb: board(16 * MiB),
      }),
    inputError('dtb: not enough space for DTB after kernel/initrd (it would start at 0x41000000, RAM ends at 0x41000000)'),
  );
});

test('uImage and big-endian Image are refused', () => {
  const u = new Uint8Array(64);
  new DataView(u.buffer).setUint32(0, 0x27051956);
  assert.throws(
    () => planBoot({ ramBase: BASE, ramSize: 64 * MiB, kernel: u, kernelName: 'uImage' }),
    inputError('uImage: U-Boot uImage kernels are not supported; pass the arm64 Image or an ELF'),
  );
  assert.throws(
    () =>
      planBoot({ ramBase: BASE, ramSize: 64 * MiB, kernel: buildImage({ textOffset: 0, imageSize: 0x1000, flags: 1 }), kernelName: 'be' }),
    inputError('be: big-endian arm64 Image (flags bit 0) is not supported'),
  );
});

test('-dtb without #size-cells', () => {
  const root = makeVirtDtb({ ramBase: BASE, ramSize: 64 * MiB, cpus: 1, el: 1, gicVersion: 3 });
  root.props.delete('#size-cells');
  assert.throws(
    () =>
      planBoot({ ramBase: BASE, ramSize: 64 * MiB, kernel: buildImage({ textOffset: 0, imageSize: 0x1000 }), kernelName: 'I', dtb: root }),
    inputError('dtb: root node has no #size-cells'),
  );
});
