// xen,static-mem and direct-map for dom0less domUs on the MMU backend (Xen's static-memory.c:
// allocate_static_memory / assign_static_memory_11): the domain's RAM is exactly its static
// banks, kept out of the heap by bootFdtInfo; direct-mapped, IPA = PA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDtb, cellCounts, findNode, parseDtb, setCells, setEmpty, toCells } from '../../src/fdt/dtb.js';
import type { XenDomainSpec } from '../../src/platform/loader/xenBoot.js';
import { bootDomUs, domU } from './domUs.js';

const MB = 1024 * 1024;

/** Give /chosen/<name> xen,static-mem banks (in /chosen's cells) and, optionally, direct-map. */
function withStaticMem(name: string, banks: { start: number; size: number }[], directMap = false) {
  return (blob: Uint8Array): Uint8Array => {
    const fdt = parseDtb(blob, 'test');
    const chosen = findNode(fdt.root, '/chosen')!;
    const node = findNode(fdt.root, `/chosen/${name}`)!;
    const { addressCells, sizeCells } = cellCounts(chosen);
    setCells(
      node,
      'xen,static-mem',
      banks.flatMap((b) => [...toCells(b.start, addressCells), ...toCells(b.size, sizeCells)]),
    );
    if (directMap) setEmpty(node, 'direct-map');
    return buildDtb(fdt);
  };
}

/** A raw kernel that powers its domain off at once: PSCI SYSTEM_OFF over HVC (position independent). */
const POWER_OFF: XenDomainSpec = {
  name: 'domU1',
  memKb: 16 * 1024,
  cpus: 1,
  vpl011: true,
  kernel: {
    kind: 'kernel',
    data: new Uint8Array(new Uint32Array([0x52800100, 0x72b08000, 0xd4000002, 0x14000000]).buffer),
    name: 'poweroff',
  },
};

test('xen,static-mem: the domain runs on exactly its static banks at GUEST_RAM0, and the heap never hands them out', () => {
  const bank = { start: 0x5000_0000, size: 16 * MB };
  const r = bootDomUs([domU(1, 'hello-domu.img'), domU(2, 'cprog-domu.img')], { editDtb: withStaticMem('domU1', [bank]) });
  assert.equal(r.status, 0, r.out + r.message);
  assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
  assert.match(r.out, /^\(XEN\) DOM1: DONE pass=2 fail=0$/m);
  assert.match(r.out, /^\(XEN\) d1 BANK\[0\] 0x00000040000000-0x00000041000000 \(16MB\) at 0000000050000000$/m);
  const [d1, d2] = r.hv.xen!.domains;
  assert.deepEqual(d1.banks, [{ ipa: 0x4000_0000, pa: bank.start, size: bank.size }]);
  for (const b of d2.banks) assert.ok(b.pa + b.size <= bank.start || b.pa >= bank.start + bank.size, `d2 got ${b.pa.toString(16)}`);
});

test('direct-map: IPA = PA for each static bank (the p2m maps them so; the guest runs from there)', () => {
  const banks = [
    { start: 0x5000_0000, size: 8 * MB },
    { start: 0x5200_0000, size: 8 * MB },
  ];
  const r = bootDomUs([POWER_OFF], { editDtb: withStaticMem('domU1', banks, true), smp: 1 });
  assert.equal(r.status, 0, r.out + r.message);
  const xen = r.hv.xen!;
  const d = xen.domains[0];
  assert.deepEqual(
    d.banks,
    banks.map((b) => ({ ipa: b.start, pa: b.start, size: b.size })),
  );
  assert.equal(d.shutdownReason, 'poweroff');
  const hit = xen.mm.p2mLookup(xen, d, 0x5200_1000)!;
  assert.deepEqual([hit.pa, hit.type], [0x5200_1000, 'ram_rw']);
  assert.equal(xen.mm.p2mLookup(xen, d, 0x5100_0000), null, 'the gap between the banks is not guest RAM');
});

test('static memory that does not match memory, or direct-map without it, stops the boot with one line', () => {
  const short = bootDomUs([POWER_OFF], { editDtb: withStaticMem('domU1', [{ start: 0x5000_0000, size: 8 * MB }]), smp: 1 });
  assert.match(short.hv.panicked ?? '', /^d1: memory = 16384KB but xen,static-mem totals 8192KB: Static memory not totally allocated$/);
  const noMem = bootDomUs([POWER_OFF], {
    smp: 1,
    editDtb: (blob) => {
      const fdt = parseDtb(blob, 'test');
      setEmpty(findNode(fdt.root, '/chosen/domU1')!, 'direct-map');
      return buildDtb(fdt);
    },
  });
  assert.match(noMem.hv.panicked ?? '', /^Unable to create \/chosen\/domU1: direct-map is not valid for domain without static allocation$/);
});
