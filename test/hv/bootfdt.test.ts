// bootFdtInfo against small hand-written trees (DTS → DTB with our fdt code) and against the
// reference QEMU host tree, whose (XEN) lines real Xen printed (reference/real-xen-bootlog.txt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildDtb, findNode, setString } from '../../src/fdt/dtb.js';
import { parseDts } from '../../src/fdt/dts.js';
import { bootFdtInfo, bootInfoLog, commandLineLog, XSM_MAGIC, type BootInfoExt } from '../../src/hv/bootfdt.js';
import { assertPanics, dtb, FakeMemory, prng, randInt } from './helpers.js';
import { HvPanic } from '../../src/hv/panic.js';

const REF = '/work/shared/reference';
const noMem = (): Uint8Array => {
  throw new Error('copyFromPaddr must not be called');
};

/** A tree with one 1 GiB bank at 0x4000_0000 and `chosen` / `extra` spliced in. */
function tree(chosen = '', extra = '', memreserve = ''): string {
  return `/dts-v1/;
${memreserve}
/ {
  #address-cells = <2>;
  #size-cells = <2>;
  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; };
  ${extra}
  chosen {
    #address-cells = <2>;
    #size-cells = <2>;
    ${chosen}
  };
};`;
}

const info = (text: string, mem = new FakeMemory(), fdtPa = 0x4800_0000): BootInfoExt =>
  bootFdtInfo(dtb(text), fdtPa, mem.copyFromPaddr, { xenImage: { start: 0x4020_0000, size: 0x20_0000 } });

test('reference QEMU host tree: the (XEN) lines real Xen 4.17 printed, byte for byte', () => {
  const fdt = parseDts(readFileSync(`${REF}/qemu-virt-host.dts`, 'utf8'), 'qemu-virt-host.dts');
  // The logged run passed "nopoweroff" too; QEMU pads its tree to 1 MiB.
  setString(findNode(fdt.root, '/chosen/module@0x49000000')!, 'bootargs', 'console=hvc0 rdinit=/init nopoweroff');
  fdt.root.children
    .find((c) => c.name === 'memory@40000000')!
    .props.set('reg', new Uint8Array([0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0]));
  let blob = buildDtb(fdt);
  blob = buildDtb(fdt, { padding: 0x10_0000 - blob.length });
  const bi = bootFdtInfo(blob, 0x4800_0000, noMem, { xenImage: { start: 0x4020_0000, size: 0x1360c8 } });

  const real = readFileSync(`${REF}/real-xen-bootlog.txt`, 'utf8').split('\n');
  const from = real.indexOf('(XEN) Checking for initrd in /chosen');
  const to = real.findIndex((l, i) => i > from && l.startsWith('(XEN) Command line:'));
  assert.ok(from > 0 && to > from);
  assert.deepEqual(
    bootInfoLog(bi),
    real.slice(from, to).map((l) => l.slice('(XEN) '.length)),
  );
  assert.equal(bi.xenBootargs, 'dom0_mem=512M console=dtuart dtuart=/pl011@9000000 loglvl=all guest_loglvl=all');
  assert.equal(bi.xenBootargsSource, 'bootargs');
  assert.deepEqual(bi.domains, []);
});

test('dom0less example: domain list, domain modules, CMDLINE labels and the static-mem check line', () => {
  const bi = bootFdtInfo(dtb(readFileSync(`${REF}/dom0less-example.dts`, 'utf8')), 0x4800_0000, noMem);
  assert.deepEqual(bi.domains, ['/chosen/domU1']);
  assert.deepEqual(
    bi.modules.map((m) => [m.kind, m.start, m.domain ?? 'dom0']),
    [
      ['fdt', 0x4800_0000, 'dom0'],
      ['kernel', 0x4900_0000, 'dom0'],
      ['ramdisk', 0x4d00_0000, 'dom0'],
      ['kernel', 0x5000_0000, '/chosen/domU1'],
      ['ramdisk', 0x5300_0000, '/chosen/domU1'],
    ],
  );
  const log = bootInfoLog(bi);
  assert.ok(log.includes('Checking for "xen,static-mem" in domain node'));
  assert.ok(log.includes('CMDLINE[0000000049000000]:chosen console=hvc0 rdinit=/init guest_tag=dom0 nopoweroff'));
  assert.ok(log.includes('CMDLINE[0000000050000000]:domU1 console=ttyAMA0 rdinit=/init guest_tag=domU1'));
  assert.equal(bi.xenBootargsSource, 'bootargs');
});

test('several /memory nodes, unsorted, one-cell addresses and a multi-bank reg: banks sorted', () => {
  const bi = info(`/dts-v1/;
/ {
  #address-cells = <1>;
  #size-cells = <1>;
  memory@80000000 { device_type = "memory"; reg = <0x80000000 0x10000000 0x60000000 0x1000000>; };
  memory@40000000 { device_type = "memory"; reg = <0x40000000 0x10000000>; };
  memory-foo { device_type = "memory"; reg = <0x10000000 0x1000>; };
  memory@1 { device_type = "memory"; status = "disabled"; reg = <0x20000000 0x1000>; };
  memory@2 { device_type = "mem"; reg = <0x30000000 0x1000>; };
  chosen { };
};`);
  assert.deepEqual(bi.mem, [
    { start: 0x4000_0000, size: 0x1000_0000 },
    { start: 0x6000_0000, size: 0x100_0000 },
    { start: 0x8000_0000, size: 0x1000_0000 },
  ]);
  assert.deepEqual(bootInfoLog(bi).slice(1, 4), [
    'RAM: 0000000040000000 - 000000004fffffff',
    'RAM: 0000000060000000 - 0000000060ffffff',
    'RAM: 0000000080000000 - 000000008fffffff',
  ]);
});

test('memory above 4 GiB with three-cell addresses (leading zero cell)', () => {
  const bi = info(`/dts-v1/;
/ {
  #address-cells = <3>;
  #size-cells = <2>;
  memory@0 { device_type = "memory"; reg = <0 0x0 0x40000000 0x0 0x40000000  0 0x80 0x0 0x1 0x0>; };
  chosen { };
};`);
  assert.deepEqual(bi.mem, [
    { start: 0x4000_0000, size: 0x4000_0000 },
    { start: 0x80_0000_0000, size: 0x1_0000_0000 },
  ]);
});

test('/memreserve/ and /reserved-memory: reg children (no-map recorded), dynamic and disabled ones skipped', () => {
  const bi = info(
    tree(
      '',
      `reserved-memory {
    #address-cells = <1>;
    #size-cells = <1>;
    ranges;
    tee@4e000000 { reg = <0x4e000000 0x100000>; no-map; };
    cma { size = <0x1000000>; };
    off@4f000000 { reg = <0x4f000000 0x1000>; status = "disabled"; };
    shm@4f800000 { reg = <0x4f800000 0x2000>; };
    sram@10000000 { reg = <0x10000000 0x1000>; };
  };`,
      '/memreserve/ 0x7f000000 0x10000;',
    ),
  );
  assert.deepEqual(
    bi.reserved.map((r) => [r.name, r.start, r.size, r.noMap ?? false]),
    [
      ['memreserve', 0x7f00_0000, 0x1_0000, false],
      ['/reserved-memory/tee@4e000000', 0x4e00_0000, 0x10_0000, true],
      ['/reserved-memory/shm@4f800000', 0x4f80_0000, 0x2000, false],
      // Outside RAM: accepted, as Xen does (it is just never handed to an allocator).
      ['/reserved-memory/sram@10000000', 0x1000_0000, 0x1000, false],
    ],
  );
  const log = bootInfoLog(bi);
  assert.ok(log.includes(' RESVD[0]: 000000007f000000 - 000000007f00ffff'));
  assert.ok(log.includes(' RESVD[3]: 0000000010000000 - 0000000010000fff'));
});

test('module kinds: multiboot,*, legacy xen,multiboot-module, xen,xsm-policy, device-tree, and only under /chosen', () => {
  const bi = info(
    tree(
      `k { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 0x41000000 0x0 0x1000>; bootargs = "console=hvc0"; };
    r { compatible = "xen,linux-initrd", "xen,multiboot-module"; reg = <0x0 0x42000000 0x0 0x1000>; };
    z { compatible = "xen,linux-zimage", "xen,multiboot-module"; reg = <0x0 0x43000000 0x0 0x1000>; };
    x { compatible = "xen,xsm-policy", "multiboot,module"; reg = <0x0 0x44000000 0x0 0x1000>; };
    d { compatible = "multiboot,device-tree", "multiboot,module"; reg = <0x0 0x45000000 0x0 0x1000>; };`,
      `elsewhere { compatible = "multiboot,module"; reg = <0x0 0x46000000 0x0 0x1000>; };`,
    ),
  );
  assert.deepEqual(
    bi.modules.map((m) => m.kind),
    ['xen', 'fdt', 'kernel', 'ramdisk', 'kernel', 'xsm', 'guest-dtb'],
  );
  assert.equal(bi.modules[2].cmdline, 'console=hvc0');
  const log = bootInfoLog(bi);
  assert.ok(log.includes('MODULE[5]: 0000000044000000 - 0000000044001000 XSM Policy  '));
  assert.ok(log.includes('MODULE[6]: 0000000045000000 - 0000000045001000 DTB         '));
  // dom0 has a command line, so /chosen/bootargs (absent here) would be Xen's: none.
  assert.equal(bi.xenBootargsSource, 'none');
});

test('seed 003: untyped modules are guessed (kernel, ramdisk) and an XSM policy found by its magic via copyFromPaddr', () => {
  const magic = new Uint8Array(8);
  new DataView(magic.buffer).setUint32(0, XSM_MAGIC, true);
  new DataView(magic.buffer).setUint32(4, 8, true);
  const mods = `m1 { compatible = "multiboot,module"; reg = <0x0 0x41000000 0x0 0x1000>; };
    m2 { compatible = "multiboot,module"; reg = <0x0 0x42000000 0x0 0x1000>; };
    m3 { compatible = "multiboot,module"; reg = <0x0 0x43000000 0x0 0x1000>; };
    m4 { compatible = "multiboot,module"; reg = <0x0 0x44000000 0x0 0x1000>; };`;

  // The policy is the second untyped module: XSM, and then there is no ramdisk.
  let mem = new FakeMemory().put(0x4200_0000, magic);
  let bi = info(tree(mods), mem);
  assert.deepEqual(
    bi.modules.slice(2).map((m) => m.kind),
    ['kernel', 'xsm', 'unknown', 'unknown'],
  );
  // The first untyped module is never probed (Xen: kind_guess > 1), all later ones are.
  assert.deepEqual(mem.reads, [
    { pa: 0x4200_0000, len: 4 },
    { pa: 0x4300_0000, len: 4 },
    { pa: 0x4400_0000, len: 4 },
  ]);

  // The policy as the fourth: kernel, ramdisk, unknown, XSM.
  mem = new FakeMemory().put(0x4400_0000, magic);
  bi = info(tree(mods), mem);
  assert.deepEqual(
    bi.modules.slice(2).map((m) => m.kind),
    ['kernel', 'ramdisk', 'unknown', 'xsm'],
  );

  // Big-endian magic is not the magic.
  const be = new Uint8Array(4);
  new DataView(be.buffer).setUint32(0, XSM_MAGIC, false);
  bi = info(tree(mods), new FakeMemory().put(0x4200_0000, be));
  assert.equal(bi.modules[3].kind, 'ramdisk');
});

test('linux,initrd-start/-end (one or two cells) become a ramdisk; the scan lines come first in the log', () => {
  for (const cells of ['<0x4d000000>', '<0x0 0x4d000000>']) {
    const end = cells.includes(' ') ? '<0x0 0x4d0f1040>' : '<0x4d0f1040>';
    const bi = info(tree(`linux,initrd-start = ${cells}; linux,initrd-end = ${end};`));
    assert.deepEqual(
      bi.modules.map((m) => [m.kind, m.start, m.size]),
      [
        ['xen', 0x4020_0000, 0x20_0000],
        ['fdt', 0x4800_0000, bi.fdtSize],
        ['ramdisk', 0x4d00_0000, 0xf1040],
      ],
    );
    assert.deepEqual(bootInfoLog(bi).slice(0, 2), ['Checking for initrd in /chosen', 'Initrd 000000004d000000-000000004d0f103f']);
  }
});

test("Xen's command line: xen,xen-bootargs wins; bootargs only when dom0 has its own command line", () => {
  const k = (args: string) => `k { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 0x41000000 0x0 0x1000>; ${args} };`;
  let bi = info(tree(`xen,xen-bootargs = "loglvl=all"; bootargs = "console=hvc0"; ${k('')}`));
  assert.deepEqual([bi.xenBootargs, bi.xenBootargsSource], ['loglvl=all', 'xen,xen-bootargs']);
  bi = info(tree(`bootargs = "console=hvc0"; ${k('')}`));
  assert.deepEqual([bi.xenBootargs, bi.xenBootargsSource], ['', 'none']);
  bi = info(tree(`bootargs = "sync_console"; ${k('bootargs = "console=hvc0";')}`));
  assert.deepEqual([bi.xenBootargs, bi.xenBootargsSource], ['sync_console', 'bootargs']);
  bi = info(tree(`bootargs = "sync_console"; xen,dom0-bootargs = "console=hvc0"; ${k('')}`));
  assert.deepEqual([bi.xenBootargs, bi.xenBootargsSource], ['sync_console', 'bootargs']);
});

test('xen,static-heap banks are recorded and announced', () => {
  const bi = info(tree('xen,static-heap = <0x0 0x50000000 0x0 0x8000000>;'));
  assert.deepEqual(bi.staticHeap, [{ start: 0x5000_0000, size: 0x800_0000 }]);
  assert.equal(bootInfoLog(bi)[0], 'Checking for static heap in /chosen');
});

test('a module inside a /memreserve/ entry is fine (U-Boot reserves the ramdisk); an empty RAM bank is skipped with a warning', () => {
  const bi = info(
    `/dts-v1/;
/memreserve/ 0x4d000000 0x200000;
/ {
  #address-cells = <2>;
  #size-cells = <2>;
  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000 0x0 0x90000000 0x0 0x0>; };
  chosen { linux,initrd-start = <0x4d000000>; linux,initrd-end = <0x4d100000>; };
};`,
  );
  assert.equal(bi.modules[2].kind, 'ramdisk');
  assert.equal(bi.mem.length, 1);
  assert.ok(bootInfoLog(bi).includes("fdt: node `/memory@40000000': ignoring empty RAM bank 1 at 0x90000000"));
});

// ---- every panic --------------------------------------------------------------------------------

test('panic: truncated, corrupt or misplaced blobs', () => {
  const good = dtb(tree());
  assertPanics(() => bootFdtInfo(good.slice(0, 20), 0x4800_0000, noMem), /^No valid device tree at 0x48000000: fdt@0x0: truncated/);
  assertPanics(() => bootFdtInfo(good.slice(0, good.length - 8), 0x4800_0000, noMem), /truncated: totalsize is 0x[0-9a-f]+ but only/);
  const bad = good.slice();
  bad[0] = 0;
  assertPanics(() => bootFdtInfo(bad, 0x4800_0000, noMem), /fdt@0x0: bad magic/);
  const tok = good.slice();
  new DataView(tok.buffer).setUint32(new DataView(tok.buffer).getUint32(8), 0x77);
  assertPanics(() => bootFdtInfo(tok, 0x4800_0000, noMem), /fdt@0x[0-9a-f]+: bad structure token 0x77/);
  assertPanics(() => bootFdtInfo(good, 0x4800_0004, noMem), /must be 8-byte aligned/);
  assertPanics(() => bootFdtInfo(buildDtb(parseDts(tree(), 't'), { padding: 0x20_0000 }), 0x4800_0000, noMem), /exceeds 2 MB/);
});

test('panic: no RAM at all, or a memory node whose banks are all empty', () => {
  assertPanics(() => info('/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; chosen { }; };'), /^No memory bank/);
  assertPanics(
    () => info('/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; memory { reg = <0 0x40000000 0 0x1000>; }; };'),
    /^No memory bank/,
  );
  assertPanics(
    () => info('/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; memory@0 { device_type = "memory"; reg = <0 0 0 0>; }; };'),
    /^fdt: node `\/memory@0': every RAM bank in reg has size 0$/,
  );
});

test('panic: overlapping RAM banks, in one node or across nodes', () => {
  assertPanics(
    () =>
      info(`/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;
  memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
  memory@70000000 { device_type = "memory"; reg = <0 0x70000000 0 0x1000>; }; };`),
    /^fdt: RAM bank \[0x70000000, 0x70001000\) \(\/memory@70000000\) overlaps RAM bank \[0x40000000, 0x80000000\) \(\/memory@40000000\)$/,
  );
  assertPanics(
    () =>
      info(
        `/dts-v1/; / { #address-cells = <1>; #size-cells = <1>; memory { device_type = "memory"; reg = <0x40000000 0x2000 0x40001000 0x1000>; }; };`,
      ),
    /overlaps RAM bank/,
  );
});

test('panic: malformed reg and cell counts', () => {
  assertPanics(
    () =>
      info(`/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; memory { device_type = "memory"; reg = <0 0x40000000 0x1000>; }; };`),
    /^fdt: node `\/memory': property `reg' is 12 bytes, not a whole number of 16-byte \(address, size\) entries$/,
  );
  assertPanics(
    () => info(`/dts-v1/; / { #address-cells = <2>; #size-cells = <0>; memory { device_type = "memory"; reg = <0 0x40000000>; }; };`),
    /invalid #address-cells 2 or #size-cells 0/,
  );
  assertPanics(
    () =>
      info(`/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; memory { device_type = "memory"; reg = <0xffffffff 0 0 0x1000>; }; };`),
    /^fdt: node `\/memory': property `reg' entry 0: 64-bit value 0xffffffff00000000 does not fit in 53 bits$/,
  );
  assertPanics(() => info(`/dts-v1/; / { #address-cells = <2 3>; };`), /^fdt: node `\/': #address-cells is 8 bytes/);
});

test('panic: modules outside RAM, straddling its end, empty, or overlapping each other', () => {
  const mod = (at: string, size = '0x1000') => `m { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 ${at} 0x0 ${size}>; };`;
  assertPanics(() => info(tree(mod('0x90000000'))), /^MODULE\[2\] Kernel \(\/chosen\/m\) \[0x90000000, 0x90001000\) is not inside RAM$/);
  assertPanics(() => info(tree(mod('0x7ffff000', '0x2000'))), /\[0x7ffff000, 0x80001000\) is not inside RAM/);
  assertPanics(() => info(tree(mod('0x41000000', '0x0'))), /^fdt: node `\/chosen\/m': Kernel module at 0x41000000 has size 0$/);
  assertPanics(
    () => info(tree(mod('0x48000000'))),
    /^Region: \[0x48000000, 0x48001000\) \(\/chosen\/m\) overlapping with mod\[1\]: \[0x48000000, 0x[0-9a-f]+\) \(\/\)$/,
  );
  assertPanics(() => info(tree(mod('0x40300000'))), /overlapping with mod\[0\]: \[0x40200000, 0x40400000\) \(xen image\)/);
});

test('panic: a module overlapping a /reserved-memory range, or reserved ranges overlapping', () => {
  const rm = (a: string, b: string) =>
    `reserved-memory { #address-cells = <1>; #size-cells = <1>; a@0 { reg = <${a}>; }; b@0 { reg = <${b}>; }; };`;
  assertPanics(
    () =>
      info(
        tree('m { compatible = "multiboot,module"; reg = <0x0 0x4e000000 0x0 0x2000>; };', rm('0x4e001000 0x1000', '0x50000000 0x1000')),
      ),
    /^Region: \[0x4e000000, 0x4e002000\) \(\/chosen\/m\) overlapping with bank\[0\]: \[0x4e001000, 0x4e002000\) \(\/reserved-memory\/a@0\)$/,
  );
  assertPanics(
    () => info(tree('', rm('0x4e000000 0x2000', '0x4e001000 0x1000'))),
    /^Region: \[0x4e001000, 0x4e002000\) \(\/reserved-memory\/b@0\) overlapping with bank\[0\]: \[0x4e000000, 0x4e002000\) \(\/reserved-memory\/a@0\)$/,
  );
  // Partly inside a /memreserve/ entry is still an overlap.
  assertPanics(
    () => info(tree('linux,initrd-start = <0x4d000000>; linux,initrd-end = <0x4d300000>;', '', '/memreserve/ 0x4d000000 0x200000;')),
    /overlapping with bank\[0\]: \[0x4d000000, 0x4d200000\) \(memreserve\)/,
  );
});

test('panic: broken module and initrd properties', () => {
  assertPanics(() => info(tree('m { compatible = "multiboot,module"; };')), /^node \/chosen\/m missing `reg' property$/);
  assertPanics(() => info(tree('m { compatible = "multiboot,module"; reg = <0x0 0x41000000>; };')), /property `reg' is 8 bytes/);
  assertPanics(
    () => info(tree('linux,initrd-start = [00 01 02]; linux,initrd-end = <0x4d000000>;')),
    /linux,initrd-start property has invalid length 3/,
  );
  assertPanics(() => info(tree('linux,initrd-start = <0x4d000000>;')), /linux,initrd-end not present but -start was/);
  assertPanics(
    () => info(tree('linux,initrd-start = <0x4d000000>; linux,initrd-end = <0x4d000000>;')),
    /linux,initrd limits invalid: 000000004d000000 >= 000000004d000000/,
  );
});

test('panic: the rest — short XSM probe, overlong module command line, too many modules, unterminated strings, 2^53', () => {
  const m = (i: number) => `m${i} { compatible = "multiboot,module"; reg = <0x0 ${0x4100_0000 + i * 0x1_0000} 0x0 0x1000>; };`;
  assertPanics(
    () => bootFdtInfo(dtb(tree(m(0) + m(1))), 0x4800_0000, () => new Uint8Array(2)),
    /^has_xsm_magic: copy_from_paddr\(0x41010000, 4\) for \/chosen\/m1 returned 2 bytes$/,
  );
  assertPanics(
    () =>
      info(
        tree(
          `k { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 0x41000000 0x0 0x1000>; bootargs = "${'x'.repeat(1025)}"; };`,
        ),
      ),
    /^module \/chosen\/k command line too long \(1025 > 1024\)$/,
  );
  const many = Array.from(
    { length: 31 },
    (_, i) => `k${i} { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 ${0x4100_0000 + i * 0x1_0000} 0x0 0x1000>; };`,
  );
  assert.equal(info(tree(many.slice(0, 30).join('\n'))).modules.length, 32, 'Xen, the DTB and 30 modules fit');
  assertPanics(() => info(tree(many.join('\n'))), /^Too many boot modules: \/chosen\/k30 would be number 33 \(MAX_MODULES = 32\)$/);
  assertPanics(() => info(tree('xen,xen-bootargs = [61 62];')), /^fdt: node `\/chosen': xen,xen-bootargs is not a NUL-terminated string$/);
  assertPanics(
    () => info(tree('linux,initrd-start = <0xffffffff 0x0>; linux,initrd-end = <0xffffffff 0x1000>;')),
    /^fdt: node `\/chosen': linux,initrd-start value 0xffffffff00000000 is beyond 2\^53$/,
  );
  assertPanics(
    () =>
      info(
        `/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; memory { device_type = "memory"; reg = <0x1fffff 0xfffff000 0x100000 0x0>; }; };`,
      ),
    /^fdt: node `\/memory': property `reg' entry 0 ends beyond 2\^53$/,
  );
});

test('Command line: as start_xen prints it, "<NULL>" when Xen has none', () => {
  assert.equal(commandLineLog(info(tree('xen,xen-bootargs = "loglvl=all";'))), 'Command line: loglvl=all');
  assert.equal(commandLineLog(info(tree('bootargs = "console=hvc0";'))), 'Command line: <NULL>');
});

test('property: corrupted or truncated blobs end in one panic line or a result, never another exception', () => {
  const good = dtb(readFileSync(`${REF}/dom0less-example.dts`, 'utf8'));
  const rnd = prng(20260);
  let panics = 0;
  for (let n = 0; n < 600; n++) {
    let blob = good.slice();
    if (n % 3 === 0) blob = blob.slice(0, randInt(rnd, 0, blob.length - 1));
    else for (let k = randInt(rnd, 1, 4); k > 0; k--) blob[randInt(rnd, 0, blob.length - 1)] = randInt(rnd, 0, 255);
    try {
      bootFdtInfo(blob, 0x4800_0000, () => new Uint8Array(4));
    } catch (e) {
      assert.ok(e instanceof HvPanic, `case ${n}: ${String(e)}`);
      assert.doesNotMatch(e.reason, /\n/);
      panics++;
    }
  }
  assert.ok(panics > 200, `most corruptions are caught (${panics})`);
});

test("RESVD[] lists reserved ranges in Xen's reserved_mem order: memreserve, then tree order (static heap and static-mem included)", () => {
  const bi = info(
    tree(
      `xen,static-heap = <0x0 0x50000000 0x0 0x1000000>;
    domU { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; xen,static-mem = <0x0 0x60000000 0x0 0x1000000>; };`,
      'reserved-memory { #address-cells = <2>; #size-cells = <2>; r@4e000000 { reg = <0x0 0x4e000000 0x0 0x1000>; }; };',
      '/memreserve/ 0x7f000000 0x1000;',
    ),
  );
  assert.deepEqual(
    bootInfoLog(bi).filter((l) => l.startsWith(' RESVD')),
    [
      ' RESVD[0]: 000000007f000000 - 000000007f000fff',
      ' RESVD[1]: 000000004e000000 - 000000004e000fff',
      ' RESVD[2]: 0000000050000000 - 0000000050ffffff',
      ' RESVD[3]: 0000000060000000 - 0000000060ffffff',
    ],
  );
  assert.deepEqual(bi.domains, ['/chosen/domU']);
  assert.equal(bi.reserved[2].kind, 'static-mem');
});
