import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, extractFields, Decoder, type InsnDef } from '../../src/arch/a64/table.js';
import { add64, add32, r, toSignedNumber, isExactSigned } from '../../src/arch/a64/u64.js';

const nop = () => null;

test('patterns compile to mask/value and fields', () => {
  const def: InsnDef = { name: 'ADD (immediate)', pattern: 'sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5', build: nop, disasm: () => '' };
  const c = compilePattern(def);
  assert.equal(c.mask, 0x7f800000);
  assert.equal(c.value, 0x11000000);
  // add x1, x2, #0x10  → 0x91004041
  assert.deepEqual(extractFields(c, 0x91004041), { sf: 1, sh: 0, imm12: 0x10, Rn: 2, Rd: 1 });
});

test('a pattern that is not 32 bits is rejected', () => {
  assert.throws(() => compilePattern({ name: 'bad', pattern: '0101 Rd:5', build: nop, disasm: () => '' }), /9 bits, not 32/);
});

test('decoder falls through builders that reject their fields', () => {
  const op = () => {};
  const d = new Decoder([
    [
      { name: 'A', pattern: 'x:32', build: (f) => (f.x === 1 ? op : null), disasm: () => 'a' },
      { name: 'B', pattern: 'x:32', build: () => op, disasm: () => 'b' },
    ],
  ]);
  assert.equal(d.decode(1)?.insn.def.name, 'A');
  assert.equal(d.decode(2)?.insn.def.name, 'B');
});

test('add64 carries between halves and reports C and V like AddWithCarry', () => {
  const lo = add64(0xffffffff, 0x7fffffff, 1, 0, 0);
  assert.equal(lo, 0);
  assert.equal(r.hi, 0x80000000);
  assert.equal(r.c, 0);
  assert.equal(r.v, 1);
  add64(0xffffffff, 0xffffffff, 1, 0, 0);
  assert.equal(r.c, 1);
  assert.equal(r.v, 0);
  assert.equal(add32(0x7fffffff, 0, 1), 0x80000000);
  assert.equal(r.v, 1);
});

test('signed-canonical addresses are exact for kernel-half VAs', () => {
  assert.equal(toSignedNumber(0x1234, 0xffff8000), -0x800000000000 + 0x1234);
  assert.ok(isExactSigned(0xffff8000));
  assert.ok(!isExactSigned(0x12345678));
});
