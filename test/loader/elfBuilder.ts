/**
 * Builds small ELF64 AArch64 executables in memory for the loader tests:
 * an ELF header, one program header per segment, the segment bytes, and
 * optionally .symtab/.strtab section headers.
 */
export interface TestSegment {
  paddr: number;
  vaddr?: number;
  data: Uint8Array;
  memsz?: number;
  flags?: number;
}

export interface TestElf {
  entry: number;
  segments: TestSegment[];
  symbols?: { name: string; addr: number; size: number; type?: number }[];
  machine?: number;
  type?: number;
}

export function buildElf(spec: TestElf): Uint8Array {
  const phoff = 64;
  let off = phoff + spec.segments.length * 56;
  const segOffsets = spec.segments.map((s) => {
    const o = off;
    off += s.data.length;
    return o;
  });
  // Symbol table: null symbol first, then the named ones.
  const syms = spec.symbols ?? [];
  const strtab: number[] = [0];
  const nameOffs = syms.map((s) => {
    const o = strtab.length;
    strtab.push(...new TextEncoder().encode(s.name), 0);
    return o;
  });
  const symtabOff = off;
  const symtabSize = syms.length ? (syms.length + 1) * 24 : 0;
  off += symtabSize;
  const strtabOff = off;
  off += syms.length ? strtab.length : 0;
  off = (off + 7) & ~7;
  const shoff = syms.length ? off : 0;
  const shnum = syms.length ? 3 : 0; // null, .symtab, .strtab
  const total = off + shnum * 64;

  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  dv.setUint16(16, spec.type ?? 2, true);
  dv.setUint16(18, spec.machine ?? 183, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(spec.entry), true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, spec.segments.length, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, shnum, true);
  spec.segments.forEach((s, i) => {
    const ph = phoff + i * 56;
    dv.setUint32(ph, 1, true); // PT_LOAD
    dv.setUint32(ph + 4, s.flags ?? 5, true); // R+X
    dv.setBigUint64(ph + 8, BigInt(segOffsets[i]!), true);
    dv.setBigUint64(ph + 16, BigInt(s.vaddr ?? s.paddr), true);
    dv.setBigUint64(ph + 24, BigInt(s.paddr), true);
    dv.setBigUint64(ph + 32, BigInt(s.data.length), true);
    dv.setBigUint64(ph + 40, BigInt(s.memsz ?? s.data.length), true);
    b.set(s.data, segOffsets[i]!);
  });
  if (syms.length) {
    syms.forEach((s, i) => {
      const o = symtabOff + (i + 1) * 24;
      dv.setUint32(o, nameOffs[i]!, true);
      b[o + 4] = (1 << 4) | (s.type ?? 2); // GLOBAL, FUNC by default
      dv.setUint16(o + 6, 1, true);
      dv.setBigUint64(o + 8, BigInt(s.addr), true);
      dv.setBigUint64(o + 16, BigInt(s.size), true);
    });
    b.set(strtab, strtabOff);
    const sh = (i: number, type: number, offset: number, size: number, link: number): void => {
      const o = shoff + i * 64;
      dv.setUint32(o + 4, type, true);
      dv.setBigUint64(o + 24, BigInt(offset), true);
      dv.setBigUint64(o + 32, BigInt(size), true);
      dv.setUint32(o + 40, link, true);
    };
    sh(1, 2, symtabOff, symtabSize, 2);
    sh(2, 3, strtabOff, strtab.length, 0);
  }
  return b;
}

/** A minimal arm64 Image: header + `size` bytes total. */
export function buildImage(opts: { textOffset: number; imageSize: number; size?: number; flags?: number; magic?: number }): Uint8Array {
  const b = new Uint8Array(Math.max(opts.size ?? 4096, 64));
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x14000010, true); // b #0x40
  dv.setBigUint64(8, BigInt(opts.textOffset), true);
  dv.setBigUint64(16, BigInt(opts.imageSize), true);
  dv.setBigUint64(24, BigInt(opts.flags ?? 0xa), true);
  dv.setUint32(0x38, opts.magic ?? 0x644d5241, true);
  return b;
}
