/**
 * The Linux arm64 `Image` header (Documentation/arm64/booting.rst), also used
 * by Xen's arm64 binary and by our bare-metal `.bin` guests:
 *
 *   0x00 code0   u32   executable code (usually a branch)
 *   0x04 code1   u32
 *   0x08 text_offset  u64  load offset from a 2 MiB aligned base
 *   0x10 image_size   u64  effective image size incl. .bss; 0 before Linux 3.17
 *   0x18 flags   u64   bit 0: big-endian; bits 1-2: page size; bit 3: placement
 *   0x20 res2, 0x28 res3, 0x30 res4  u64
 *   0x38 magic   u32   0x644d5241 = "ARM\x64"
 *   0x3c res5    u32   (PE/COFF offset for EFI stubs)
 *
 * All fields are little-endian regardless of the kernel's endianness.
 */
import { InputError, hex } from '../../util/errors.js';

export const ARM64_IMAGE_MAGIC = 0x644d5241;
export const ARM64_IMAGE_MAGIC_OFFSET = 0x38;
export const ARM64_IMAGE_HEADER_SIZE = 64;
/** What text_offset is taken to be when image_size is 0 (pre-3.17 kernels) or there is no header. */
export const ARM64_DEFAULT_TEXT_OFFSET = 0x80000;

export interface Arm64ImageHeader {
  code0: number;
  code1: number;
  /** text_offset as to be used: the header value, or 0x80000 when image_size is 0. */
  textOffset: number;
  /** The raw header field, even when it is not to be trusted. */
  rawTextOffset: number;
  /** image_size from the header (0 for old kernels). */
  imageSize: number;
  flags: number;
  bigEndian: boolean;
  /** Kernel page size from flags bits 1-2, or undefined when unspecified. */
  pageSize: 4096 | 16384 | 65536 | undefined;
  /** flags bit 3: the image may be placed anywhere in RAM, not just near its start. */
  placeAnywhere: boolean;
}

/** Whether `bytes` carries the arm64 Image magic at 0x38. */
export function isArm64Image(bytes: Uint8Array): boolean {
  if (bytes.length < ARM64_IMAGE_HEADER_SIZE) return false;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(ARM64_IMAGE_MAGIC_OFFSET, true) === ARM64_IMAGE_MAGIC;
}

/** Parse the 64-byte header; `where` names the file in errors. */
export function parseArm64Image(bytes: Uint8Array, where: string): Arm64ImageHeader {
  if (bytes.length < ARM64_IMAGE_HEADER_SIZE) {
    throw new InputError(`${where}@0x0`, `truncated arm64 Image: ${bytes.length} bytes, the header alone is ${ARM64_IMAGE_HEADER_SIZE}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(ARM64_IMAGE_MAGIC_OFFSET, true);
  if (magic !== ARM64_IMAGE_MAGIC) {
    throw new InputError(
      `${where}@${hex(ARM64_IMAGE_MAGIC_OFFSET)}`,
      `bad arm64 Image magic ${hex(magic)}, expected ${hex(ARM64_IMAGE_MAGIC)} ("ARM\\x64")`,
    );
  }
  const u64 = (off: number, field: string): number => {
    const v = dv.getBigUint64(off, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(`${where}@${hex(off)}`, `${field} ${hex(v)} does not fit in 53 bits`);
    return Number(v);
  };
  const rawTextOffset = u64(8, 'text_offset');
  const imageSize = u64(16, 'image_size');
  const flags = u64(24, 'flags');
  const pageBits = Math.floor(flags / 2) % 4; // flags may exceed 32 bits: no bitwise ops
  return {
    code0: dv.getUint32(0, true),
    code1: dv.getUint32(4, true),
    // booting.rst: "Prior to v3.17, the endianness of text_offset was not
    // specified"; image_size == 0 marks such kernels, which expect 0x80000.
    textOffset: imageSize === 0 ? ARM64_DEFAULT_TEXT_OFFSET : rawTextOffset,
    rawTextOffset,
    imageSize,
    flags,
    bigEndian: flags % 2 === 1,
    pageSize: pageBits === 1 ? 4096 : pageBits === 2 ? 16384 : pageBits === 3 ? 65536 : undefined,
    placeAnywhere: Math.floor(flags / 8) % 2 === 1,
  };
}
