// The hypervisor boot loader: placement (direct and GRUB-like), /chosen module nodes with
// Xen's multiboot bindings, and its input errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planXenBoot, type XenBootInput } from '../../src/platform/loader/xenBoot.js';
import { fdtNode, findNode, getReg, getStringList, getString, parseDtb, setU32 } from '../../src/fdt/dtb.js';
import { InputError } from '../../src/util/errors.js';

const MB = 1024 * 1024;
const banks = [
  { start: 0x8000_0000, size: 256 * MB },
  { start: 0x8_8000_0000, size: 512 * MB },
];

function tree() {
  const root = fdtNode('');
  setU32(root, '#address-cells', 2);
  setU32(root, '#size-cells', 2);
  return root;
}

function plan(extra: Partial<XenBootInput> = {}) {
  return planXenBoot({
    banks,
    image: new Uint8Array(0x1000),
    imageSize: 0x1a000,
    loader: 'direct',
    dtb: tree(),
    modules: [
      { kind: 'kernel', data: new Uint8Array(3 * MB), name: 'Image', cmdline: 'console=hvc0' },
      { kind: 'xsm', data: new Uint8Array(100), name: 'policy' },
    ],
    xenBootargs: 'loglvl=all',
    ...extra,
  });
}

test('direct: image at RAM + 2MB, DTB at the next 2MB boundary, modules 2MB-aligned after it', () => {
  const p = plan();
  assert.equal(p.entry, 0x8020_0000);
  assert.equal(p.x0, 0x8040_0000);
  assert.deepEqual(
    p.modules.map((m) => m.start),
    [0x8060_0000, 0x8060_0000 + 4 * MB],
  );
  const dtb = parseDtb(p.loads.find((l) => l.what === 'dtb')!.data, 'dtb').root;
  const chosen = findNode(dtb, '/chosen')!;
  assert.equal(getString(chosen, 'xen,xen-bootargs'), 'loglvl=all');
  const [k, x] = chosen.children;
  assert.deepEqual(getStringList(k, 'compatible'), ['multiboot,kernel', 'multiboot,module']);
  assert.equal(getString(k, 'bootargs'), 'console=hvc0');
  assert.deepEqual(getReg(chosen, k), [{ address: 0x8060_0000, size: 3 * MB }]);
  assert.deepEqual(getStringList(x, 'compatible'), ['xen,xsm-policy', 'multiboot,module']);
});

test('grub: modules from the top of the highest bank downwards, page aligned', () => {
  const p = plan({ loader: 'grub', loadAddr: 0x8100_0000 });
  const top = 0x8_8000_0000 + 512 * MB;
  assert.equal(p.modules[0].start, top - 3 * MB);
  assert.equal(p.modules[1].start, top - 3 * MB - 4096);
  assert.equal(p.entry, 0x8100_0000);
});

test('loader input errors', () => {
  assert.throws(
    () => plan({ loadAddr: 0x8020_0010 }),
    (e: unknown) => e instanceof InputError && /not 4 KiB aligned/.test(e.message),
  );
  assert.throws(() => plan({ loadAddr: 0x1000 }), /not inside one RAM bank/);
  assert.throws(() => plan({ loadAddr: 0x8000_0000 + 256 * MB - 0x1000 }), /not inside one RAM bank/);
  assert.throws(() => plan({ modules: [{ kind: 'kernel', data: new Uint8Array(300 * MB), name: 'huge' }] }), /does not fit in RAM/);
});
