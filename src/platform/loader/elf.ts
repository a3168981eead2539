/**
 * ELF64 little-endian AArch64 executable loader (what `-kernel foo.elf` takes):
 * validates the headers, returns the PT_LOAD segments at their physical
 * addresses, and reads the symbol table for the disassembler and traces.
 *
 * Like QEMU's load_elf() (include/hw/elf_ops.h) we load at p_paddr, and when
 * the entry point lies in an executable segment whose p_vaddr differs from
 * p_paddr, we translate e_entry to the physical address — a bare-metal image
 * linked to run high but loaded low starts at the right place.
 *
 * Addresses are JS numbers (exact up to 2^53, more than the 48–52-bit PA
 * range); 64-bit fields are read as BigInt and rejected if they do not fit.
 */
import { InputError, hex } from '../../util/errors.js';

export const EM_AARCH64 = 183;
const ET_EXEC = 2;
const PT_LOAD = 1;
const PF_X = 1;
const SHT_SYMTAB = 2;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;

export interface ElfSegment {
  /** Physical load address (p_paddr). */
  paddr: number;
  vaddr: number;
  /** File bytes followed by zeros up to memsz (.bss). */
  data: Uint8Array;
  filesz: number;
  memsz: number;
  /** p_flags: PF_X=1, PF_W=2, PF_R=4. */
  flags: number;
}

export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'other';

export interface ElfSymbol {
  name: string;
  addr: number;
  size: number;
  type: ElfSymbolType;
}

export interface ElfImage {
  /** Entry point, translated to a physical address as QEMU does. */
  entry: number;
  /** PT_LOAD segments with memsz > 0, in file order. */
  segments: ElfSegment[];
  /** Lowest paddr loaded and first byte past the highest (QEMU's lowaddr/highaddr). */
  lowAddr: number;
  highAddr: number;
  /** Sum of memsz over the loaded segments (QEMU's returned kernel size). */
  totalSize: number;
  /** Symbols from .symtab (named, non-section/file ones), sorted by address; [] if stripped. */
  symbols(): ElfSymbol[];
}

/** Whether the bytes start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Parse and validate an AArch64 ELF64 executable. `where` names the file in errors. */
export function parseElf(bytes: Uint8Array, where: string): ElfImage {
  const at = (off: number): string => `${where}@${hex(off)}`;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const u64 = (o: number, field: string): number => {
    const v = dv.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(at(o), `${field} ${hex(v)} does not fit in 53 bits`);
    return Number(v);
  };

  if (!isElf(bytes)) throw new InputError(at(0), 'not an ELF file (bad magic)');
  if (bytes.length < EHDR_SIZE) throw new InputError(at(0), `truncated ELF header: ${bytes.length} bytes, need ${EHDR_SIZE}`);
  if (bytes[4] !== 2) throw new InputError(at(4), `ELF class ${bytes[4]} is not ELFCLASS64; only 64-bit AArch64 images are supported`);
  if (bytes[5] !== 1) throw new InputError(at(5), `ELF data encoding ${bytes[5]} is not little-endian (ELFDATA2LSB)`);
  if (bytes[6] !== 1) throw new InputError(at(6), `ELF ident version ${bytes[6]} is not EV_CURRENT`);
  const type = u16(16);
  if (type !== ET_EXEC)
    throw new InputError(at(16), `ELF type ${type} is not ET_EXEC (2); relocatable and shared objects cannot be loaded`);
  const machine = u16(18);
  if (machine !== EM_AARCH64) throw new InputError(at(18), `ELF machine ${machine} is not EM_AARCH64 (${EM_AARCH64})`);

  const rawEntry = u64(24, 'e_entry');
  const phoff = u64(32, 'e_phoff');
  const shoff = u64(40, 'e_shoff');
  const phentsize = u16(54);
  const phnum = u16(56);
  const shentsize = u16(58);
  const shnum = u16(60);

  if (phnum === 0) throw new InputError(at(56), 'ELF has no program headers, nothing to load');
  if (phentsize !== PHDR_SIZE) throw new InputError(at(54), `e_phentsize ${phentsize} is not ${PHDR_SIZE}`);
  if (phoff > bytes.length || phnum * PHDR_SIZE > bytes.length - phoff) {
    throw new InputError(
      at(32),
      `program header table [${hex(phoff)}, +${hex(phnum * PHDR_SIZE)}) is outside the ${hex(bytes.length)}-byte file`,
    );
  }

  const segments: ElfSegment[] = [];
  let entry = rawEntry;
  let lowAddr = Number.MAX_SAFE_INTEGER;
  let highAddr = 0;
  let totalSize = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * PHDR_SIZE;
    if (u32(ph) !== PT_LOAD) continue;
    const flags = u32(ph + 4);
    const offset = u64(ph + 8, 'p_offset');
    const vaddr = u64(ph + 16, 'p_vaddr');
    const paddr = u64(ph + 24, 'p_paddr');
    const filesz = u64(ph + 32, 'p_filesz');
    const memsz = u64(ph + 40, 'p_memsz');
    const seg = `segment ${i}`;
    if (filesz > memsz) throw new InputError(at(ph), `${seg}: p_filesz ${hex(filesz)} is larger than p_memsz ${hex(memsz)}`);
    if (offset > bytes.length || filesz > bytes.length - offset) {
      throw new InputError(at(ph), `${seg}: file range [${hex(offset)}, +${hex(filesz)}) is outside the ${hex(bytes.length)}-byte file`);
    }
    if (!Number.isSafeInteger(paddr + memsz)) throw new InputError(at(ph), `${seg}: [${hex(paddr)}, +${hex(memsz)}) overflows`);
    if (memsz === 0) continue;
    const data = new Uint8Array(memsz);
    data.set(bytes.subarray(offset, offset + filesz));
    segments.push({ paddr, vaddr, data, filesz, memsz, flags });
    lowAddr = Math.min(lowAddr, paddr);
    highAddr = Math.max(highAddr, paddr + memsz);
    totalSize += memsz;
    // The entry in the header is virtual; move it to the load address when this
    // executable segment is linked elsewhere (QEMU does the same).
    if (vaddr !== paddr && (flags & PF_X) !== 0 && rawEntry >= vaddr && rawEntry < vaddr + filesz) {
      entry = rawEntry - vaddr + paddr;
    }
  }
  if (segments.length === 0) throw new InputError(at(32), 'ELF has no non-empty PT_LOAD segment');

  let symCache: ElfSymbol[] | undefined;
  const symbols = (): ElfSymbol[] => {
    symCache ??= readSymbols(bytes, dv, shoff, shentsize, shnum, at);
    return symCache;
  };
  return { entry, segments, lowAddr, highAddr, totalSize, symbols };
}

const SYM_TYPES: ElfSymbolType[] = ['notype', 'object', 'func', 'section', 'file'];

function readSymbols(
  bytes: Uint8Array,
  dv: DataView,
  shoff: number,
  shentsize: number,
  shnum: number,
  at: (off: number) => string,
): ElfSymbol[] {
  if (shoff === 0 || shnum === 0) return [];
  if (shentsize !== SHDR_SIZE) throw new InputError(at(58), `e_shentsize ${shentsize} is not ${SHDR_SIZE}`);
  if (shoff > bytes.length || shnum * SHDR_SIZE > bytes.length - shoff) {
    throw new InputError(at(40), `section header table [${hex(shoff)}, +${hex(shnum * SHDR_SIZE)}) is outside the file`);
  }
  const num = (o: number): number => Number(dv.getBigUint64(o, true));
  // Only the sections we read are bounds-checked: .bss (SHT_NOBITS) legitimately
  // has an offset and size that point past the end of the file.
  const section = (i: number, check: boolean): { type: number; offset: number; size: number; link: number; hdr: number } => {
    const sh = shoff + i * SHDR_SIZE;
    const offset = num(sh + 24);
    const size = num(sh + 32);
    if (check && (offset > bytes.length || size > bytes.length - offset)) {
      throw new InputError(at(sh), `section ${i}: [${hex(offset)}, +${hex(size)}) is outside the file`);
    }
    return { type: dv.getUint32(sh + 4, true), offset, size, link: dv.getUint32(sh + 40, true), hdr: sh };
  };
  const out: ElfSymbol[] = [];
  for (let i = 0; i < shnum; i++) {
    if (section(i, false).type !== SHT_SYMTAB) continue;
    const symtab = section(i, true);
    if (symtab.link >= shnum) throw new InputError(at(symtab.hdr), `symbol table's string table index ${symtab.link} is out of range`);
    const strtab = section(symtab.link, true);
    for (let o = symtab.offset; o + SYM_SIZE <= symtab.offset + symtab.size; o += SYM_SIZE) {
      const nameOff = dv.getUint32(o, true);
      const info = bytes[o + 4]!;
      const type = SYM_TYPES[info & 0xf] ?? 'other';
      if (nameOff === 0 || type === 'section' || type === 'file') continue;
      if (nameOff >= strtab.size) throw new InputError(at(o), `symbol name offset ${hex(nameOff)} is outside the string table`);
      const start = strtab.offset + nameOff;
      const end = bytes.indexOf(0, start);
      if (end < 0 || end >= strtab.offset + strtab.size) throw new InputError(at(o), 'symbol name is not NUL-terminated');
      const addr = dv.getBigUint64(o + 8, true);
      const size = dv.getBigUint64(o + 16, true);
      if (addr > BigInt(Number.MAX_SAFE_INTEGER) || size > BigInt(Number.MAX_SAFE_INTEGER)) continue; // absolute junk symbols
      out.push({ name: new TextDecoder().decode(bytes.subarray(start, end)), addr: Number(addr), size: Number(size), type });
    }
  }
  return out.sort((a, b) => a.addr - b.addr || a.name.localeCompare(b.name));
}

/**
 * The symbol containing `addr` (or the nearest one below it), for "func+0x14"
 * in traces. `symbols` must be sorted by address, as ElfImage.symbols() is.
 */
export function symbolize(symbols: readonly ElfSymbol[], addr: number): { symbol: ElfSymbol; offset: number } | undefined {
  let lo = 0;
  let hi = symbols.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid]!.addr <= addr) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return undefined;
  const symbol = symbols[best]!;
  if (symbol.size !== 0 && addr >= symbol.addr + symbol.size) return undefined;
  return { symbol, offset: addr - symbol.addr };
}
