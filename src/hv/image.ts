// The hypervisor image: what a boot loader places in RAM and the PE fetches from. It is
// "linked" here, deterministically, at XEN_VIRT_START: sections, symbols, an arm64 Image
// header (so loaders treat it as Xen's arm64 binary), the static boot page tables in .data.
//
// The hypervisor's code is TypeScript; its instructions in the image are the native-call words
// (arch/native.ts) at the entry points — the image entry and the 16 VBAR_EL2 vector slots,
// plus the idle loop — and UDF #0 everywhere else. Every routine still has an address (a
// symbol), which is what the PE's notional PC points at while that routine runs, so placement
// matters as on hardware: .text.idmap is the single page identity-mapped for the MMU switch,
// .init.* is unmapped by freeInitMemory, and a fetch from a page that is not mapped executable
// is an Instruction Abort.
import { nativeCallWord } from '../arch/native.js';
import { ARM64_IMAGE_MAGIC, ARM64_IMAGE_MAGIC_OFFSET } from '../platform/loader/image.js';
import { PAGE_SIZE, type XenLayout } from './mm/mmu/layout.js';

/** Native-call indices the image uses. */
export const NATIVE = {
  entry: 0,
  idle: 1,
  /** The boot CPU's wait for secondaries (a spin loop in .init.text). */
  cpuUpWait: 2,
  /** Secondary CPUs' entry (PSCI CPU_ON target), in .text.idmap. */
  secondary: 3,
  /** Vector slot n (0..15) of hyp_traps_vector is native call vectorBase + n. */
  vectorBase: 0x10,
} as const;

export type SectionName = '.text.idmap' | '.text' | '.rodata' | '.data' | '.init.text' | '.init.data' | '.bss';

export interface Section {
  name: SectionName;
  /** Offset from _start, and size in bytes (page multiples). */
  offset: number;
  size: number;
  /** Executable / writable at run time (after the boot tables are replaced). */
  exec: boolean;
  write: boolean;
}

export interface XenSymbol {
  name: string;
  offset: number;
  size: number;
  section: SectionName;
}

/** Static page-table pages in .data: the boot hierarchy, the runtime hierarchy, the fixmap. */
export const BOOT_PT_PAGES = 8;
export const XEN_PT_PAGES = 8;
export const BSS_PAGES = 4;

export const XEN_VERSION = 'armvisor-4.19 (seed 002/003 start of day)';

const TEXT_FUNCS = [
  'xenPtUpdate',
  'xenPtUpdateEntry',
  'xenPtNextLevel',
  'xenMapTable',
  'createXenTable',
  'flushXenTlbRangeVa',
  'mapPagesToXen',
  'destroyXenMappings',
  'modifyXenMappings',
  'setFixmap',
  'clearFixmap',
  'pmapMap',
  'pmapUnmap',
  'mapDomainPage',
  'unmapDomainPage',
  'vmap',
  'vunmap',
  'ioremapAttr',
  'copyFromPaddr',
  'allocXenPage',
  'consoleWrite',
  'printk',
  'panic',
  'switchTtbr',
  'doTrapHypSync',
  'doBadMode',
  'showExecutionState',
  'freeInitMemory',
  'initDone',
  'idleLoop',
  'startSecondary',
  'gicv3CpuInit',
  'setupRuntimeMpu',
  // Domains (src/hv/domain, p2m, vdev): .text, as they run after boot.
  'p2mInit',
  'p2mSetEntry',
  'constructDomain',
  'allocateMemory',
  'kernelLoad',
  'prepareDtbDomU',
  'createDomUs',
  'schedule',
  'ctxtSwitch',
  'p2mLoad',
  'leaveHypervisorToGuest',
  'enterHypervisorFromGuest',
  'doTrapGuestSync',
  'doTrapStage2AbortGuest',
  'handleMmio',
  'doTrapHypercall',
  'doVpsciCall',
  'vpl011Mmio',
  'injectUndefException',
  'domainShutdown',
  'domainCrash',
  'copyFromGuest',
  'gicEnablePpi',
  'gicInterrupt',
  'vgicMmio',
  'vgicSyncFromLrs',
  'vgicFlushLrs',
  'vtimerInterrupt',
];

const INIT_FUNCS = [
  'cpuInit',
  'createPageTables',
  'primarySwitched',
  'zeroBss',
  'startXen',
  'layoutSelfCheck',
  'setupPagetables',
  'earlyFdtMap',
  'bootFdtInfo',
  'hasXsmMagic',
  'earlyMemoryBanks',
  'setupMm',
  'initBootAllocator',
  'allocBootPages',
  'setupDirectmapMappings',
  'endBootAllocator',
  'vmInit',
  'consoleInitPreirq',
  'smpUp',
  'cpuUpWait',
  'gicInit',
  'gicv3DistInit',
  'prepareEarlyMappings',
  'enableMpu',
];

const FUNC_SIZE = 0x40;

/**
 * How the image is linked: for the MMU at XEN_VIRT_START of a virtual layout, or for the MPU
 * at its load address (no virtual addressing: Xen's MPU linker address is the PA, asm/mpu/
 * layout.h XEN_VIRT_START = XEN_START_ADDRESS; seed 000 "Xen's run-time addresses are the
 * same as the link time addresses").
 */
export type XenLink = XenLayout | { mpu: true; linkAddr: number };

export interface XenImage {
  /** The virtual layout (MMU images); null for an MPU image. */
  layout: XenLayout | null;
  /** Link address of _start (XEN_VIRT_START; on the MPU the load PA). */
  linkAddr: number;
  /** File contents (everything but .bss). */
  bytes: Uint8Array;
  /** _end - _start, including .bss (the header's image_size). */
  size: number;
  sections: Section[];
  symbols: Map<string, XenSymbol>;
  /** VA of a symbol (throws for an unknown name: a hypervisor bug). */
  sym(name: string): number;
  section(name: SectionName): Section;
  /** "name+0xoff/0xsize" for a VA inside the image, or null. */
  symbolize(va: number): string | null;
}

/** Link the image for `link` (a virtual layout, or an MPU load address). */
export function buildXenImage(link: XenLink): XenImage {
  const layout = 'mpu' in link ? null : link;
  const mpuLink = 'mpu' in link ? link.linkAddr : null;
  if (mpuLink !== null && (mpuLink % PAGE_SIZE !== 0 || mpuLink < 0)) {
    throw new Error(`MPU image link address 0x${mpuLink.toString(16)} is not page aligned`);
  }
  const symbols = new Map<string, XenSymbol>();
  const sections: Section[] = [];
  let off = 0;
  const section = (name: SectionName, pages: number, exec: boolean, write: boolean): Section => {
    const s = { name, offset: off, size: pages * PAGE_SIZE, exec, write };
    sections.push(s);
    off += s.size;
    return s;
  };
  const add = (name: string, section: SectionName, offset: number, size: number): void => {
    symbols.set(name, { name, offset, size, section });
  };

  // .text.idmap: the header, the MMU-switch routines and the vectors (one page, asserted).
  const idmap = section('.text.idmap', 1, true, false);
  add('_start', '.text.idmap', 0, 0x40);
  add('enableMmu', '.text.idmap', 0x40, 0x40);
  add('switchTtbrId', '.text.idmap', 0x80, 0x40);
  add('initSecondary', '.text.idmap', 0xc0, 0x40);
  add('hypTrapsVector', '.text.idmap', 0x800, 0x800);
  const text = section('.text', Math.ceil((TEXT_FUNCS.length * FUNC_SIZE) / PAGE_SIZE), true, false);
  TEXT_FUNCS.forEach((f, i) => add(f, '.text', text.offset + i * FUNC_SIZE, FUNC_SIZE));
  const rodata = section('.rodata', 1, false, false);
  add('xenBanner', '.rodata', rodata.offset, 0x100);
  const data = section('.data', BOOT_PT_PAGES + XEN_PT_PAGES + 1, false, true);
  add('bootPgtablePool', '.data', data.offset, BOOT_PT_PAGES * PAGE_SIZE);
  add('xenPgtablePool', '.data', data.offset + BOOT_PT_PAGES * PAGE_SIZE, XEN_PT_PAGES * PAGE_SIZE);
  add('xenFixmap', '.data', data.offset + (BOOT_PT_PAGES + XEN_PT_PAGES) * PAGE_SIZE, PAGE_SIZE);
  const initText = section('.init.text', Math.ceil((INIT_FUNCS.length * FUNC_SIZE) / PAGE_SIZE), true, false);
  INIT_FUNCS.forEach((f, i) => add(f, '.init.text', initText.offset + i * FUNC_SIZE, FUNC_SIZE));
  const initData = section('.init.data', 1, false, true);
  add('pmapInuse', '.init.data', initData.offset, 8);
  const fileSize = off;
  const bss = section('.bss', BSS_PAGES, false, true);
  add('cpu0BootStack', '.bss', bss.offset, bss.size);
  const size = off;

  const bytes = new Uint8Array(fileSize);
  const dv = new DataView(bytes.buffer);
  // arm64 Image header (loader/image.ts): code0 is the entry, text_offset 0, image_size incl.
  // .bss, flags = LE | 4K pages (1 << 1) | placement anywhere (1 << 3).
  dv.setUint32(0, nativeCallWord(NATIVE.entry), true);
  dv.setBigUint64(8, 0n, true);
  dv.setBigUint64(16, BigInt(size), true);
  dv.setBigUint64(24, 0b1010n, true);
  dv.setUint32(ARM64_IMAGE_MAGIC_OFFSET, ARM64_IMAGE_MAGIC, true);
  // Vectors: 16 slots of 0x80 bytes, each starting with its native call.
  const vec = symbols.get('hypTrapsVector')!.offset;
  for (let n = 0; n < 16; n++) dv.setUint32(vec + n * 0x80, nativeCallWord(NATIVE.vectorBase + n), true);
  dv.setUint32(symbols.get('idleLoop')!.offset, nativeCallWord(NATIVE.idle), true);
  dv.setUint32(symbols.get('cpuUpWait')!.offset, nativeCallWord(NATIVE.cpuUpWait), true);
  dv.setUint32(symbols.get('initSecondary')!.offset, nativeCallWord(NATIVE.secondary), true);
  new TextEncoder().encodeInto(`Xen version ${XEN_VERSION}\0`, bytes.subarray(rodata.offset));
  void idmap;

  const linkAddr = mpuLink ?? layout!.xenVirtStart;
  const image: XenImage = {
    layout,
    linkAddr,
    bytes,
    size,
    sections,
    symbols,
    sym(name) {
      const s = symbols.get(name);
      if (!s) throw new Error(`no symbol ${name} in the hypervisor image`);
      return linkAddr + s.offset;
    },
    section(name) {
      return sections.find((s) => s.name === name)!;
    },
    symbolize(va) {
      const o = va - linkAddr;
      if (o < 0 || o >= size) return null;
      let best: XenSymbol | null = null;
      for (const s of symbols.values()) if (s.offset <= o && o < s.offset + s.size && (!best || s.offset > best.offset)) best = s;
      if (!best) return null;
      return `${best.name}+0x${(o - best.offset).toString(16)}/0x${best.size.toString(16)}`;
    },
  };
  return image;
}
