// PSCI firmware driven through real HVC/SMC instructions; expected values as QEMU 7.2 answers
// them on -M virt (checked with a probe image on qemu-system-aarch64).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMachine, step, HVC0, SMC0, B_SELF, CODE, RAM, U64 } from './machineHelper.js';
import { PSCI, PSCI_RET, AFF_STATE, PSCI_VERSION_1_1 } from '../../src/platform/firmware/psci.js';
import { describeStop } from '../../src/platform/machine.js';

/** One firmware call on PE0 of a fresh machine: returns x0 afterwards. */
function call(args: (number | bigint)[], opts: { cpus?: number; el?: 1 | 2 } = {}): { x0: bigint; t: ReturnType<typeof makeMachine> } {
  const t = makeMachine([opts.el === 2 ? SMC0 : HVC0, B_SELF], { cpus: opts.cpus ?? 2, ...(opts.el ? { el: opts.el } : {}) });
  args.forEach((a, i) => t.setX(i, a));
  step(t.pe());
  return { x0: t.x(0), t };
}

test('PSCI_VERSION is 1.1', () => {
  assert.equal(call([PSCI.VERSION]).x0, BigInt(PSCI_VERSION_1_1));
});

test('the SMC conduit answers at EL2 and the HVC one is then not firmware', () => {
  const { x0, t } = call([PSCI.VERSION], { el: 2 });
  assert.equal(x0, 0x10001n);
  assert.equal(t.pe().host.hvcFirmware(t.pe(), 0), false);
  const t1 = makeMachine([B_SELF]);
  assert.equal(t1.pe().host.smc(t1.pe(), 0), false, 'SMC is UNDEFINED with the HVC conduit');
});

test('PSCI_FEATURES: implemented functions 0, the rest NOT_SUPPORTED', () => {
  for (const f of [
    PSCI.CPU_ON64,
    PSCI.CPU_ON,
    PSCI.CPU_OFF,
    PSCI.SYSTEM_OFF,
    PSCI.SYSTEM_RESET,
    PSCI.FEATURES,
    PSCI.AFFINITY_INFO64,
    PSCI.MIGRATE_INFO_TYPE,
    PSCI.CPU_SUSPEND64,
  ]) {
    assert.equal(call([PSCI.FEATURES, f]).x0, 0n, f.toString(16));
  }
  for (const f of [0x8000_0000, 0x8400_000e, PSCI.MIGRATE_INFO_UP_CPU, PSCI.MIGRATE]) {
    assert.equal(call([PSCI.FEATURES, f]).x0, U64(-1), f.toString(16));
  }
});

test('unknown and non-PSCI function IDs return NOT_SUPPORTED as 64-bit -1', () => {
  assert.equal(call([0x8000_0000]).x0, U64(-1)); // SMCCC_VERSION: QEMU 7.2 does not implement it
  assert.equal(call([0x1234]).x0, U64(-1));
  assert.equal(call([PSCI.MIGRATE_INFO_UP_CPU]).x0, U64(-1));
});

test('MIGRATE_INFO_TYPE is 2 (no Trusted OS)', () => {
  assert.equal(call([PSCI.MIGRATE_INFO_TYPE]).x0, 2n);
});

test('AFFINITY_INFO: off, absent, higher levels', () => {
  assert.equal(call([PSCI.AFFINITY_INFO64, 1, 0]).x0, BigInt(AFF_STATE.OFF));
  assert.equal(call([PSCI.AFFINITY_INFO64, 0, 0]).x0, BigInt(AFF_STATE.ON));
  assert.equal(call([PSCI.AFFINITY_INFO64, 5, 0]).x0, U64(PSCI_RET.INVALID_PARAMETERS));
  assert.equal(call([PSCI.AFFINITY_INFO64, 0, 1]).x0, 0n);
});

test('CPU_ON: self is ALREADY_ON, absent is INVALID_PARAMETERS', () => {
  assert.equal(call([PSCI.CPU_ON64, 0, CODE, 0]).x0, U64(PSCI_RET.ALREADY_ON));
  assert.equal(call([PSCI.CPU_ON64, 7, CODE, 0]).x0, U64(PSCI_RET.INVALID_PARAMETERS));
  assert.equal(call([PSCI.CPU_ON64, 1n << 40n, CODE, 0]).x0, U64(PSCI_RET.INVALID_PARAMETERS), 'non-affinity MPIDR bits');
});

test('CPU_ON starts the target at the boot EL, entry, x0 = context id, DAIF masked', () => {
  for (const el of [1, 2] as const) {
    const entry = RAM + 0x8000;
    const { x0, t } = call([PSCI.CPU_ON64, 1, entry, 0x1122_3344_5566_7788n], { el });
    assert.equal(x0, 0n);
    const sec = t.pe(1);
    assert.equal(sec.off, false);
    assert.equal(sec.el, el);
    assert.equal(sec.pc, entry);
    assert.equal(t.x(0, 1), 0x1122_3344_5566_7788n);
    assert.equal(sec.daif, 0x3c0);
    // And a second CPU_ON of the same PE is ALREADY_ON.
    t.pe().pc = CODE;
    t.setX(0, PSCI.CPU_ON64);
    t.setX(1, 1);
    step(t.pe());
    assert.equal(t.x(0), U64(PSCI_RET.ALREADY_ON));
  }
});

test('SMC32 CPU_ON ignores the upper halves of its arguments', () => {
  const { x0, t } = call([PSCI.CPU_ON, 0xffff_ffff_0000_0001n, 0xdead_0000_4000_2000n, 0xffff_ffff_0000_0055n]);
  assert.equal(x0, 0n);
  assert.equal(t.pe(1).pc, 0x4000_2000);
  assert.equal(t.x(0, 1), 0x55n);
});

test('CPU_OFF powers the caller down; with every PE off the run ends as "all off"', () => {
  const { t } = call([PSCI.CPU_OFF], { cpus: 1 });
  assert.equal(t.pe().off, true);
  const stop = t.m.run(10)!;
  assert.equal(stop.kind, 'all-off');
  assert.equal(describeStop(stop).status, 3);
});

test('SYSTEM_OFF stops the machine with status 0', () => {
  const t = makeMachine([HVC0, B_SELF]);
  t.setX(0, PSCI.SYSTEM_OFF);
  const stop = t.m.run(10)!;
  assert.deepEqual(stop, { kind: 'system-off', pe: 0 });
  assert.deepEqual(describeStop(stop), { status: 0, message: null });
  assert.equal(t.m.totalRetired, 1);
});

test('SYSTEM_RESET stops the machine with status 0 and a note', () => {
  const t = makeMachine([HVC0, B_SELF]);
  t.setX(0, PSCI.SYSTEM_RESET);
  const stop = t.m.run(10)!;
  assert.equal(stop.kind, 'system-reset');
  const d = describeStop(stop);
  assert.equal(d.status, 0);
  assert.match(d.message!, /SYSTEM_RESET/);
});

test('CPU_SUSPEND returns SUCCESS and sleeps like WFI', () => {
  const { x0, t } = call([PSCI.CPU_SUSPEND64, 0, 0, 0], { cpus: 1 });
  assert.equal(x0, 0n);
  assert.equal(t.pe().sleeping, 'wfi');
});
