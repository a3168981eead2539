// Exception-generating instructions and ERET (Arm ARM C6.2: SVC, HVC, SMC, BRK, HLT, ERET;
// D1.10 preferred return addresses; D1.11.5 illegal exception returns).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { w } from './words.js';
import { cpu, setSys, getSys, step, nopAt, CODE, VBAR1, VBAR2, LOWER_SYNC, CUR_SPX_SYNC, ESR_UNDEF } from './util.js';

test('SVC at EL1 → EL1, EC 0x15, imm16, ELR = next instruction', () => {
  const c = cpu([w('svc #0x1234')]);
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(c.pe.pc, VBAR1 + CUR_SPX_SYNC);
  assert.equal(getSys(c.pe, 'ESR_EL1'), 0x56001234n);
  assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE + 4));
});

test('SVC at EL0 → EL1, or EL2 under HCR_EL2.TGE', () => {
  let c = cpu([w('svc #0x0')], { el: 0 });
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(c.pe.pc, VBAR1 + LOWER_SYNC);
  c = cpu([w('svc #0x0')], { el: 0 });
  setSys(c.pe, 'HCR_EL2', 1n << 27n);
  step(c);
  assert.equal(c.pe.el, 2);
  assert.equal(getSys(c.pe, 'ESR_EL2'), 0x56000000n);
});

test('HVC at EL1 → EL2, EC 0x16, ELR = next instruction', () => {
  const c = cpu([w('hvc #0x5')]);
  step(c);
  assert.equal(c.pe.el, 2);
  assert.equal(c.pe.pc, VBAR2 + LOWER_SYNC);
  assert.equal(getSys(c.pe, 'ESR_EL2'), 0x5a000005n);
  assert.equal(getSys(c.pe, 'ELR_EL2'), BigInt(CODE + 4));
});

test('HVC at EL2 → EL2 (current EL vector)', () => {
  const c = cpu([w('hvc #0x0')], { el: 2 });
  step(c);
  assert.equal(c.pe.el, 2);
  assert.equal(c.pe.pc, VBAR2 + CUR_SPX_SYNC);
});

test('HVC is UNDEFINED at EL0 and with HCR_EL2.HCD', () => {
  let c = cpu([w('hvc #0x0')], { el: 0 });
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
  c = cpu([w('hvc #0x0')]);
  setSys(c.pe, 'HCR_EL2', 1n << 29n);
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
  assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE));
});

test('HVC without EL2: firmware (PSCI) or UNDEF', () => {
  let c = cpu([w('hvc #0x0')], { hasEl2: false });
  let imm = -1;
  c.pe.host = { ...c.pe.host, hvcFirmware: (_pe, i) => ((imm = i), true) };
  step(c);
  assert.equal(imm, 0);
  assert.equal(c.pe.pc, CODE + 4);
  c = cpu([w('hvc #0x0')], { hasEl2: false });
  step(c);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
});

test('BRK → EC 0x3C with imm16, ELR = the BRK; MDCR_EL2.TDE routes it to EL2', () => {
  let c = cpu([w('brk #0x3e8')]);
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), 0xf20003e8n);
  assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE));
  c = cpu([w('brk #0x3e8')]);
  setSys(c.pe, 'MDCR_EL2', 1n << 8n);
  step(c);
  assert.equal(c.pe.el, 2);
  assert.equal(getSys(c.pe, 'ESR_EL2'), 0xf20003e8n);
});

test('HLT #0xF000 is semihosting when the host offers it, else UNDEF', () => {
  let c = cpu([w('hlt #0xf000')]);
  c.pe.host = { ...c.pe.host, semihosting: () => true };
  step(c);
  assert.equal(c.pe.pc, CODE + 4);
  c = cpu([w('hlt #0xf000')]);
  step(c);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
});

test('UDF, DCPS1, DRPS are UNDEFINED', () => {
  for (const src of ['udf #0', 'dcps1', 'drps']) {
    const c = cpu([w(src)]);
    step(c);
    assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF, src);
    assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE), src);
  }
});

test('ERET from EL2 to EL1h restores PSTATE and PC', () => {
  const c = cpu([w('eret')], { el: 2 });
  setSys(c.pe, 'SPSR_EL2', 0x600003c5n); // Z C, DAIF masked, EL1h
  setSys(c.pe, 'ELR_EL2', 0x4000_2000n);
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(c.pe.spSel, 1);
  assert.equal(c.pe.pc, 0x4000_2000);
  assert.equal(c.flags(), 'nZCv');
});

test('ERET at EL0 is UNDEFINED', () => {
  const c = cpu([w('eret')], { el: 0 });
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
});

test('illegal return (EL1 → EL2) sets PSTATE.IL; the next instruction takes EC 0x0E', () => {
  const c = cpu([w('eret')]);
  setSys(c.pe, 'SPSR_EL1', 0x3c9n); // EL2h from EL1: illegal
  setSys(c.pe, 'ELR_EL1', BigInt(CODE + 0x100));
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(c.pe.il, 1);
  assert.equal(c.pe.pc, CODE + 0x100);
  nopAt(c, VBAR1 + CUR_SPX_SYNC);
  step(c); // the Illegal Execution state exception, then the vector's NOP
  assert.equal(getSys(c.pe, 'ESR_EL1'), 0x3a000000n);
  assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE + 0x100));
  assert.equal(c.pe.pc, VBAR1 + CUR_SPX_SYNC + 4);
});

test('software step: active-pending steps at once (ISV = 0), ERET with SPSR.SS = 1 steps one instruction (ISV = 1)', () => {
  const c = cpu([w('nop'), w('nop'), w('nop')]);
  const vec = VBAR1 + CUR_SPX_SYNC;
  const eret = new Uint8Array(4);
  new DataView(eret.buffer).setUint32(0, w('eret'), true);
  c.bus.writeBytes(vec, eret);
  setSys(c.pe, 'OSLSR_EL1', 0x8n); // OS lock clear
  setSys(c.pe, 'MDSCR_EL1', (1n << 13n) | 1n); // KDE, SS
  c.pe.daif = 0;
  c.pe.attention = 1;
  const swstep = (isv: number): bigint => BigInt(((0x33 << 26) | (1 << 25) | (isv << 24) | 0x22) >>> 0);
  step(c);
  assert.equal(getSys(c.pe, 'ESR_EL1'), swstep(0), 'PSTATE.SS = 0: exception before the first instruction');
  assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE));
  assert.equal(c.pe.pc, vec);
  // The handler (here: the test) asks for one more step, as a debugger does.
  setSys(c.pe, 'SPSR_EL1', getSys(c.pe, 'SPSR_EL1') | (1n << 21n));
  step(c); // ERET at ELd with PSTATE.D = 1: not stepped itself
  assert.equal(c.pe.pc, CODE);
  assert.equal(c.pe.ss, 1);
  step(c); // the stepped NOP
  assert.equal(c.pe.pc, CODE + 4);
  step(c);
  assert.equal(getSys(c.pe, 'ESR_EL1'), swstep(1), 'one instruction stepped');
  assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE + 4));
});

test('software step: a stepped SVC completes, so its exception saves SPSR.SS = 0 (a data abort would save 1)', () => {
  const c = cpu([w('svc #0x0'), w('nop')]);
  setSys(c.pe, 'OSLSR_EL1', 0x8n);
  setSys(c.pe, 'MDSCR_EL1', (1n << 13n) | 1n);
  c.pe.daif = 0;
  c.pe.ss = 1; // active-not-pending: step the SVC
  c.pe.attention = 1;
  step(c);
  assert.equal(getSys(c.pe, 'ESR_EL1') >> 26n, 0x15n, 'the SVC was taken');
  assert.equal(getSys(c.pe, 'ELR_EL1'), BigInt(CODE + 4));
  assert.equal((getSys(c.pe, 'SPSR_EL1') >> 21n) & 1n, 0n, 'SPSR_EL1.SS = 0: the step is complete');
});

test('software step: inactive with PSTATE.D set, without KDE, or with the OS lock set', () => {
  for (const [mdscr, d, oslsr] of [
    [(1n << 13n) | 1n, 1, 0x8n],
    [1n, 0, 0x8n],
    [(1n << 13n) | 1n, 0, 0xan],
  ] as const) {
    const c = cpu([w('nop'), w('nop')]);
    setSys(c.pe, 'OSLSR_EL1', oslsr);
    setSys(c.pe, 'MDSCR_EL1', mdscr);
    c.pe.daif = d ? 0x200 : 0;
    c.pe.attention = 1;
    step(c, 2);
    assert.equal(c.pe.pc, CODE + 8);
  }
});
