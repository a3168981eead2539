// Shared helpers for the data-processing and branch tests: decode one word with our tables
// only (so another group's work in progress cannot break these tests) and run its Op on a
// bare PE, with BigInt views of registers.
import { Decoder } from '../../../src/arch/a64/table.js';
import { DP_IMM } from '../../../src/arch/a64/insns/dpImm.js';
import { DP_REG } from '../../../src/arch/a64/insns/dpReg.js';
import { BRANCH } from '../../../src/arch/a64/insns/branch.js';
import { makeCpu, CODE } from '../../helpers/cpu.js';
import type { Pe } from '../../../src/arch/pe.js';

export const ours = new Decoder([BRANCH, DP_IMM, DP_REG]);
export const M64 = (1n << 64n) - 1n;

export function disasm(word: number, pc: number): string {
  const d = ours.decode(word >>> 0);
  return d ? d.insn.def.disasm(d.f, pc, word >>> 0) : 'undefined';
}

export interface Bench {
  pe: Pe;
  /** Run one instruction word at `pc` (default CODE). Throws if it does not decode. */
  exec(word: number, pc?: number): void;
  x(n: number): bigint;
  setX(n: number, v: bigint | number): void;
  sp(): bigint;
  setSp(v: bigint | number): void;
  nzcv(): number;
  setNzcv(v: number): void;
}

export function bench(): Bench {
  const cpu = makeCpu([0xd503201f]);
  const pe = cpu.pe;
  const set = (slot: number, v: bigint | number) => {
    const b = BigInt.asUintN(64, BigInt(v));
    pe.x[2 * slot] = Number(b & 0xffffffffn);
    pe.x[2 * slot + 1] = Number(b >> 32n);
  };
  const get = (slot: number) => (BigInt(pe.x[2 * slot + 1]) << 32n) | BigInt(pe.x[2 * slot]);
  return {
    pe,
    exec(word, pc = CODE) {
      const d = ours.decode(word >>> 0);
      if (!d) throw new Error(`0x${(word >>> 0).toString(16)} does not decode`);
      pe.curPc = pc;
      pe.pc = pc + 4;
      d.op(pe);
    },
    x: (n) => (n === 31 ? 0n : get(n)),
    setX: (n, v) => set(n, v),
    sp: () => get(31),
    setSp: (v) => set(31, v),
    nzcv: () => (pe.n << 3) | (pe.z << 2) | (pe.c << 1) | pe.v,
    setNzcv(v) {
      pe.n = (v >> 3) & 1;
      pe.z = (v >> 2) & 1;
      pe.c = (v >> 1) & 1;
      pe.v = v & 1;
    },
  };
}

/** Deterministic PRNG (xorshift32) for the randomized tests. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const EDGES = [
  0n,
  1n,
  2n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  M64,
  M64 - 1n,
  0xffffffff00000000n,
  0x00000001ffffffffn,
];

/** A 64-bit test value: an edge case a quarter of the time, else random. */
export function value64(rnd: () => number): bigint {
  const k = rnd() & 7;
  if (k < 2) return EDGES[rnd() % EDGES.length];
  if (k === 2) return BigInt.asUintN(64, -BigInt(rnd() & 0xffff));
  return (BigInt(rnd()) << 32n) | BigInt(rnd());
}
