// Traps of MRS/MSR/SYS/WFx/SMC to EL2 (HCR_EL2, CPTR_EL2, MDCR_EL2, CNTHCTL_EL2) and to EL1
// (EL0 enables), one case per control (Arm ARM D1.12 / D17 register accessibility).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalMemory } from '../../helpers/cpu.js';
import { w } from './words.js';
import { cpu, setSys, getSys, step, trapEsr, CODE, VBAR1, VBAR2, LOWER_SYNC, ESR_UNDEF, CUR_SPX_SYNC } from './util.js';

const b = (n: number): bigint => 1n << BigInt(n);

interface TrapCase {
  src: string;
  ctl: string;
  bits: bigint;
  /** Value that does NOT trap (default 0); `bits` is the value that does. */
  off?: bigint;
}

const EL2_TRAPS: TrapCase[] = [
  { src: 'msr sctlr_el1, x0', ctl: 'HCR_EL2', bits: b(26) }, // TVM
  { src: 'msr ttbr0_el1, x2', ctl: 'HCR_EL2', bits: b(26) }, // TVM
  { src: 'mrs x1, contextidr_el1', ctl: 'HCR_EL2', bits: b(30) }, // TRVM
  { src: 'mrs x0, sctlr_el1', ctl: 'HCR_EL2', bits: b(30) }, // TRVM
  { src: 'mrs x3, revidr_el1', ctl: 'HCR_EL2', bits: b(16) }, // TID1
  { src: 'mrs x4, ctr_el0', ctl: 'HCR_EL2', bits: b(17) }, // TID2
  { src: 'msr csselr_el1, x5', ctl: 'HCR_EL2', bits: b(17) }, // TID2
  { src: 'mrs x6, id_aa64mmfr0_el1', ctl: 'HCR_EL2', bits: b(18) }, // TID3
  { src: 'mrs x7, s3_0_c0_c3_3', ctl: 'HCR_EL2', bits: b(18) }, // TID3, RAZ space
  { src: 'mrs x0, s3_1_c15_c2_0', ctl: 'HCR_EL2', bits: b(20) }, // TIDCP (CPUACTLR_EL1)
  { src: 'mrs x8, actlr_el1', ctl: 'HCR_EL2', bits: b(21) }, // TACR
  { src: 'dc isw, x2', ctl: 'HCR_EL2', bits: b(22) }, // TSW
  { src: 'dc civac, x0', ctl: 'HCR_EL2', bits: b(23) }, // TPC
  { src: 'ic iallu', ctl: 'HCR_EL2', bits: b(24) }, // TPU
  { src: 'tlbi vmalle1is', ctl: 'HCR_EL2', bits: b(25) }, // TTLB
  { src: 'tlbi vae1, x1', ctl: 'HCR_EL2', bits: b(25) }, // TTLB
  { src: 'dc zva, x0', ctl: 'HCR_EL2', bits: b(28) | b(12) }, // TDZ (DC=1 so the untrapped ZVA is to Normal memory)
  { src: 'mrs x9, cpacr_el1', ctl: 'CPTR_EL2', bits: 0x32ffn | b(31), off: 0x32ffn }, // TCPAC
  { src: 'mrs x10, mdscr_el1', ctl: 'MDCR_EL2', bits: b(9) }, // TDA
  { src: 'mrs x10, mdscr_el1', ctl: 'MDCR_EL2', bits: b(8) }, // TDE implies TDA
  { src: 'msr oslar_el1, x11', ctl: 'MDCR_EL2', bits: b(10) }, // TDOSA
  { src: 'mrs x12, mdrar_el1', ctl: 'MDCR_EL2', bits: b(11) }, // TDRA
  { src: 'mrs x13, pmccntr_el0', ctl: 'MDCR_EL2', bits: b(6) }, // TPM
  { src: 'mrs x14, pmcr_el0', ctl: 'MDCR_EL2', bits: b(5) }, // TPMCR
  { src: 'mrs x15, cntpct_el0', ctl: 'CNTHCTL_EL2', bits: 2n, off: 3n }, // EL1PCTEN = 0
  { src: 'mrs x16, cntp_ctl_el0', ctl: 'CNTHCTL_EL2', bits: 1n, off: 3n }, // EL1PCEN = 0
];

for (const tc of EL2_TRAPS) {
  test(`EL1 ${tc.src}: traps to EL2 with ${tc.ctl}=${tc.bits.toString(16)}`, () => {
    const word = w(tc.src);
    const c = cpu([word]);
    c.setX(0, 0x4010_0000);
    if (tc.src.startsWith('dc zva')) normalMemory(c);
    setSys(c.pe, tc.ctl, tc.bits);
    const before = getSys(c.pe, 'SCTLR_EL1');
    step(c);
    assert.equal(c.pe.el, 2);
    assert.equal(c.pe.pc, VBAR2 + LOWER_SYNC);
    assert.equal(getSys(c.pe, 'ESR_EL2'), trapEsr(word));
    assert.equal(getSys(c.pe, 'ELR_EL2'), BigInt(CODE));
    assert.equal(getSys(c.pe, 'SCTLR_EL1'), before, 'a trapped write has no effect');
  });
  test(`EL1 ${tc.src}: no trap with ${tc.ctl}=${(tc.off ?? 0n).toString(16)}`, () => {
    const c = cpu([w(tc.src)]);
    c.setX(0, 0x4010_0000);
    setSys(c.pe, tc.ctl, tc.off ?? 0n);
    if (tc.src.startsWith('dc zva')) normalMemory(c);
    step(c);
    assert.equal(c.pe.el, 1);
    assert.equal(c.pe.pc, CODE + 4);
  });
}

test('the ESR of a trapped MRS SCTLR_EL1 is 0x62300401 (Linux/Xen value)', () => {
  assert.equal(trapEsr(w('mrs x0, sctlr_el1')), 0x62300401n);
});

test('TIDCP traps an unimplemented IMPLEMENTATION DEFINED register; without it, UNDEF at EL1', () => {
  const word = w('mrs x0, s3_0_c11_c0_7');
  let c = cpu([word]);
  setSys(c.pe, 'HCR_EL2', b(20));
  step(c);
  assert.equal(c.pe.el, 2);
  assert.equal(getSys(c.pe, 'ESR_EL2'), trapEsr(word));
  c = cpu([word]);
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(c.pe.pc, VBAR1 + CUR_SPX_SYNC);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
});

test('HCR_EL2.TSC: SMC at EL1 → EC 0x17 to EL2, ELR = the SMC itself', () => {
  const c = cpu([w('smc #0x12')]);
  setSys(c.pe, 'HCR_EL2', b(19));
  step(c);
  assert.equal(c.pe.el, 2);
  assert.equal(getSys(c.pe, 'ESR_EL2'), 0x5e000012n);
  assert.equal(getSys(c.pe, 'ELR_EL2'), BigInt(CODE));
});

test('SMC without TSC: PSCI firmware handles it, or UNDEF', () => {
  let c = cpu([w('smc #0x0')]);
  let called = 0;
  c.pe.host = { ...c.pe.host, smc: () => (called++, true) };
  step(c);
  assert.equal(called, 1);
  assert.equal(c.pe.el, 1);
  assert.equal(c.pe.pc, CODE + 4);
  c = cpu([w('smc #0x0')]);
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
});

test('HCR_EL2.TWI/TWE: WFI and WFE trap with EC 0x01, CV=1, COND=0xE, TI', () => {
  for (const [src, bit, esr] of [
    ['wfi', 13, 0x07e00000n],
    ['wfe', 14, 0x07e00001n],
  ] as const) {
    const c = cpu([w(src)]);
    setSys(c.pe, 'HCR_EL2', b(bit));
    step(c);
    assert.equal(c.pe.el, 2, src);
    assert.equal(getSys(c.pe, 'ESR_EL2'), esr);
    assert.equal(getSys(c.pe, 'ELR_EL2'), BigInt(CODE));
  }
});

test('WFI: sleeps without a pending interrupt, completes (and does not trap) with one', () => {
  let c = cpu([w('wfi')]);
  step(c);
  assert.equal(c.pe.sleeping, 'wfi');
  assert.equal(c.pe.pc, CODE + 4);
  c = cpu([w('wfi')]);
  setSys(c.pe, 'HCR_EL2', b(13));
  c.pe.irqLine = true; // masked by PSTATE.I at EL1 (routed to EL1), but pending
  c.pe.run(1);
  assert.equal(c.pe.sleeping, '');
  assert.equal(c.pe.el, 1);
  assert.equal(c.pe.pc, CODE + 4);
});

test('WFE consumes a set event register; SEVL sets it', () => {
  const c = cpu([w('sevl'), w('wfe'), w('wfe')]);
  step(c, 2);
  assert.equal(c.pe.sleeping, '');
  assert.equal(c.pe.eventReg, 0);
  step(c);
  assert.equal(c.pe.sleeping, 'wfe');
});

test('EL0 enables: SCTLR_EL1.UCT, DZE, UMA, nTWI; CNTKCTL_EL1.EL0VCTEN → EC 0x18/0x01 to EL1', () => {
  const cases: [string, string, bigint][] = [
    ['mrs x4, ctr_el0', 'SCTLR_EL1', b(15)],
    ['dc zva, x0', 'SCTLR_EL1', b(14)],
    ['mrs x19, daif', 'SCTLR_EL1', b(9)],
    ['msr daifset, #0x2', 'SCTLR_EL1', b(9)],
    ['mrs x17, cntvct_el0', 'CNTKCTL_EL1', b(1)],
    ['mrs x13, pmccntr_el0', 'PMUSERENR_EL0', 1n],
  ];
  for (const [src, ctl, enable] of cases) {
    const word = w(src);
    let c = cpu([word], { el: 0 });
    setSys(c.pe, 'SCTLR_EL1', 0x30d00800n);
    step(c);
    assert.equal(c.pe.el, 1, src);
    assert.equal(getSys(c.pe, 'ESR_EL1'), trapEsr(word), src);
    assert.equal(c.pe.pc, VBAR1 + LOWER_SYNC);
    // With the enable set the access completes at EL0 (DC ZVA needs Normal memory: HCR_EL2.DC).
    c = cpu([word], { el: 0 });
    normalMemory(c);
    setSys(c.pe, ctl, getSys(c.pe, ctl) | enable);
    c.setX(0, 0x4010_0000);
    step(c);
    assert.equal(c.pe.el, 0, `${src} enabled`);
    assert.equal(c.pe.pc, CODE + 4);
  }
  const c = cpu([w('wfi')], { el: 0 });
  setSys(c.pe, 'SCTLR_EL1', 0x30d00800n);
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), 0x07e00000n);
});

test('EL0 traps go to EL2 under HCR_EL2.TGE', () => {
  const word = w('mrs x4, ctr_el0');
  const c = cpu([word], { el: 0 });
  setSys(c.pe, 'SCTLR_EL1', 0x30d00800n);
  setSys(c.pe, 'HCR_EL2', b(27));
  step(c);
  assert.equal(c.pe.el, 2);
  assert.equal(getSys(c.pe, 'ESR_EL2'), trapEsr(word));
});

test('EL0 enable check precedes the EL2 trap (CTR_EL0: UCT, then TID2)', () => {
  const word = w('mrs x4, ctr_el0');
  let c = cpu([word], { el: 0 });
  setSys(c.pe, 'SCTLR_EL1', 0x30d00800n);
  setSys(c.pe, 'HCR_EL2', b(17));
  step(c);
  assert.equal(c.pe.el, 1);
  c = cpu([word], { el: 0 });
  setSys(c.pe, 'SCTLR_EL1', 0x30d00800n | b(15));
  setSys(c.pe, 'HCR_EL2', b(17));
  step(c);
  assert.equal(c.pe.el, 2);
  assert.equal(getSys(c.pe, 'ESR_EL2'), trapEsr(word));
});

test('EL1 access to an EL2 register, and EL0 access to an EL1 register, are UNDEFINED', () => {
  let c = cpu([w('mrs x0, hcr_el2')]);
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
  c = cpu([w('mrs x0, sctlr_el1')], { el: 0 });
  setSys(c.pe, 'HCR_EL2', b(30)); // TRVM does not apply: UNDEF has priority
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
});

test('EL2 traps do not apply at EL2 or on a PE without EL2', () => {
  let c = cpu([w('mrs x0, sctlr_el1')], { el: 2 });
  setSys(c.pe, 'HCR_EL2', b(30));
  step(c);
  assert.equal(c.pe.pc, CODE + 4);
  c = cpu([w('mrs x0, sctlr_el1')], { hasEl2: false });
  setSys(c.pe, 'HCR_EL2', b(30));
  step(c);
  assert.equal(c.pe.pc, CODE + 4);
  assert.equal(c.x(0), 0x30d00800n);
});

test('ISR_EL1: physical lines, or virtual ones when HCR_EL2.IMO/FMO route them', () => {
  const c = cpu([w('mrs x18, isr_el1'), w('mrs x18, isr_el1'), w('mrs x18, isr_el1')]);
  c.pe.irqLine = true;
  step(c);
  assert.equal(c.x(18), 0x80n);
  c.pe.irqLine = false; // (with IMO set it would be taken to EL2 at once)
  setSys(c.pe, 'HCR_EL2', b(4)); // IMO: EL1 sees the virtual IRQ (none pending)
  step(c);
  assert.equal(c.x(18), 0n);
  setSys(c.pe, 'HCR_EL2', b(4) | b(7) | b(3) | b(6)); // IMO|VI|FMO|VF (masked by PSTATE)
  step(c);
  assert.equal(c.x(18), 0xc0n);
});

test('TPIDRRO_EL0 is read-only at EL0, read/write at EL1', () => {
  let c = cpu([w('msr tpidrro_el0, x3')], { el: 0 });
  step(c);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
  c = cpu([w('msr tpidrro_el0, x3'), w('mrs x4, tpidrro_el0')]);
  c.setX(3, 0x1234);
  step(c, 2);
  assert.equal(c.x(4), 0x1234n);
});

test('FPCR access obeys CPACR_EL1.FPEN (EC 0x07)', () => {
  let c = cpu([w('mrs x2, fpcr')]);
  step(c);
  assert.equal(c.pe.el, 1);
  assert.equal(getSys(c.pe, 'ESR_EL1'), 0x1fe00000n);
  c = cpu([w('mrs x2, fpcr')]);
  setSys(c.pe, 'CPACR_EL1', 3n << 20n);
  step(c);
  assert.equal(c.pe.pc, CODE + 4);
});
