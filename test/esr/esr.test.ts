// `armvisor esr`: ESR values as Linux/Xen print them, decoded field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEsr, fscText } from '../../src/arch/esr-decode.js';
import { esrCommand, parseEsrValue } from '../../src/cli/esr.js';

function has(lines: string[], re: RegExp): void {
  assert.ok(
    lines.some((l) => re.test(l)),
    `no line matching ${re} in:\n${lines.join('\n')}`,
  );
}

test('0x96000045: same-EL data abort, write, translation fault level 1', () => {
  const l = describeEsr(0x96000045n);
  has(l, /^ {2}EC +0x25 +Data Abort taken without a change in Exception level$/);
  has(l, /^ {2}IL +1 /);
  has(l, /^ {2}ISV +0 /);
  has(l, /^ {2}WnR +1 +write$/);
  has(l, /^ {2}DFSC +0x05 +Translation fault, level 1$/);
});

test('0x93c08006 (a guest MMIO read, ESR_EL2): ISV fields', () => {
  const l = describeEsr(0x93c08006n, { el2: true });
  assert.equal(l[0], 'ESR_EL2 0x93c08006');
  has(l, /EC +0x24 +Data Abort from a lower Exception level/);
  has(l, /^ {2}ISV +1 /);
  has(l, /^ {2}SAS +3 +doubleword$/);
  has(l, /^ {2}SRT +0 +register x0$/);
  has(l, /^ {2}SF +1 +64-bit register$/);
  has(l, /^ {2}WnR +0 +read$/);
  has(l, /^ {2}DFSC +0x06 +Translation fault, level 2$/);
});

test('0x62300401: trapped MRS x0, SCTLR_EL1 with its trap controls', () => {
  const l = describeEsr(0x62300401n, { el2: true });
  has(l, /EC +0x18 +Trapped MSR, MRS or System instruction/);
  has(l, /^ {2}MRS x0, SCTLR_EL1$/);
  has(l, /^ {2}Op0 +3$/);
  has(l, /^ {2}CRn +1$/);
  has(l, /^ {2}Dir +1 +read/);
  has(l, /possible trap controls: HCR_EL2.TRVM$/);
});

test('0x6232f804 (MSR CNTP_CTL_EL0) and 0x6212dc08 (DC ZVA): names from the catalogues', () => {
  // MSR CNTP_CTL_EL0, x0 trapped by CNTHCTL_EL2.EL1PCEN: Op0 3, Op2 1, Op1 3, CRn 14, CRm 2.
  const l = describeEsr(0x6232f804n);
  has(l, /^ {2}MSR CNTP_CTL_EL0, x0$/);
  has(l, /CNTHCTL_EL2.EL1PCEN/);
  // DC ZVA, x0: Op0 1, Op1 3, CRn 7, CRm 4, Op2 1 → ISS 0x12dc08.
  const z = describeEsr(0x6212dc08n);
  has(z, /^ {2}DC ZVA, x0$/);
  has(z, /HCR_EL2.TDZ/);
});

test('0x5e000000 (SMC #0 trapped by TSC), 0x5a000000 (HVC #0), 0xf20003e8 (BRK #1000)', () => {
  has(describeEsr(0x5e000000n), /imm16 +0x0 +SMC #0x0/);
  has(describeEsr(0x5a000000n), /EC +0x16 +HVC instruction execution in AArch64 state/);
  has(describeEsr(0xf20003e8n), /imm16 +0x3e8 +BRK #0x3e8/);
});

test('0x07e00001: trapped WFE; 0x1fe00000: FP access trap; 0x02000000: unknown', () => {
  has(describeEsr(0x07e00001n), /^ {2}TI +1 +WFE$/);
  has(describeEsr(0x1fe00000n), /EC +0x07 +Access to SVE, Advanced SIMD or floating-point/);
  const u = describeEsr(0x02000000n);
  has(u, /EC +0x00 +Unknown reason/);
  assert.equal(u.length, 4);
});

test('0x8200000e: instruction abort, permission fault level 2; 0xbe000000 SError', () => {
  has(describeEsr(0x8200000en), /IFSC +0x0e +Permission fault, level 2/);
  has(describeEsr(0xbe000000n), /AET +0 +Uncontainable/);
});

test('fault status codes in words', () => {
  assert.equal(fscText(0x21), 'Alignment fault');
  assert.equal(fscText(0x0b), 'Access flag fault, level 3');
  assert.equal(fscText(0x10), 'Synchronous External abort, not on a translation table walk');
  assert.equal(fscText(0x02), 'Address size fault, level 2');
});

test('esr command: prints the decoding; bad values give one clear error line', () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  assert.equal(esrCommand(['0x96000045', '--el2'], io), 0);
  assert.equal(out[0], 'ESR_EL2 0x96000045');
  assert.equal(err.length, 0);
  for (const bad of [['0xzz'], [], ['1', '2'], ['0x1', '--bogus'], ['0x1ffffffffffffffff']]) {
    err.length = 0;
    assert.equal(esrCommand(bad, io), 2, JSON.stringify(bad));
    assert.equal(err.length, 1);
    assert.match(err[0], /^armvisor esr: /);
  }
  assert.equal(parseEsrValue('2516582469'), 0x96000045n);
});
