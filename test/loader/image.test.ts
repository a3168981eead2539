import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { isArm64Image, parseArm64Image } from '../../src/platform/loader/image.js';
import { InputError } from '../../src/util/errors.js';
import { buildImage } from './elfBuilder.js';

test('modern kernel header', () => {
  const h = parseArm64Image(buildImage({ textOffset: 0, imageSize: 0x200_0000, flags: 0xa }), 'Image');
  assert.equal(h.textOffset, 0);
  assert.equal(h.imageSize, 0x200_0000);
  assert.equal(h.bigEndian, false);
  assert.equal(h.pageSize, 4096);
  assert.equal(h.placeAnywhere, true);
  assert.equal(h.code0, 0x14000010);
});

test('image_size 0 (pre-3.17 kernel): text_offset is taken as 0x80000', () => {
  const h = parseArm64Image(buildImage({ textOffset: 0x1234, imageSize: 0, flags: 0 }), 'old');
  assert.equal(h.textOffset, 0x80000);
  assert.equal(h.rawTextOffset, 0x1234);
  assert.equal(h.pageSize, undefined);
});

test('big-endian and 64K flags', () => {
  const h = parseArm64Image(buildImage({ textOffset: 0, imageSize: 1, flags: 0b111 }), 'be');
  assert.equal(h.bigEndian, true);
  assert.equal(h.pageSize, 65536);
});

test('real guest Image from guests/bin', { skip: !existsSync('/work/main/guests/bin/isa-alu.img') }, () => {
  const bytes = new Uint8Array(readFileSync('/work/main/guests/bin/isa-alu.img'));
  assert.ok(isArm64Image(bytes));
  const h = parseArm64Image(bytes, 'isa-alu.img');
  assert.equal(h.textOffset, 0x80000);
  assert.ok(h.imageSize >= bytes.length);
});

test('bad magic', () => {
  const b = buildImage({ textOffset: 0, imageSize: 1, magic: 0x12345678 });
  assert.equal(isArm64Image(b), false);
  assert.throws(
    () => parseArm64Image(b, 'Image'),
    (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.message, 'Image@0x38: bad arm64 Image magic 0x12345678, expected 0x644d5241 ("ARM\\x64")');
      return true;
    },
  );
});

test('truncated header', () => {
  assert.throws(
    () => parseArm64Image(new Uint8Array(10), 'Image'),
    /^InputError: Image@0x0: truncated arm64 Image: 10 bytes, the header alone is 64$/,
  );
});

test('text_offset beyond 2^53', () => {
  const b = buildImage({ textOffset: 0, imageSize: 1 });
  new DataView(b.buffer).setBigUint64(8, 1n << 60n, true);
  assert.throws(() => parseArm64Image(b, 'Image'), /^InputError: Image@0x8: text_offset 0x1000000000000000 does not fit in 53 bits$/);
});
