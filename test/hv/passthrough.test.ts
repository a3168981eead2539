// Seed 004 end to end on the zynqmp board: a dom0less domU given the OCM (an mmio-sram node) by
// its partial device tree uses it as memory (memcpy, memset with DC ZVA, unaligned accesses,
// code) under the mmio-sram mapper's Normal WB RWX stage 2; a Device-nGnRE alias made with
// memory_mapping's cache_policy gives it Alignment faults on its own vector; the mapping
// hypercalls refuse bad requests with Xen's codes. The regression: the same SRAM mapped
// Device-nGnRE (Xen's domU default) breaks the guest's first memcpy. Configurations that Xen
// would refuse (or that would hand a guest the physical GIC or RAM) stop the boot with one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bootDomUs, domU as sharedDomU, partialDtb } from './domUs.js';
import type { XenDomainSpec } from '../../src/platform/loader/xenBoot.js';
import { findNode, parseDtb } from '../../src/fdt/dtb.js';
import { parseDts } from '../../src/fdt/dts.js';
import { STAGE2_ATTR_POLICY, MEM_ATTRS } from '../../src/hv/passthrough/policy.js';
import { iomemAccessPermitted, iomemPermitAccess } from '../../src/hv/passthrough/iomem.js';
import { passthroughMapperFor, registerPassthroughMapper } from '../../src/hv/passthrough/mappers.js';
import '../../src/hv/passthrough/devices.js';
import type { Domain } from '../../src/hv/domain/domain.js';

const root = (p: string): string => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const EXAMPLE = readFileSync(root('docs/zynqmp-sram-passthrough.dts'), 'utf8');
const SRAM_LINE = 'xen,force-assign-without-iommu;';

const domU = (i: number, file: string, partial?: string): XenDomainSpec =>
  sharedDomU(i, file, partial !== undefined ? { modules: [partialDtb(partial)] } : {});

const boot = (domains: XenDomainSpec[]) => bootDomUs(domains, { board: 'zynqmp' });

const dom = (out: string, n: number): string[] => out.split('\n').filter((l) => l.startsWith(`(XEN) DOM${n}: `));

test('zynqmp: the domU owning the mmio-sram uses it as memory; a Device alias gives it alignment faults; bad mapping requests get Xen codes', () => {
  const r = boot([domU(1, 'domu-sram.img', EXAMPLE), domU(2, 'hello-domu.img')]);
  assert.equal(r.status, 0, r.out + r.message);
  assert.equal(r.ruleEvents, 0);
  const d1 = dom(r.out, 1);
  assert.deepEqual(
    d1.filter((l) => l.includes('FAIL')),
    [],
  );
  assert.ok(d1.includes('(XEN) DOM1: DONE pass=39 fail=0'), d1.join('\n'));
  for (const name of [
    'sram-memcpy-unaligned',
    'sram-memset-zero-dc-zva',
    'sram-exec',
    'device-unaligned-load-alignment-fault',
    'device-dc-zva-alignment-fault',
  ])
    assert.ok(d1.includes(`(XEN) DOM1: PASS ${name}`), name);
  assert.match(
    r.out,
    /\(XEN\) d1: passthrough \/sram@fffc0000: 00000000fffc0000-0000000100000000 at IPA 0000000018000000 as mmio_direct_c_rwx \(mmio-sram mapper\)\n/,
  );
  assert.ok(dom(r.out, 2).includes('(XEN) DOM2: DONE pass=2 fail=0'), 'the other domain is unaffected');
  // The guest's device tree carries /passthrough without Xen's properties.
  const d = r.hv.xen!.domains[0];
  const at = parseInt(/Loading d1 DTB to 0x([0-9a-f]+)-/.exec(r.out)![1], 16);
  const bank = d.banks.find((b) => at >= b.ipa && at < b.ipa + b.size)!;
  const hdr = r.machine.bus.readBytes(bank.pa + (at - bank.ipa), 8);
  const blob = r.machine.bus.readBytes(bank.pa + (at - bank.ipa), new DataView(hdr.buffer).getUint32(4));
  const node = findNode(parseDtb(blob, 'd1.dtb').root, '/passthrough/sram@18000000');
  assert.ok(node, 'the passthrough node is in the guest DT');
  assert.deepEqual(
    [...node.props.keys()].filter((k) => k.startsWith('xen,')),
    [],
  );
});

test("seed 004's failure mode: the SRAM mapped Device-nGnRE (Xen's domU default) breaks the guest's first memcpy", () => {
  const partial = EXAMPLE.replace(SRAM_LINE, `${SRAM_LINE} armvisor,stage2-attr = "device-nGnRE";`);
  const r = boot([domU(1, 'domu-sram.img', partial)]);
  assert.equal(r.status, 0, r.out + r.message);
  assert.match(r.out, /as mmio_direct_dev \(armvisor,stage2-attr device-nGnRE\)\n/);
  // EC 0x25 (Data Abort, current EL), IL, WnR, DFSC 0x21 (Alignment) at the first unaligned store.
  assert.match(
    r.out,
    /\(XEN\) DOM1: FAIL unexpected-exception el=1 vec=4 esr=0x96000061 elr=0x[0-9a-f]+ spsr=0x[0-9a-f]+ far=0x18000101\n/,
  );
  assert.ok(dom(r.out, 1).includes('(XEN) DOM1: DONE pass=0 fail=1'));
});

/** Boot with a domU whose partial DT is the example edited by `edit`; the boot must stop with one panic line. */
function refused(edit: (dts: string) => string, re: RegExp): void {
  const r = boot([domU(1, 'hello-domu.img', edit(EXAMPLE))]);
  assert.equal(r.status, 3, r.out);
  assert.match(r.message ?? '', re);
  assert.doesNotMatch(r.message ?? '', /\n/);
}

test('passthrough configurations are checked: the physical GIC and RAM are never mapped; Xen-style refusals', () => {
  const reg = '<0x0 0xfffc0000 0x0 0x40000 0x0 0x18000000>';
  refused(
    (s) => s.replace(reg, '<0x0 0xf9010000 0x0 0x10000 0x0 0x18000000>'),
    /Unable to create d1 .*overlaps the physical GIC .*never mapped to a guest/,
  );
  refused((s) => s.replace(reg, '<0x0 0xf9080000 0x0 0x1000 0x0 0x18000000>'), /overlaps the physical GIC/);
  refused((s) => s.replace(reg, '<0x0 0x10000000 0x0 0x1000 0x0 0x18000000>'), /overlaps system RAM/);
  refused((s) => s.replace(SRAM_LINE, ''), /cannot be protected: this machine has no IOMMU/);
  refused((s) => s.replace('xen,path = "/sram@fffc0000";', '').replace(SRAM_LINE, ''), /xen,path is missing/);
  refused((s) => s.replace('"/sram@fffc0000"', '"/nowhere"'), /couldn't find node \/nowhere/);
  refused((s) => s.replace(reg, '<0x0 0xfffc0800 0x0 0x1000 0x0 0x18000000>'), /not page aligned/);
  refused((s) => s.replace(reg, '<0x0 0xfffc0000 0x0 0x1000>'), /not triples/);
  refused((s) => s.replace(reg, '<0x0 0xfffc0000 0x0 0x1000 0x0 0x03001000>'), /overlaps the emulated vgicv3-dist|overlaps the emulated/);
  refused(
    (s) => s.replace(SRAM_LINE, `${SRAM_LINE} armvisor,stage2-attr = "wc";`),
    /'wc' is not one of default, device-nGnRE, normal-nc, normal-wb, normal-wb-exec/,
  );
});

test('a device without a mapper of its own gets the domain kind default: Device-nGnRE for a domU', () => {
  // The UART (a plain PL011 node) passed through to a domU: mapped, as Xen does, Device-nGnRE.
  const partial = EXAMPLE.replace('<0x0 0xfffc0000 0x0 0x40000 0x0 0x18000000>', '<0x0 0xff000000 0x0 0x1000 0x0 0x18000000>').replace(
    '"/sram@fffc0000"',
    '"/uart@ff000000"',
  );
  const r = boot([domU(1, 'hello-domu.img', partial)]);
  assert.equal(r.status, 0, r.out + r.message);
  assert.match(
    r.out,
    /d1: passthrough \/uart@ff000000: 00000000ff000000-00000000ff001000 at IPA 0000000018000000 as mmio_direct_dev \(default mapper\)\n/,
  );
});

test('the stage-2 attribute policy table and the memory-attribute values (docs/HYPERCALLS.md)', () => {
  assert.deepEqual(STAGE2_ATTR_POLICY, {
    dom0: { mmio: 'mmio_direct_c', devMmio: 'mmio_direct_c' },
    domU: { mmio: 'mmio_direct_dev', devMmio: 'mmio_direct_c' },
  });
  assert.deepEqual(
    MEM_ATTRS.map((a) => [a.value, a.p2mt]),
    [
      [0, null],
      [1, 'mmio_direct_dev'],
      [2, 'mmio_direct_nc'],
      [3, 'mmio_direct_c'],
      [4, 'mmio_direct_c_rwx'],
    ],
  );
});

test('mapper registry: by compatible, first match wins, one registration per compatible', () => {
  const node = (compat: string[]) => parseDts(`/dts-v1/; / { compatible = ${compat.map((c) => `"${c}"`).join(', ')}; };`, 'n.dts').root;
  assert.equal(passthroughMapperFor(node(['vendor,ocm', 'mmio-sram'])).compatible, 'mmio-sram');
  assert.equal(passthroughMapperFor(node(['arm,pl011'])).compatible, 'default');
  assert.equal(passthroughMapperFor(null).compatible, 'default');
  assert.throws(() => registerPassthroughMapper('mmio-sram', () => 'mmio_direct_c'), /already registered/);
});

test('iomem permissions: a range is permitted only when every frame is covered', () => {
  const d = {} as Domain;
  iomemPermitAccess(d, 0x100, 0x10f);
  iomemPermitAccess(d, 0x110, 0x11f);
  iomemPermitAccess(d, 0x200, 0x200);
  assert.ok(iomemAccessPermitted(d, 0x100, 0x11f), 'adjacent ranges join');
  assert.ok(iomemAccessPermitted(d, 0x105, 0x105));
  assert.ok(iomemAccessPermitted(d, 0x200, 0x200));
  assert.ok(!iomemAccessPermitted(d, 0x11f, 0x120));
  assert.ok(!iomemAccessPermitted(d, 0xff, 0x100));
  assert.ok(!iomemAccessPermitted(d, 0x11f, 0x200), 'a gap');
  assert.ok(!iomemAccessPermitted({} as Domain, 0, 0));
});

test('armvisor boot --board zynqmp --domu FILE,dtb=PARTIAL runs the documented example', () => {
  const main = root('dist/src/cli/main.js');
  const r = spawnSync(
    process.execPath,
    [main, 'boot', '--board', 'zynqmp', '--domu', `${root('guests/bin/domu-sram.img')},dtb=${root('docs/zynqmp-sram-passthrough.dts')}`],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(XEN\) DOM1: DONE pass=39 fail=0\n/);
  assert.match(r.stdout, /All domains have shut down/);
});
