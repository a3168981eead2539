// A64 semihosting through HLT #0xF000 (x0 = operation, x1 = parameter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMachine, step, HLT_SEMI, B_SELF, RAM, U64 } from './machineHelper.js';
import { SYS, ADP_STOPPED_APPLICATION_EXIT } from '../../src/platform/firmware/semihosting.js';
import { describeStop } from '../../src/platform/machine.js';
import { sr } from '../../src/arch/sysreg/index.js';

const DATA = RAM + 0x1_0000;
const STR = RAM + 0x2_0000;

function u64s(vals: (number | bigint)[]): Uint8Array {
  const b = new Uint8Array(vals.length * 8);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setBigUint64(i * 8, U64(v), true));
  return b;
}

/** One semihosting call on a fresh machine; returns the machine after the HLT. */
function semi(op: number, param: number | bigint, setup?: (t: ReturnType<typeof makeMachine>) => void) {
  const t = makeMachine([HLT_SEMI, HLT_SEMI, B_SELF]);
  setup?.(t);
  t.setX(0, op);
  t.setX(1, param);
  step(t.pe());
  return t;
}

test('SYS_WRITE0 prints a NUL-terminated string; SYS_WRITEC one character', () => {
  let t = semi(SYS.WRITE0, STR, (t) => t.bus.writeBytes(STR, new TextEncoder().encode('hello, world\n\0junk')));
  assert.equal(t.text(), 'hello, world\n');
  assert.equal(t.pe().pc, 0x4000_1004, 'continues after the HLT');
  t = semi(SYS.WRITEC, STR, (t) => t.bus.writeBytes(STR, new Uint8Array([0x41])));
  assert.equal(t.text(), 'A');
});

test('SYS_OPEN(":tt") hands out handles from 1; SYS_WRITE to one prints and returns 0', () => {
  const t = semi(SYS.OPEN, DATA, (t) => {
    t.bus.writeBytes(STR, new TextEncoder().encode(':tt\0'));
    t.bus.writeBytes(DATA, u64s([STR, 4, 3])); // name, mode "w", length
  });
  assert.equal(t.x(0), 1n);
  // Second op: SYS_WRITE {1, buf, 5}.
  t.bus.writeBytes(STR + 0x100, new TextEncoder().encode('abcdeXYZ'));
  t.bus.writeBytes(DATA + 0x100, u64s([1, STR + 0x100, 5]));
  t.setX(0, SYS.WRITE);
  t.setX(1, DATA + 0x100);
  step(t.pe());
  assert.equal(t.x(0), 0n, 'bytes not written');
  assert.equal(t.text(), 'abcde');
});

test('SYS_OPEN of a host file is refused; SYS_WRITE to an unopened handle fails', () => {
  let t = semi(SYS.OPEN, DATA, (t) => {
    t.bus.writeBytes(STR, new TextEncoder().encode('/etc/passwd\0'));
    t.bus.writeBytes(DATA, u64s([STR, 0, 11]));
  });
  assert.equal(t.x(0), U64(-1));
  t = semi(SYS.WRITE, DATA, (t) => t.bus.writeBytes(DATA, u64s([2, STR, 3])));
  assert.equal(t.x(0), U64(-1));
  assert.equal(t.text(), '');
});

test('SYS_EXIT with ApplicationExit stops with the subcode as status', () => {
  const t = makeMachine([HLT_SEMI, B_SELF]);
  t.bus.writeBytes(DATA, u64s([ADP_STOPPED_APPLICATION_EXIT, 7]));
  t.setX(0, SYS.EXIT);
  t.setX(1, DATA);
  const stop = t.m.run(5)!;
  assert.equal(stop.kind, 'exit');
  assert.deepEqual(describeStop(stop), { status: 7, message: null });
});

test('SYS_EXIT with another reason is status 1; SYS_EXIT_EXTENDED works the same', () => {
  let t = makeMachine([HLT_SEMI, B_SELF]);
  t.bus.writeBytes(DATA, u64s([0x20023 /* ADP_Stopped_RunTimeErrorUnknown */, 0]));
  t.setX(0, SYS.EXIT);
  t.setX(1, DATA);
  let d = describeStop(t.m.run(5)!);
  assert.equal(d.status, 1);
  assert.match(d.message!, /reason 0x20023/);
  t = makeMachine([HLT_SEMI, B_SELF]);
  t.bus.writeBytes(DATA, u64s([ADP_STOPPED_APPLICATION_EXIT, 0]));
  t.setX(0, SYS.EXIT_EXTENDED);
  t.setX(1, DATA);
  d = describeStop(t.m.run(5)!);
  assert.deepEqual(d, { status: 0, message: null });
});

test('SYS_ERRNO is 0, SYS_CLOCK/TIME come from virtual time, unknown ops -1', () => {
  assert.equal(semi(SYS.ERRNO, 0).x(0), 0n);
  assert.equal(semi(SYS.CLOCK, 0).x(0), 0n, 'no time has passed');
  assert.equal(semi(SYS.TIME, 0).x(0), 0n);
  assert.equal(semi(SYS.FLEN, 0).x(0), U64(-1));
  assert.equal(semi(0x99, 0).x(0), U64(-1));
  // After 30 M instructions of virtual time (rounds of 1000 ns), CLOCK reads 3 centiseconds.
  const t = makeMachine([HLT_SEMI, 0x17ffffff /* b .-4, never reached */]);
  t.m.nowNs = 30_000_000;
  t.setX(0, SYS.CLOCK);
  step(t.pe());
  assert.equal(t.x(0), 3n);
});

test('SYS_HEAPINFO fills the block with zeros', () => {
  const t = semi(SYS.HEAPINFO, DATA, (t) => {
    t.bus.writeBytes(DATA, u64s([DATA + 0x40]));
    t.bus.writeBytes(DATA + 0x40, u64s([1, 2, 3, 4]));
  });
  assert.equal(t.x(0), 0n);
  assert.deepEqual([...t.bus.readBytes(DATA + 0x40, 32)], new Array(32).fill(0));
});

test('with semihosting off the host declines HLT (it is then UNDEFINED)', () => {
  const t = makeMachine([B_SELF], { semihosting: false });
  assert.equal(t.pe().host.semihosting(t.pe()), false);
});

test('a bad parameter pointer is a Data Abort for the guest, not a host error', () => {
  const VBAR = RAM + 0x4000;
  const t = makeMachine([HLT_SEMI, B_SELF]);
  t.load(VBAR + 0x200, [B_SELF]); // current EL with SP_ELx, synchronous
  t.pe().sys[sr('VBAR_EL1')] = BigInt(VBAR);
  t.setX(0, SYS.WRITE0);
  t.setX(1, 0x1000_0000); // not RAM, not a device: external abort
  step(t.pe());
  assert.equal(t.pe().pc, VBAR + 0x200);
  const esr = t.pe().sys[sr('ESR_EL1')];
  assert.equal(Number(esr >> 26n), 0x25, 'EC = Data Abort, current EL');
  assert.equal(t.pe().sys[sr('ELR_EL1')], 0x4000_1000n, 'ELR = the HLT');
});
