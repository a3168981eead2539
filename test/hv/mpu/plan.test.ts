// The EL2 MPU planner: the invariants every table must keep (W^X, no overlapping enabled
// regions, 64-byte granule, registers that decode back), merges only between compatible
// neighbours, the budget and its refusal message, 16/32/64 regions, the writes per context
// switch, and ioremap's refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePrbar, decodePrlar, XN_NEVER, AP } from '../../../src/arch/pmsa/regions.js';
import { r82DefaultTree } from '../../../src/hv/configs/r82.js';
import { defaultXenSections, sectionsFromXenImage, type ImageSection } from '../../../src/hv/mm/mpu/layout.js';
import { mpuInputFromBootInfo, mpuInputFromFdt } from '../../../src/hv/mm/mpu/fromFdt.js';
import { bootFdtInfo } from '../../../src/hv/bootfdt.js';
import { buildDtb } from '../../../src/fdt/dtb.js';
import { planMpu, type DomainMem, type MpuPlan, type MpuPlanInput } from '../../../src/hv/mm/mpu/plan.js';
import { compatible, overlap, type SlotRegion } from '../../../src/hv/mm/mpu/region.js';
import { mpuIoremap } from '../../../src/hv/mm/mpu/ioremap.js';
import { switchMatrix, switchWrites } from '../../../src/hv/mm/mpu/writes.js';
import { parseDts } from '../../../src/fdt/dts.js';
import { assertPanics, dtb, FakeMemory } from '../helpers.js';

const MiB = 0x10_0000;

function builtInInput(regions: number, switching: MpuPlanInput['switching'] = 'auto'): MpuPlanInput {
  const sections = defaultXenSections();
  const f = mpuInputFromFdt(r82DefaultTree(), 0x1fe0_0000, sections);
  return { sections, bootInfo: f.bootInfo, devices: f.devices, domains: f.domains, regions, switching };
}

/** A synthetic input: default image, UART + GIC, a heap, the given domains. */
function input(domains: DomainMem[], regions: number, extra: Partial<MpuPlanInput> = {}): MpuPlanInput {
  return {
    sections: defaultXenSections(),
    bootInfo: {
      modules: [{ kind: 'fdt', start: 0x1fe0_0000, size: 0x1000, node: '/' }],
      staticHeap: [{ start: 0x100_0000, size: 16 * MiB }],
    },
    devices: [
      { name: 'UART', start: 0x9c09_0000, size: 0x1_0000 },
      { name: 'GICD', start: 0xaf00_0000, size: 0x1_0000 },
      { name: 'GICR', start: 0xaf10_0000, size: 0x4_0000 },
    ],
    domains,
    regions,
    ...extra,
  };
}

/** Every configuration a pCPU can be in at run time: hypervisor + each domain's regions. */
function runtimeConfigs(plan: MpuPlan): SlotRegion[][] {
  return [plan.runtime, ...plan.domains.filter((d) => !d.refused).map((d) => [...plan.runtime, ...d.regions])];
}

function checkInvariants(plan: MpuPlan): void {
  const all = [plan.boot, ...runtimeConfigs(plan)];
  for (const table of all) {
    const slots = new Set<number>();
    table.forEach((r, i) => {
      // W^X for the hypervisor: writable and executable never together at EL2.
      if (!r.guest) assert.ok(!(r.perms.includes('w') && r.perms.includes('x')), `W^X: ${r.purpose}`);
      // 64-byte granule, and the registers say exactly what the plan says.
      assert.equal(r.base % 64, 0, r.purpose);
      assert.equal((r.limit + 1) % 64, 0, r.purpose);
      const b = decodePrbar(r.prbar);
      const l = decodePrlar(r.prlar);
      assert.equal(b.base, r.base);
      assert.equal(l.limit, r.limit);
      assert.equal(l.en, true);
      assert.equal((b.xn & XN_NEVER) !== 0, !r.perms.includes('x'), `XN ${r.purpose}`);
      assert.equal((b.ap & AP.READ_ONLY) !== 0, !r.perms.includes('w'), `AP ${r.purpose}`);
      assert.equal((b.ap & AP.UNPRIV) !== 0, r.guest, `AP[0] ${r.purpose}`);
      assert.ok(r.index >= 0 && r.index < plan.regions);
      assert.ok(!slots.has(r.index), `slot ${r.index} used twice`);
      slots.add(r.index);
      // PMSA: two enabled regions matching one address is a fault.
      for (let j = 0; j < i; j++) assert.ok(!overlap(r, table[j]), `${r.purpose} overlaps ${table[j].purpose}`);
    });
  }
  // Merges only join touching, compatible parts.
  for (const m of plan.merges) assert.ok(m.parts.length >= 2);
  for (const r of plan.runtime) assert.notEqual(r.lifetime, 'boot', 'boot-only regions are freed');
}

test('the built-in r82 configuration plans at 16, 32 and 64 regions with every invariant kept', () => {
  for (const n of [16, 32, 64]) {
    const plan = planMpu(builtInInput(n));
    checkInvariants(plan);
    assert.deepEqual(
      plan.domains.map((d) => [d.name, d.needed, d.refused]),
      [
        ['domU1', 1, undefined],
        ['domU2', 2, undefined],
      ],
    );
    // Freed at init: init sections, the DTB and both kernel modules.
    assert.deepEqual(
      plan.freed.map((r) => r.purpose.split(' ')[0]),
      ['.init.text', '.init.data', 'DTB', 'MODULE[2]', 'MODULE[3]'],
    );
    assert.equal(plan.switching, 'prenr', `${n}: everything fits below 32`);
    assert.ok(plan.guestSlots.first + plan.guestSlots.count <= 32);
  }
  assertPanics(
    () => planMpu(builtInInput(15)),
    /boot-time configuration needs 16 EL2 MPU regions \(14 mapped \+ 2 reserved.*implements 15/,
  );
});

test('merges: .text.idmap + .text (RX), domU2 banks 0 + 1; never RX with RW, never across owners or lifetimes', () => {
  const plan = planMpu(builtInInput(32));
  assert.deepEqual(
    plan.merges.map((m) => [m.owner, m.parts]),
    [
      ['xen', ['.text.idmap', '.text']],
      ['domU2', ['RAM bank 0', 'RAM bank 1']],
    ],
  );
  // .rodata follows .text directly but is not executable: separate; .data and .bss are both RW
  // but .init.* lies between them.
  const secs: ImageSection[] = [
    { name: 'a', start: 0x10_0000, end: 0x10_1000, perms: 'rx' },
    { name: 'b', start: 0x10_1000, end: 0x10_2000, perms: 'rw' },
    { name: 'c', start: 0x10_2000, end: 0x10_3000, perms: 'rw' },
    { name: 'd', start: 0x10_3000, end: 0x10_4000, perms: 'rw', init: true },
    { name: 'e', start: 0x10_4000, end: 0x10_5000, perms: 'rw' },
  ];
  const p2 = planMpu({ ...input([], 32), sections: secs });
  assert.deepEqual(
    p2.merges.map((m) => m.parts),
    [['b', 'c']],
  );
  assert.deepEqual(
    p2.runtime.slice(0, 3).map((r) => r.purpose),
    ['a', 'b + c', 'e'],
  );
  for (const m of [...plan.merges, ...p2.merges]) assert.match(m.why, /adjacent/);
  // Adjacent guest banks of two domains stay apart (different owners).
  const p3 = planMpu(
    input(
      [
        { name: 'A', ram: [{ start: 0x400_0000, size: 4 * MiB }] },
        { name: 'B', ram: [{ start: 0x440_0000, size: 4 * MiB }] },
      ],
      32,
    ),
  );
  assert.equal(p3.merges.filter((m) => m.owner !== 'xen').length, 0);
  checkInvariants(p3);
  // The compatibility rule itself.
  const r = p3.domains[0].regions[0];
  assert.equal(compatible(r, { ...r, perms: 'rw' }), false);
  assert.equal(compatible(r, { ...r, owner: 'B' }), false);
  assert.equal(compatible(r, { ...r }), true);
});

test('budget: a domain that does not fit is refused with needed and available regions; the others run', () => {
  const banks = (base: number, n: number) => Array.from({ length: n }, (_, i) => ({ start: base + i * 2 * MiB, size: MiB }));
  const plan = planMpu(
    input(
      [
        { name: 'small', ram: banks(0x400_0000, 2) },
        { name: 'huge', ram: banks(0x800_0000, 7) },
      ],
      16,
    ),
  );
  // 16 = 8 hypervisor + 2 reserved + 6 for a domain.
  assert.equal(plan.hypervisorRegions, 8);
  assert.equal(plan.domains[1].refused, 'domain huge: needs 7 EL2 MPU regions, 6 available (MPUIR_EL2 16 - 8 hypervisor - 2 reserved)');
  assert.equal(plan.domains[0].refused, undefined);
  assert.equal(plan.domains[1].regions.length, 0);
  checkInvariants(plan);
  // Six fits exactly: the window is then the top six slots.
  const fits = planMpu(input([{ name: 'six', ram: banks(0x800_0000, 6) }], 16));
  assert.equal(fits.domains[0].refused, undefined);
  assert.deepEqual(
    fits.domains[0].regions.map((r) => r.index),
    [10, 11, 12, 13, 14, 15],
  );
  checkInvariants(fits);
  // Passthrough MMIO counts too, as Device, RW, not executable.
  const mmio = planMpu(input([{ name: 'io', ram: banks(0x800_0000, 6), mmio: [{ start: 0x9c0a_0000, size: 0x1000 }] }], 16));
  assert.match(mmio.domains[0].refused!, /needs 7 EL2 MPU regions, 6 available/);
  const io2 = planMpu(input([{ name: 'io', ram: banks(0x800_0000, 1), mmio: [{ start: 0x9c0a_0000, size: 0x1000 }] }], 16));
  const dev = io2.domains[0].regions.find((r) => r.type === 'device')!;
  assert.equal(dev.perms, 'rw');
  checkInvariants(io2);
});

test('guest memory that is not on the granule, or overlaps the hypervisor or another domain, is a panic', () => {
  assertPanics(
    () => planMpu(input([{ name: 'odd', ram: [{ start: 0x400_0020, size: MiB }] }], 32)),
    /domain odd: RAM bank 0 .* not on the 64-byte region granule/,
  );
  assertPanics(
    () => planMpu(input([{ name: 'heap', ram: [{ start: 0x180_0000, size: 16 * MiB }] }], 32)),
    /domain heap: RAM bank 0 .* overlaps the hypervisor's static heap/,
  );
  assertPanics(
    () =>
      planMpu(
        input(
          [
            { name: 'A', ram: [{ start: 0x400_0000, size: 4 * MiB }] },
            { name: 'B', ram: [{ start: 0x420_0000, size: 4 * MiB }] },
          ],
          32,
        ),
      ),
    /domain B: RAM bank 0 .* overlaps domain A's RAM bank 0/,
  );
  assertPanics(
    () => planMpu({ ...input([], 32), sections: [{ name: '.text', start: 0x20_0010, end: 0x20_1000, perms: 'rx' }] }),
    /section \.text .* 64-byte/,
  );
  // Modules rounded out to the granule may share one only when they are alike (both boot RO).
  const p = planMpu({
    ...input([], 32),
    bootInfo: {
      modules: [
        { kind: 'kernel', start: 0x1800_0000, size: 0x1010, node: '/k' },
        { kind: 'ramdisk', start: 0x1800_1010, size: 0x100, node: '/r' },
      ],
      staticHeap: [],
    },
  });
  assert.equal(p.boot.filter((r) => r.purpose.includes('MODULE')).length, 1);
  const dataStart = defaultXenSections().find((x) => x.name === '.data')!.start;
  assertPanics(
    () =>
      planMpu({
        ...input([], 32),
        bootInfo: { modules: [{ kind: 'kernel', start: dataStart + 0xfc0, size: 0x100, node: '/k' }], staticHeap: [] },
      }),
    /MODULE\[0\] Kernel \/k .* overlaps \.data/,
  );
});

test('context switch writes: PRENR is one write; a window rewrite counts PRSELR + PRBAR<n> + PRLAR<n>', () => {
  const prenr = planMpu(builtInInput(32));
  for (const s of switchMatrix(prenr)) assert.equal(s.writes, 1);
  assert.deepEqual(
    switchWrites(prenr, 'domU1', 'domU2').map((w) => w.reg),
    ['PRENR_EL2'],
  );

  // 16 regions, window = slots 14..15. domU1 has one region (slot 14), domU2 two (14, 15).
  const rw = planMpu(builtInInput(16, 'rewrite'));
  assert.deepEqual(rw.guestSlots, { first: 14, count: 2 });
  const regs = (a: string | null, b: string | null) => switchWrites(rw, a, b).map((w) => w.reg);
  assert.deepEqual(regs(null, 'domU1'), ['PRSELR_EL2', 'PRBAR14_EL2', 'PRLAR14_EL2']);
  assert.deepEqual(regs(null, 'domU2'), ['PRSELR_EL2', 'PRBAR14_EL2', 'PRLAR14_EL2', 'PRBAR15_EL2', 'PRLAR15_EL2']);
  // domU2's slot-14 region lies above domU1's: PRBAR first keeps the half-written region empty.
  assert.deepEqual(regs('domU1', 'domU2'), ['PRSELR_EL2', 'PRBAR14_EL2', 'PRLAR14_EL2', 'PRBAR15_EL2', 'PRLAR15_EL2']);
  // Back down: PRLAR first; slot 15 is only disabled.
  assert.deepEqual(regs('domU2', 'domU1'), ['PRSELR_EL2', 'PRLAR14_EL2', 'PRBAR14_EL2', 'PRLAR15_EL2']);
  assert.deepEqual(regs('domU2', null), ['PRSELR_EL2', 'PRLAR14_EL2', 'PRLAR15_EL2']);
  assert.equal(switchWrites(rw, 'domU2', null)[1].value & 1n, 0n, 'disabled');
  // A window that crosses a 16-slot group needs a second PRSELR write.
  const banks = Array.from({ length: 4 }, (_, i) => ({ start: 0x800_0000 + i * 2 * MiB, size: MiB }));
  const cross = planMpu(input([{ name: 'four', ram: banks }], 18, { switching: 'rewrite' }));
  assert.deepEqual(cross.guestSlots, { first: 14, count: 4 });
  assert.deepEqual(
    switchWrites(cross, null, 'four').map((w) => `${w.reg}=${w.reg === 'PRSELR_EL2' ? w.value : ''}`),
    [
      'PRSELR_EL2=0',
      'PRBAR14_EL2=',
      'PRLAR14_EL2=',
      'PRBAR15_EL2=',
      'PRLAR15_EL2=',
      'PRSELR_EL2=16',
      'PRBAR_EL2=',
      'PRLAR_EL2=',
      'PRBAR1_EL2=',
      'PRLAR1_EL2=',
    ],
  );
  // PRENR cannot be forced when the domains do not fit below 32.
  const many = Array.from({ length: 30 }, (_, i) => ({ start: 0x800_0000 + i * 2 * MiB, size: MiB }));
  assertPanics(
    () => planMpu(input([{ name: 'wide', ram: many }], 64, { switching: 'prenr' })),
    /PRENR switching keeps every domain's regions in slots 0\.\.31/,
  );
  const auto = planMpu(input([{ name: 'wide', ram: many }], 64));
  assert.equal(auto.switching, 'rewrite');
  assert.deepEqual(auto.guestSlots, { first: 34, count: 30 });
  checkInvariants(auto);
});

test('mpuIoremap: the MPU gives the attribute asked for, or says why it cannot', () => {
  const plan = planMpu(builtInInput(16, 'rewrite'));
  // 16 = 8 hypervisor + 2 guest window + 6 free, 2 of them the transient pool.
  assert.deepEqual(plan.free, [8, 9, 10, 11, 12, 13]);
  const bad = (r: ReturnType<typeof mpuIoremap>): string => (r.ok ? assert.fail('expected an error') : r.error);
  assert.match(bad(mpuIoremap(plan, 0x9c0a_0010, 0x40)), /not on the 64-byte MPU region granule/);
  assert.match(bad(mpuIoremap(plan, 0x9c0a_0000, 0x30)), /not on the 64-byte MPU region granule/);
  assert.match(
    bad(mpuIoremap(plan, 0x20_4000, 0x1000)),
    /overlaps region 2 \(\.data .*Normal-WB RW\); the MPU cannot give one address two sets of attributes/,
  );
  assert.match(bad(mpuIoremap(plan, 0x9c08_0000, 0x2_0000)), /straddles the edge of region 5 \(UART/);
  assert.match(bad(mpuIoremap(plan, 0x400_0000, 0x1000)), /overlaps domain domU1's RAM bank 0/);
  assert.match(bad(mpuIoremap(plan, 2 ** 48 - 0x1000, 0x2000)), /48-bit/);
  // Inside the UART's region with the same attributes: reused (Xen: refcount++).
  const uart = mpuIoremap(plan, 0x9c09_1000, 0x1000, 'device');
  assert.ok(uart.ok && uart.reused && uart.region.index === 5);
  // Same range, cacheable: refused.
  assert.match(bad(mpuIoremap(plan, 0x9c09_1000, 0x1000, 'normal')), /overlaps region 5/);
  // New ranges take free slots above the transient pool, until none are left.
  const got: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = mpuIoremap(plan, 0xc000_0000 + i * 0x1_0000, 0x1_0000, 'normal-nc');
    assert.ok(r.ok && !r.reused);
    got.push(r.region.index);
  }
  assert.deepEqual(got, [10, 11, 12, 13]);
  assert.match(
    bad(mpuIoremap(plan, 0xd000_0000, 0x1000)),
    /EL2 MPU memory region mapping pool exhausted: needs 1 region, 0 available \(MPUIR_EL2 16 = 12 hypervisor \+ 2 guest \+ 2 reserved/,
  );
  checkInvariants(plan);
});

test('sectionsFromXenImage reads a linked image table; MPU domains need static memory and direct-map', () => {
  const s = sectionsFromXenImage({
    linkAddr: 0x20_0000,
    sections: [
      { name: '.text', offset: 0, size: 0x1000, exec: true, write: false },
      { name: '.rodata', offset: 0x1000, size: 0x1000, exec: false, write: false },
      { name: '.init.data', offset: 0x2000, size: 0x1000, exec: false, write: true },
      { name: '.empty', offset: 0x3000, size: 0, exec: false, write: true },
    ],
  });
  assert.deepEqual(s, [
    { name: '.text', start: 0x20_0000, end: 0x20_1000, perms: 'rx' },
    { name: '.rodata', start: 0x20_1000, end: 0x20_2000, perms: 'r' },
    { name: '.init.data', start: 0x20_2000, end: 0x20_3000, perms: 'rw', init: true },
  ]);
  const dts = (dom: string) =>
    parseDts(
      `/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;
        memory@0 { device_type = "memory"; reg = <0 0 0 0x20000000>; };
        uart@9c090000 { compatible = "arm,pl011"; reg = <0 0x9c090000 0 0x10000>; };
        gic@af000000 { compatible = "arm,gic-v3"; reg = <0 0xaf000000 0 0x10000 0 0xaf100000 0 0x20000>; };
        chosen { #address-cells = <2>; #size-cells = <2>; stdout-path = "/uart@9c090000"; ${dom} }; };`,
      't.dts',
    );
  const secs = defaultXenSections();
  const dom = (props: string) => `d1 { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; ${props} };`;
  assertPanics(
    () => mpuInputFromFdt(dts(dom('memory = <0 0x1000>;')), 0x1fe0_0000, secs),
    /\/chosen\/d1: an MPU domain needs xen,static-mem/,
  );
  assertPanics(
    () => mpuInputFromFdt(dts(dom('memory = <0 0x1000>; xen,static-mem = <0 0x4000000 0 0x400000>;')), 0x1fe0_0000, secs),
    /\/chosen\/d1: an MPU domain needs direct-map/,
  );
  assertPanics(
    () => mpuInputFromFdt(dts(dom('direct-map; memory = <0 0x1000>; xen,static-mem = <0 0x4000000 0 0x200000>;')), 0x1fe0_0000, secs),
    /\/chosen\/d1: memory = 4096 KiB but xen,static-mem totals 2048 KiB/,
  );
  const ok = mpuInputFromFdt(dts(dom('direct-map; memory = <0 0x400>; xen,static-mem = <0 0x4000000 0 0x100000>;')), 0x1fe0_0000, secs);
  assert.deepEqual(ok.domains, [{ name: 'd1', ram: [{ start: 0x400_0000, size: 0x10_0000 }] }]);
  assert.deepEqual(
    ok.devices.map((d) => [d.name, d.start, d.size]),
    [
      ['UART /uart@9c090000', 0x9c09_0000, 0x1_0000],
      ['GICD', 0xaf00_0000, 0x1_0000],
      ['GICR', 0xaf10_0000, 0x2_0000],
    ],
  );
  assertPanics(
    () =>
      mpuInputFromFdt(
        parseDts(
          '/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; memory@0 { device_type = "memory"; reg = <0 0 0 0x20000000>; }; };',
          'x.dts',
        ),
        0x1fe0_0000,
        secs,
      ),
    /Unable to find compatible GIC/,
  );
});

test('passthrough MMIO comes from the domain partial device tree (xen,reg), direct-mapped only', () => {
  const host = (extra: string) =>
    parseDts(
      `/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;
        memory@0 { device_type = "memory"; reg = <0 0 0 0x20000000>; };
        gic@af000000 { compatible = "arm,gic-v3"; reg = <0 0xaf000000 0 0x10000 0 0xaf100000 0 0x20000>; };
        chosen { #address-cells = <2>; #size-cells = <2>;
          d1 { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; direct-map;
               xen,static-mem = <0 0x4000000 0 0x100000>;
               module@18000000 { compatible = "multiboot,device-tree", "multiboot,module"; reg = <0 0x18000000 0 0x1000>; }; ${extra} }; }; };`,
      'h.dts',
    );
  const partial = (guest: string) =>
    dtb(`/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; passthrough { compatible = "simple-bus"; ranges;
      #address-cells = <2>; #size-cells = <2>;
      uart@9c0a0000 { compatible = "arm,pl011"; reg = <0 0x9c0a0000 0 0x1000>; xen,reg = <0 0x9c0a0000 0 0x1000 0 ${guest}>; xen,path = "/uart@9c0a0000"; }; }; };`);
  const tree = host('');
  const bi = bootFdtInfo(buildDtb(tree), 0x1fe0_0000, () => new Uint8Array(4));
  const mem = new FakeMemory().put(0x1800_0000, partial('0x9c0a0000'));
  const got = mpuInputFromBootInfo(tree, bi, mem.copyFromPaddr);
  assert.deepEqual(got.domains, [
    { name: 'd1', ram: [{ start: 0x400_0000, size: 0x10_0000 }], mmio: [{ start: 0x9c0a_0000, size: 0x1000 }] },
  ]);
  const plan = planMpu({ ...input(got.domains, 32) });
  const dev = plan.domains[0].regions.find((r) => r.purpose.startsWith('passthrough'))!;
  assert.equal(dev.type, 'device');
  assert.equal(dev.perms, 'rw');
  assert.equal(decodePrlar(dev.prlar).attrIndx, 4);
  checkInvariants(plan);
  const moved = new FakeMemory().put(0x1800_0000, partial('0x10000000'));
  assertPanics(
    () => mpuInputFromBootInfo(tree, bi, moved.copyFromPaddr),
    /xen,reg: guest address 0x10000000 != physical 0x9c0a0000, but the domain is direct-mapped/,
  );
  const junk = new FakeMemory().put(0x1800_0000, new Uint8Array([1, 2, 3, 4]));
  assertPanics(() => mpuInputFromBootInfo(tree, bi, junk.copyFromPaddr), /d1: partial device tree/);
});
