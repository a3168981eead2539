// `armvisor disasm`: disassemble an image with the same instruction tables the machine
// executes (DESIGN.md §4), in objdump -d's layout so the two can be diffed.
//
// ELF: every executable segment, at its load address, with symbol labels and `<sym+off>`
// after branch targets. Linux Image / raw binary: the bytes at the address QEMU would load
// them (RAM base + text_offset, see loader/place.ts). --addr starts elsewhere inside the
// image; --count limits the number of words.
import { decoder } from '../arch/a64/decode.js';
import { isElf, parseElf, type ElfSymbol } from '../platform/loader/elf.js';
import { planBoot } from '../platform/loader/place.js';
import { VIRT_MEMMAP } from '../platform/boards/virtDt.js';
import { InputError } from '../util/errors.js';
import { parseAddr, parseCount, readInput } from './run.js';

export interface DisasmOptions {
  addr?: string;
  count?: string;
}

/** One instruction's text (objdump style: mnemonic TAB operands), `.inst` if unallocated. */
export function disasmWord(word: number, pc: number): string {
  const d = decoder.decode(word >>> 0);
  if (!d) return `.inst\t0x${(word >>> 0).toString(16).padStart(8, '0')}`;
  return d.insn.def.disasm(d.f, pc, word >>> 0);
}

/** A 64-bit address as 16 hex digits (signed-canonical numbers print as their 64-bit value). */
export function hex16(a: number): string {
  return BigInt.asUintN(64, BigInt(a)).toString(16).padStart(16, '0');
}

interface Chunk {
  addr: number;
  bytes: Uint8Array;
}

export function disasmCommand(image: string, o: DisasmOptions): string {
  const data = readInput(image, 'disasm');
  let chunks: Chunk[];
  let symbols: ElfSymbol[] = [];
  if (isElf(data)) {
    const elf = parseElf(data, image);
    // Executable segments at their link (virtual) addresses, as objdump shows them.
    chunks = elf.segments.filter((s) => s.flags & 1).map((s) => ({ addr: s.vaddr, bytes: s.data.subarray(0, s.filesz) }));
    symbols = elf.symbols();
    if (chunks.length === 0) throw new InputError(image, 'no executable segment to disassemble');
  } else {
    const plan = planBoot({ ramBase: VIRT_MEMMAP.mem.base, ramSize: 1 << 30, kernel: data, kernelName: image });
    const k = plan.loads.find((l) => l.what === 'kernel')!;
    chunks = [{ addr: k.addr, bytes: k.data }];
  }

  let start = chunks[0].addr;
  if (o.addr !== undefined) {
    start = parseAddr(o.addr, '--addr');
    if (!chunks.some((c) => start >= c.addr && start < c.addr + c.bytes.length)) {
      const ranges = chunks.map((c) => `0x${c.addr.toString(16)}-0x${(c.addr + c.bytes.length).toString(16)}`).join(', ');
      throw new InputError('--addr', `0x${start.toString(16)} is not in the image's code (${ranges})`);
    }
    if (start % 4 !== 0) throw new InputError('--addr', `0x${start.toString(16)} is not 4-byte aligned`);
  }
  let left = o.count !== undefined ? parseCount(o.count, '--count') : Infinity;

  // ELF mapping symbols ($x code, $d data: AAELF64 §5.5.5) decide between instructions and
  // .word; the others label addresses and name branch targets.
  const mapping = symbols.filter((s) => /^\$[xd](\.|$)/.test(s.name)).sort((a, b) => a.addr - b.addr);
  const named = symbols.filter((s) => !s.name.startsWith('$')).sort((a, b) => a.addr - b.addr || (a.name < b.name ? -1 : 1));
  const labelAt = new Map<number, string>();
  for (const s of named) if (!labelAt.has(s.addr)) labelAt.set(s.addr, s.name);
  const symText = (a: number): string => {
    let lo = 0;
    let hi = named.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (named[mid].addr <= a) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return '';
    // objdump names the first symbol (by name) at the nearest address below.
    const at = named[best].addr;
    const name = labelAt.get(at)!;
    return a === at ? ` <${name}>` : ` <${name}+0x${(a - at).toString(16)}>`;
  };
  let mi = 0;
  let isData = false;

  const lines: string[] = [];
  for (const c of chunks) {
    if (left <= 0) break;
    const end = c.addr + c.bytes.length;
    if (end <= start) continue;
    const dv = new DataView(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength);
    for (let a = Math.max(start, c.addr); a + 4 <= end && left > 0; a += 4, left--) {
      while (mi < mapping.length && mapping[mi].addr <= a) isData = mapping[mi++].name.startsWith('$d');
      const label = labelAt.get(a);
      if (label !== undefined) lines.push('', `${hex16(a)} <${label}>:`);
      const word = dv.getUint32(a - c.addr, true);
      let text: string;
      if (isData) {
        text = `.word\t0x${word.toString(16).padStart(8, '0')}`;
      } else {
        text = disasmWord(word, a);
        // objdump names the symbol after a PC-relative target (a bare hex last operand).
        const m = /(?:\t|, )([0-9a-f]+)$/.exec(text);
        if (m && named.length) text += symText(parseInt(m[1], 16));
      }
      lines.push(`${a.toString(16).padStart(12, ' ')}:\t${word.toString(16).padStart(8, '0')} \t${text}`);
    }
  }
  return lines.join('\n') + '\n';
}
