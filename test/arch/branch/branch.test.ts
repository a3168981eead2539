// Branches: B/BL, CBZ/CBNZ, TBZ/TBNZ, BR/BLR/RET, register targets in the upper half of
// the address space, and a small loop run through the PE's own fetch/execute loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bench } from '../dp/run.js';
import { makeCpu, CODE } from '../../helpers/cpu.js';

const PC = 0x40001000;

test('B and BL: offsets both ways, link = curPc + 4', () => {
  const b = bench();
  b.exec(0x14000040 /* b .+0x100 */, PC);
  assert.equal(b.pe.pc, PC + 0x100);
  b.exec(0x16000000 /* b .-0x8000000 */, PC + 0x10000000);
  assert.equal(b.pe.pc, PC + 0x10000000 - 0x8000000);
  b.exec(0x97ffffff /* bl .-4 */, PC);
  assert.equal(b.pe.pc, PC - 4);
  assert.equal(b.x(30), BigInt(PC + 4));
  // Upper-half (negative canonical) PC: the link is the 64-bit address.
  const hi = -0x800000000000 + 0x1000; // 0xffff800000001000
  b.exec(0x94000002 /* bl .+8 */, hi);
  assert.equal(b.pe.pc, hi + 8);
  assert.equal(b.x(30), 0xffff800000001004n);
});

test('CBZ/CBNZ: W form ignores the upper half; XZR', () => {
  const b = bench();
  b.setX(3, 0x100000000n);
  b.exec(0x34000203 /* cbz w3, .+0x40 */, PC);
  assert.equal(b.pe.pc, PC + 0x40, 'w3 is zero');
  b.exec(0xb4000203 /* cbz x3, .+0x40 */, PC);
  assert.equal(b.pe.pc, PC + 4);
  b.exec(0xb5fffe03 /* cbnz x3, .-0x40 */, PC);
  assert.equal(b.pe.pc, PC - 0x40);
  b.exec(0x35fffe03 /* cbnz w3, .-0x40 */, PC);
  assert.equal(b.pe.pc, PC + 4);
  b.exec(0xb400011f /* cbz xzr, .+0x20 */, PC);
  assert.equal(b.pe.pc, PC + 0x20);
  b.exec(0x3500011f /* cbnz wzr, .+0x20 */, PC);
  assert.equal(b.pe.pc, PC + 4);
});

test('TBZ/TBNZ on low and high halves', () => {
  const b = bench();
  b.setX(5, 0x0000000200000008n);
  b.exec(0xb7080085 /* tbnz x5, #33, .+0x10 */, PC);
  assert.equal(b.pe.pc, PC + 0x10);
  b.exec(0xb6080085 /* tbz x5, #33, .+0x10 */, PC);
  assert.equal(b.pe.pc, PC + 4);
  b.exec(0x371fff85 /* tbnz w5, #3, .-0x10 */, PC);
  assert.equal(b.pe.pc, PC - 0x10);
  b.exec(0xb6fbffe5 /* tbz x5, #63, .+0x7ffc */, PC);
  assert.equal(b.pe.pc, PC + 0x7ffc);
  b.exec(0xb7000085 /* tbnz x5, #32, .+0x10 */, PC);
  assert.equal(b.pe.pc, PC + 4);
});

test('BR/BLR/RET; BLR X30 reads X30 before linking; upper-half targets', () => {
  const b = bench();
  b.setX(3, 0x40002000n);
  b.exec(0xd61f0060 /* br x3 */, PC);
  assert.equal(b.pe.pc, 0x40002000);
  b.setX(30, 0x40003000n);
  b.exec(0xd65f03c0 /* ret */, PC);
  assert.equal(b.pe.pc, 0x40003000);
  b.exec(0xd65f0060 /* ret x3 */, PC);
  assert.equal(b.pe.pc, 0x40002000);
  b.exec(0xd63f03c0 /* blr x30 */, PC);
  assert.equal(b.pe.pc, 0x40003000);
  assert.equal(b.x(30), BigInt(PC + 4));
  b.setX(4, 0xffff800000201234n);
  b.exec(0xd63f0080 /* blr x4 */, PC);
  assert.equal(b.pe.pc, -0x800000000000 + 0x201234);
  assert.equal(b.x(30), BigInt(PC + 4));
  b.setX(4, 0xffffffffffffffffn);
  b.exec(0xd61f0080 /* br x4 */, PC);
  assert.equal(b.pe.pc, -1);
  // Far outside any canonical range: the target stays non-canonical (it must fault on fetch).
  b.setX(4, 0x7fff00000000abcdn);
  b.exec(0xd61f0080 /* br x4 */, PC);
  assert.ok(b.pe.pc > 2 ** 56, 'non-canonical target stays non-canonical');
  assert.equal(b.x(30), BigInt(PC + 4));
});

test('a countdown loop through the PE run loop (SUBS/B.NE/BL/RET)', () => {
  const words = [
    0xd2800140 /* mov x0, #10 */,
    0xd2800001 /* mov x1, #0 */,
    0x8b000021 /* add x1, x1, x0 */, // loop:
    0xf1000400 /* subs x0, x0, #1 */,
    0x54ffffc1 /* b.ne .-8 */,
    0x94000002 /* bl .+8 */,
    0x14000002 /* b .+8 */,
    0xd65f03c0 /* ret */, // leaf: returns to the b above
    0xd2800022 /* mov x2, #1 */,
  ];
  const cpu = makeCpu(words);
  cpu.run(200);
  assert.equal(cpu.x(1), 55n);
  assert.equal(cpu.x(30), BigInt(CODE + 6 * 4));
  assert.equal(cpu.x(2), 1n);
  assert.equal(cpu.pe.pc, CODE + words.length * 4);
});
