// Generic-timer interrupt outputs: level = ENABLE && !IMASK && ISTATUS, recomputed on register
// writes and as time passes; the next event a sleeping machine jumps to; WFI woken by a timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMachine, WFI, NOP, B_BACK1 } from './machineHelper.js';
import { GenericTimers } from '../../src/platform/devices/timer.js';
import { sr } from '../../src/arch/sysreg/index.js';

function setup(el: 1 | 2 = 2, words = [0]) {
  const t = makeMachine(words, { el });
  const events: string[] = [];
  const timers = new GenericTimers(t.m.pes, t.m.cntfrq, {
    intids: [30, 27, 26],
    setPpiLine: (pe, intid, level) => events.push(`${pe}:${intid}=${level ? 1 : 0}`),
  });
  t.m.addTimed(timers);
  return { t, timers, events, pe: t.m.pes[0] };
}

test('outputs follow ENABLE, IMASK and CVAL; the virtual timer counts from CNTVOFF', () => {
  const { timers, events, pe } = setup();
  pe.sys[sr('CNTP_CVAL_EL0')] = 0n;
  pe.sys[sr('CNTP_CTL_EL0')] = 3n; // ENABLE | IMASK
  timers.refresh(pe);
  assert.deepEqual(events, []);
  pe.sys[sr('CNTP_CTL_EL0')] = 1n;
  timers.refresh(pe);
  assert.deepEqual(events, ['0:30=1']);
  pe.sys[sr('CNTP_CTL_EL0')] = 0n;
  timers.refresh(pe);
  assert.deepEqual(events.slice(1), ['0:30=0']);
  // Virtual: CVAL 100 with CNTVOFF = −1000 (virtual count ahead of physical by 1000).
  pe.sys[sr('CNTV_CVAL_EL0')] = 100n;
  pe.sys[sr('CNTV_CTL_EL0')] = 1n;
  pe.sys[sr('CNTVOFF_EL2')] = BigInt.asUintN(64, -1000n);
  timers.refresh(pe);
  assert.deepEqual(events.slice(2), ['0:27=1']);
});

test('nextEventNs: the first ns at which an enabled, unmasked timer reaches CVAL', () => {
  const { timers, pe } = setup();
  assert.equal(timers.nextEventNs(0), undefined);
  pe.sys[sr('CNTHP_CVAL_EL2')] = 1000n; // 1000 ticks at 62.5 MHz = 16000 ns
  pe.sys[sr('CNTHP_CTL_EL2')] = 1n;
  assert.equal(timers.nextEventNs(0), 16000);
  pe.sys[sr('CNTV_CVAL_EL0')] = 10n;
  pe.sys[sr('CNTV_CTL_EL0')] = 1n;
  pe.sys[sr('CNTVOFF_EL2')] = 5n;
  assert.equal(timers.nextEventNs(0), 240, 'virtual: physical count CVAL + CNTVOFF');
  pe.sys[sr('CNTV_CTL_EL0')] = 3n;
  assert.equal(timers.nextEventNs(0), 16000, 'masked timers do not count');
  pe.sys[sr('CNTHP_CTL_EL2')] = 1n;
  assert.equal(timers.nextEventNs(20000), undefined, 'already past');
});

test('the EL2 timer does not exist without EL2', () => {
  const { timers, pe } = setup(1);
  pe.sys[sr('CNTHP_CTL_EL2')] = 1n;
  assert.equal(timers.nextEventNs(0), undefined);
});

test('a PE in WFI waiting for its timer: the machine jumps to the event instead of wedging', () => {
  const { t, events, pe } = setup(1, [WFI, NOP, B_BACK1]);
  pe.sys[sr('CNTP_CVAL_EL0')] = 1_000_000n; // 16 ms of virtual time
  pe.sys[sr('CNTP_CTL_EL0')] = 1n;
  // Nothing connects the output to the PE's IRQ input here: raise it as a GIC would.
  let raised = 0;
  t.m.timed.push({ sync: () => void (events.length > raised && (pe.irqLine = true), (raised = events.length)) });
  t.m.run(1);
  assert.equal(pe.sleeping, 'wfi');
  for (let r = 0; r < 10 && (pe.sleeping as string) !== ''; r++) t.m.run(1);
  assert.equal(t.m.stopReason, null, 'not wedged');
  assert.equal(pe.sleeping, '', 'woke');
  assert.deepEqual(events, ['0:30=1']);
  assert.ok(t.m.nowNs >= 16_000_000 && t.m.nowNs <= 16_001_000, `time jumped to the event (${t.m.nowNs})`);
});

test('event stream: a PE waiting in WFE is woken by the CNTVCT bit transition, time jumps to it', () => {
  const { t, pe, timers } = setup(1, [0xd503205f, NOP, B_BACK1]); // wfe
  // EVNTEN, EVNTI = 4 (0→1 of bit 4: every 32 ticks = 512 ns, first at count 16).
  pe.sys[sr('CNTKCTL_EL1')] = (1n << 2n) | (4n << 4n);
  t.m.run(1);
  assert.equal(pe.sleeping as string, 'wfe', 'event register clear: the PE waits');
  const next = timers.nextEventNs(t.m.nowNs);
  assert.ok(next !== undefined && next > t.m.nowNs && next - t.m.nowNs <= 512, `next event ${next} from ${t.m.nowNs}`);
  for (let r = 0; r < 5 && (pe.sleeping as string) === 'wfe'; r++) t.m.run(1);
  assert.equal(t.m.stopReason, null, 'not wedged');
  assert.equal(pe.sleeping, '');
});

test('event stream off: a PE in WFE with nothing else is wedged', () => {
  const { t, pe } = setup(1, [0xd503205f, 0xd503205f, 0xd503205f]);
  t.m.run(5);
  assert.equal(pe.sleeping, 'wfe');
  assert.equal(t.m.stopReason?.kind, 'wedged');
});
