// The pieces of blocking and virtual interrupts without a machine: ICC_SGI1R_EL1 decoding into
// target vCPUs (vgic_v3_emulate_sgi1r / vgic_to_sgi), what WFI waits for
// (vgic_vcpu_pending_irq: priority mask, running priority, enables) and the kick an injection
// causes, and the software timers (deadline order, ties in set order, stop, nearest deadline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vgic } from '../../src/hv/vgic/vgicV3.js';
import { sgi1rTargets, vgicSendSgi } from '../../src/hv/vgic/vgicSgi.js';
import { initTimer, nextDeadline, setTimer, stopTimer, timerSoftirq } from '../../src/hv/timer.js';
import type { Xen } from '../../src/hv/xen.js';

const SGI = 0x1_0000;
const mpidr = (id: number): bigint => (1n << 31n) | BigInt(id % 16) | (BigInt(Math.floor(id / 16)) << 8n);

function make(n: number): { g: Vgic; kicked: number[] } {
  const g = new Vgic(
    Array.from({ length: n }, (_, id) => ({ id, mpidr: mpidr(id) })),
    () => undefined,
  );
  const kicked: number[] = [];
  g.kick = (i) => kicked.push(i);
  return { g, kicked };
}

const sgi1r = (intid: number, list: number, aff1 = 0, irm = false, rs = 0): bigint =>
  (BigInt(intid) << 24n) | BigInt(list) | (BigInt(aff1) << 16n) | (irm ? 1n << 40n : 0n) | (BigInt(rs) << 44n);

test('ICC_SGI1R_EL1: TargetList within Aff1, RS, IRM = all but self, and targets that are not online vCPUs', () => {
  const { g } = make(18);
  const all = (): boolean => true;
  assert.deepEqual(sgi1rTargets(g, 0, sgi1r(3, 0b110), all), { intid: 3, targets: [1, 2], offline: [] });
  // vCPU 17 is Aff1 = 1, Aff0 = 1.
  assert.deepEqual(sgi1rTargets(g, 0, sgi1r(7, 0b10, 1), all).targets, [17]);
  // RS = 1 names Aff0 16..31: no vCPU has those (Aff0 < 16), so nothing is delivered.
  assert.deepEqual(sgi1rTargets(g, 0, sgi1r(7, 0b1, 0, false, 1), all), { intid: 7, targets: [], offline: [16] });
  const others = sgi1rTargets(g, 4, sgi1r(5, 0, 0, true), (i) => i !== 9);
  assert.equal(others.targets.length, 16, 'every vCPU but the sender and the offline one');
  assert.ok(!others.targets.includes(4) && !others.targets.includes(9));
  // A down target is skipped and reported.
  assert.deepEqual(
    sgi1rTargets(g, 0, sgi1r(1, 0b11), (i) => i !== 1),
    { intid: 1, targets: [0], offline: [1] },
  );
});

test('an SGI is pending in the target bank only, and kicks the target', () => {
  const { g, kicked } = make(2);
  vgicSendSgi(g, 3, [1]);
  assert.deepEqual(kicked, [1]);
  assert.equal(g.gicrRead(1, 1 * 0x2_0000 + SGI + 0x200, 4), 1n << 3n, 'ISPENDR0 of vCPU 1');
  assert.equal(g.gicrRead(0, 0 * 0x2_0000 + SGI + 0x200, 4), 0n, 'not vCPU 0');
});

test('what WFI waits for: pending and enabled, above the priority mask and the running priority', () => {
  const { g, kicked } = make(2);
  const c = g.cpus[1];
  c.vmcr = 0xf0n << 24n; // VPMR 0xf0
  g.injectIrq(1, 27);
  assert.deepEqual(kicked, [1], 'an injection kicks even when disabled (Xen vcpu_kick)');
  assert.equal(g.hasPendingIrq(1), false, 'disabled: nothing to wake for');
  const base = 0x2_0000 + SGI;
  g.gicrWrite(1, base + 0x400 + 24, 4, 0xa0n << 24n); // priority of INTID 27
  g.gicrWrite(1, base + 0x100, 4, 1n << 27n); // enable
  assert.equal(g.hasPendingIrq(1), true);
  c.vmcr = 0xa0n << 24n;
  assert.equal(g.hasPendingIrq(1), false, 'masked by VPMR (priority must be strictly higher)');
  c.vmcr = 0xf0n << 24n;
  // A higher-priority interrupt active (AP1R0 group 0x80 >> 3 = 16): 0xa0 cannot preempt it.
  c.ap1r0 = 1n << 16n;
  assert.equal(g.hasPendingIrq(1), false);
  c.ap1r0 = 0n;
  // Once in a list register as pending, it still counts.
  g.flushLrs(1);
  assert.equal(g.hasPendingIrq(1), true);
  assert.equal(g.hasPendingIrq(0), false, 'banked: vCPU 0 has nothing');
});

test('software timers: deadline order, ties in set order, stopped ones never run, nearest deadline per pCPU', () => {
  let now = 0n;
  const xen = { cpu: { id: 0, readSysreg: () => now } } as unknown as Xen;
  const ran: string[] = [];
  const a = initTimer(0, () => ran.push('a'));
  const b = initTimer(0, () => ran.push('b'));
  const c = initTimer(0, () => ran.push('c'));
  const other = initTimer(1, () => ran.push('other'));
  setTimer(xen, a, 300n);
  setTimer(xen, b, 100n);
  setTimer(xen, c, 300n);
  setTimer(xen, other, 50n);
  assert.equal(nextDeadline(xen, 0), 100n);
  assert.equal(nextDeadline(xen, 1), 50n);
  now = 99n;
  timerSoftirq(xen);
  assert.deepEqual(ran, []);
  now = 300n;
  stopTimer(xen, c);
  timerSoftirq(xen);
  assert.deepEqual(ran, ['b', 'a'], 'pCPU 1 untouched; c stopped');
  assert.equal(nextDeadline(xen, 0), null);
  setTimer(xen, c, 400n);
  setTimer(xen, a, 400n);
  now = 500n;
  timerSoftirq(xen);
  assert.deepEqual(ran, ['b', 'a', 'c', 'a'], 'a tie runs in the order the timers were set');
});

test('GICR/GICD ISACTIVER and ICACTIVER read the active state the list registers hold', () => {
  const { g } = make(2);
  const base = 0x2_0000 + SGI;
  g.gicrWrite(1, base + 0x100, 4, 1n << 27n);
  g.injectIrq(1, 27);
  const lrs = g.flushLrs(1);
  assert.equal(g.gicrRead(1, base + 0x300, 4), 0n, 'pending, not active yet');
  // The guest acknowledged it: the LR comes back active.
  const acked = lrs.map((lr) => (lr === 0n ? 0n : (lr & ~(3n << 62n)) | (2n << 62n)));
  g.syncFromLrs(1, acked, g.cpus[1].vmcr, g.cpus[1].ap1r0);
  assert.equal(g.gicrRead(1, base + 0x300, 4), 1n << 27n, 'ISACTIVER0');
  assert.equal(g.gicrRead(1, base + 0x380, 4), 1n << 27n, 'ICACTIVER0 reads the same');
  assert.equal(g.gicrRead(0, SGI + 0x300, 4), 0n, 'banked per vCPU');
});
