// Disassembly of load/store words compared with GNU objdump's text for the same words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decoder } from '../../../src/arch/a64/decode.js';
import { OBJDUMP_LDST } from './objdump-fixture.js';

/** objdump text without the `<symbol+off>` part, whitespace collapsed. */
function norm(s: string): string {
  return s
    .replace(/\s*<[^>]*>/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

test('ldst disassembly matches objdump', () => {
  let compared = 0;
  const mismatches: string[] = [];
  for (const [pc, word, text] of OBJDUMP_LDST) {
    const d = decoder.decode(word);
    const undef = text.includes('undefined');
    if (undef) {
      if (d) mismatches.push(`${word.toString(16)}: objdump undefined, we decode '${d.insn.def.disasm(d.f, pc, word)}'`);
      continue;
    }
    // STGP (FEAT_MTE) and LDLAR/STLLR (FEAT_LOR) are decoded by objdump but are UNDEFINED on
    // this Armv8.0 machine.
    if (!d) {
      if (!/^(stgp|ldlar|stllr)/.test(text)) mismatches.push(`${word.toString(16)}: objdump '${text}', we UNDEF`);
      continue;
    }
    const ours = d.insn.def.disasm(d.f, pc, word);
    compared++;
    if (ours !== norm(text)) mismatches.push(`${word.toString(16)}: objdump '${norm(text)}' ours '${ours}'`);
  }
  assert.deepEqual(mismatches, []);
  assert.ok(compared > 350, `compared only ${compared}`);
});
