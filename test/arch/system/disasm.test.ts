// Disassembly of the system instructions against objdump's text for the same words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFields } from '../../../src/arch/a64/table.js';
// The decoder module is the entry point a disassembler uses (importing insns/system.ts first
// would enter the pe.ts ↔ decode.ts import cycle from the wrong end).
import { decoder as dec } from '../../../src/arch/a64/decode.js';
import { LISTING } from './words.js';

function disasm(word: number): string {
  const c = dec.candidates(word)[0];
  assert.ok(c, `no table entry for ${word.toString(16)}`);
  return c.def.disasm(extractFields(c, word), 0, word);
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

for (const [src, word, objdump] of LISTING) {
  test(`disasm ${word.toString(16).padStart(8, '0')}: ${objdump.replace('\t', ' ')}`, () => {
    assert.equal(norm(disasm(word)), norm(objdump), src);
  });
}
