// The machine's scheduler, virtual time and stop conditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMachine, B_SELF, WFI, WFE, ADD_X0_1, B_BACK1, NOP, MSR_DAIFCLR_F, HVC0, RAM, CODE } from './machineHelper.js';
import { describeStop } from '../../src/platform/machine.js';
import { PSCI } from '../../src/platform/firmware/psci.js';

test('--max-insns stops a busy loop with status 2, exactly at the limit', () => {
  const t = makeMachine([ADD_X0_1, B_BACK1], { maxInsns: 2501 });
  const stop = t.m.run()!;
  assert.deepEqual(stop, { kind: 'max-insns', limit: 2501 });
  assert.equal(describeStop(stop).status, 2);
  assert.equal(t.m.totalRetired, 2501);
  assert.equal(t.x(0), 1251n);
});

test("'b .' with interrupts masked on the only PE is a wedged machine (status 3)", () => {
  const t = makeMachine([NOP, B_SELF]);
  const stop = t.m.run(100)!;
  assert.equal(stop.kind, 'wedged');
  const d = describeStop(stop);
  assert.equal(d.status, 3);
  assert.match(d.message!, /PE0 spinning on 'b \.' with interrupts masked at 0x0000000040001004/);
});

test("'b .' with interrupts unmasked is not wedged (an interrupt could come)", () => {
  const t = makeMachine([MSR_DAIFCLR_F, B_SELF], { maxInsns: 5000 });
  assert.equal(t.m.run(100)!.kind, 'max-insns');
});

test('WFI with nothing that can wake the PE is wedged', () => {
  const t = makeMachine([WFI, B_SELF]);
  const stop = t.m.run(100)!;
  assert.equal(stop.kind, 'wedged');
  assert.match(describeStop(stop).message!, /PE0 asleep in WFI at 0x0000000040001004/);
});

test('a timed device wakes a sleeping machine: time jumps to its event', () => {
  const t = makeMachine([WFI, B_SELF, B_SELF], { maxInsns: 10_000 });
  let synced = -1;
  t.m.addTimed({
    nextEventNs: (now) => (now < 5_000_000 ? 5_000_000 : undefined),
    sync: (now) => {
      synced = now;
      if (now >= 5_000_000) t.pe().irqLine = true; // the device raises its interrupt
    },
  });
  t.m.run();
  assert.equal(synced >= 5_000_000, true);
  assert.equal(t.pe().sleeping, '');
  // 5 ms at 62.5 MHz: 312500 ticks, plus what ran since.
  assert.equal(t.m.counter(t.pe()) >= 312_500n, true);
});

test('a secondary in WFE is woken when another PE runs; both finish deterministically', () => {
  // PE0: CPU_ON(PE1 → RAM+0x2000), then count 3000 and SYSTEM_OFF... here: max-insns.
  const run = (): string => {
    const t = makeMachine([HVC0, ADD_X0_1, B_BACK1], { cpus: 2, maxInsns: 6000 });
    t.load(RAM + 0x2000, [WFE, ADD_X0_1, B_BACK1]);
    t.setX(0, PSCI.CPU_ON64);
    t.setX(1, 1);
    t.setX(2, RAM + 0x2000);
    t.m.run();
    return `${t.x(0)} ${t.x(0, 1)} ${t.m.nowNs}`;
  };
  const a = run();
  assert.equal(a, run(), 'same run, same state');
  const [x0pe0, x0pe1] = a.split(' ').map(BigInt);
  assert.equal(x0pe1 > 0n, true, 'the secondary left WFE and ran');
  assert.equal(x0pe0 > 0n, true);
});

test('virtual time: rounds of `quantum` ns, counter at 62.5 MHz = 1 tick / 16 ns', () => {
  const t = makeMachine([ADD_X0_1, B_BACK1], { maxInsns: 10_000, quantum: 1000 });
  t.m.run(4);
  assert.equal(t.m.nowNs, 4000);
  assert.equal(t.m.counter(t.pe()), 250n);
  assert.equal(t.pe().pc === CODE || t.pe().pc === CODE + 4, true);
});

test('PEs interleave in fixed quanta, in id order', () => {
  // Each PE increments x0 forever; after 3 rounds each has run exactly 3 quanta.
  const t = makeMachine([HVC0, ADD_X0_1, B_BACK1], { cpus: 2, quantum: 100 });
  t.load(RAM + 0x2000, [ADD_X0_1, B_BACK1]);
  t.setX(0, PSCI.CPU_ON64);
  t.setX(1, 1);
  t.setX(2, RAM + 0x2000);
  t.m.run(3);
  assert.equal(t.pe(0).retired, 300);
  assert.equal(t.pe(1).retired, 300);
  assert.equal(t.m.totalRetired, 600);
});
