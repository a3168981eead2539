import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { isElf, parseElf, symbolize } from '../../src/platform/loader/elf.js';
import { InputError } from '../../src/util/errors.js';
import { buildElf } from './elfBuilder.js';

function inputError(message: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.message, message);
    return true;
  };
}

const code = Uint8Array.from([0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14]); // nop; b .

test('segments, zero fill, low/high, entry, symbols', () => {
  const elf = parseElf(
    buildElf({
      entry: 0x4008_0004,
      segments: [
        { paddr: 0x4008_0000, data: code },
        { paddr: 0x4009_0000, data: Uint8Array.from([1, 2]), memsz: 0x100, flags: 6 },
      ],
      symbols: [
        { name: '_start', addr: 0x4008_0000, size: 8 },
        { name: 'buf', addr: 0x4009_0000, size: 0x100, type: 1 },
      ],
    }),
    'k.elf',
  );
  assert.equal(elf.entry, 0x4008_0004);
  assert.equal(elf.segments.length, 2);
  assert.deepEqual([...elf.segments[0]!.data], [...code]);
  const bss = elf.segments[1]!;
  assert.equal(bss.data.length, 0x100);
  assert.equal(bss.filesz, 2);
  assert.deepEqual([...bss.data.subarray(0, 4)], [1, 2, 0, 0]);
  assert.equal(elf.lowAddr, 0x4008_0000);
  assert.equal(elf.highAddr, 0x4009_0100);
  assert.equal(elf.totalSize, 8 + 0x100);
  assert.deepEqual(elf.symbols(), [
    { name: '_start', addr: 0x4008_0000, size: 8, type: 'func' },
    { name: 'buf', addr: 0x4009_0000, size: 0x100, type: 'object' },
  ]);
  assert.deepEqual(symbolize(elf.symbols(), 0x4008_0004), { symbol: elf.symbols()[0], offset: 4 });
  assert.equal(symbolize(elf.symbols(), 0x4008_0010), undefined);
});

test('entry in a segment linked high is moved to the physical address (QEMU load_elf)', () => {
  const elf = parseElf(buildElf({ entry: 0x8000_0004, segments: [{ paddr: 0x4008_0000, vaddr: 0x8000_0000, data: code }] }), 'k.elf');
  assert.equal(elf.entry, 0x4008_0004);
});

test('real guest ELF from guests/bin', { skip: !existsSync('/work/main/guests/bin/isa-alu.elf') }, () => {
  const bytes = new Uint8Array(readFileSync('/work/main/guests/bin/isa-alu.elf'));
  const elf = parseElf(bytes, 'isa-alu.elf');
  assert.equal(elf.lowAddr, 0x4008_0000);
  const text = execFileSync('aarch64-linux-gnu-readelf', ['-h', '/work/main/guests/bin/isa-alu.elf']).toString();
  assert.equal(elf.entry, parseInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(text)![1]!, 16));
  assert.ok(elf.symbols().length > 0);
});

test('not ELF', () => {
  assert.equal(isElf(Uint8Array.from([1, 2, 3, 4])), false);
  assert.throws(() => parseElf(new Uint8Array(64), 'k.elf'), inputError('k.elf@0x0: not an ELF file (bad magic)'));
});

test('wrong machine', () => {
  assert.throws(
    () => parseElf(buildElf({ entry: 0, machine: 62, segments: [{ paddr: 0x4008_0000, data: code }] }), 'x86.elf'),
    inputError('x86.elf@0x12: ELF machine 62 is not EM_AARCH64 (183)'),
  );
});

test('not an executable', () => {
  assert.throws(
    () => parseElf(buildElf({ entry: 0, type: 1, segments: [{ paddr: 0x4008_0000, data: code }] }), 'k.o'),
    inputError('k.o@0x10: ELF type 1 is not ET_EXEC (2); relocatable and shared objects cannot be loaded'),
  );
});

test('32-bit ELF', () => {
  const b = buildElf({ entry: 0, segments: [{ paddr: 0x4008_0000, data: code }] });
  b[4] = 1;
  assert.throws(
    () => parseElf(b, 'k.elf'),
    inputError('k.elf@0x4: ELF class 1 is not ELFCLASS64; only 64-bit AArch64 images are supported'),
  );
});

test('big-endian ELF', () => {
  const b = buildElf({ entry: 0, segments: [{ paddr: 0x4008_0000, data: code }] });
  b[5] = 2;
  assert.throws(() => parseElf(b, 'k.elf'), inputError('k.elf@0x5: ELF data encoding 2 is not little-endian (ELFDATA2LSB)'));
});

test('program headers out of bounds', () => {
  const b = buildElf({ entry: 0, segments: [{ paddr: 0x4008_0000, data: code }] });
  new DataView(b.buffer).setUint16(56, 50, true); // e_phnum = 50
  assert.throws(
    () => parseElf(b, 'k.elf'),
    inputError(`k.elf@0x20: program header table [0x40, +0xaf0) is outside the 0x${b.length.toString(16)}-byte file`),
  );
});

test('segment data out of bounds', () => {
  const b = buildElf({ entry: 0, segments: [{ paddr: 0x4008_0000, data: code }] });
  new DataView(b.buffer).setBigUint64(64 + 32, 0x1000n, true); // p_filesz
  new DataView(b.buffer).setBigUint64(64 + 40, 0x1000n, true); // p_memsz
  assert.throws(
    () => parseElf(b, 'k.elf'),
    inputError(`k.elf@0x40: segment 0: file range [0x78, +0x1000) is outside the 0x${b.length.toString(16)}-byte file`),
  );
});

test('filesz larger than memsz', () => {
  const b = buildElf({ entry: 0, segments: [{ paddr: 0x4008_0000, data: code, memsz: 4 }] });
  assert.throws(() => parseElf(b, 'k.elf'), inputError('k.elf@0x40: segment 0: p_filesz 0x8 is larger than p_memsz 0x4'));
});

test('truncated header', () => {
  const b = buildElf({ entry: 0, segments: [{ paddr: 0x4008_0000, data: code }] }).subarray(0, 40);
  assert.throws(() => parseElf(b, 'k.elf'), inputError('k.elf@0x0: truncated ELF header: 40 bytes, need 64'));
});
