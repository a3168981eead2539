// PSTATE access: MSR DAIFSet/DAIFClr/SPSel (immediate), MRS/MSR DAIF, NZCV, SPSel,
// CurrentEL, SP_EL0/SP_EL1 (Arm ARM C5.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { w } from './words.js';
import { cpu, getSys, step, nopAt, CODE, ESR_UNDEF } from './util.js';

test('MSR DAIFClr/DAIFSet and MRS/MSR DAIF', () => {
  const c = cpu([
    w('msr daifclr, #0x2'),
    w('mrs x19, daif'),
    w('msr daifset, #0x2'),
    w('msr daif, x20'),
    w('msr daifclr, #0xf'),
    w('mrs x19, daif'),
  ]);
  step(c, 2);
  assert.equal(c.x(19), 0x340n);
  step(c);
  assert.equal(c.pe.daif, 0x3c0);
  c.setX(20, 0xffff_ffffn);
  step(c);
  assert.equal(c.pe.daif, 0x3c0);
  step(c, 2);
  assert.equal(c.x(19), 0n);
});

test('DAIFClr unmasking a pending IRQ takes it before the next instruction', () => {
  const c = cpu([w('msr daifclr, #0x2'), w('nop')]);
  c.pe.irqLine = true;
  nopAt(c, 0x4007_0000 + 0x280); // IRQ, current EL with SP_ELx
  step(c, 2); // the MSR, then the IRQ entry and the vector's first instruction
  assert.equal(c.pe.el, 1);
  assert.equal(c.pe.pc, 0x4007_0000 + 0x284);
  assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE + 4));
});

test('MSR SPSel switches the stack pointer; MRS SPSel, CurrentEL', () => {
  const c = cpu([w('msr spsel, #0x0'), w('mrs x21, spsel'), w('mrs x24, currentel'), w('msr spsel, #0x1')]);
  c.pe.x[62] = 0x1000; // SP_EL1
  step(c, 3);
  assert.equal(c.pe.spSel, 0);
  assert.equal(c.x(21), 0n);
  assert.equal(c.x(24), 4n);
  step(c);
  assert.equal(c.pe.spSel, 1);
  assert.equal(c.pe.x[62], 0x1000);
});

test('MSR SPSel is UNDEFINED at EL0', () => {
  const c = cpu([w('msr spsel, #0x1')], { el: 0 });
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
});

test('MSR/MRS SP_EL0 at EL1 with SPSel=1 reach the banked SP_EL0', () => {
  const c = cpu([w('msr sp_el0, x22'), w('mrs x23, sp_el0'), w('msr spsel, #0x0')]);
  c.setX(22, 0xdead_beef_0000n);
  step(c, 3);
  assert.equal(c.x(23), 0xdead_beef_0000n);
  assert.equal(c.pe.getSp(0), 0xdead_beef_0000n);
  assert.equal(c.pe.x[62], 0xbeef_0000); // now live in slot 31
});

test('MSR SP_EL0 while SPSel=0 is UNDEFINED', () => {
  const c = cpu([w('msr spsel, #0x0'), w('msr sp_el0, x22')]);
  step(c, 2);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
  assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE + 4));
});

test('SP_EL1 is accessible at EL2, UNDEFINED at EL1', () => {
  let c = cpu([w('mrs x1, sp_el1')], { el: 2 });
  c.pe.setSp(1, 0x4444n);
  step(c);
  assert.equal(c.x(1), 0x4444n);
  c = cpu([w('mrs x1, sp_el1')]);
  step(c);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
});

test('MRS/MSR NZCV', () => {
  const c = cpu([w('msr nzcv, x26'), w('mrs x25, nzcv')]);
  c.setX(26, 0xa000_0000n);
  step(c, 2);
  assert.equal(c.flags(), 'NzCv');
  assert.equal(c.x(25), 0xa000_0000n);
});
