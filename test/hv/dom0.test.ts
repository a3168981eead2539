// dom0, the hardware domain (src/hv/domain/dom0.ts, dom0Fdt.ts): the tree Xen builds for it
// from the host tree, compared node by node with the one real Xen 4.17 built on QEMU virt
// (../shared/reference/real-xen-dom0-fdt.dts from qemu-virt-host.dts), and the dom0-check guest
// end to end — alone and beside a domU — checking its own device tree, its 1:1 RAM, the vGIC at
// the host GIC's addresses and the PL031 passed through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDts } from '../../src/fdt/dts.js';
import { getNode, getString, setString, setEmpty, findNode, type FdtNode } from '../../src/fdt/dtb.js';
import { makeDom0Fdt, type Dom0FdtSpec } from '../../src/hv/domain/dom0Fdt.js';
import type { XenBootSpec } from '../../src/cli/boot.js';
import { bootHv, domU } from './domUs.js';
import { cli, oneLineError } from '../helpers/cli.js';

const REF = '/work/shared/reference';
const host = (): FdtNode => parseDts(readFileSync(`${REF}/qemu-virt-host.dts`, 'utf8'), 'qemu-virt-host.dts').root;
const real = parseDts(readFileSync(`${REF}/real-xen-dom0-fdt.dts`, 'utf8'), 'real-xen-dom0-fdt.dts').root;

/** What real Xen had for that run (real-xen-bootlog.txt, section B). */
const REAL_SPEC: Dom0FdtSpec = {
  xenUartPath: '/pl011@9000000',
  moduleBootargs: 'console=hvc0 rdinit=/init dumpfdt guest_tag=dom0',
  initrd: true,
  vcpus: 2,
  memory: [{ address: 0x6000_0000, size: 0x2000_0000 }],
  evtchnIntid: 16,
  gnttab: { start: 0x4020_0000, size: 0x4_0000 },
  extRegions: [
    { start: 0x4040_0000, size: 0x1fc0_0000 },
    { start: 0x8000_0000, size: 0x4000_0000 },
  ],
};

test("dom0's tree has real Xen's node set, in its order, with its properties", () => {
  const ours = makeDom0Fdt(host(), REAL_SPEC).root;
  assert.deepEqual(
    ours.children.map((c) => c.name),
    real.children.map((c) => c.name),
  );
  assert.deepEqual([...ours.props], [...real.props], 'root properties');
  for (const theirs of real.children) {
    const mine = getNode(ours, `/${theirs.name}`);
    if (theirs.name === 'chosen') {
      // Read back from inside Linux: it zeroed kaslr-seed and removed rng-seed after use, and
      // the initrd values are the ones initrd_load filled in (ours: the placeholders).
      assert.equal(getString(mine, 'bootargs'), getString(theirs, 'bootargs'));
      assert.deepEqual(
        [...mine.props.keys()].filter((k) => k !== 'rng-seed'),
        [...theirs.props.keys()],
      );
      continue;
    }
    assert.deepEqual(mine, theirs, theirs.name);
  }
});

test('what handle_device gives dom0: device MMIO 1:1 and SPIs, never the GIC or the UART Xen uses', () => {
  const t = makeDom0Fdt(host(), REAL_SPEC);
  const at = (a: number): string[] => t.mmio.filter((m) => a >= m.address && a < m.address + m.size).map((m) => m.node);
  assert.deepEqual(at(0x0901_0000), ['/pl031@9010000']);
  assert.deepEqual(at(0x0a00_0200), ['/virtio_mmio@a000200']);
  assert.deepEqual(at(0x40_1000_0000), ['/pcie@10000000']);
  // map_device_children: the host bridge's windows (IO, 32-bit and 64-bit MMIO) and INTx SPIs.
  assert.deepEqual(at(0x3eff_0000), ['/pcie@10000000']);
  assert.deepEqual(at(0x2000_0000), ['/pcie@10000000']);
  assert.deepEqual(at(0xff_ffff_f000), ['/pcie@10000000']);
  for (const i of [35, 36, 37, 38])
    assert.ok(
      t.spis.some((s) => s.intid === i && s.node === '/pcie@10000000'),
      `INTx SPI ${i}`,
    );
  assert.deepEqual(at(0x0900_0000), [], 'the UART Xen uses is hidden');
  assert.deepEqual(at(0x0800_0000), [], 'the GIC is emulated, not mapped');
  assert.deepEqual(at(0x080a_0000), []);
  const spis = t.spis.map((s) => s.intid);
  assert.ok(spis.includes(34) && spis.includes(32 + 0x10) && spis.includes(39), 'pl031, virtio, pl061 SPIs');
  assert.ok(!spis.includes(33), "the UART's SPI stays Xen's");
  assert.deepEqual(t.gic.dist, { address: 0x0800_0000, size: 0x1_0000 });
  assert.deepEqual(t.gic.rdist, [{ address: 0x080a_0000, size: 0xf6_0000 }]);
});

test('xen,passthrough and disabled nodes: kept as Xen does, a passthrough one disabled and not mapped', () => {
  const h = host();
  setEmpty(getNode(h, '/pl031@9010000'), 'xen,passthrough');
  setString(getNode(h, '/pl061@9030000'), 'status', 'disabled');
  const t = makeDom0Fdt(h, REAL_SPEC);
  const rtc = getNode(t.root, '/pl031@9010000');
  assert.equal(getString(rtc, 'status'), 'disabled');
  assert.ok(!rtc.props.has('xen,passthrough'));
  assert.ok(!t.mmio.some((m) => m.node === '/pl031@9010000'));
  assert.ok(!t.spis.some((s) => s.intid === 34));
  assert.equal(getString(getNode(t.root, '/pl061@9030000'), 'status'), 'disabled');
});

test('/chosen: xen,dom0-bootargs wins over bootargs when the module has none; Xen-only properties go', () => {
  const h = host();
  const chosen = getNode(h, '/chosen');
  setString(chosen, 'xen,dom0-bootargs', 'console=hvc0 from-chosen');
  setString(chosen, 'xen,xen-bootargs', 'loglvl=all');
  const t = makeDom0Fdt(h, { ...REAL_SPEC, moduleBootargs: null, initrd: false });
  const c = getNode(t.root, '/chosen');
  assert.equal(getString(c, 'bootargs'), 'console=hvc0 from-chosen');
  for (const p of ['xen,dom0-bootargs', 'xen,xen-bootargs', 'stdout-path', 'linux,initrd-start']) assert.ok(!c.props.has(p), p);
  assert.ok(!findNode(t.root, '/chosen/module@0x49000000'), 'multiboot modules are not passed on');
});

// ---- end to end ---------------------------------------------------------------------------------

const DOM0 = fileURLToPath(new URL('../../../guests/bin/dom0-check.img', import.meta.url));

/** dom0-check as dom0 (64 MB) on two pCPUs, unless the spec says otherwise. */
function boot(spec: Partial<XenBootSpec>) {
  return bootHv({
    smp: 2,
    modules: [{ kind: 'kernel', data: readFileSync(DOM0), name: 'dom0-check.img', cmdline: 'console=hvc0 dom0-check' }],
    xenBootargs: 'dom0_mem=64M',
    ...spec,
  });
}

test('dom0 alone: Xen-worded construction log, every check passes, its SYSTEM_OFF halts the machine', () => {
  const r = boot({});
  assert.equal(r.status, 0, r.message ?? undefined);
  const log = r.out.split('\n');
  const want = [
    /^\(XEN\) \*\*\* LOADING DOMAIN 0 \*\*\*$/,
    /^\(XEN\) Loading d0 kernel from boot module @ [0-9a-f]{16}$/,
    /^\(XEN\) Allocating 1:1 mappings totalling 64MB for dom0:$/,
    /^\(XEN\) BANK\[0\] 0x00000044000000-0x00000048000000 \(64MB\)$/,
    /^\(XEN\) Grant table range: 0x[0-9a-f]{14}-0x[0-9a-f]{14}$/,
    /^\(XEN\) Allocating PPI 16 for event channel interrupt$/,
    /^\(XEN\) d0: extended region 0: 0x48000000->0x60000000$/,
    /^\(XEN\) Loading zImage from [0-9a-f]{16} to 0000000044080000-[0-9a-f]{16}$/,
    /^\(XEN\) Loading d0 DTB to 0x[0-9a-f]{16}-0x[0-9a-f]{16}$/,
  ];
  let i = log.findIndex((l) => want[0].test(l));
  for (const re of want) {
    assert.match(log[i] ?? '', re);
    i++;
  }
  const pass = log.filter((l) => l.startsWith('PASS '));
  assert.equal(log.filter((l) => l.startsWith('FAIL ')).length, 0, r.out);
  assert.equal(pass.length, 20, 'console_io lines of the hardware domain carry no (d0) prefix');
  assert.ok(log.includes('DONE pass=20 fail=0'));
  assert.ok(log.includes('(XEN) Hardware Dom0 halted: halting machine'));
  // dom0's vGIC has the host GIC's lines (virt: 256 INTIDs, ITLinesNumber 7), not a domU's 64.
  const dom0 = r.hv.xen!.domains.find((d) => d.id === 0)!;
  assert.equal(Number(dom0.vgic!.gicdRead(0, 0x4, 4)) & 0x1f, 7);
});

test('dom0 and a domU side by side: both run, and dom0 halting takes the machine down', () => {
  const r = boot({
    smp: 3,
    // dom0's two vCPUs on pCPUs 0 and 1, the domU's on pCPU 2 (placement is round-robin).
    xenBootargs: 'dom0_mem=64M dom0_max_vcpus=2',
    domains: [domU(1, 'hello-domu.img')],
  });
  assert.equal(r.status, 0, r.message ?? undefined);
  const log = r.out.split('\n');
  const d0 = log.indexOf('(XEN) *** LOADING DOMAIN 0 ***');
  const d1 = log.findIndex((l) => l.startsWith('(XEN) *** LOADING DOMU'));
  assert.ok(d0 >= 0 && d1 > d0, 'dom0 is built before the domUs');
  assert.ok(log.includes('(XEN) d1 BANK[0] 0x00000040000000-0x00000041000000 (16MB)'), 'the domU is still numbered 1');
  assert.ok(log.includes('DONE pass=20 fail=0'));
  assert.ok(
    log.some((l) => l.startsWith('(XEN) DOM1: PASS')),
    'the domU ran beside dom0',
  );
  assert.ok(log.includes('(XEN) Hardware Dom0 halted: halting machine'));
});

test("QEMU's own host tree (--dtb) with its /chosen dom0 modules boots the same dom0", () => {
  const tree = host();
  const chosen = getNode(tree, '/chosen');
  // The reference's guest-loader nodes: kernel at 0x49000000, ramdisk at 0x4d000000.
  setString(getNode(tree, '/chosen/module@0x49000000'), 'bootargs', 'console=hvc0 dom0-check');
  assert.ok(chosen.props.has('bootargs'));
  const kernel = readFileSync(DOM0);
  const r = boot({
    memSize: 2 * 1024 * 1024 * 1024,
    modules: [],
    hostTree: tree,
    loads: [
      { addr: 0x4900_0000, data: kernel, name: 'dom0-check.img' },
      { addr: 0x4d00_0000, data: new Uint8Array(0xf_1040), name: 'initrd' },
    ],
    xenBootargs: 'dom0_mem=64M console=dtuart dtuart=/pl011@9000000',
  });
  assert.equal(r.status, 0, r.message ?? undefined);
  const log = r.out.split('\n');
  assert.ok(log.includes('(XEN) Loading ramdisk from boot module @ 000000004d000000'));
  assert.ok(log.some((l) => /^\(XEN\) Loading d0 initrd from 000000004d000000 to 0x[0-9a-f]{16}-0x[0-9a-f]{16}$/.test(l)));
  assert.equal(log.filter((l) => l.startsWith('FAIL ')).length, 0, r.out);
  assert.ok(log.includes('DONE pass=20 fail=0'));
});

test('armvisor boot --dom0: the option runs dom0-check; a bad spec is one line', () => {
  const r = cli(['boot', '--strict', '--dom0', `${DOM0},mem=64M,bootargs=console=hvc0 dom0-check`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\(XEN\) Command line: dom0_mem=65536K$/m);
  assert.match(r.stdout, /^DONE pass=20 fail=0$/m);
  oneLineError(['boot', '--dom0', `${DOM0},cpus=2`], /^armvisor: --dom0: 'cpus=2' is not mem=SIZE or bootargs=TEXT$/);
  oneLineError(['boot', '--dom0', `${DOM0},mem=1K`], /^armvisor: --dom0: mem=1K must be a multiple of 4K and at least 4M$/);
});

test("a crashing dom0 takes the machine down with Xen's line; the domU does not outlive it", () => {
  // A raw dom0 kernel that loads from an IPA nothing maps (0x30000000 is neither RAM nor a device).
  const k = new Uint8Array(4096);
  [0xd2a60001, 0xf9400020, 0x14000000].forEach((w, i) => new DataView(k.buffer).setUint32(i * 4, w, true));
  const r = boot({
    modules: [{ kind: 'kernel', data: k, name: 'crash.bin' }],
    xenBootargs: 'dom0_mem=16M dom0_max_vcpus=1',
    domains: [domU(1, 'hello-domu.img')],
  });
  assert.equal(r.status, 0, r.message ?? undefined);
  const log = r.out.split('\n');
  assert.ok(log.includes('(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds.'), r.out);
  assert.equal(r.hv.xen!.domains.find((d) => d.id === 1)!.state === 'running', false);
});

test('/reserved-memory: its nodes are passed on and mapped, and its ranges form a second memory node', () => {
  const h = parseDts(
    readFileSync(`${REF}/qemu-virt-host.dts`, 'utf8').replace(
      /\tchosen \{/,
      '\treserved-memory {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n\t\tbuf@50000000 {\n\t\t\treg = <0x0 0x50000000 0x0 0x100000>;\n\t\t\tno-map;\n\t\t};\n\t};\n\n\tchosen {',
    ),
    'with-reserved.dts',
  ).root;
  const t = makeDom0Fdt(h, { ...REAL_SPEC, reservedMemory: [{ start: 0x5000_0000, size: 0x10_0000 }] });
  assert.ok(findNode(t.root, '/reserved-memory/buf@50000000'));
  assert.ok(t.mmio.some((m) => m.node === '/reserved-memory/buf@50000000' && m.address === 0x5000_0000));
  const mems = t.root.children.filter((c) => c.name.startsWith('memory@')).map((c) => c.name);
  assert.deepEqual(mems, ['memory@60000000', 'memory@50000000']);
});
