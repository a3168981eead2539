import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildDtb, getCells, getNode, getReg, getString, getU32, parseDtb, type FdtNode } from '../../src/fdt/dtb.js';
import { parseDts, printDts } from '../../src/fdt/dts.js';
import { makeVirtDtb } from '../../src/platform/boards/virtDt.js';

const reference = parseDts(readFileSync('/work/shared/reference/qemu-virt-host.dts', 'utf8'), 'qemu-virt-host.dts').root;
const BOOTARGS = 'dom0_mem=512M console=dtuart dtuart=/pl011@9000000 loglvl=all guest_loglvl=all';

/** The nodes we emulate, in the reference's order. */
const OURS = ['psci', 'memory@40000000', 'pl031@9010000', 'pl011@9000000', 'intc@8000000', 'cpus', 'timer', 'apb-pclk', 'chosen'];

function without(node: FdtNode, props: string[], children: string[]): FdtNode {
  return {
    name: node.name,
    props: new Map([...node.props].filter(([k]) => !props.includes(k))),
    children: node.children.filter((c) => !children.includes(c.name)),
  };
}

test('virt tree matches QEMU 7.2 (virtualization=on, gic-version=3, 2 CPUs, 2 GiB) node by node', () => {
  const ours = makeVirtDtb({ ramBase: 0x4000_0000, ramSize: 0x8000_0000, cpus: 2, el: 2, bootargs: BOOTARGS, gicVersion: 3 });
  assert.deepEqual([...ours.props], [...reference.props], 'root properties');
  assert.deepEqual(
    ours.children.map((c) => c.name),
    OURS,
  );
  for (const name of OURS) {
    const theirs = getNode(reference, `/${name}`);
    const mine = getNode(ours, `/${name}`);
    if (name === 'intc@8000000') {
      // We do not emulate the ITS.
      assert.deepEqual(mine, without(theirs, [], ['its@8080000']), name);
    } else if (name === 'chosen') {
      // Random seeds and the guest-loader's module nodes are not ours to make.
      assert.deepEqual(
        mine,
        without(
          theirs,
          ['rng-seed', 'kaslr-seed'],
          theirs.children.map((c) => c.name),
        ),
        name,
      );
    } else {
      assert.deepEqual(mine, theirs, name);
    }
  }
});

test('EL1 (no virtualization) uses the HVC conduit', () => {
  const t = makeVirtDtb({ ramBase: 0x4000_0000, ramSize: 0x2000_0000, cpus: 1, el: 1, gicVersion: 3 });
  assert.equal(getString(getNode(t, '/psci'), 'method'), 'hvc');
  assert.equal(getNode(t, '/chosen').props.has('bootargs'), false);
});

test('phandles follow QEMU: clock 0x8000, CPUs from the top down, then the GIC', () => {
  const t = makeVirtDtb({ ramBase: 0x4000_0000, ramSize: 0x2000_0000, cpus: 4, el: 2, gicVersion: 3 });
  assert.equal(getU32(getNode(t, '/apb-pclk'), 'phandle'), 0x8000);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => getU32(getNode(t, `/cpus/cpu@${i}`), 'phandle')),
    [0x8004, 0x8003, 0x8002, 0x8001],
  );
  assert.equal(getU32(getNode(t, '/intc@8000000'), 'phandle'), 0x8005);
  assert.equal(getU32(t, 'interrupt-parent'), 0x8005);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => getU32(getNode(t, `/cpus/cpu-map/socket0/cluster0/core${i}`), 'cpu')),
    [0x8004, 0x8003, 0x8002, 0x8001],
  );
});

test("redistributor region: QEMU's whole window by default, or sized to the CPUs", () => {
  const root = makeVirtDtb({ ramBase: 0x4000_0000, ramSize: 0x2000_0000, cpus: 3, el: 2, gicVersion: 3 });
  const gic = getNode(root, '/intc@8000000');
  assert.deepEqual(getReg(root, gic)[1], { address: 0x080a_0000, size: 0xf6_0000 });
  const sized = makeVirtDtb({ ramBase: 0x4000_0000, ramSize: 0x2000_0000, cpus: 3, el: 2, gicVersion: 3, redistributorSize: 'cpus' });
  assert.deepEqual(getReg(sized, getNode(sized, '/intc@8000000'))[1], { address: 0x080a_0000, size: 3 * 0x2_0000 });
});

test('initrd, bigint RAM and the blob round trip', () => {
  const t = makeVirtDtb({
    ramBase: 0x4000_0000n,
    ramSize: 1n << 32n,
    cpus: 1,
    el: 1,
    gicVersion: 3,
    initrd: { start: 0x4800_0000, end: 0x4810_0000 },
  });
  const chosen = getNode(t, '/chosen');
  assert.deepEqual([...chosen.props.keys()], ['linux,initrd-end', 'linux,initrd-start', 'stdout-path']);
  assert.deepEqual(getCells(chosen, 'linux,initrd-start'), [0x4800_0000]);
  assert.deepEqual(getReg(t, getNode(t, '/memory')), [{ address: 0x4000_0000, size: 2 ** 32 }]);
  const back = parseDtb(buildDtb(t), 'virt.dtb').root;
  assert.deepEqual(back, t);
  assert.deepEqual(parseDts(printDts(t), 'virt.dts').root, t);
});

test('bad options', () => {
  assert.throws(
    () => makeVirtDtb({ ramBase: 0x4000_0000, ramSize: 0x1000_0000, cpus: 0, el: 1, gicVersion: 3 }),
    /virt board: cpus = 0; must be 1\.\.123/,
  );
  assert.throws(() => makeVirtDtb({ ramBase: 0x4000_0000, ramSize: 0x1000_0000, cpus: 124, el: 1, gicVersion: 3 }), /must be 1\.\.123/);
});
