// Known-answer tests for A64 loads and stores (integer registers). Instruction words were
// assembled once with aarch64-linux-gnu-as and read back with objdump; the assembly is in the
// comments. Data lives at DATA (0x4010_0000); the MMU is off, so data accesses are Device
// memory unless HCR_EL2.DC is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, nullHost, normalMemory, CODE, DATA, RAM_BASE, type TestCpu } from '../../helpers/cpu.js';
import { Pe } from '../../../src/arch/pe.js';
import { sr } from '../../../src/arch/sysreg/index.js';
import { clearExclusiveLocal } from '../../../src/arch/mem/exclusive.js';
import { setBase } from '../../../src/arch/a64/ldst/address.js';

const VBAR = RAM_BASE + 0x8000;
const M64 = (1n << 64n) - 1n;

/** A CPU at EL1 with the given registers, VBAR_EL1 set and `mem` bytes at DATA. */
function cpu(words: number[], regs: Record<number, bigint | number> = {}, opts: { el?: number } = {}): TestCpu {
  const c = makeCpu(words, { el: opts.el ?? 1 });
  c.pe.sys[sr('VBAR_EL1')] = BigInt(VBAR);
  c.pe.sys[sr('VBAR_EL2')] = BigInt(VBAR);
  for (const [n, v] of Object.entries(regs)) c.setX(Number(n), v);
  return c;
}

function step(c: TestCpu, n = 1): void {
  for (let i = 0; i < n; i++) c.pe.run(1);
}

function poke(c: TestCpu, pa: number, bytes: number[]): void {
  c.bus.writeBytes(pa, Uint8Array.from(bytes));
}

function peek64(c: TestCpu, pa: number): bigint {
  const b = c.bus.readBytes(pa, 8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

function poke64(c: TestCpu, pa: number, v: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  c.bus.writeBytes(pa, b);
}

/** The synchronous exception just taken to EL1: EC, ISS, FAR, ELR, and where the PC went. */
function taken(c: TestCpu): { ec: number; iss: number; far: bigint; elr: bigint; pc: number } {
  const esr = Number(c.pe.sys[sr('ESR_EL1')]);
  return { ec: esr >>> 26, iss: esr & 0x1ffffff, far: c.pe.sys[sr('FAR_EL1')], elr: c.pe.sys[sr('ELR_EL1')], pc: c.pe.pc };
}

const PATTERN = [0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08];

test('loads: unsigned offset and unscaled, every size and extension', () => {
  const c = cpu(
    [
      0x39400420, // ldrb w0, [x1, #1]
      0x39c00022, // ldrsb w2, [x1]
      0x39800023, // ldrsb x3, [x1]
      0x79400424, // ldrh w4, [x1, #2]
      0x79800425, // ldrsh x5, [x1, #2]
      0x79c00426, // ldrsh w6, [x1, #2]
      0xb9400427, // ldr w7, [x1, #4]
      0xb9800428, // ldrsw x8, [x1, #4]
      0xf9400429, // ldr x9, [x1, #8]
      0xf940002a, // ldr x10, [x1]
      0xf85f802b, // ldur x11, [x1, #-8]
      0x78c0602c, // ldursh w12, [x1, #6]
      0x797ffc2d, // ldrh w13, [x1, #8190]
    ],
    { 1: DATA + 8 },
  );
  for (const r of [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]) c.setX(r, -1);
  poke(c, DATA, PATTERN);
  poke(c, DATA + 8 + 0x1ffe, [0x34, 0x92]);
  c.run();
  const x = (n: number) => c.x(n);
  // x1 = DATA + 8 points at 01 02 ... 08; DATA holds 88 99 aa bb cc dd ee ff.
  assert.equal(x(0), 0x02n);
  assert.equal(x(2), 0x01n);
  assert.equal(x(9), 0n); // DATA+16: zero memory
  assert.equal(x(10), 0x0807060504030201n);
  assert.equal(x(11), 0xffeeddccbbaa9988n);
  assert.equal(x(12), 0x0807n); // ldursh w12, [x1, #6]: positive halfword
  assert.equal(x(13), 0x9234n);
});

test('loads: sign extension to W and X', () => {
  const c = cpu(
    [
      0x39c00022, // ldrsb w2, [x1]
      0x39800023, // ldrsb x3, [x1]
      0x79400424, // ldrh w4, [x1, #2]
      0x79800425, // ldrsh x5, [x1, #2]
      0x79c00426, // ldrsh w6, [x1, #2]
      0xb9400427, // ldr w7, [x1, #4]
      0xb9800428, // ldrsw x8, [x1, #4]
      0x39400420, // ldrb w0, [x1, #1]
    ],
    { 1: DATA },
  );
  for (const r of [0, 2, 3, 4, 5, 6, 7, 8]) c.setX(r, -1);
  poke(c, DATA, PATTERN);
  c.run();
  assert.equal(c.x(2), 0xffffff88n); // W destination: upper half cleared
  assert.equal(c.x(3), 0xffffffffffffff88n);
  assert.equal(c.x(4), 0xbbaan);
  assert.equal(c.x(5), 0xffffffffffffbbaan);
  assert.equal(c.x(6), 0xffffbbaan);
  assert.equal(c.x(7), 0xffeeddccn);
  assert.equal(c.x(8), 0xffffffffffeeddccn);
  assert.equal(c.x(0), 0x99n);
});

test('loads: ldursh of a positive halfword', () => {
  const c = cpu([0x78c0602c /* ldursh w12, [x1, #6] */], { 1: DATA, 12: -1 });
  poke(c, DATA + 6, [0x07, 0x08]);
  c.run();
  assert.equal(c.x(12), 0x0807n);
});

test('stores: sizes, unscaled, XZR source and destination, SP base', () => {
  const c = cpu(
    [
      0x39000022, // strb w2, [x1]
      0x79000422, // strh w2, [x1, #2]
      0xb9000422, // str w2, [x1, #4]
      0xf9000422, // str x2, [x1, #8]
      0xf81f8023, // stur x3, [x1, #-8]
      0xf900083f, // str xzr, [x1, #16]
      0x781f6023, // sturh w3, [x1, #-10]
      0xf940043f, // ldr xzr, [x1, #8]
      0xf90007e4, // str x4, [sp, #8]
      0xf94007e5, // ldr x5, [sp, #8]
    ],
    { 1: DATA + 16, 2: 0x1122334455667788n, 3: 0xa1a2a3a4a5a6a7a8n, 4: 0xdeadbeefcafef00dn, 31: DATA + 0x100 },
  );
  poke64(c, DATA + 32, -1n);
  c.run();
  assert.equal(peek64(c, DATA + 16), 0x5566778877880088n); // b=88, h=7788 at +2, w=55667788 at +4
  assert.equal(peek64(c, DATA + 24), 0x1122334455667788n);
  assert.equal(peek64(c, DATA + 8), 0xa1a2a3a4a5a6a7a8n);
  assert.equal(peek64(c, DATA + 32), 0n); // str xzr
  assert.equal(peek64(c, DATA), 0xa7a8n << 48n); // sturh at DATA+6
  assert.equal(c.x(31), BigInt(DATA + 0x100)); // ldr xzr did not touch SP
  assert.equal(peek64(c, DATA + 0x108), 0xdeadbeefcafef00dn);
  assert.equal(c.x(5), 0xdeadbeefcafef00dn);
});

test('pre- and post-index writeback, including SP', () => {
  const c = cpu(
    [
      0xf8408c22, // ldr x2, [x1, #8]!
      0xb85fc423, // ldr w3, [x1], #-4
      0xf81f0fe4, // str x4, [sp, #-16]!
      0x384107e5, // ldrb w5, [sp], #16
      0x789fec26, // ldrsh x6, [x1, #-2]!
    ],
    { 1: DATA, 4: 0x00000000000000f7n, 31: DATA + 0x200 },
  );
  poke(c, DATA, PATTERN);
  c.run();
  assert.equal(c.x(2), 0x0807060504030201n);
  assert.equal(c.x(3), 0x04030201n);
  assert.equal(c.x(5), 0xf7n);
  assert.equal(c.x(31), BigInt(DATA + 0x200));
  assert.equal(peek64(c, DATA + 0x1f0), 0xf7n);
  // x1: DATA → +8 (pre) → +4 (post -4 applied after) → +2 (pre -2)
  assert.equal(c.x(1), BigInt(DATA + 2));
  assert.equal(c.x(6), 0xffffffffffffbbaan);
});

test('writeback with Rt == Rn: load gets the written-back address, store stores the old base (QEMU)', () => {
  const c = cpu(
    [
      0xf8408421, // ldr x1, [x1], #8
      0xf8008c42, // str x2, [x2, #8]!
    ],
    { 1: DATA, 2: DATA + 0x40 },
  );
  poke(c, DATA, PATTERN);
  c.run();
  assert.equal(c.x(1), BigInt(DATA + 8));
  assert.equal(c.x(2), BigInt(DATA + 0x48));
  assert.equal(peek64(c, DATA + 0x48), BigInt(DATA + 0x40));
});

test('base writeback from a signed address number wraps to 64 bits', () => {
  const x = new Uint32Array(64);
  const cases: [number, bigint][] = [
    [0x1_0000_0008, 0x1_0000_0008n],
    [0xfffffffc, 0xfffffffcn],
    [-16, 0xffffffff_fffffff0n],
    [-(2 ** 47) + 8, 0xffff8000_00000008n],
  ];
  for (const [addr, want] of cases) {
    setBase(x, 1, addr);
    assert.equal((BigInt(x[3]) << 32n) | BigInt(x[2]), want);
  }
});

test('a faulting pre-index access does not write back', () => {
  const c = cpu([0xf8408c22 /* ldr x2, [x1, #8]! */], { 1: 0x1_0000_0000n });
  step(c);
  assert.equal(taken(c).ec, 0x25);
  assert.equal(c.x(1), 0x1_0000_0000n);
});

test('register offset: LSL, UXTW, SXTW, SXTX, XZR index', () => {
  const c = cpu(
    [
      0xf8627820, // ldr x0, [x1, x2, lsl #3]
      0xb864d823, // ldr w3, [x1, w4, sxtw #2]
      0x38664825, // ldrb w5, [x1, w6, uxtw]
      0x78a8f827, // ldrsh x7, [x1, x8, sxtx #1]
      0xf86a6829, // ldr x9, [x1, x10]
      0x7822782b, // strh w11, [x1, x2, lsl #1]
      0xf87f682c, // ldr x12, [x1, xzr]
    ],
    {
      1: DATA + 16,
      2: 1,
      4: 0x12345678fffffffen, // W index -2 (upper half ignored) → -8
      6: 0xffffffff00000003n, // UXTW: 3
      8: -8n, // -16
      10: -16n,
      11: 0xabcd,
    },
  );
  poke(c, DATA, PATTERN);
  poke64(c, DATA + 24, 0x1020304050607080n);
  poke64(c, DATA + 16, 0x0f0e0d0c0b0a0908n);
  c.run();
  assert.equal(c.x(0), 0x1020304050607080n);
  assert.equal(c.x(3), 0x04030201n); // DATA + 8
  assert.equal(c.x(5), 0x0bn); // DATA + 19
  assert.equal(c.x(7), 0xffffffffffff9988n); // DATA
  assert.equal(c.x(9), 0xffeeddccbbaa9988n); // DATA
  assert.equal(peek64(c, DATA + 16) & 0xffff0000n, 0xabcd0000n); // DATA + 18
  assert.equal(c.x(12), 0x0f0e0d0cabcd0908n);
});

test('pairs: STP/LDP pre/post/offset on SP, W pairs, LDPSW, LDNP/STNP', () => {
  const c = cpu(
    [
      0xa9be0fe2, // stp x2, x3, [sp, #-32]!
      0xa94117e4, // ldp x4, x5, [sp, #16]
      0xa8c21fe6, // ldp x6, x7, [sp], #32
      0x29010c22, // stp w2, w3, [x1, #8]
      0x69412428, // ldpsw x8, x9, [x1, #8]
      0x28412c2a, // ldnp w10, w11, [x1, #8]
      0xa8020c3f, // stnp xzr, x3, [x1, #32]
      0xa942342c, // ldp x12, x13, [x1, #32]
    ],
    { 1: DATA, 2: 0x11111111_80000002n, 3: 0x33333333_7ffffff3n, 31: DATA + 0x400 },
  );
  poke64(c, DATA + 0x400 - 16, 0x4444n);
  poke64(c, DATA + 0x400 - 8, 0x5555n);
  c.run();
  assert.equal(c.x(4), 0x4444n);
  assert.equal(c.x(5), 0x5555n);
  assert.equal(c.x(6), 0x1111111180000002n);
  assert.equal(c.x(7), 0x333333337ffffff3n);
  assert.equal(c.x(31), BigInt(DATA + 0x400));
  assert.equal(peek64(c, DATA + 8), 0x7ffffff380000002n);
  assert.equal(c.x(8), 0xffffffff80000002n);
  assert.equal(c.x(9), 0x7ffffff3n);
  assert.equal(c.x(10), 0x80000002n);
  assert.equal(c.x(11), 0x7ffffff3n);
  assert.equal(c.x(12), 0n);
  assert.equal(c.x(13), 0x333333337ffffff3n);
});

test('LDP with Rt == Rt2 keeps the first element (QEMU 7.2); a fault on the second element leaves Rt alone', () => {
  const c = cpu([0xa9400020 /* ldp x0, x0, [x1] */], { 1: DATA });
  poke64(c, DATA, 0x1111n);
  poke64(c, DATA + 8, 0x2222n);
  c.run();
  assert.equal(c.x(0), 0x1111n);

  const d = cpu([0xa9400820 /* ldp x0, x2, [x1] */], { 0: 0xaaaa, 2: 0xbbbb, 1: RAM_BASE + 0x1000_0000 - 8 });
  step(d);
  const t = taken(d);
  assert.equal(t.ec, 0x25);
  assert.equal(t.iss & 0x3f, 0x10); // external abort: nothing at 0x5000_0000
  assert.equal(t.far, BigInt(RAM_BASE + 0x1000_0000));
  assert.equal(d.x(0), 0xaaaan);
  assert.equal(d.x(2), 0xbbbbn);
});

test('literal loads and prefetches', () => {
  const words = [
    0x58000100, // ldr x0, lit
    0x980000e1, // ldrsw x1, lit
    0x180000e2, // ldr w2, lit+4
    0xd80000a0, // prfm pldl1keep, lit
    0xf98004b3, // prfm pstl2strm, [x5, #8]
    0xf89ff0ac, // prfum plil3keep, [x5, #-1]
    0xf8a668a0, // prfm pldl1keep, [x5, x6]
    0xf8a668a0, // prfm pldl1keep, [x5, x6]   (keeps lit 8-byte aligned: Device memory)
    0x89abcdef, // lit: .word 0x89abcdef
    0x01234567, // .word 0x01234567
  ];
  // Prefetches to unmapped / non-canonical addresses never fault.
  const c = cpu(words, { 5: 0xdead000000000000n, 6: 1 });
  step(c, 8);
  assert.equal(c.pe.pc, CODE + 32);
  assert.equal(c.x(0), 0x0123456789abcdefn);
  assert.equal(c.x(1), 0xffffffff89abcdefn);
  assert.equal(c.x(2), 0x01234567n);
});

test('unaligned access with the MMU off is an alignment fault (Device memory); Normal memory allows it', () => {
  const c = cpu([0xf8401020 /* ldur x0, [x1, #1] */], { 1: DATA, 0: 7 });
  poke(c, DATA, PATTERN);
  step(c);
  const t = taken(c);
  assert.equal(t.ec, 0x25);
  assert.equal(t.iss, 0x21);
  assert.equal(t.far, BigInt(DATA + 1));
  assert.equal(t.elr, BigInt(CODE));
  assert.equal(t.pc, VBAR + 0x200);
  assert.equal(c.x(0), 7n);

  const s = cpu([0xf8001023 /* stur x3, [x1, #1] */], { 1: DATA, 3: -1 });
  step(s);
  assert.equal(taken(s).iss, 0x21 | 0x40); // WnR
  assert.equal(peek64(s, DATA), 0n);

  const n = cpu([0xf8401020 /* ldur x0, [x1, #1] */], { 1: DATA });
  normalMemory(n);
  poke(n, DATA, PATTERN);
  n.run();
  assert.equal(n.pe.pc, CODE + 4);
  assert.equal(n.x(0), 0x01ffeeddccbbaa99n);
});

test('LDAR/STLR: all sizes, SP base; unaligned faults even on Normal memory', () => {
  const c = cpu(
    [
      0xc89ffc23, // stlr x3, [x1]
      0xc8dffc24, // ldar x4, [x1]
      0x08dffc25, // ldarb w5, [x1]
      0x489ffc26, // stlrh w6, [x1]
      0x48dffc27, // ldarh w7, [x1]
      0x889fffe6, // stlr w6, [sp]
      0x88dfffe8, // ldar w8, [sp]
    ],
    { 1: DATA, 3: 0x0102030405060708n, 6: 0xfffff00d, 31: DATA + 0x80 },
  );
  c.run();
  assert.equal(c.x(4), 0x0102030405060708n);
  assert.equal(c.x(5), 0x08n);
  assert.equal(c.x(7), 0xf00dn);
  assert.equal(peek64(c, DATA), 0x010203040506f00dn);
  assert.equal(c.x(8), 0xfffff00dn);

  const u = cpu([0x88dffc20 /* ldar w0, [x1] */], { 1: DATA + 2 });
  normalMemory(u);
  step(u);
  assert.equal(taken(u).ec, 0x25);
  assert.equal(taken(u).iss, 0x21);
  assert.equal(taken(u).far, BigInt(DATA + 2));
});

test('exclusives: LDXR/STXR success, then STXR without a reservation fails', () => {
  const c = cpu(
    [
      0xc85f7c20, // ldxr x0, [x1]
      0xc8027c23, // stxr w2, x3, [x1]
      0xc8047c23, // stxr w4, x3, [x1]
      0x085ffc25, // ldaxrb w5, [x1]
      0x0806fc27, // stlxrb w6, w7, [x1]
      0x485f7c28, // ldxrh w8, [x1]
      0x48097c2a, // stxrh w9, w10, [x1]
      0x885f7c2b, // ldxr w11, [x1]
      0x880c7c2d, // stxr w12, w13, [x1]
    ],
    { 1: DATA, 2: -1, 3: 0x1122334455667788n, 4: -1, 6: -1, 7: 0x99, 9: -1, 10: 0xaabb, 12: -1, 13: 0xccddeeff },
  );
  poke64(c, DATA, 0x0102030405060708n);
  step(c, 3);
  assert.equal(c.x(0), 0x0102030405060708n);
  assert.equal(c.x(2), 0n); // stored
  assert.equal(c.x(4), 1n); // no reservation left: failed, upper half of Xs cleared
  assert.equal(peek64(c, DATA), 0x1122334455667788n);
  step(c, 6);
  assert.equal(c.x(5), 0x88n);
  assert.equal(c.x(6), 0n);
  assert.equal(c.x(8), 0x7799n);
  assert.equal(c.x(9), 0n);
  assert.equal(c.x(11), 0x5566aabbn);
  assert.equal(c.x(12), 0n);
  assert.equal(peek64(c, DATA), 0x11223344ccddeeffn);
});

test('exclusives: a cleared local monitor (CLREX) or a second LDXR elsewhere makes STXR fail', () => {
  const c = cpu([0xc85f7c20 /* ldxr x0, [x1] */, 0xc8027c23 /* stxr w2, x3, [x1] */], { 1: DATA, 3: 5 });
  step(c);
  clearExclusiveLocal(c.pe);
  step(c);
  assert.equal(c.x(2), 1n);
  assert.equal(peek64(c, DATA), 0n);

  // LDXR at DATA + 0x100 moves the reservation; STXR to DATA then fails.
  const d = cpu(
    [
      0xc85f7c20, // ldxr x0, [x1]
      0xc85f7c20, // ldxr x0, [x1]   (x1 changed between the two)
      0xc8027c23, // stxr w2, x3, [x1]
    ],
    { 1: DATA, 3: 5 },
  );
  step(d);
  d.setX(1, DATA + 0x100);
  step(d);
  d.setX(1, DATA);
  step(d);
  assert.equal(d.x(2), 1n);
  assert.equal(peek64(d, DATA), 0n);
});

test('exclusives: an exception between LDXR and STXR clears the monitor', () => {
  const c = cpu([0xc85f7c20 /* ldxr x0, [x1] */, 0xf8401020 /* ldur x0, [x1, #1]: faults */], { 1: DATA });
  step(c, 2);
  assert.equal(c.pe.exclusivePa, -1);
});

test('exclusives: STXR with Ws == Rt stores the old Rt and writes the status (QEMU)', () => {
  const c = cpu([0xc85f7c20 /* ldxr x0, [x1] */, 0xc8037c23 /* stxr w3, x3, [x1] */], { 1: DATA, 3: 0x7777777788888888n });
  c.run();
  assert.equal(peek64(c, DATA), 0x7777777788888888n);
  assert.equal(c.x(3), 0n);
});

test('exclusives: SP base', () => {
  const c = cpu([0xc85f7fe0 /* ldxr x0, [sp] */, 0xc8027fe3 /* stxr w2, x3, [sp] */], { 31: DATA + 0x40, 3: 42, 2: 9 });
  c.run();
  assert.equal(c.x(2), 0n);
  assert.equal(peek64(c, DATA + 0x40), 42n);
});

test('exclusive pairs: X and W pairs; X pairs need 16-byte alignment', () => {
  const c = cpu(
    [
      0xc87f0440, // ldxp x0, x1, [x2]
      0xc8231444, // stxp w3, x4, x5, [x2]
      0x887f9c46, // ldaxp w6, w7, [x2]
      0x8828a849, // stlxp w8, w9, w10, [x2]
    ],
    { 2: DATA + 0x10, 4: 0xa0a0a0a0b0b0b0b0n, 5: 0xc0c0c0c0d0d0d0d0n, 9: 0x12345678, 10: 0x9abcdef0, 3: -1, 8: -1 },
  );
  poke64(c, DATA + 0x10, 1n);
  poke64(c, DATA + 0x18, 2n);
  c.run();
  assert.equal(c.x(0), 1n);
  assert.equal(c.x(1), 2n);
  assert.equal(c.x(3), 0n);
  assert.equal(peek64(c, DATA + 0x10), 0x9abcdef012345678n);
  assert.equal(peek64(c, DATA + 0x18), 0xc0c0c0c0d0d0d0d0n);
  assert.equal(c.x(6), 0xb0b0b0b0n);
  assert.equal(c.x(7), 0xa0a0a0a0n);
  assert.equal(c.x(8), 0n);

  const m = cpu([0xc87f0440 /* ldxp x0, x1, [x2] */], { 2: DATA + 8 });
  normalMemory(m);
  step(m);
  assert.equal(taken(m).ec, 0x25);
  assert.equal(taken(m).iss, 0x21);
  assert.equal(m.pe.exclusivePa, -1);
});

test('LDXP with Rt == Rt2 keeps the second element (QEMU 7.2)', () => {
  const c = cpu([0xc87f0822 /* ldxp x2, x2, [x1] */], { 1: DATA });
  poke64(c, DATA, 1n);
  poke64(c, DATA + 8, 2n);
  c.run();
  assert.equal(c.x(2), 2n);
});

test('exclusives: unaligned LDXR faults', () => {
  const c = cpu([0xc85f7c20 /* ldxr x0, [x1] */], { 1: DATA + 4 });
  normalMemory(c);
  step(c);
  assert.equal(taken(c).iss, 0x21);
  assert.equal(taken(c).far, BigInt(DATA + 4));
});

/** A second PE on `c`'s bus running `words` at CODE + 0x2000. */
function secondPe(c: TestCpu, words: number[], regs: Record<number, number>): Pe {
  const pe = new Pe({ id: 1, affinity: 1, hasEl2: true, paBits: 40, profile: 'A' }, c.bus);
  pe.host = nullHost;
  const code = new Uint8Array(words.length * 4);
  words.forEach((w, i) => new DataView(code.buffer).setUint32(i * 4, w, true));
  c.bus.writeBytes(CODE + 0x2000, code);
  pe.reset(1, CODE + 0x2000);
  pe.off = false;
  for (const [n, v] of Object.entries(regs)) {
    pe.x[2 * Number(n)] = v >>> 0;
    pe.x[2 * Number(n) + 1] = 0;
  }
  return pe;
}

test('global monitor: another PE storing to the reserved granule makes STXR fail', () => {
  for (const [offset, expectStatus] of [
    [8, 1n],
    [64, 0n],
  ] as const) {
    const pe0 = cpu([0xc85f7c20 /* ldxr x0, [x1] */, 0xc8027c23 /* stxr w2, x3, [x1] */], { 1: DATA, 3: 0x55 });
    const pe1 = secondPe(
      pe0,
      [
        0xf9008024, // str x4, [x1, #256]   (same page: fills PE1's fast write TLB first)
        offset === 8 ? 0xf9000425 : 0xf9002025, // str x5, [x1, #8] or [x1, #64]
      ],
      { 1: DATA, 4: 0x44, 5: 0x66 },
    );
    pe1.run(1);
    step(pe0); // ldxr
    pe1.run(1); // store: same granule (clears PE0's reservation) or the next one
    step(pe0); // stxr
    assert.equal(pe0.x(2), expectStatus, `store at +${offset}`);
    assert.equal(peek64(pe0, DATA + offset), 0x66n);
    assert.equal(peek64(pe0, DATA), expectStatus === 0n ? 0x55n : 0n);
  }
});

test("global monitor: a successful STXR on one PE breaks the other PE's reservation", () => {
  const pe0 = cpu([0xc85f7c20 /* ldxr x0, [x1] */, 0xc8027c23 /* stxr w2, x3, [x1] */], { 1: DATA, 3: 1 });
  const pe1 = secondPe(pe0, [0xc85f7c20 /* ldxr x0, [x1] */, 0xc8027c23 /* stxr w2, x3, [x1] */], { 1: DATA, 3: 2 });
  step(pe0);
  pe1.run(1);
  step(pe0);
  pe1.run(1);
  assert.equal(pe0.x(2), 0n);
  assert.equal(pe1.x[4], 1);
  assert.equal(peek64(pe0, DATA), 1n);
});

test('unprivileged LDTR/STTR at EL1 and EL0', () => {
  for (const el of [1, 0]) {
    const c = cpu(
      [
        0xf8408820, // ldtr x0, [x1, #8]
        0x38800822, // ldtrsb x2, [x1]
        0x78c00823, // ldtrsh w3, [x1]
        0xb8800824, // ldtrsw x4, [x1]
        0xb8010825, // sttr w5, [x1, #16]
        0x38014825, // sttrb w5, [x1, #20]
        0x78410826, // ldtrh w6, [x1, #16]
      ],
      { 1: DATA, 5: 0xabcdef12 },
    );
    if (el === 0) c.pe.setElSp(0, 0);
    poke(c, DATA, PATTERN);
    c.run();
    assert.equal(c.pe.el, el);
    assert.equal(c.x(0), 0x0807060504030201n);
    assert.equal(c.x(2), 0xffffffffffffff88n);
    assert.equal(c.x(3), 0xffff9988n);
    assert.equal(c.x(4), 0xffffffffbbaa9988n);
    assert.equal(peek64(c, DATA + 16), 0x12abcdef12n);
    assert.equal(c.x(6), 0xef12n);
  }
});

test('non-canonical and tagged bases fault with the exact FAR; a register offset can bring them back', () => {
  for (const base of [0x0010_0000_4010_0000n, 0xff00_0000_4010_0000n, 0x8000_0000_0000_0000n]) {
    const c = cpu([0xf9400420 /* ldr x0, [x1, #8] */], { 1: base, 0: 3 });
    step(c);
    const t = taken(c);
    assert.equal(t.ec, 0x25);
    assert.equal(t.iss, 0x00); // address size fault, level 0 (stage 1 off)
    assert.equal(t.far, (base + 8n) & M64);
    assert.equal(c.x(0), 3n);
  }
  const s = cpu([0xf9000422 /* str x2, [x1, #8] */], { 1: 0x0100_0000_0000_0000n });
  step(s);
  assert.equal(taken(s).iss, 0x40);
  assert.equal(taken(s).far, 0x0100_0000_0000_0008n);

  const r = cpu([0xf86a6829 /* ldr x9, [x1, x10] */], { 1: 0x0010_0000_4010_0000n, 10: -0x0010_0000_0000_0000n });
  poke(r, DATA, PATTERN);
  r.run();
  assert.equal(r.x(9), 0xffeeddccbbaa9988n);
});

test('SIMD&FP loads are not decoded here', async () => {
  const { decoder } = await import('../../../src/arch/a64/decode.js');
  assert.equal(decoder.decode(0x3dc00020), undefined); // ldr q0, [x1]
  assert.equal(decoder.decode(0xfd400020), undefined); // ldr d0, [x1]
});
