// Identification registers: a Cortex-A57 as this machine implements it (arm-facts §1.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { w } from './words.js';
import { cpu, setSys, step, CODE, getSys, ESR_UNDEF } from './util.js';

function readAt(
  src: string,
  rt: number,
  opts: { el?: number; hasEl2?: boolean } = {},
  setup?: (c: ReturnType<typeof cpu>) => void,
): bigint {
  const c = cpu([w(src)], opts);
  setup?.(c);
  step(c);
  assert.equal(c.pe.pc, CODE + 4, `${src} completed`);
  return c.x(rt);
}

test('MIDR/MPIDR at EL2 are the A57 values; at EL1 they come from VPIDR/VMPIDR', () => {
  assert.equal(readAt('mrs x0, midr_el1', 0, { el: 2 }), 0x411fd070n);
  assert.equal(readAt('mrs x1, mpidr_el1', 1, { el: 2 }), 0x80000000n);
  assert.equal(readAt('mrs x0, midr_el1', 0), 0x411fd070n); // VPIDR reset = MIDR
  assert.equal(
    readAt('mrs x0, midr_el1', 0, {}, (c) => setSys(c.pe, 'VPIDR_EL2', 0x410fd034n)),
    0x410fd034n,
  );
  assert.equal(
    readAt('mrs x1, mpidr_el1', 1, {}, (c) => setSys(c.pe, 'VMPIDR_EL2', 0x80000102n)),
    0x80000102n,
  );
  assert.equal(
    readAt('mrs x0, midr_el1', 0, { hasEl2: false }, (c) => setSys(c.pe, 'VPIDR_EL2', 1n)),
    0x411fd070n,
  );
});

test('ID_AA64PFR0_EL1: EL0/EL1(/EL2) AArch64-only, no EL3, FP/AdvSIMD present, GICv3 sysregs', () => {
  assert.equal(readAt('mrs x2, id_aa64pfr0_el1', 2), 0x01000111n);
  assert.equal(readAt('mrs x2, id_aa64pfr0_el1', 2, { hasEl2: false }), 0x01000011n);
});

test('ID_AA64MMFR0_EL1: PARange 40 bits, 16-bit ASIDs, 4 KB granule only', () => {
  assert.equal(readAt('mrs x6, id_aa64mmfr0_el1', 6), 0x0f001022n);
});

test('ID_AA64ISAR0 (CRC32 only), ID_AA64DFR0 (A57), ID_AA64ZFR0 and the RAZ space', () => {
  assert.equal(readAt('mrs x3, id_aa64isar0_el1', 3), 0x10000n);
  assert.equal(readAt('mrs x9, id_aa64dfr0_el1', 9), 0x10305106n);
  assert.equal(
    readAt('mrs x3, id_aa64zfr0_el1', 3, {}, (c) => c.setX(3, 5)),
    0n,
  );
  assert.equal(
    readAt('mrs x7, s3_0_c0_c3_3', 7, {}, (c) => c.setX(7, 5)),
    0n,
  );
});

test('CTR_EL0, CLIDR_EL1, CCSIDR_EL1 by CSSELR_EL1, DCZID_EL0', () => {
  assert.equal(readAt('mrs x4, ctr_el0', 4), 0x8444c004n);
  assert.equal(readAt('mrs x5, clidr_el1', 5), 0x0a200023n);
  assert.equal(readAt('mrs x6, ccsidr_el1', 6), 0x701fe00an);
  assert.equal(
    readAt('mrs x6, ccsidr_el1', 6, {}, (c) => setSys(c.pe, 'CSSELR_EL1', 1n)),
    0x201fe012n,
  );
  assert.equal(
    readAt('mrs x6, ccsidr_el1', 6, {}, (c) => setSys(c.pe, 'CSSELR_EL1', 2n)),
    0x70ffe07an,
  );
  assert.equal(readAt('mrs x4, dczid_el0', 4), 4n);
  // DZP reads 1 where DC ZVA would trap: HCR_EL2.TDZ at EL1, SCTLR_EL1.DZE = 0 at EL0.
  assert.equal(
    readAt('mrs x4, dczid_el0', 4, {}, (c) => setSys(c.pe, 'HCR_EL2', 1n << 28n)),
    0x14n,
  );
  assert.equal(readAt('mrs x4, dczid_el0', 4, { el: 0 }), 0x14n);
});

test('CNTFRQ_EL0 = 62.5 MHz; writable only at the highest EL', () => {
  assert.equal(readAt('mrs x7, cntfrq_el0', 7), 62_500_000n);
  let c = cpu([w('msr cntfrq_el0, x8')]);
  step(c);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
  c = cpu([w('msr cntfrq_el0, x8')], { el: 2 });
  c.setX(8, 1_000_000_000);
  step(c);
  assert.equal(getSys(c.pe, 'CNTFRQ_EL0'), 1_000_000_000n);
});

test('ID registers are read-only: MSR to one is UNDEFINED', () => {
  // msr id_aa64pfr0_el1, x0 is not assemblable; build the MSR word from the MRS one.
  const word = w('mrs x2, id_aa64pfr0_el1') & ~(1 << 21);
  const c = cpu([word]);
  step(c);
  assert.equal(getSys(c.pe, 'ESR_EL1'), ESR_UNDEF);
});

test('OSLSR_EL1 resets locked; OSLAR_EL1 unlocks', () => {
  const c = cpu([w('mrs x10, oslsr_el1'), w('msr oslar_el1, x11'), w('mrs x10, oslsr_el1')]);
  step(c);
  assert.equal(c.x(10), 0xan);
  step(c, 2);
  assert.equal(c.x(10), 0x8n);
});

test('virtual counter subtracts CNTVOFF_EL2; TVAL/CTL.ISTATUS follow CVAL', () => {
  const c = cpu([w('msr cntvoff_el2, x6'), w('mrs x17, cntvct_el0')], { el: 2 });
  c.setX(6, 1);
  step(c, 2);
  // nullHost counter = retired instructions: 1 retired before the MRS.
  assert.equal(c.x(17), 0n);
  const t = cpu([w('msr cntv_cval_el0, x1'), w('mrs x3, cntv_tval_el0'), w('msr cntv_ctl_el0, x4'), w('mrs x5, cntv_ctl_el0')]);
  t.setX(1, 100);
  t.setX(4, 1);
  step(t, 4);
  assert.equal(t.x(3), 99n); // CVAL − count at the MRS (count 1)
  assert.equal(t.x(5), 1n); // enabled, not yet met
  const m = cpu([w('msr cntv_ctl_el0, x4'), w('mrs x5, cntv_ctl_el0')]);
  m.setX(4, 1);
  step(m, 2);
  assert.equal(m.x(5), 5n); // CVAL 0 ≤ count: ISTATUS
});

test('PMCCNTR_EL0 counts retired instructions only while PMCR_EL0.E and PMCNTENSET_EL0.C are set', () => {
  const prog = [
    'mrs x1, pmccntr_el0', // stopped: reads 0
    'msr pmcntenset_el0, x3', // C enabled, PMCR.E still 0: stopped
    'nop',
    'mrs x1, pmccntr_el0', // 0
    'msr pmcr_el0, x2', // E = 1, C = 1 (zero it): counting from here
    'nop',
    'nop',
    'mrs x1, pmccntr_el0', // 3 instructions retired since the PMCR write
    'msr pmcntenclr_el0, x3', // stopped at 4
    'nop',
    'mrs x1, pmccntr_el0', // still 4
    'msr pmccntr_el0, x4', // write while stopped
    'mrs x1, pmccntr_el0',
    'mrs x5, pmcr_el0', // C reads 0
  ].map((s) => w(s));
  const c = cpu(prog);
  c.setX(2, 0x45); // LC | C | E
  c.setX(3, 1 << 31);
  c.setX(4, 1000);
  step(c);
  assert.equal(c.x(1), 0n);
  step(c, 3);
  assert.equal(c.x(1), 0n);
  step(c, 4);
  assert.equal(c.x(1), 3n);
  step(c, 3);
  assert.equal(c.x(1), 4n);
  step(c, 2);
  assert.equal(c.x(1), 1000n);
  step(c);
  assert.equal(c.x(5), 0x4101_0041n);
});
