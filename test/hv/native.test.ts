// The native-call mechanism (arch/native.ts): UDF #0xA7nn runs a registered handler only when
// executed at EL2; elsewhere, or with no handler, it is UNDEFINED. Fetching it goes through
// translation like any instruction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, CODE } from '../helpers/cpu.js';
import { sr } from '../../src/arch/sysreg/index.js';
import { nativeCallIndex, nativeCallWord } from '../../src/arch/native.js';
import { disasmWord } from '../../src/cli/disasm.js';

test('native call words and indices', () => {
  assert.equal(nativeCallWord(3), 0xa703);
  assert.equal(nativeCallIndex(0xa703), 3);
  assert.equal(nativeCallIndex(0x0003), -1);
  assert.equal(nativeCallIndex(0xa803), -1);
  assert.throws(() => nativeCallWord(256));
  assert.equal(disasmWord(nativeCallWord(5), 0), 'udf\t#42757');
});

function withHost(el: number, handler: boolean) {
  const c = makeCpu([nativeCallWord(7), 0xd503201f], { el });
  const calls: number[] = [];
  c.pe.host = { ...c.pe.host, nativeCall: handler ? (_pe, i) => (calls.push(i), true) : undefined };
  c.pe.sys[sr('VBAR_EL1')] = BigInt(CODE + 0x800);
  c.pe.sys[sr('VBAR_EL2')] = BigInt(CODE + 0x800);
  return { c, calls };
}

test('at EL2 with a handler: the handler runs and execution continues', () => {
  const { c, calls } = withHost(2, true);
  c.pe.run(1);
  assert.deepEqual(calls, [7]);
  assert.equal(c.pe.pc, CODE + 4);
  assert.equal(c.pe.el, 2);
});

test('at EL1, or at EL2 without a handler, it is an UNDEFINED instruction', () => {
  for (const [el, handler] of [
    [1, true],
    [2, false],
  ] as const) {
    const { c, calls } = withHost(el, handler);
    c.pe.run(1);
    assert.deepEqual(calls, []);
    const esr = Number(c.pe.sys[sr(el === 2 ? 'ESR_EL2' : 'ESR_EL1')]);
    assert.equal(esr >>> 26, 0, 'EC 0x00: unknown reason');
    assert.equal(c.pe.pc, CODE + 0x800 + 0x200);
  }
});
