// ADD/SUB/ADC/SBC (immediate, shifted, extended) and conditional compare/select: known
// answers at the 32/64-bit carry and overflow boundaries, every condition code, and a
// randomized check of the flag-setting forms against a BigInt AddWithCarry model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bench, prng, value64, M64 } from './run.js';

const M32 = 0xffffffffn;

/** AddWithCarry (Arm ARM J1.1.3) over BigInt: result and NZCV. */
function addWithCarry(a: bigint, b: bigint, cin: bigint, bits: number): { res: bigint; nzcv: number } {
  const mask = (1n << BigInt(bits)) - 1n;
  const ua = a & mask,
    ub = b & mask;
  const usum = ua + ub + cin;
  const res = usum & mask;
  const sa = BigInt.asIntN(bits, ua),
    sb = BigInt.asIntN(bits, ub);
  const ssum = sa + sb + cin;
  const n = Number(res >> BigInt(bits - 1));
  const z = res === 0n ? 1 : 0;
  const c = usum === res ? 0 : 1;
  const v = BigInt.asIntN(bits, res) === ssum ? 0 : 1;
  return { res, nzcv: (n << 3) | (z << 2) | (c << 1) | v };
}

test('ADDS/SUBS immediate at the 32- and 64-bit carry boundaries', () => {
  const b = bench();
  b.setX(1, 0xffffffffn);
  b.exec(0x31000420 /* adds w0, w1, #1 */);
  assert.equal(b.x(0), 0n);
  assert.equal(b.nzcv(), 0b0110);
  b.exec(0xb1000420 /* adds x0, x1, #1 */);
  assert.equal(b.x(0), 0x100000000n);
  assert.equal(b.nzcv(), 0b0000);
  b.setX(1, 0n);
  b.exec(0xf1000420 /* subs x0, x1, #1 */);
  assert.equal(b.x(0), M64);
  assert.equal(b.nzcv(), 0b1000);
  b.exec(0x71000020 /* subs w0, w1, #0 */);
  assert.equal(b.nzcv(), 0b0110, 'x - 0 sets C (no borrow)');
  b.setX(1, 0x8000000000000000n);
  b.exec(0xf100043f /* cmp x1, #1 */);
  assert.equal(b.nzcv(), 0b0011, 'INT64_MIN - 1 overflows');
  b.setX(1, 0x7fffffffn);
  b.exec(0x3100043f /* cmn w1, #1 */);
  assert.equal(b.nzcv(), 0b1001, 'INT32_MAX + 1 overflows');
  b.setX(1, 0x1000n);
  b.exec(0x917ffc22 /* add x2, x1, #0xfff, lsl #12 */);
  assert.equal(b.x(2), 0x1000n + 0xfff000n);
  b.setX(3, 0xdeadbeef00000005n);
  b.exec(0x51001863 /* sub w3, w3, #6 */);
  assert.equal(b.x(3), 0xffffffffn, 'W writes zero the top half');
});

test('ADD/SUB immediate use SP for Rd/Rn; CMP/MOV aliases', () => {
  const b = bench();
  b.setSp(0x40080000n);
  b.exec(0xd10083ff /* sub sp, sp, #0x20 */);
  assert.equal(b.sp(), 0x4007ffe0n);
  b.exec(0x910003fd /* mov x29, sp */);
  assert.equal(b.x(29), 0x4007ffe0n);
  b.setX(3, 0x234n);
  b.exec(0x9100007f /* mov sp, x3 */);
  assert.equal(b.sp(), 0x234n);
  b.exec(0xf108d3ff /* cmp sp, #0x234 */);
  assert.equal(b.nzcv(), 0b0110);
  b.exec(0xb10007e4 /* adds x4, sp, #1 */);
  assert.equal(b.x(4), 0x235n);
  b.exec(0x110007ff /* add wsp, wsp, #1 */);
  assert.equal(b.sp(), 0x235n);
});

test('ADD/SUB shifted register, NEG, CMP; ROR and 32-bit shift >= 32 are unallocated', () => {
  const b = bench();
  b.setX(1, 5n);
  b.setX(2, 0x8000000000000001n);
  b.exec(0x8b020c20 /* add x0, x1, x2, lsl #3 */);
  assert.equal(b.x(0), 5n + 8n);
  b.exec(0xcb82fc20 /* sub x0, x1, x2, asr #63 */);
  assert.equal(b.x(0), 6n);
  b.exec(0x8b42fc20 /* add x0, x1, x2, lsr #63 */);
  assert.equal(b.x(0), 6n);
  b.exec(0xcb0103e0 /* neg x0, x1 */);
  assert.equal(b.x(0), M64 - 4n);
  b.exec(0x6b0103e0 /* negs w0, w1 */);
  assert.equal(b.x(0), 0xfffffffbn);
  assert.equal(b.nzcv(), 0b1000);
  b.exec(0xeb01003f /* cmp x1, x1 */);
  assert.equal(b.nzcv(), 0b0110);
  b.exec(0x8b02003f /* add xzr, x1, x2 */);
  assert.throws(() => b.exec(0x8bc20420), /does not decode/); // add x0, x1, x2, ror #1
  assert.throws(() => b.exec(0x0b028020), /does not decode/); // add w0, w1, w2, lsl #32
});

test('ADD/SUB extended register: every extend, shifts 0-4, SP forms', () => {
  const b = bench();
  b.setX(2, 0xfedcba9876543280n);
  const base = 0x8b220020; // add x0, x1, w2, uxtb
  const ext = (v: bigint, opt: number): bigint => {
    const sizes = [8, 16, 32, 64];
    const bits = sizes[opt & 3];
    const t = v & ((1n << BigInt(bits)) - 1n);
    return opt & 4 ? BigInt.asUintN(64, BigInt.asIntN(bits, t)) : t;
  };
  b.setX(1, 100n);
  for (let opt = 0; opt < 8; opt++) {
    for (let sh = 0; sh <= 4; sh++) {
      b.exec(base | (opt << 13) | (sh << 10));
      assert.equal(b.x(0), (100n + (ext(0xfedcba9876543280n, opt) << BigInt(sh))) & M64, `option ${opt} shift ${sh}`);
    }
  }
  assert.throws(() => b.exec(base | (5 << 10)), /does not decode/);
  b.setSp(0x1000n);
  b.setX(1, 0x10n);
  b.exec(0x8b2173ff /* add sp, sp, x1, lsl #4 */);
  assert.equal(b.sp(), 0x1100n);
  b.exec(0xcb2143e0 /* sub x0, sp, w1, uxtw */);
  assert.equal(b.x(0), 0x10f0n);
  b.setX(1, 0x110n);
  b.exec(0xeb2153ff /* cmp sp, w1, uxtw #4 */);
  assert.equal(b.nzcv(), 0b0110);
  b.setX(1, 0xffn);
  b.exec(0x2b218000 /* adds w0, w0, w1, sxtb */);
  assert.equal(b.x(0), 0x10efn);
});

test('ADC/SBC carry chain: 128-bit add and subtract', () => {
  const b = bench();
  const a = 0x0123456789abcdef_ffffffffffffffffn;
  const c = 0x0000000000000001_0000000000000001n;
  b.setX(0, a & M64);
  b.setX(1, a >> 64n);
  b.setX(2, c & M64);
  b.setX(3, c >> 64n);
  b.exec(0xab020004 /* adds x4, x0, x2 */);
  b.exec(0x9a030025 /* adc x5, x1, x3 */);
  assert.equal((b.x(5) << 64n) | b.x(4), a + c);
  b.exec(0xeb020006 /* subs x6, x0, x2 */);
  b.exec(0xfa030027 /* sbcs x7, x1, x3 */);
  assert.equal((b.x(7) << 64n) | b.x(6), a - c);
  b.setNzcv(0);
  b.setX(2, 5n);
  b.exec(0xda0203e0 /* ngc x0, x2 */);
  assert.equal(b.x(0), M64 - 5n, 'NGC with C=0 is NOT(x)');
  b.setNzcv(0b0010);
  b.exec(0x7a0203e0 /* ngcs w0, w2 */);
  assert.equal(b.x(0), 0xfffffffbn);
  assert.equal(b.nzcv(), 0b1000);
});

/** ConditionHolds reference over an NZCV nibble. */
function holds(cond: number, nzcv: number): boolean {
  const n = (nzcv >> 3) & 1,
    z = (nzcv >> 2) & 1,
    c = (nzcv >> 1) & 1,
    v = nzcv & 1;
  const base = [z === 1, c === 1, n === 1, v === 1, c === 1 && z === 0, n === v, n === v && z === 0, true][cond >> 1];
  return cond & 1 && cond !== 15 ? !base : base;
}

test('every condition code x every NZCV: CSINC/CSEL/CCMP and B.cond', () => {
  const b = bench();
  const csinc = 0x9a820420; // csinc x0, x1, x2, eq
  const csel = 0x1a820020; // csel w0, w1, w2, eq
  const ccmp = 0xfa400824; // ccmp x1, #0, #4, eq
  const bcond = 0x54000040; // b.eq .+8
  b.setX(1, 10n);
  b.setX(2, 20n);
  for (let cond = 0; cond < 16; cond++) {
    for (let nzcv = 0; nzcv < 16; nzcv++) {
      const h = holds(cond, nzcv);
      b.setNzcv(nzcv);
      b.exec(csinc | (cond << 12));
      assert.equal(b.x(0), h ? 10n : 21n, `csinc cond ${cond} nzcv ${nzcv}`);
      b.exec(csel | (cond << 12));
      assert.equal(b.x(0), h ? 10n : 20n);
      b.exec(ccmp | (cond << 12));
      assert.equal(b.nzcv(), h ? 0b0010 : 0b0100, `ccmp cond ${cond} nzcv ${nzcv}`);
      b.setNzcv(nzcv);
      b.exec(bcond | cond, 0x40001000);
      assert.equal(b.pe.pc, h ? 0x40001008 : 0x40001004, `b.cond ${cond} nzcv ${nzcv}`);
    }
  }
});

test('CSINV/CSNEG and the CSET/CSETM/CINC/CINV/CNEG aliases', () => {
  const b = bench();
  b.setX(1, 7n);
  b.setNzcv(0b0100); // Z
  b.exec(0x9a9f17e0 /* cset x0, eq */);
  assert.equal(b.x(0), 1n);
  b.exec(0x5a9f13e0 /* csetm w0, eq */);
  assert.equal(b.x(0), 0xffffffffn);
  b.exec(0x9a811420 /* cinc x0, x1, eq */);
  assert.equal(b.x(0), 8n);
  b.exec(0xda811020 /* cinv x0, x1, eq */);
  assert.equal(b.x(0), M64 - 7n);
  b.exec(0xda811420 /* cneg x0, x1, eq */);
  assert.equal(b.x(0), BigInt.asUintN(64, -7n));
  b.exec(0x5a810420 /* cneg w0, w1, ne */);
  assert.equal(b.x(0), 7n);
  b.setX(1, 0xffffffffffffffffn);
  b.exec(0x9a811420 /* cinc x0, x1, eq */);
  assert.equal(b.x(0), 0n, 'CSINC wraps across the halves');
  b.setX(1, 0xffffffffn);
  b.exec(0x9a811420 /* cinc x0, x1, eq */);
  assert.equal(b.x(0), 0x100000000n);
});

test('CCMN/CCMP register and immediate', () => {
  const b = bench();
  b.setX(0, 5n);
  b.setX(1, 5n);
  b.setNzcv(0b0100);
  b.exec(0xfa410008 /* ccmp x0, x1, #0x8, eq */);
  assert.equal(b.nzcv(), 0b0110);
  b.exec(0xfa411008 /* ccmp x0, x1, #0x8, ne */);
  assert.equal(b.nzcv(), 0b1000);
  b.setNzcv(0b0100);
  b.exec(0x3a5f0800 /* ccmn w0, #0x1f, #0x0, eq */);
  assert.equal(b.nzcv(), 0b0000);
  b.setX(0, 0xffffffffn);
  b.setNzcv(0);
  b.exec(0x3a41e80f /* ccmn w0, #1, #0xf, al */);
  assert.equal(b.nzcv(), 0b0110);
});

test('randomized ADD/SUB/ADDS/SUBS/ADCS/SBCS flags vs a BigInt AddWithCarry model', () => {
  const b = bench();
  const rnd = prng(0x5eed);
  // [word, is64, subtract, with carry-in from C]
  const forms: [number, number, boolean, boolean][] = [
    [0xab020020 /* adds x0, x1, x2 */, 64, false, false],
    [0xeb020020 /* subs x0, x1, x2 */, 64, true, false],
    [0x2b020020 /* adds w0, w1, w2 */, 32, false, false],
    [0x6b020020 /* subs w0, w1, w2 */, 32, true, false],
    [0xba020020 /* adcs x0, x1, x2 */, 64, false, true],
    [0xfa020020 /* sbcs x0, x1, x2 */, 64, true, true],
    [0x3a020020 /* adcs w0, w1, w2 */, 32, false, true],
    [0x7a020020 /* sbcs w0, w1, w2 */, 32, true, true],
  ];
  const plain: [number, number, boolean][] = [
    [0x8b020023 /* add x3, x1, x2 */, 64, false],
    [0xcb020023 /* sub x3, x1, x2 */, 64, true],
    [0x0b020023 /* add w3, w1, w2 */, 32, false],
    [0x4b020023 /* sub w3, w1, w2 */, 32, true],
  ];
  for (let i = 0; i < 4000; i++) {
    const a = value64(rnd),
      c = value64(rnd);
    const cin = rnd() & 1;
    b.setX(1, a);
    b.setX(2, c);
    for (const [w, bits, sub, carry] of forms) {
      b.setNzcv(cin << 1);
      b.exec(w);
      const cc = carry ? BigInt(cin) : sub ? 1n : 0n;
      const ref = addWithCarry(a, sub ? ~c : c, cc, bits);
      assert.equal(b.x(0), ref.res, `0x${w.toString(16)} a=${a} b=${c}`);
      assert.equal(b.nzcv(), ref.nzcv, `flags 0x${w.toString(16)} a=${a} b=${c} cin=${cin}`);
    }
    for (const [w, bits, sub] of plain) {
      b.setNzcv(0b1111);
      b.exec(w);
      const ref = addWithCarry(a, sub ? ~c : c, sub ? 1n : 0n, bits);
      assert.equal(b.x(3), ref.res);
      assert.equal(b.nzcv(), 0b1111, 'non-S forms leave flags');
    }
    // Immediate forms with a random 12-bit immediate.
    const imm = rnd() & 0xfff;
    const sh = rnd() & 1;
    b.exec(0xf1000020 | (sh << 22) | (imm << 10)); // subs x0, x1, #imm{, lsl #12}
    const ref = addWithCarry(a, ~(BigInt(imm) << BigInt(12 * sh)), 1n, 64);
    assert.equal(b.x(0), ref.res);
    assert.equal(b.nzcv(), ref.nzcv);
    b.exec(0x31000020 | (sh << 22) | (imm << 10)); // adds w0, w1, #imm
    const ref32 = addWithCarry(a, BigInt(imm) << BigInt(12 * sh), 0n, 32);
    assert.equal(b.x(0), ref32.res);
    assert.equal(b.nzcv(), ref32.nzcv);
  }
  void M32;
});
