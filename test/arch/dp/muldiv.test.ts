// Data-processing 1/2/3 source: bit/byte reversal and counts, division corner cases,
// variable shifts, CRC32/CRC32C check values, multiply-accumulate and high multiplies,
// each also against a BigInt model on random and edge values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bench, prng, value64, M64, ours } from './run.js';

const M32 = 0xffffffffn;
const mask = (bits: number) => (bits === 64 ? M64 : M32);

function refRbit(v: bigint, bits: number): bigint {
  let r = 0n;
  for (let i = 0; i < bits; i++) if ((v >> BigInt(i)) & 1n) r |= 1n << BigInt(bits - 1 - i);
  return r;
}
function refRevBytes(v: bigint, containerBits: number, bits: number): bigint {
  let r = 0n;
  for (let c = 0; c < bits; c += containerBits) {
    const cont = (v >> BigInt(c)) & ((1n << BigInt(containerBits)) - 1n);
    let rc = 0n;
    for (let i = 0; i < containerBits; i += 8) rc |= ((cont >> BigInt(i)) & 0xffn) << BigInt(containerBits - 8 - i);
    r |= rc << BigInt(c);
  }
  return r;
}
function refClz(v: bigint, bits: number): bigint {
  for (let i = bits - 1; i >= 0; i--) if ((v >> BigInt(i)) & 1n) return BigInt(bits - 1 - i);
  return BigInt(bits);
}
function refCls(v: bigint, bits: number): bigint {
  const s = (v >> BigInt(bits - 1)) & 1n;
  let k = 0;
  for (let i = bits - 2; i >= 0 && ((v >> BigInt(i)) & 1n) === s; i--) k++;
  return BigInt(k);
}

test('1-source: RBIT/REV16/REV32/REV/CLZ/CLS vs reference', () => {
  const b = bench();
  const rnd = prng(11);
  const w64 = [
    0xdac00020 /* rbit x0, x1 */, 0xdac00420 /* rev16 x0, x1 */, 0xdac00820 /* rev32 x0, x1 */, 0xdac00c20 /* rev x0, x1 */,
    0xdac01020 /* clz x0, x1 */, 0xdac01420 /* cls x0, x1 */,
  ];
  const w32 = [
    0x5ac00020 /* rbit w0, w1 */, 0x5ac00420 /* rev16 w0, w1 */, 0x5ac00820 /* rev w0, w1 */, 0x5ac01020 /* clz w0, w1 */,
    0x5ac01420 /* cls w0, w1 */,
  ];
  for (let i = 0; i < 1500; i++) {
    const v = value64(rnd);
    b.setX(1, v);
    const v32 = v & M32;
    const r64 = [refRbit(v, 64), refRevBytes(v, 16, 64), refRevBytes(v, 32, 64), refRevBytes(v, 64, 64), refClz(v, 64), refCls(v, 64)];
    w64.forEach((w, k) => {
      b.exec(w);
      assert.equal(b.x(0), r64[k], `x form ${k} of 0x${v.toString(16)}`);
    });
    const r32 = [refRbit(v32, 32), refRevBytes(v32, 16, 32), refRevBytes(v32, 32, 32), refClz(v32, 32), refCls(v32, 32)];
    w32.forEach((w, k) => {
      b.exec(w);
      assert.equal(b.x(0), r32[k], `w form ${k} of 0x${v32.toString(16)}`);
    });
  }
  b.setX(1, 0n);
  b.exec(0xdac01020 /* clz x0, x1 */);
  assert.equal(b.x(0), 64n);
  b.exec(0x5ac01420 /* cls w0, w1 */);
  assert.equal(b.x(0), 31n);
  assert.equal(ours.decode(0x5ac00c20), undefined, 'opcode 000011 (REV) with sf=0 is unallocated');
});

test('2-source: UDIV/SDIV by zero and INT_MIN / -1', () => {
  const b = bench();
  b.setX(1, 0x8000000000000000n);
  b.setX(2, 0n);
  b.setX(3, M64);
  for (const w of [
    0x9ac20820 /* udiv x0, x1, x2 */, 0x9ac20c20 /* sdiv x0, x1, x2 */, 0x1ac20820 /* udiv w0, w1, w2 */, 0x1ac20c20 /* sdiv w0, w1, w2 */,
  ]) {
    b.setX(0, 123n);
    b.exec(w);
    assert.equal(b.x(0), 0n, 'divide by zero gives 0');
  }
  b.exec(0x9ac30c20 /* sdiv x0, x1, x3 */);
  assert.equal(b.x(0), 0x8000000000000000n, 'INT64_MIN / -1 = INT64_MIN');
  b.setX(1, 0x80000000n);
  b.exec(0x1ac30c20 /* sdiv w0, w1, w3 */);
  assert.equal(b.x(0), 0x80000000n, 'INT32_MIN / -1 = INT32_MIN');
  b.setX(1, 0xffffffff80000000n);
  b.exec(0x9ac30c20 /* sdiv x0, x1, x3 */);
  assert.equal(b.x(0), 0x80000000n, '64-bit -2^31 / -1 = +2^31');
  b.setX(1, BigInt.asUintN(64, -7n));
  b.setX(2, 2n);
  b.exec(0x9ac20c20 /* sdiv x0, x1, x2 */);
  assert.equal(b.x(0), BigInt.asUintN(64, -3n), 'rounds toward zero');
});

test('2-source: random UDIV/SDIV/LSLV/LSRV/ASRV/RORV vs BigInt', () => {
  const b = bench();
  const rnd = prng(12);
  const forms: [number, number, (a: bigint, c: bigint, bits: number) => bigint][] = [];
  const div = (s: boolean) => (a: bigint, c: bigint, bits: number) => {
    if (c === 0n) return 0n;
    if (!s) return a / c;
    return BigInt.asUintN(bits, BigInt.asIntN(bits, a) / BigInt.asIntN(bits, c));
  };
  const shf = (k: number) => (a: bigint, c: bigint, bits: number) => {
    const s = c % BigInt(bits);
    const m = mask(bits);
    if (k === 0) return (a << s) & m;
    if (k === 1) return a >> s;
    if (k === 2) return BigInt.asUintN(bits, BigInt.asIntN(bits, a) >> s);
    return ((a >> s) | (a << (BigInt(bits) - s))) & m;
  };
  for (const [sf, bits] of [
    [1, 64],
    [0, 32],
  ]) {
    forms.push([0x1ac20820 | (sf << 31), bits, div(false)]); // udiv
    forms.push([0x1ac20c20 | (sf << 31), bits, div(true)]); // sdiv
    for (let k = 0; k < 4; k++) forms.push([0x1ac22020 | (k << 10) | (sf << 31), bits, shf(k)]);
  }
  for (let i = 0; i < 3000; i++) {
    const a = value64(rnd);
    let c = value64(rnd);
    if (i % 3 === 0) c = BigInt(rnd() & 0xff);
    b.setX(1, a);
    b.setX(2, c);
    for (const [w, bits, ref] of forms) {
      b.exec(w);
      const m = mask(bits);
      assert.equal(b.x(0), ref(a & m, c & m, bits), `0x${w.toString(16)} a=0x${a.toString(16)} c=0x${c.toString(16)}`);
    }
  }
});

test('CRC32/CRC32C: check values of "123456789" via the instruction sequence', () => {
  const data = Buffer.from('123456789');
  const run = (crcB: number, crcX: number, crcW: number, crcH: number) => {
    const b = bench();
    // Byte by byte: mov w0, #-1; crc32b w0, w0, w1 per byte; mvn w0, w0.
    b.exec(0x12800000 /* mov w0, #-1 */);
    for (const byte of data) {
      b.setX(1, BigInt(byte) | 0xabcdef00n); // upper bits of Wm are ignored
      b.exec(crcB);
    }
    b.exec(0x2a2003e0 /* mvn w0, w0 */);
    const byByte = b.x(0);
    // Wider forms: crc32x over "12345678", then crc32b of "9"; and w/h/b mixes.
    b.exec(0x12800000 /* mov w0, #-1 */);
    b.setX(1, data.readBigUInt64LE(0));
    b.exec(crcX);
    b.setX(1, BigInt(data[8]));
    b.exec(crcB);
    b.exec(0x2a2003e0 /* mvn w0, w0 */);
    const wide = b.x(0);
    b.exec(0x12800000 /* mov w0, #-1 */);
    b.setX(1, BigInt(data.readUInt32LE(0)));
    b.exec(crcW);
    b.setX(1, BigInt(data.readUInt16LE(4)));
    b.exec(crcH);
    b.setX(1, BigInt(data.readUInt16LE(6)));
    b.exec(crcH);
    b.setX(1, BigInt(data[8]));
    b.exec(crcB);
    b.exec(0x2a2003e0 /* mvn w0, w0 */);
    return [byByte, wide, b.x(0)];
  };
  assert.deepEqual(
    run(
      0x1ac14000 /* crc32b w0, w0, w1 */,
      0x9ac14c00 /* crc32x w0, w0, x1 */,
      0x1ac14800 /* crc32w w0, w0, w1 */,
      0x1ac14400 /* crc32h w0, w0, w1 */,
    ),
    [0xcbf43926n, 0xcbf43926n, 0xcbf43926n],
  );
  assert.deepEqual(
    run(
      0x1ac15000 /* crc32cb w0, w0, w1 */,
      0x9ac15c00 /* crc32cx w0, w0, x1 */,
      0x1ac15800 /* crc32cw w0, w0, w1 */,
      0x1ac15400 /* crc32ch w0, w0, w1 */,
    ),
    [0xe3069283n, 0xe3069283n, 0xe3069283n],
  );
  assert.equal(ours.decode(0x9ac24020), undefined, 'crc32b with sf=1 is unallocated');
  assert.equal(ours.decode(0x1ac24c20), undefined, 'crc32x with sf=0 is unallocated');
});

test('3-source: MADD/MSUB/SMADDL/SMSUBL/UMADDL/UMSUBL/SMULH/UMULH vs BigInt', () => {
  const b = bench();
  const rnd = prng(13);
  const s32 = (v: bigint) => BigInt.asIntN(32, v & M32);
  const u32 = (v: bigint) => v & M32;
  const forms: [number, (n: bigint, m: bigint, a: bigint) => bigint][] = [
    [0x9b020c20 /* madd x0, x1, x2, x3 */, (n, m, a) => BigInt.asUintN(64, a + n * m)],
    [0x9b028c20 /* msub x0, x1, x2, x3 */, (n, m, a) => BigInt.asUintN(64, a - n * m)],
    [0x1b020c20 /* madd w0, w1, w2, w3 */, (n, m, a) => BigInt.asUintN(32, a + n * m)],
    [0x1b028c20 /* msub w0, w1, w2, w3 */, (n, m, a) => BigInt.asUintN(32, a - n * m)],
    [0x9b220c20 /* smaddl x0, w1, w2, x3 */, (n, m, a) => BigInt.asUintN(64, a + s32(n) * s32(m))],
    [0x9b228c20 /* smsubl x0, w1, w2, x3 */, (n, m, a) => BigInt.asUintN(64, a - s32(n) * s32(m))],
    [0x9ba20c20 /* umaddl x0, w1, w2, x3 */, (n, m, a) => BigInt.asUintN(64, a + u32(n) * u32(m))],
    [0x9ba28c20 /* umsubl x0, w1, w2, x3 */, (n, m, a) => BigInt.asUintN(64, a - u32(n) * u32(m))],
    [0x9b427c20 /* smulh x0, x1, x2 */, (n, m) => BigInt.asUintN(64, (BigInt.asIntN(64, n) * BigInt.asIntN(64, m)) >> 64n)],
    [0x9bc27c20 /* umulh x0, x1, x2 */, (n, m) => (n * m) >> 64n],
    [0x9b027c20 /* mul x0, x1, x2 */, (n, m) => BigInt.asUintN(64, n * m)],
    [0x9b227c20 /* smull x0, w1, w2 */, (n, m) => BigInt.asUintN(64, s32(n) * s32(m))],
  ];
  for (let i = 0; i < 3000; i++) {
    const n = value64(rnd),
      m = value64(rnd),
      a = value64(rnd);
    b.setX(1, n);
    b.setX(2, m);
    b.setX(3, a);
    for (const [w, ref] of forms) {
      b.exec(w);
      assert.equal(b.x(0), ref(n, m, a), `0x${w.toString(16)} n=0x${n.toString(16)} m=0x${m.toString(16)} a=0x${a.toString(16)}`);
    }
  }
  assert.equal(ours.decode(0x9b42fc20), undefined, 'smulh with o0=1 is unallocated');
  assert.equal(ours.decode(0x1b227c20), undefined, 'smaddl with sf=0 is unallocated');
});
