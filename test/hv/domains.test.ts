// dom0less domUs end to end: our self-checking test guests (guests/src-domu and the -domu
// variants) run at EL1 under stage 2, side by side on two pCPUs, print through the vpl011 and
// power off with PSCI; a guest that cannot take the abort for an unmapped IPA has only its own
// domain crashed (test/hv/isolation.test.ts: injected aborts, flooding);
// hypercalls with bad arguments get Xen's error codes; runs are deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bootDomUs, domU, lines } from './domUs.js';
import { makeGuestFdt, GUEST_PL011_BASE } from '../../src/hv/domain/guestFdt.js';
import { placeModules } from '../../src/hv/domain/domain.js';
import { buildDtb, parseDtb, findNode, getString, getReg } from '../../src/fdt/dtb.js';

const MB = 1024 * 1024;

test('two domUs side by side: both print PASS lines through their vpl011 and power off; exit 0', () => {
  const r = bootDomUs([domU(1, 'hello-domu.img'), domU(2, 'cprog-domu.elf')]);
  assert.equal(r.status, 0, r.out + r.message);
  assert.equal(r.ruleEvents, 0, r.rules.join('\n'));
  assert.match(r.out, /\(XEN\) \*\*\* LOADING DOMU cpus=1 memory=4000KB \*\*\*\n\(XEN\) Loading d1 kernel from boot module @ /);
  assert.match(r.out, /\(XEN\) d2 BANK\[0\] 0x00000040000000-0x00000041000000 \(16MB\)/);
  const d1 = lines(r.out, '(XEN) DOM1: ');
  const d2 = lines(r.out, '(XEN) DOM2: ');
  assert.ok(d1.includes('(XEN) DOM1: DONE pass=2 fail=0'), d1.join('\n'));
  assert.ok(
    d2.some((l) => /^\(XEN\) DOM2: DONE pass=\d+ fail=0$/.test(l)),
    d2.join('\n'),
  );
  assert.equal(r.out.match(/FAIL/g), null);
  // Side by side: the first console lines of both domains come before either has finished.
  const all = r.out.split('\n');
  const firstD2 = all.findIndex((l) => l.startsWith('(XEN) DOM2: '));
  const doneD1 = all.indexOf('(XEN) DOM1: DONE pass=2 fail=0');
  assert.ok(firstD2 >= 0 && firstD2 < doneD1, 'domain 2 printed before domain 1 finished');
  assert.match(r.out, /\(XEN\) d1: shutdown: poweroff\n/);
  assert.match(r.out, /\(XEN\) All domains have shut down: powering off \(PSCI SYSTEM_OFF\)\.\n$/);
  // The guest saw its virtual MPIDR (vCPU 0) and ran at EL1.
  assert.ok(d1.includes('(XEN) DOM1:   MPIDR_EL1  0000000080000000'));
  assert.ok(d1.includes('(XEN) DOM1: Hello from an AArch64 guest at EL1'));
});

test('a domU that cannot take the abort for an unmapped IPA is crashed with a Xen-style dump; the other domain completes', () => {
  const r = bootDomUs([domU(1, 'domu-fault.img'), domU(2, 'hello-domu.img')]);
  assert.equal(r.status, 0, r.out + r.message);
  assert.match(
    r.out,
    /\(XEN\) d1v0 unhandled data abort: HSR=0x93[0-9a-f]{6} pc=0x[0-9a-f]{16} gva=0x0000000010000000 gpa=0x0000000010000000\n/,
  );
  assert.match(r.out, /\(XEN\) domain_crash called from doTrapStage2AbortGuest\n\(XEN\) Domain 1 \(vcpu#0\) crashed on cpu#0:\n/);
  assert.match(r.out, /\(XEN\)  HPFAR_EL2: 0000000000100000\n/);
  assert.ok(r.out.includes('(XEN) DOM1: domu-fault: VBAR_EL1 = 10000000, reading unmapped IPA 10000000'));
  assert.ok(!r.out.includes('unmapped-read-must-not-return'), 'nothing after the faulting access ran');
  assert.ok(r.out.includes('(XEN) DOM2: DONE pass=2 fail=0'));
  assert.equal(r.hv.xen!.domains[0].state, 'crashed');
  assert.equal(r.hv.xen!.domains[1].state, 'shutdown');
});

test("hypercalls and PSCI from a domU: Xen's ABI, Xen's error codes for bad arguments", () => {
  const r = bootDomUs([domU(1, 'domu-hcall.img')], { smp: 1 });
  assert.equal(r.status, 0, r.out + r.message);
  const d1 = lines(r.out, '(XEN) DOM1: ');
  assert.equal(d1.filter((l) => l.includes('FAIL')).length, 0, d1.join('\n'));
  assert.ok(d1.includes('(XEN) DOM1: DONE pass=15 fail=0'), d1.join('\n'));
  assert.match(r.out, /^\(d1\) hello through console_io$/m);
  assert.match(r.out, /\(XEN\) d1v0 Unhandled SMC\/HVC: 0x8400004f\n/);
  assert.match(r.out, /\(XEN\) d1v0 Invalid HVC imm 0x1\n/);
});

test('a domU computing without traps does not starve another on the same pCPU (the CNTHP tick)', () => {
  const r = bootDomUs([domU(1, 'domu-spin.img'), domU(2, 'hello-domu.img')], { smp: 1 });
  assert.equal(r.status, 0, r.out + r.message);
  const all = r.out.split('\n');
  const spinDone = all.indexOf('(XEN) DOM1: PASS spin-sum');
  const helloDone = all.indexOf('(XEN) DOM2: DONE pass=2 fail=0');
  assert.ok(all.indexOf('(XEN) DOM1: spin: start') < helloDone, 'the spinner ran first');
  assert.ok(helloDone >= 0 && helloDone < spinDone, 'hello finished while the spinner was still computing');
  assert.ok(all.includes('(XEN) DOM1: DONE pass=1 fail=0'));
});

test('determinism: the same configuration twice gives the same console and the same virtual time', () => {
  const a = bootDomUs([domU(1, 'hello-domu.img'), domU(2, 'domu-fault.img')]);
  const b = bootDomUs([domU(1, 'hello-domu.img'), domU(2, 'domu-fault.img')]);
  assert.equal(a.out, b.out);
  assert.deepEqual(
    a.machine.pes.map((p) => p.retired),
    b.machine.pes.map((p) => p.retired),
  );
});

test("a xen,domain node without 'memory' stops the boot with one panic line", () => {
  const r = bootDomUs([domU(1, 'hello-domu.img')], {
    editTree: () => undefined,
    editDtb: (blob) => {
      const fdt = parseDtb(blob, 'x');
      findNode(fdt.root, '/chosen/domU1')!.props.delete('memory');
      return buildDtb(fdt);
    },
  });
  assert.equal(r.status, 3);
  assert.equal(r.message, "the hypervisor panicked: Unable to create /chosen/domU1: 'memory' property is missing");
});

test('the guest device tree: the nodes of real Xen 4.17 domU trees, vpl011 as stdout', () => {
  const fdt = parseDtb(buildDtb(makeGuestFdt({ memKb: 256 * 1024, cpus: 2, vpl011: true, bootargs: 'console=ttyAMA0' })), 'guest');
  const root = fdt.root;
  assert.equal(getString(findNode(root, '/psci')!, 'method'), 'hvc');
  assert.equal(getString(findNode(root, '/chosen')!, 'bootargs'), 'console=ttyAMA0');
  assert.equal(getString(findNode(root, '/chosen')!, 'stdout-path'), `/sbsa-uart@${GUEST_PL011_BASE.toString(16)}`);
  assert.deepEqual(getReg(root, findNode(root, '/memory@40000000')!), [{ address: 0x4000_0000, size: 256 * MB }]);
  assert.deepEqual(getReg(root, findNode(root, '/interrupt-controller@3001000')!), [
    { address: 0x300_1000, size: 0x1_0000 },
    { address: 0x302_0000, size: 0x100_0000 },
  ]);
  assert.ok(findNode(root, '/cpus/cpu@1'));
  assert.equal(getString(findNode(root, '/sbsa-uart@22000000')!, 'compatible'), 'arm,sbsa-uart');
  // place_modules: at 128MB into a 256MB domain (the reference log's 0x48000000); at the end of a small one.
  const ram = (size: number): { start: number; size: number } => ({ start: 0x4000_0000, size });
  assert.equal(placeModules(ram(256 * MB), { start: 0x4000_0000, end: 0x41f6_dfc0 }, 0x4c1, 0).dtb, 0x4800_0000);
  assert.equal(placeModules(ram(16 * MB), { start: 0x4008_0000, end: 0x4009_0000 }, 0x4c1, 0).dtb, 0x40e0_0000);
  assert.throws(() => placeModules(ram(4 * MB), { start: 0x4000_0000, end: 0x403f_0000 }, 0x4c1, 0), /kernel\+dtb\+initrd/);
  // With an initrd (the reference log's d1: initrd 0xf1040 bytes → DTB 0x48000000, initrd 0x48200000).
  assert.deepEqual(placeModules(ram(256 * MB), { start: 0x4000_0000, end: 0x41f6_dfc0 }, 0x4c1, 0xf_1040), {
    dtb: 0x4800_0000,
    initrd: 0x4820_0000,
  });
  // A small domain: both at the end of RAM, the initrd's 2MB slot last.
  assert.deepEqual(placeModules(ram(16 * MB), { start: 0x4008_0000, end: 0x4009_0000 }, 0x4c1, 5000), {
    dtb: 0x40c0_0000,
    initrd: 0x40e0_0000,
  });
  // Room in total, but no 4MB slot above or below the kernel.
  assert.throws(() => placeModules(ram(8 * MB), { start: 0x4020_0000, end: 0x4050_0000 }, 0x4c1, 5000), /suitable location/);
  // Modules that exactly fill the space above the kernel are accepted (Xen's `>` refuses them).
  assert.equal(placeModules(ram(4 * MB), { start: 0x4008_0000, end: 0x4008_6000 }, 0x4c1, 0).dtb, 0x4020_0000);
});

test('PSCI CPU_ON/CPU_OFF/AFFINITY_INFO for a 4-vCPU domU (the psci guest, as on QEMU at EL1)', () => {
  const r = bootDomUs([domU(1, 'psci-domu.img', { cpus: 4 })], { smp: 4 });
  assert.equal(r.status, 0, r.out + r.message);
  const got = lines(r.out, '(XEN) DOM1: ').map((l) => l.slice('(XEN) DOM1: '.length));
  // The same lines as QEMU's golden for the bare-metal guest at EL1, but PSCI version 1.1 (Xen's).
  const golden = readFileSync(fileURLToPath(new URL('../../../guests/expected/psci.el1.txt', import.meta.url)), 'utf8')
    .trimEnd()
    .split('\n')
    .filter((l) => !/^psci version|^features /.test(l));
  assert.deepEqual(
    got.filter((l) => !/^psci version|^features /.test(l)),
    golden,
  );
});
