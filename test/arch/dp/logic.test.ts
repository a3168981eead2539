// Logical (immediate and shifted register), move wide, bitfield and extract: bitmask
// immediates swept against a BigInt DecodeBitMasks, bitfield ops swept against a BigInt model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bench, prng, value64, M64, ours } from './run.js';
import { decodeLogicalImm } from '../../../src/arch/a64/alu/bitmask.js';

/** Reference DecodeBitMasks (Arm ARM J1.1.3), immediate = TRUE, wmask only, BigInt. */
function refBitMask(n: number, imms: number, immr: number, m: number): bigint | null {
  const v = (n << 6) | (~imms & 0x3f);
  let len = -1;
  for (let i = 6; i >= 0; i--)
    if ((v >> i) & 1) {
      len = i;
      break;
    }
  if (len < 1) return null;
  const esize = 1 << len;
  if (esize > m) return null;
  const levels = esize - 1;
  const s = imms & levels,
    r = immr & levels;
  if (s === levels) return null;
  const emask = (1n << BigInt(esize)) - 1n;
  const welem = (1n << BigInt(s + 1)) - 1n;
  const rot = ((welem >> BigInt(r)) | (welem << BigInt(esize - r))) & emask;
  let out = 0n;
  for (let i = 0; i < m; i += esize) out |= rot << BigInt(i);
  return out;
}

test('logical immediate: DecodeBitMasks sweep (all N/immr/imms, 32 and 64 bit)', () => {
  let valid = 0;
  for (const m of [32, 64] as const) {
    for (let n = 0; n < 2; n++) {
      for (let immr = 0; immr < 64; immr++) {
        for (let imms = 0; imms < 64; imms++) {
          const ref = refBitMask(n, imms, immr, m);
          const got = decodeLogicalImm(n, imms, immr, m);
          if (ref === null) {
            assert.equal(got, null, `N=${n} immr=${immr} imms=${imms} m=${m}`);
            continue;
          }
          valid++;
          assert.ok(got);
          assert.equal((BigInt(got.hi) << 32n) | BigInt(got.lo), ref, `N=${n} immr=${immr} imms=${imms} m=${m}`);
        }
      }
    }
  }
  // 5334 distinct 64-bit immediates; the 32-bit space has 1302 encodings per immr range.
  assert.ok(valid > 5000);
});

test('logical immediate: execution, reserved encodings, SP destination, TST', () => {
  const b = bench();
  b.setX(1, 0x123456789abcdef0n);
  b.exec(0x92089c20 /* and x0, x1, #0xff00ff00ff00ff00 */);
  assert.equal(b.x(0), 0x120056009a00de00n);
  b.exec(0x52000020 /* eor w0, w1, #0x1 */);
  assert.equal(b.x(0), 0x9abcdef1n);
  b.exec(0xb201f3e0 /* orr x0, xzr, #0xaaaaaaaaaaaaaaaa */);
  assert.equal(b.x(0), 0xaaaaaaaaaaaaaaaan);
  b.exec(0x320103e0 /* orr w0, wzr, #0x80000000 */);
  assert.equal(b.x(0), 0x80000000n);
  b.setX(2, 0x40080123n);
  b.exec(0x927cec5f /* and sp, x2, #0xfffffffffffffff0 */);
  assert.equal(b.sp(), 0x40080120n);
  b.exec(0xf241003f /* tst x1, #0x8000000000000000 */);
  assert.equal(b.nzcv(), 0b0100);
  b.setNzcv(0b0011);
  b.exec(0x72010020 /* ands w0, w1, #0x80000000 */);
  assert.equal(b.x(0), 0x80000000n);
  assert.equal(b.nzcv(), 0b1000, 'ANDS clears C and V');
  // N=1 with sf=0, and an all-ones element, are reserved.
  assert.equal(ours.decode(0x12400000), undefined); // and w0, w0, N=1
  assert.equal(ours.decode(0x92403c00 | (0x3f << 10)), undefined); // imms=111111 with N=1
  assert.equal(ours.decode(0x12000000 | (0x3d << 10)), undefined); // 2-bit element 11 (all ones)
});

test('logical shifted register: every op, every shift, N inversions and flags', () => {
  const b = bench();
  const rnd = prng(7);
  const base = [0x8a020020, 0xaa020020, 0xca020020, 0xea020020]; // and/orr/eor/ands x0, x1, x2
  for (let i = 0; i < 800; i++) {
    const a = value64(rnd),
      c = value64(rnd);
    b.setX(1, a);
    b.setX(2, c);
    const opc = i & 3,
      nbit = (i >> 2) & 1,
      shift = (i >> 3) & 3;
    const sf = (i >> 5) & 1;
    const amt = rnd() & (sf ? 63 : 31);
    const word = (base[opc] & ~0x80000000) | (sf << 31) | (shift << 22) | (nbit << 21) | (amt << 10);
    const bits = sf ? 64 : 32;
    const mask = (1n << BigInt(bits)) - 1n;
    const va = a & mask,
      vc = c & mask;
    let op2: bigint;
    const A_ = BigInt(amt);
    if (shift === 0) op2 = (vc << A_) & mask;
    else if (shift === 1) op2 = vc >> A_;
    else if (shift === 2) op2 = BigInt.asUintN(bits, BigInt.asIntN(bits, vc) >> A_);
    else op2 = ((vc >> A_) | (vc << (BigInt(bits) - A_))) & mask;
    if (nbit) op2 = ~op2 & mask;
    const res = [va & op2, va | op2, va ^ op2, va & op2][opc];
    b.setNzcv(0b0011);
    b.exec(word);
    assert.equal(b.x(0), res, `word 0x${word.toString(16)}`);
    if (opc === 3) {
      const nz = (Number(res >> BigInt(bits - 1)) << 3) | (res === 0n ? 4 : 0);
      assert.equal(b.nzcv(), nz);
    } else assert.equal(b.nzcv(), 0b0011);
  }
  assert.equal(ours.decode(0x0a028020), undefined, 'and w0, w1, w2, lsl #32 is unallocated');
  b.setX(2, 0x0123456789abcdefn);
  b.exec(0xaa0203e0 /* mov x0, x2 */);
  assert.equal(b.x(0), 0x0123456789abcdefn);
  b.exec(0x2a2203e0 /* mvn w0, w2 */);
  assert.equal(b.x(0), 0x76543210n);
  b.exec(0xea02005f /* tst x2, x2 */);
  assert.equal(b.nzcv(), 0b0000);
});

test('move wide: MOVZ/MOVN/MOVK incl. 32-bit forms and hw restrictions', () => {
  const b = bench();
  b.exec(0xd2e24680 /* movz x0, #0x1234, lsl #48 */);
  assert.equal(b.x(0), 0x1234000000000000n);
  b.exec(0xf2b7dde0 /* movk x0, #0xbeef, lsl #16 */);
  assert.equal(b.x(0), 0x12340000beef0000n);
  b.exec(0xf29fffe0 /* movk x0, #0xffff */);
  assert.equal(b.x(0), 0x12340000beefffffn);
  b.exec(0x72800020 /* movk w0, #0x1 */);
  assert.equal(b.x(0), 0xbeef0001n, 'MOVK Wd clears bits 63:32');
  b.exec(0x92800000 /* movn x0, #0 */);
  assert.equal(b.x(0), M64);
  b.exec(0x12800000 /* movn w0, #0 */);
  assert.equal(b.x(0), 0xffffffffn);
  b.exec(0x92c24680 /* movn x0, #0x1234, lsl #32 */);
  assert.equal(b.x(0), 0xffffedcbffffffffn);
  b.exec(0x12a00020 /* movn w0, #0x1, lsl #16 */);
  assert.equal(b.x(0), 0xfffeffffn);
  b.exec(0x52bfffe1 /* movz w1, #0xffff, lsl #16 */);
  assert.equal(b.x(1), 0xffff0000n);
  assert.equal(ours.decode(0x52c00000), undefined, 'movz w0, hw=2 is unallocated');
  assert.equal(ours.decode(0x32800000 | (1 << 29)), undefined, 'opc=01 is unallocated');
});

/** Reference SBFM/UBFM/BFM (Arm ARM C6.2 pseudocode) over BigInt. */
function refBitfield(opc: number, bits: number, immr: number, imms: number, dst: bigint, src: bigint): bigint {
  const B = BigInt(bits);
  const mask = (1n << B) - 1n;
  const ror = (v: bigint, r: number) => ((v >> BigInt(r)) | (v << (B - BigInt(r)))) & mask;
  const ones = (k: number) => (1n << BigInt(k)) - 1n;
  // DecodeBitMasks(N, imms, immr, FALSE): esize = datasize here.
  const s = imms,
    r = immr;
  const wmask = ror(ones(s + 1), r);
  const d = (s - r) & (bits - 1);
  const tmask = ones(d + 1);
  const bot = opc === 1 ? (dst & ~wmask & mask) | (ror(src, r) & wmask) : ror(src, r) & wmask;
  const top = opc === 0 ? ((src >> BigInt(s)) & 1n ? mask : 0n) : opc === 1 ? dst : 0n;
  return ((top & ~tmask & mask) | (bot & tmask)) & mask;
}

test('bitfield: SBFM/BFM/UBFM sweep against the Arm pseudocode', () => {
  const b = bench();
  const rnd = prng(99);
  const base = [0x13000000, 0x33000000, 0x53000000]; // sbfm/bfm/ubfm w0, w1, #0, #0
  for (const sf of [0, 1]) {
    const bits = sf ? 64 : 32;
    for (let opc = 0; opc < 3; opc++) {
      for (let immr = 0; immr < bits; immr++) {
        for (let imms = 0; imms < bits; imms += sf ? 3 : 1) {
          const src = value64(rnd),
            dst = value64(rnd);
          b.setX(1, src);
          b.setX(0, dst);
          const word = base[opc] | (sf << 31) | (sf << 22) | (immr << 16) | (imms << 10) | (1 << 5);
          b.exec(word);
          const mask = (1n << BigInt(bits)) - 1n;
          const ref = refBitfield(opc, bits, immr, imms, dst & mask, src & mask);
          assert.equal(b.x(0), ref, `opc ${opc} sf ${sf} immr ${immr} imms ${imms}`);
        }
      }
    }
  }
  assert.equal(ours.decode(0x13400000), undefined, 'sf=0 N=1');
  assert.equal(ours.decode(0x93000000), undefined, 'sf=1 N=0');
  assert.equal(ours.decode(0x13200000), undefined, 'sf=0 immr=32');
  assert.equal(ours.decode(0x73000000), undefined, 'opc=11');
});

test('bitfield aliases execute as documented', () => {
  const b = bench();
  b.setX(1, 0x80000000000000f0n);
  b.exec(0x9344fc20 /* asr x0, x1, #4 */);
  assert.equal(b.x(0), 0xf80000000000000fn);
  b.exec(0xd344fc20 /* lsr x0, x1, #4 */);
  assert.equal(b.x(0), 0x080000000000000fn);
  b.exec(0xd37cec20 /* lsl x0, x1, #4 */);
  assert.equal(b.x(0), 0x0000000000000f00n);
  b.exec(0x93401c20 /* sxtb x0, w1 */);
  assert.equal(b.x(0), 0xfffffffffffffff0n);
  b.exec(0x53001c20 /* uxtb w0, w1 */);
  assert.equal(b.x(0), 0xf0n);
  b.setX(1, 0x80000000n);
  b.exec(0x93407c20 /* sxtw x0, w1 */);
  assert.equal(b.x(0), 0xffffffff80000000n);
  b.exec(0x935f7c20 /* sbfx x0, x1, #31, #1 */);
  assert.equal(b.x(0), M64);
  b.setX(0, 0xffffffffffffffffn);
  b.setX(1, 0x5n);
  b.exec(0xb3620c20 /* bfi x0, x1, #30, #4 */);
  assert.equal(b.x(0), 0xfffffffc7fffffffn | (0x5n << 30n));
  b.exec(0x33001c20 /* bfxil w0, w1, #0, #8 */);
  assert.equal(b.x(0), 0x7fffff05n);
});

test('EXTR and ROR (immediate)', () => {
  const b = bench();
  b.setX(1, 0x0123456789abcdefn);
  b.setX(2, 0xfedcba9876543210n);
  for (let lsb = 0; lsb < 64; lsb++) {
    b.exec(0x93c20020 | (lsb << 10)); // extr x0, x1, x2, #lsb
    const cat = (0x0123456789abcdefn << 64n) | 0xfedcba9876543210n;
    assert.equal(b.x(0), (cat >> BigInt(lsb)) & M64, `lsb ${lsb}`);
  }
  for (let lsb = 0; lsb < 32; lsb++) {
    b.exec(0x13820020 | (lsb << 10)); // extr w0, w1, w2, #lsb
    const cat = (0x89abcdefn << 32n) | 0x76543210n;
    assert.equal(b.x(0), (cat >> BigInt(lsb)) & 0xffffffffn, `w lsb ${lsb}`);
  }
  b.exec(0x93c12020 /* ror x0, x1, #8 */);
  assert.equal(b.x(0), 0xef0123456789abcdn);
  assert.equal(ours.decode(0x13828020), undefined, 'extr w, lsb=32');
});
