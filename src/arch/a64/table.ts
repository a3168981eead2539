// Instruction tables: bit pattern → fields → semantics, in the spirit of QEMU's decodetree.
//
// Each instruction is declared once, with its pattern, a builder that specialises an Op on
// the decoded fields, and a disassembly formatter. The decoder, the executor and
// `armvisor disasm` all come from these declarations (DESIGN.md §4: one source of truth).
//
// Pattern syntax: space-separated tokens, most significant bit first, 32 bits in all:
//   "0101" / "x1x0"  literal bits (x = either)
//   "Rd:5"           a named field of that width
//   "!sf:1"          not allowed: use fields and reject values in `build`
import type { Op } from './op.js';

export type Fields = Record<string, number>;

export interface InsnDef {
  /** Name as in the Arm ARM's encoding index (e.g. "ADD (immediate)"); unique within a group. */
  name: string;
  pattern: string;
  /** Returns the Op, or null when this field combination is UNALLOCATED / UNDEFINED. */
  build: (f: Fields, word: number) => Op | null;
  /** Assembly text; `pc` is the instruction's address (for PC-relative targets). */
  disasm: (f: Fields, pc: number, word: number) => string;
}

interface Field {
  name: string;
  shift: number;
  width: number;
}

export interface CompiledInsn {
  def: InsnDef;
  mask: number;
  value: number;
  fields: Field[];
}

export function compilePattern(def: InsnDef): CompiledInsn {
  let mask = 0;
  let value = 0;
  let pos = 32;
  const fields: Field[] = [];
  for (const tok of def.pattern.trim().split(/\s+/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):(\d+)$/.exec(tok);
    if (m) {
      const width = Number(m[2]);
      pos -= width;
      fields.push({ name: m[1], shift: pos, width });
      continue;
    }
    if (!/^[01x]+$/.test(tok)) throw new Error(`${def.name}: bad pattern token '${tok}'`);
    for (const ch of tok) {
      pos--;
      if (ch !== 'x') {
        mask |= 1 << pos;
        if (ch === '1') value |= 1 << pos;
      }
    }
  }
  if (pos !== 0) throw new Error(`${def.name}: pattern is ${32 - pos} bits, not 32`);
  return { def, mask: mask >>> 0, value: value >>> 0, fields };
}

export function extractFields(c: CompiledInsn, word: number): Fields {
  const f: Fields = {};
  for (const fl of c.fields) {
    const v = word >>> fl.shift;
    f[fl.name] = fl.width >= 32 ? v >>> 0 : v & ((1 << fl.width) - 1);
  }
  return f;
}

/**
 * A decoder over a list of tables. Patterns are bucketed by bits [28:25] (the A64 top-level
 * op0 field) so a lookup scans only its encoding group; within a bucket the first match wins,
 * so more specific patterns (aliases, fixed fields) must be declared before general ones.
 */
export class Decoder {
  private readonly buckets: CompiledInsn[][] = Array.from({ length: 16 }, () => []);
  readonly all: CompiledInsn[] = [];

  constructor(tables: InsnDef[][]) {
    for (const t of tables) for (const d of t) this.add(compilePattern(d));
  }

  private add(c: CompiledInsn): void {
    this.all.push(c);
    const bm = (c.mask >>> 25) & 0xf;
    const bv = (c.value >>> 25) & 0xf;
    for (let b = 0; b < 16; b++) if ((b & bm) === bv) this.buckets[b].push(c);
  }

  /** Every table entry whose pattern matches, in declaration order. */
  candidates(word: number): CompiledInsn[] {
    const out: CompiledInsn[] = [];
    for (const c of this.buckets[(word >>> 25) & 0xf]) {
      if ((word & c.mask) >>> 0 === c.value) out.push(c);
    }
    return out;
  }

  /**
   * The first matching entry whose builder accepts the fields (a builder returns null for
   * field values its encoding leaves unallocated, letting a later entry or UNDEF take over).
   */
  decode(word: number): { insn: CompiledInsn; f: Fields; op: Op } | undefined {
    for (const c of this.candidates(word)) {
      const f = extractFields(c, word);
      const op = c.def.build(f, word);
      if (op) return { insn: c, f, op };
    }
    return undefined;
  }
}
