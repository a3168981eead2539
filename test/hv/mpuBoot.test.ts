// The MPU backend's start of day on r82 (issue 7, seed 000): `boot --board r82` with the
// built-in configuration, with 16/32/64 EL2 regions, the rule checker strict; the EL2 MPU
// after boot read from the machine and compared with an independent planMpu of the same
// configuration (what `armvisor mpu-plan` computes); a domain that does not fit refused; the
// MPU's ioremap refusing an attribute it cannot give; transient mappings leaving the MPU as
// the plan says.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { XenBootSpec } from '../../src/cli/boot.js';
import { pmsaOf } from '../../src/arch/pmsa/state.js';
import { parseDts } from '../../src/fdt/dts.js';
import { r82DefaultLoads, r82DefaultTree, R82_DEFAULT_DTS } from '../../src/hv/configs/r82.js';
import { mpuInputFromFdt } from '../../src/hv/mm/mpu/fromFdt.js';
import { defaultXenSections, sectionsFromXenImage } from '../../src/hv/mm/mpu/layout.js';
import { planMpu } from '../../src/hv/mm/mpu/plan.js';
import { diffProgrammed } from '../../src/hv/mm/mpu/verify.js';
import { MpuBackend } from '../../src/hv/mm/mpu/backend.js';
import { assertPanics } from './helpers.js';
import { bootHv } from './domUs.js';

const boot = (spec: Partial<XenBootSpec> = {}) => bootHv({ board: 'r82', ...spec });

/** The plan `armvisor mpu-plan` makes for the booted configuration (DTB where the loader put it). */
function independentPlan(regions: number, dtbAddr: number, cpus = 1) {
  const sections = defaultXenSections();
  const fdt = mpuInputFromFdt(r82DefaultTree({ ramSize: 512 * 1024 * 1024, cpus }), dtbAddr, sections);
  return planMpu({ sections, bootInfo: fdt.bootInfo, devices: fdt.devices, domains: fdt.domains, regions });
}

test('boot --board r82: the built-in configuration boots on the MPU backend and powers off', () => {
  const r = boot();
  assert.equal(r.status, 0, r.message ?? r.out);
  assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
  assert.equal(r.hv.panicked, null);
  const xen = r.hv.xen!;
  assert.equal(xen.mm.name, 'mpu');
  assert.equal(xen.image.layout, null);
  assert.equal(xen.image.linkAddr, xen.loadPa);
  for (const re of [
    /^- Turning on the MPU -$/m,
    /^\(XEN\) MPU: EL2 has no stage-1 translation: MPUIR_EL2\.REGION = 32, VA = PA everywhere$/m,
    /^\(XEN\) Xen image: 0x200000 - 0x[0-9a-f]+ linked at its load address$/m,
    /^\(XEN\) MPU boot-time configuration: 14 regions \+ 2 reserved for transient mappings:$/m,
    /^\(XEN\)\s+11 0x001000000\.\.0x001ffffff RW Normal-WB\s+static heap$/m,
    /^\(XEN\) domU1: direct-mapped \(IPA = PA\), 1 EL2 MPU region \(slots 29\)/m,
    /^\(XEN\) domU2: direct-mapped \(IPA = PA\), 2 EL2 MPU regions \(slots 30, 31\)/m,
    /^\(XEN\) MPU: runtime configuration installed: 8 hypervisor regions \(5 boot-only freed, 2 merges\); EL2 MPU = plan$/m,
    /^\(XEN\) Freed 8kB init memory\.$/m,
  ]) {
    assert.match(r.out, re);
  }
  // Two self-checking dom0less guests ran side by side in their static memory and passed.
  assert.match(r.out, /^\(XEN\) Loading zImage from 0000000018000000 to 0000000004080000-/m);
  assert.match(r.out, /^\(XEN\) DOM1: DONE pass=2 fail=0$/m);
  assert.match(r.out, /^\(XEN\) DOM2: DONE pass=\d+ fail=0$/m);
  assert.doesNotMatch(r.out, /FAIL|crashed/);
  // Every stage-2 switch was one PRENR write (all regions fit below 32) and was checked
  // against the plan (a difference panics); at the end the pCPU is idle with no guest region.
  const mm = xen.mm as MpuBackend;
  assert.ok(mm.switchLog.length >= 3, JSON.stringify(mm.switchLog));
  assert.ok(mm.switchLog.every((s) => s.writes === 1));
  assert.deepEqual(new Set(mm.switchLog.map((s) => s.to)), new Set(['domU1', 'domU2', null]));
  assert.deepEqual(diffProgrammed(mm.plan!, pmsaOf(r.machine.pes[0]).el2, 'runtime'), []);
  // Nothing of the MMU backend ran: no layout, no page tables.
  assert.doesNotMatch(r.out, /Turning on paging|XEN_VIRT_START|Switched to the runtime page tables/);
  // The planner's own picture of the image is the image the hypervisor links.
  assert.deepEqual(sectionsFromXenImage(xen.image), defaultXenSections(xen.loadPa));
});

for (const regions of [16, 32, 64]) {
  test(`r82 with ${regions} EL2 MPU regions: boots, and the EL2 MPU equals mpu-plan's runtime table`, () => {
    const r = boot({ pmsa: { el2Regions: regions } });
    assert.equal(r.status, 0, r.message ?? r.out);
    assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
    const bank = pmsaOf(r.machine.pes[0]).el2;
    assert.equal(bank.count, regions);
    const plan = independentPlan(regions, r.hv.xen!.fdtPa);
    assert.deepEqual(diffProgrammed(plan, bank, 'runtime'), []);
    // And not vacuously: the same bank is not the boot-time table (init, DTB, modules gone).
    assert.ok(diffProgrammed(plan, bank, 'boot').length >= 5);
    assert.match(r.out, new RegExp(`MPUIR_EL2\\.REGION = ${regions}`));
  });
}

test('r82: too few EL2 regions for the boot-time table is one panic line with the numbers', () => {
  const r = boot({ pmsa: { el2Regions: 12 } });
  assert.equal(r.status, 3);
  assert.match(
    r.hv.panicked ?? '',
    /^MPU: the boot-time configuration needs 16 EL2 MPU regions \(14 mapped \+ 2 reserved for transient mappings\) but MPUIR_EL2 implements 12$/,
  );
});

const WIDE = `/dts-v1/;
/ {
  chosen {
    #address-cells = <2>; #size-cells = <2>;
    xen,xen-bootargs = "console=dtuart";
    xen,static-heap = <0x0 0x01000000 0x0 0x01000000>;
    domU9 {
      compatible = "xen,domain";
      #address-cells = <2>; #size-cells = <2>;
      memory = <0x0 0x1c000>; cpus = <1>; direct-map; vpl011;
      xen,static-mem = <0x0 0x04000000 0x0 0x01000000>, <0x0 0x06000000 0x0 0x01000000>,
                       <0x0 0x08000000 0x0 0x01000000>, <0x0 0x0a000000 0x0 0x01000000>,
                       <0x0 0x0c000000 0x0 0x01000000>, <0x0 0x0e000000 0x0 0x01000000>,
                       <0x0 0x10000000 0x0 0x01000000>;
      module@18000000 {
        compatible = "multiboot,kernel", "multiboot,module";
        reg = <0x0 0x18000000 0x0 0x10000>;
      };
    };
  };
};`;

test('r82: a domain whose regions do not fit the EL2 MPU is refused at creation with needed and available', () => {
  const config = parseDts(WIDE, 'wide.dts');
  const r = boot({ config, pmsa: { el2Regions: 16 } });
  assert.equal(r.status, 3, r.out);
  assert.match(
    r.hv.panicked ?? '',
    /^Unable to create domU9: domain domU9: needs 7 EL2 MPU regions, 6 available \(MPUIR_EL2 16 - 8 hypervisor - 2 reserved\)$/,
  );
  // With more regions the same domain fits, and runs (a guest linked in its first bank).
  const kernel = readFileSync(fileURLToPath(new URL('../../../guests/bin/hello-r82d1.img', import.meta.url)));
  const ok = boot({ config, pmsa: { el2Regions: 32 }, loads: [{ addr: 0x1800_0000, data: kernel, name: 'hello-r82d1.img' }] });
  assert.equal(ok.status, 0, ok.out);
  assert.equal(ok.ruleEvents, 0, ok.rules.join('\n'));
  assert.match(ok.out, /domU9: direct-mapped \(IPA = PA\), 7 EL2 MPU regions/);
  assert.match(ok.out, /^\(XEN\) DOM1: DONE pass=2 fail=0$/m);
});

test('MPU ioremap: an attribute the MPU cannot give is an error; a compatible one reuses the region', () => {
  const r = boot();
  const xen = r.hv.xen!;
  const uart = 0x9c09_0000;
  assert.equal(xen.mm.ioremapAttr(xen, uart + 0x18, 4, 'nocache'), uart + 0x18);
  assertPanics(
    () => xen.mm.ioremapAttr(xen, uart, 0x1000, 'cached'),
    /^MPU: ioremap \[0x9c090000, 0x9c091000\) Normal-WB: overlaps region \d+ \(UART \/uart@9c090000 .*Device-nGnRE RW\); the MPU cannot give one address two sets of attributes$/,
  );
  // A new device range takes a free slot and is programmed; the MPU still agrees with the plan.
  const mm = xen.mm as MpuBackend;
  assert.equal(xen.mm.ioremapAttr(xen, 0x9c0a_0000, 0x1000, 'nocache'), 0x9c0a_0000);
  assert.deepEqual(diffProgrammed(mm.plan!, pmsaOf(r.machine.pes[0]).el2, 'runtime'), []);
  // vmap has no VA to gather scattered pages at.
  assertPanics(() => xen.mm.vmap(xen, [0x0400_0000, 0x0400_2000], 'wc'), /^MPU: vmap of non-contiguous pages/);
});

test('MPU transient mappings: copyFromPaddr and mapDomainPage reach unmapped RAM at its PA, then leave the MPU as planned', () => {
  const r = boot();
  const xen = r.hv.xen!;
  const mm = xen.mm as MpuBackend;
  const bank = pmsaOf(r.machine.pes[0]).el2;
  // domU1's RAM is not a hypervisor region at run time: reaching it needs a transient region.
  assert.ok(!mm.plan!.runtime.some((x) => x.base <= 0x0400_0100 && 0x0400_0100 <= x.limit));
  r.machine.bus.writeBytes(0x0400_0100, new Uint8Array([1, 2, 3, 4]));
  assert.deepEqual([...xen.mm.copyFromPaddr(xen, 0x0400_0100, 4)], [1, 2, 3, 4]);
  assert.deepEqual(diffProgrammed(mm.plan!, bank, 'runtime'), []);
  const va = xen.mm.mapDomainPage(xen, 0x0400_0123);
  assert.equal(va, 0x0400_0123);
  xen.cpu.write8(va, 0xab);
  xen.mm.unmapDomainPage(xen, va);
  assert.equal(r.machine.bus.readBytes(0x0400_0123, 1)[0], 0xab);
  assert.deepEqual(diffProgrammed(mm.plan!, bank, 'runtime'), []);
  // A transient read straddling a hypervisor region is refused, not a double match.
  assertPanics(
    () => xen.mm.copyFromPaddr(xen, 0x00ff_fff0, 0x20),
    /^MPU: copyFromPaddr \[0xfffff0, 0x1000010\) overlaps region \d+ \(static heap/,
  );
});

test('MPU trap dump: a faulting hypervisor address is looked up in the EL2 MPU regions, not walked as tables', () => {
  const r = boot();
  const xen = r.hv.xen!;
  const mm = xen.mm as MpuBackend;
  const text = mm.plan!.runtime.find((x) => x.purpose.startsWith('.text'))!;
  const hit = xen.mm.dumpHypWalk(xen, text.base + 0x10);
  assert.match(hit[0], /^Looking up Hypervisor VA 0x200010 on CPU0 in the EL2 MPU \(MPUIR_EL2\.REGION = 32\)$/);
  assert.deepEqual(hit.slice(1), [
    `  region ${text.index} 0x000200000..${'0x' + text.limit.toString(16).padStart(9, '0')} RO-priv AttrIndx 7`,
  ]);
  assert.deepEqual(xen.mm.dumpHypWalk(xen, 0x0400_0100).slice(1), ['  no enabled region holds it']);
});

for (const smp of [1, 2]) {
  test(`r82 isolation (${smp} pCPU${smp > 1 ? 's' : ''}): a guest touching another domain's static memory takes a stage-2 MPU fault and only its domain crashes`, () => {
    // domU1 runs domu-fault, which points VBAR_EL1 at 0x10000000 (domU2's third static-memory
    // bank) and reads it: the injected abort's vector fetch faults too, so the domain crashes.
    // With two pCPUs, domU2 runs on CPU1 at the same time, its regions enabled in CPU1's bank only.
    const loads = r82DefaultLoads(r82DefaultTree(), { '/chosen/domU1': 'domu-fault-r82d1.img', '/chosen/domU2': 'cprog-r82d2.img' });
    const config = parseDts(readFileSync(R82_DEFAULT_DTS, 'utf8'), R82_DEFAULT_DTS);
    const r = boot({ config, loads, smp });
    assert.equal(r.status, 0, r.message ?? r.out);
    assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
    assert.match(r.out, /^\(XEN\) DOM1: domu-fault: VBAR_EL1 = 10000000, reading unmapped IPA 10000000$/m);
    assert.match(r.out, /^\(XEN\) Domain 1 \(vcpu#0\) crashed on cpu#0:$/m);
    assert.match(r.out, /^\(XEN\)\s+FAR_EL1: 0000000010000000$/m);
    assert.match(r.out, /: abort on the vector table$/m);
    assert.doesNotMatch(r.out, /DOM1: (PASS|FAIL|read)/);
    // The other domain kept running to its end.
    assert.match(r.out, /^\(XEN\) DOM2: DONE pass=\d+ fail=0$/m);
    assert.equal(r.hv.xen!.domains[0].state, 'crashed');
    assert.equal(r.hv.xen!.domains[1].state, 'shutdown');
    assert.equal(r.hv.xen!.domains[1].vcpus[0].processor, smp - 1);
  });
}

for (const regions of [16, 64]) {
  test(`r82 with ${regions} EL2 MPU regions: both guests run, every stage-2 switch checked against the plan`, () => {
    const r = boot({ pmsa: { el2Regions: regions } });
    assert.equal(r.status, 0, r.message ?? r.out);
    assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
    const mm = r.hv.xen!.mm as MpuBackend;
    assert.match(r.out, /^\(XEN\) DOM1: DONE pass=2 fail=0$/m);
    assert.match(r.out, /^\(XEN\) DOM2: DONE pass=\d+ fail=0$/m);
    assert.ok(mm.switchLog.filter((s) => s.to !== null).length >= 2, JSON.stringify(mm.switchLog));
  });
}

test('r82 --smp 2: the secondary installs the boot-time table, then the runtime one by cross-call, and runs domU2', () => {
  const r = boot({ smp: 2 });
  assert.equal(r.status, 0, r.message ?? r.out);
  assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
  const xen = r.hv.xen!;
  const mm = xen.mm as MpuBackend;
  assert.match(r.out, /^\(XEN\) Brought up 2 CPUs$/m);
  // The runtime table reached CPU1 (GIC_SGI_CALL_FUNCTION, checked there) before init_done went on.
  const order = [
    'MPU: runtime configuration installed',
    'MPU: CPU1: runtime configuration installed; EL2 MPU = plan',
    'Freed 8kB init memory.',
    'DOM1:',
  ];
  const at = order.map((l) => r.out.indexOf(l));
  assert.ok(
    at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1])),
    JSON.stringify(at),
  );
  // Round-robin placement: domU2's vCPU on CPU1, and both guests passed side by side.
  assert.deepEqual(
    xen.domains.map((d) => d.vcpus.map((v) => v.processor)),
    [[0], [1]],
  );
  assert.match(r.out, /^\(XEN\) DOM1: DONE pass=2 fail=0$/m);
  assert.match(r.out, /^\(XEN\) DOM2: DONE pass=\d+ fail=0$/m);
  assert.doesNotMatch(r.out, /FAIL|crashed/);
  // Each pCPU installed boot then runtime, each install checked; CPU1 switched domU2 in itself.
  assert.deepEqual(
    mm.installLog.map((i) => `${i.cpu}:${i.table}`),
    ['0:boot', '1:boot', '0:runtime', '1:runtime'],
  );
  assert.ok(
    mm.switchLog.some((s) => s.cpu === 1 && s.to === 'domU2'),
    JSON.stringify(mm.switchLog),
  );
  // The ordering rule: no domain switched in anywhere before every pCPU held the runtime table.
  const ready = Math.max(...mm.installLog.filter((i) => i.table === 'runtime').map((i) => i.seq));
  for (const s of mm.switchLog) {
    assert.equal(s.on, 'runtime');
    assert.ok(s.seq > ready, JSON.stringify(s));
  }
  // mpu-plan agrees with what each PE's EL2 MPU holds at the end (idle: no guest region).
  const plan = independentPlan(32, xen.fdtPa, 2);
  for (const pe of r.machine.pes) assert.deepEqual(diffProgrammed(plan, pmsaOf(pe).el2, 'runtime'), [], `PE${pe.id}`);
});

for (const smp of [1, 4]) {
  test(`r82 --smp ${smp}: every pCPU's EL2 MPU equals mpu-plan's runtime table after the guests ran`, () => {
    const r = boot({ smp, pmsa: { el2Regions: 16 } });
    assert.equal(r.status, 0, r.message ?? r.out);
    assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
    const plan = independentPlan(16, r.hv.xen!.fdtPa, smp);
    assert.equal(r.machine.pes.length, smp);
    for (const pe of r.machine.pes) {
      assert.deepEqual(diffProgrammed(plan, pmsaOf(pe).el2, 'runtime'), [], `PE${pe.id}`);
      assert.ok(diffProgrammed(plan, pmsaOf(pe).el2, 'boot').length >= 5, `PE${pe.id} is not on the boot-time table`);
    }
    for (let c = 1; c < smp; c++)
      assert.match(r.out, new RegExp(`^\\(XEN\\) MPU: CPU${c}: runtime configuration installed; EL2 MPU = plan$`, 'm'));
  });
}

test('r82 --smp 2 --knob unpause-early: a secondary runs a domain on the boot-time MPU configuration, which crashes it', () => {
  // Seed 000 (Wei Chen): "if the unpaused guests start executing the context switch at this
  // point, then its MPU context will base on the boot-time MPU configuration ... on SMP systems,
  // this problem is foreseeable". The knob unpauses at the end of start_xen, as upstream does.
  const r = boot({ smp: 2, knobs: { unpauseEarly: true } });
  // The hypervisor survives: domU2 crashes on CPU1, init_done then goes on and domU1 passes.
  assert.equal(r.status, 0, r.message ?? r.out);
  assert.equal(r.hv.panicked, null);
  assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
  const xen = r.hv.xen!;
  const mm = xen.mm as MpuBackend;
  // CPU1 picked domU2 up before init_done, on the boot-time table, and went idle on it after
  // the crash; only then did init_done give it the runtime table.
  assert.deepEqual(
    mm.installLog.map((i) => `${i.cpu}:${i.table}`),
    ['0:boot', '1:boot', '0:runtime', '1:runtime'],
  );
  assert.deepEqual(
    mm.switchLog.filter((s) => s.cpu === 1).map((s) => `${s.to}:${s.on}`),
    ['domU2:boot', 'null:boot'],
  );
  const runtimeOn1 = mm.installLog.find((i) => i.cpu === 1 && i.table === 'runtime')!.seq;
  assert.ok(mm.switchLog.filter((s) => s.on === 'boot').every((s) => s.seq < runtimeOn1));
  // What that bank gives: .init still reachable at EL2, the hypervisor's own heap and GIC
  // regions switched off by the PRENR write, and none of domU2's regions (its stage 2).
  assert.match(r.out, /^\(XEN\) MPU: CPU1 switched domU2 in while its EL2 MPU holds the boot-time configuration:$/m);
  assert.match(r.out, /^\(XEN\)   boot-only regions still live at EL2: \.init\.text \(slot 4\), \.init\.data \(slot 5\)$/m);
  assert.match(
    r.out,
    /^\(XEN\)   boot-time regions the switch turned off: DTB \(slot 8\), .*static heap \(slot 11\), GICD \(slot 12\), GICR \(slot 13\)$/m,
  );
  assert.match(
    r.out,
    /^\(XEN\)   domU2's regions missing from the bank \(its stage 2\): RAM bank 0 \+ RAM bank 1 \(slot 30\), RAM bank 2 \(slot 31\)$/m,
  );
  // The plan check's slot-by-slot difference, as warnings (the knob: no panic, the ERET happens).
  assert.match(
    r.out,
    /^\(XEN\) MPU: WARNING: CPU1's EL2 MPU differs from the runtime plan in 10 slots; entering domU2 anyway \(--knob unpause-early\):$/m,
  );
  // Slot 4 still holds the boot-time .init.text (RX) where the runtime plan has the static heap.
  const initText = defaultXenSections().find((x) => x.name === '.init.text')!;
  const pa9 = (n: number): string => '0x' + n.toString(16).padStart(9, '0');
  assert.ok(
    r.out.includes(
      `(XEN)   slot 4: region 4 ${pa9(initText.start)}..${pa9(initText.end - 1)} RO-priv AttrIndx 7, the plan has static heap`,
    ),
    r.out,
  );
  assert.match(r.out, /^\(XEN\)   slot 30: region 30 0x000000000\.\.0x00000003f .*the plan has RAM bank 0 \+ RAM bank 1/m);
  // The guest was entered at its kernel's first instruction (ERET to ELR_EL2 = entry, EL1h), and
  // that very fetch took a stage-2 MPU fault (no region holds its RAM: IFSC 0x0c, the MPU's
  // fault); Xen injected the prefetch abort, whose vector (VBAR_EL1 = 0) no region holds either,
  // so domain_crash with the dump — on CPU1, before init_done ran.
  const d2 = xen.domains.find((d) => d.id === 2)!;
  const entry = d2.banks[0].ipa + 0x80000;
  const hex16 = (n: number): string => n.toString(16).padStart(16, '0');
  assert.match(r.out, new RegExp(`^\\(XEN\\) Loading zImage from [0-9a-f]+ to ${hex16(entry)}-`, 'm'));
  const order = [
    `(XEN) d2v0 unhandled prefetch abort: HSR=0x8200000c pc=0x${hex16(entry)} gva=0x${hex16(entry)} gpa=0x${hex16(entry)}\n`,
    '(XEN) d2v0 unhandled prefetch abort: HSR=0x8200000c pc=0x0000000000000200 gva=0x0000000000000200 gpa=0x0000000000000200: abort on the vector table\n',
    '(XEN) Domain 2 (vcpu#0) crashed on cpu#1:\n',
    `(XEN)    ELR_EL1: ${hex16(entry)}\n`,
    '(XEN)        IFSC  0x0c    Permission fault, level 0 (FEAT_LPA2; Armv8-R MPU faults)\n',
    'MPU: CPU1: runtime configuration installed; EL2 MPU = plan',
    'Freed 8kB init memory.',
    '(XEN) DOM1: DONE pass=2 fail=0',
  ];
  const at = order.map((l) => r.out.indexOf(l));
  assert.ok(
    at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1])),
    JSON.stringify(at) + '\n' + r.out,
  );
  assert.equal(d2.state, 'crashed');
  assert.doesNotMatch(r.out, /DOM2:/);
  // Deterministic: the same run again prints the same.
  assert.equal(boot({ smp: 2, knobs: { unpauseEarly: true } }).out, r.out);
  // With one pCPU the upstream order is harmless: nothing runs until the boot CPU idles.
  const one = boot({ knobs: { unpauseEarly: true } });
  assert.equal(one.status, 0, one.message ?? one.out);
  assert.ok((one.hv.xen!.mm as MpuBackend).switchLog.every((s) => s.on === 'runtime'));
});
