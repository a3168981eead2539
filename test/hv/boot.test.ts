// The start of day end to end: boot on a grid of load addresses and RAM layouts with the
// strict rule checker on, seed 003's GRUB-path crash with and without the knob, seed 002's
// missing identity map, init memory really unmapped, ioremap attributes, phase guards and bad
// device trees that must end in one (XEN) panic line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sr } from '../../src/arch/sysreg/index.js';
import { walkStage1 } from '../../src/arch/mmu/walk.js';
import { HvFault } from '../../src/hv/arch/cpu.js';
import { HvPanic } from '../../src/hv/panic.js';
import { clearFixmap, ioremapAttr, mapPagesToXen, setFixmap, vunmap } from '../../src/hv/mm/mmu/mm.js';
import { FIX_MISC, fixmapAddr } from '../../src/hv/mm/mmu/layout.js';
import { PAGE_HYPERVISOR_RO } from '../../src/hv/mm/mmu/pte.js';
import { pmapMap } from '../../src/hv/mm/mmu/pmap.js';
import { XSM_MAGIC } from '../../src/hv/bootfdt.js';
import { findNode, fdtNode, setReg, setString, setStringList, type FdtNode } from '../../src/fdt/dtb.js';
import { bootHv } from './domUs.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;

const boot = bootHv;

const xsmPolicy = (): Uint8Array => {
  const b = new Uint8Array(4096);
  new DataView(b.buffer).setUint32(0, XSM_MAGIC, true);
  return b;
};

test('virt: the start of day ends after the end-of-boot line, exit 0, no rule events', () => {
  const r = boot();
  assert.equal(r.status, 0, r.out + r.message);
  assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
  assert.match(r.out, /- Paging turned on -/);
  assert.match(r.out, /\(XEN\) Virtual memory layout/);
  assert.match(r.out, /\(XEN\) Freed \d+kB init memory\.\n/);
  assert.match(r.out, /Powering off/);
  assert.equal(r.hv.xen!.state, 2, 'system_state active');
});

/** A dom0 kernel that powers itself off: PSCI SYSTEM_OFF over HVC (which halts the machine). */
const poweroffKernel = (): Uint8Array => {
  const k = new Uint8Array(8192);
  [0x52800100, 0x72b08000, 0xd4000002, 0x14000000].forEach((w, i) => new DataView(k.buffer).setUint32(i * 4, w, true));
  return k;
};

/**
 * GRUB's multiboot modules: a kernel, then the policy. Xen takes the first untyped module as
 * the kernel without probing it; has_xsm_magic looks at the later ones (bootfdt.ts).
 */
const grubModules = () => [
  { kind: 'module' as const, data: poweroffKernel(), name: 'kernel' },
  { kind: 'module' as const, data: xsmPolicy(), name: 'policy' },
];

const LINK = 512 * GB + 2 * MB;
const grid: { name: string; ram?: { start: number; size: number }[]; memSize?: number; loads: number[]; kinds: string[] }[] = [
  { name: 'virt below 4GB', memSize: 5 * GB, loads: [0x4000_0000, 0x4020_0000, 0x4123_4000, 0xffff_0000], kinds: ['direct'] },
  { name: 'virt above 4GB', memSize: 5 * GB, loads: [0x1_0000_0000, 0x1_2345_6000], kinds: ['direct'] },
  {
    name: 'juno high bank',
    ram: [
      { start: 0x8000_0000, size: 2 * GB },
      { start: 0x8_8000_0000, size: 6 * GB },
    ],
    loads: [0x8_8020_0000, 0x9_0000_1000],
    kinds: ['direct'],
  },
  {
    name: 'seattle (RAM at 512GB)',
    ram: [{ start: 512 * GB, size: 4 * GB }],
    loads: [LINK, 512 * GB + 4 * MB, 512 * GB + 512 * MB, 512 * GB + GB + 8 * MB, 512 * GB + 3 * GB],
    kinds: ['runtime', 'trampoline', 'direct'],
  },
];

for (const g of grid) {
  test(`load-address grid: ${g.name}`, () => {
    const seen = new Set<string>();
    for (const load of g.loads) {
      const r = boot({ ...(g.ram ? { ram: g.ram } : {}), ...(g.memSize ? { memSize: g.memSize } : {}), loadAddr: load });
      const where = `load 0x${load.toString(16)}: ${r.message}\n${r.out.slice(-600)}`;
      assert.equal(r.status, 0, where);
      assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
      const xen = r.hv.xen!;
      assert.equal(xen.loadPa, load);
      assert.equal(xen.physOffset, load - LINK, 'phys_offset is PA - VA, signed');
      const off = load - LINK;
      assert.match(r.out, new RegExp(`phys_offset ${off < 0 ? '-' : ''}0x${Math.abs(off).toString(16)}\\)`));
      // virt_to_maddr / is_kernel round trip at this load address.
      const sym = xen.sym('xenPtUpdate');
      assert.equal(xen.virtToMaddr(sym), load + (sym - LINK));
      assert.equal(xen.imageVaOf(load + (sym - LINK)), sym);
      assert.equal(xen.imageVaOf(load - 4096), null);
      assert.equal(xen.imageVaOf(load + xen.image.size), null);
      seen.add(xen.identity!.kind);
    }
    for (const k of g.kinds) assert.ok(seen.has(k), `expected an identity map of kind ${k}, saw ${[...seen].join(', ')}`);
  });
}

test('the upstream (10TB identity area) layout boots seattle without relocation', () => {
  const r = boot({ ram: [{ start: 512 * GB, size: 4 * GB }], loadAddr: 512 * GB + 4 * MB, layout: 'upstream' });
  assert.equal(r.status, 0, r.out);
  assert.equal(r.hv.xen!.identity!.kind, 'direct');
});

test('seed 003: GRUB places an XSM policy high; its magic is checked through the fixmap and Xen boots', () => {
  const r = boot({ loader: 'grub', modules: grubModules(), xenBootargs: 'dom0_mem=16M' });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Hardware Dom0 halted: halting machine/, 'the kernel ran as dom0');
  const m = r.hv.xen!.bootInfo!.modules.find((x) => x.node.includes('policy') || x.kind === 'xsm')!;
  assert.equal(m.kind, 'xsm', 'identified by its magic');
  assert.ok(m.start >= 0x4000_0000 + 512 * MB - 64 * 1024, 'placed at the top of RAM, outside any early mapping');
});

test('seed 003: with tables mapped by mapDomainPage only, the same boot dies in a Data Abort at EL2', () => {
  const r = boot({
    loader: 'grub',
    modules: grubModules(),
    knobs: { mapTablesWithDomainPageOnly: true },
  });
  assert.equal(r.status, 3);
  assert.match(r.message ?? '', /panicked: CPU0: Unexpected Trap: Data Abort/);
  assert.match(r.out, /\(XEN\) Data Abort Trap\. Syndrome=0x4/);
  assert.match(r.out, /DFSC +0x04 +Translation fault, level 0/);
  const trace = r.out.slice(r.out.indexOf('Xen call trace:'));
  const order = ['xenPtUpdate+0x0/0x40 (PC)', 'setFixmap', 'copyFromPaddr', 'hasXsmMagic', 'bootFdtInfo', 'startXen'];
  let at = 0;
  for (const f of order) {
    const i = trace.indexOf(f, at);
    assert.ok(i >= at, `${f} in the call trace, in order:\n${trace}`);
    at = i;
  }
  const pe = r.machine.pes[0];
  const far = Number(pe.sys[sr('FAR_EL2')]);
  assert.ok(far >= r.hv.xen!.layout.directmapStart, 'the faulting access is a directmap address');
  assert.equal(r.ruleEvents, 0);
});

test('seed 002: without the identity map, turning the MMU on is an Instruction Abort at EL2', () => {
  const faults: { va: number; fetch: boolean }[] = [];
  const r = boot({
    knobs: { omitIdentityMap: true },
    onMachine: (m) => (m.pes[0].onTranslationFault = (_p, va, _el, fetch) => faults.push({ va, fetch })),
  });
  assert.equal(r.stop.kind, 'wedged');
  const pe = r.machine.pes[0];
  const xen = r.hv.xen!;
  const esr = Number(pe.sys[sr('ESR_EL2')]);
  assert.equal(esr >>> 26, 0x21, 'EC = Instruction Abort taken without a change in EL');
  const enableMmu = xen.idPa + (xen.sym('enableMmu') - xen.image.linkAddr);
  assert.deepEqual(faults[0], { va: enableMmu, fetch: true }, 'first: the fetch at enableMmu in the (unmapped) identity page');
  // Then the vector, in the same unmapped page: the PE re-takes the abort forever, as hardware would.
  assert.equal(Number(pe.sys[sr('FAR_EL2')]), xen.idPa + 0xa00);
  assert.match(r.out, /- Turning on paging -\n$/);
});

test('init memory is really unmapped after boot: a branch to .init.text is an Instruction Abort', () => {
  const r = boot();
  const xen = r.hv.xen!;
  const pe = r.machine.pes[0];
  const c = pe.mmu.el2;
  assert.equal(walkStage1(r.machine.bus, c, xen.sym('startXen'), true, null).ok, false);
  assert.equal(walkStage1(r.machine.bus, c, xen.sym('initDone'), true, null).ok, true);
  assert.throws(() => xen.cpu.branch(xen.sym('startXen')), HvFault);
  assert.equal(Number(pe.sys[sr('ESR_EL2')] >> 26n), 0x21);
});

test('ioremap attributes and vunmap; the console UART is ioremapped nocache', () => {
  const r = boot();
  const xen = r.hv.xen!;
  const bus = r.machine.bus;
  const c = xen.cpu.pe.mmu.el2;
  const uart = xen.console.uart!;
  assert.ok(uart >= xen.layout.vmapStart && uart < xen.layout.vmapStart + xen.layout.vmapSize);
  const u = walkStage1(bus, c, uart, false, null);
  assert.ok(u.ok && u.attrs.device && u.oa === 0x0900_0000);
  const wc = ioremapAttr(xen, 0x4100_0000, 8192, 'wc');
  const w = walkStage1(bus, c, wc, false, null);
  assert.ok(w.ok && !w.attrs.device && w.oa === 0x4100_0000);
  const ca = ioremapAttr(xen, 0x4100_0000 + 0x10, 16, 'cached');
  const cc = walkStage1(bus, c, ca, false, null);
  assert.ok(cc.ok && cc.oa === 0x4100_0010 && ca % 4096 === 0x10);
  assert.notEqual(JSON.stringify(w.ok && w.attrs), JSON.stringify(cc.ok && cc.attrs));
  vunmap(xen, wc, 2);
  assert.equal(walkStage1(bus, c, wc, false, null).ok, false);
});

test('system_state guards what may be used when', () => {
  const r = boot();
  const xen = r.hv.xen!;
  assert.throws(
    () => pmapMap(xen, 0x4000_0000),
    (e: unknown) => e instanceof HvPanic && /pmapMap used in system_state active/.test(e.message),
  );
  assert.throws(() => xen.bootAlloc!.allocBootPages(1, 1), /after end_boot_allocator/);
});

function badTree(edit: (root: FdtNode) => void) {
  return boot({ editTree: edit });
}

test('bad device trees stop the boot with one (XEN) panic line, no stack trace', () => {
  const cases: [string, ReturnType<typeof boot>, RegExp][] = [
    [
      'no memory node',
      badTree((root) => (root.children = root.children.filter((c) => !c.name.startsWith('memory')))),
      /No memory bank found/,
    ],
    [
      'overlapping banks',
      badTree((root) => {
        const m = fdtNode('memory@50000000');
        setString(m, 'device_type', 'memory');
        setReg(m, 'reg', [{ address: 0x5000_0000, size: 0x100_0000 }], 2, 2);
        root.children.push(m);
      }),
      /overlaps RAM bank/,
    ],
    [
      'module outside RAM',
      badTree((root) => {
        const chosen = findNode(root, '/chosen')!;
        const m = fdtNode('module@c0000000');
        setStringList(m, 'compatible', ['multiboot,kernel', 'multiboot,module']);
        setReg(m, 'reg', [{ address: 0xc000_0000, size: 0x1000 }], 2, 2);
        chosen.children.push(m);
      }),
      /is not inside RAM/,
    ],
    ['truncated blob', boot({ editDtb: (b) => b.slice(0, Math.floor(b.length / 2)) }), /Invalid device tree blob/],
    ['blob with bad magic', boot({ editDtb: (b) => new Uint8Array(b.length) }), /Invalid device tree blob at physical address/],
  ];
  for (const [name, r, re] of cases) {
    assert.equal(r.status, 3, name);
    assert.match(r.hv.panicked ?? '', re, name);
    // The console ring holds the panic; on the UART too once the head knows where it is (a
    // blob too broken to name its UART can only be reported by the CLI's one stderr line).
    const panicLines = r.hv.log.filter((l) => re.test(l));
    assert.equal(panicLines.length, 1, `${name}: one panic line\n${r.hv.log.join('\n')}`);
    assert.match(panicLines[0], /^\(XEN\) /, name);
    if (!/blob/.test(name)) assert.ok(r.out.includes(panicLines[0]), `${name}: on the UART`);
    assert.match(r.message ?? '', re);
    assert.doesNotMatch(r.out, /at .*\.js:\d+/, `${name}: no stack trace`);
  }
});

test('deterministic: the same boot gives the same log and the same virtual time; PMAP slots are used and released', () => {
  const a = boot();
  const b = boot();
  assert.equal(a.out, b.out);
  assert.equal(a.machine.totalRetired, b.machine.totalRetired);
  assert.ok(a.machine.totalRetired > 1000, 'TypeScript work costs virtual time');
  const xen = a.hv.xen!;
  assert.ok(xen.pmapMaps > 0, 'the directmap tables were reached through PMAP');
  assert.equal(xen.cpu.read64(xen.sym('xenFixmap') + (66 + 0) * 8), 0n, 'PMAP slot 0 is free again');
});

test("no RAM page can be identity mapped: the boot stops with Xen's clash message", () => {
  const r = boot({ ram: [{ start: 512 * GB + 2 * MB, size: 8 * MB }], loadAddr: 512 * GB + 3 * MB });
  assert.equal(r.status, 3);
  assert.match(r.out, /- Unable to build boot page tables - virt and phys addresses clash\. -/);
  assert.match(r.hv.panicked ?? '', /identity map impossible/);
});

test('secondary CPUs come up through PSCI CPU_ON onto the shared runtime tables, from the identity page', () => {
  for (const spec of [{ smp: 4 }, { smp: 2, ram: [{ start: 512 * GB, size: 2 * GB }], loadAddr: 512 * GB + 4 * MB }]) {
    const r = boot(spec);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
    assert.match(r.out, new RegExp(`Brought up ${spec.smp} CPUs`));
    const xen = r.hv.xen!;
    for (const pe of r.machine.pes) {
      assert.equal(Number(pe.sys[sr('TTBR0_EL2')]), xen.xenRoot, `PE${pe.id} on the runtime tables`);
      assert.equal(Number(pe.sys[sr('SCTLR_EL2')] & 0x80001n), 0x80001, `PE${pe.id}: MMU on, WXN`);
      assert.equal(Number(pe.sys[sr('VBAR_EL2')]), xen.sym('hypTrapsVector'));
    }
    if (xen.identity!.kind === 'trampoline') {
      const w = new DataView(r.machine.bus.readBytes(xen.idPa, 4).buffer).getUint32(0, true);
      assert.equal(w, 0xa700, 'the relocated switch page still holds the image entry (not reused by an allocator)');
    }
    // The identity page is gone again once everyone is up.
    assert.equal(walkStage1(r.machine.bus, r.machine.pes[0].mmu.el2, xen.idPa, true, null).ok, false);
  }
});

test('W^X after boot: .text is not writable, .data is not executable, RWX requests panic', () => {
  const r = boot();
  const xen = r.hv.xen!;
  const pe = xen.cpu.pe;
  assert.throws(() => xen.cpu.write32(xen.sym('xenPtUpdate'), 0), HvFault);
  const esr = Number(pe.sys[sr('ESR_EL2')]);
  assert.equal(esr >>> 26, 0x25);
  assert.equal(esr & 0x3c, 0x0c, 'a permission fault');
  // Once a fault is taken nothing more runs in that entry; a new entry starts afresh.
  assert.throws(() => xen.cpu.read32(xen.sym('xenBanner')), HvFault);
  assert.equal(Number(pe.sys[sr('ESR_EL2')]) >>> 26, 0x25, 'no second access was made');
  xen.cpu.resetFrames();
  assert.throws(() => xen.cpu.branch(xen.sym('bootPgtablePool')), HvFault);
  assert.equal(Number(pe.sys[sr('ESR_EL2')]) >>> 26, 0x21);
  assert.ok(Number(pe.sys[sr('SCTLR_EL2')]) & (1 << 19), 'SCTLR_EL2.WXN');
  xen.cpu.resetFrames();
  assert.throws(
    () => xen.call('xenPtUpdate', () => mapPagesToXen(xen, xen.layout.vmapStart + 0x100000, 0x4100_0000, 1, 7 | 0x20)),
    (e: unknown) => e instanceof HvPanic && /W\^X/.test(e.message),
  );
});

test('setFixmap/clearFixmap: a page mapped in a fixmap slot, then gone', () => {
  const r = boot();
  const xen = r.hv.xen!;
  const va = fixmapAddr(xen.layout, FIX_MISC);
  setFixmap(xen, FIX_MISC, xen.fdtPa, PAGE_HYPERVISOR_RO);
  assert.equal(xen.cpu.read32(va + (xen.fdtPa % 4096)), 0xedfe0dd0, 'the DTB magic through the fixmap');
  clearFixmap(xen, FIX_MISC);
  assert.throws(() => xen.cpu.read32(va), HvFault);
  xen.cpu.resetFrames();
});

test('gic_init: the host GICv3 is found in the DT, ioremapped, enabled, and every CPU wakes its own redistributor', () => {
  const r = boot({ smp: 2 });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /\(XEN\) Generic Timer IRQ: phys=30 hyp=26 virt=27 Freq: 62500 KHz\n/);
  assert.match(r.out, /\(XEN\) GICv3 initialization:\n\(XEN\) {7}gic_dist_addr=0x00000008000000\n\(XEN\) {7}gic_maintenance_irq=25\n/);
  assert.match(r.out, /\(XEN\) GICv3: 256 lines, \(IID [0-9a-f]{8}\)\.\n/);
  const xen = r.hv.xen!;
  const gic = xen.gic!;
  assert.ok(
    gic.dist >= xen.layout.vmapStart && gic.dist < xen.layout.vmapStart + xen.layout.vmapSize,
    'the distributor is reached through VMAP',
  );
  assert.equal(xen.cpu.read32(gic.dist) & 0x13, 0x13, 'GICD_CTLR: ARE, Group 1 and Group 0 enabled');
  assert.deepEqual([...gic.cpuRdist.keys()].sort(), [0, 1]);
  const [rd0, rd1] = [gic.cpuRdist.get(0)!, gic.cpuRdist.get(1)!];
  assert.equal(rd1 - rd0, 0x2_0000, 'CPU1 found the next redistributor frame pair');
  for (const rd of [rd0, rd1]) assert.equal(xen.cpu.read32(rd + 0x14) & 6, 0, 'GICR_WAKER: awake');
  assert.equal(gic.nrLrs, 4);
  assert.equal(r.ruleEvents, 0);
});
