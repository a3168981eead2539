// The arm64 virtual memory layout of the hypervisor (seed 002; xen-facts §1.1), its start-of-
// day self-checks (Xen's build_assertions) and the identity-map decision.
//
// Seed 002's layout keeps L0 slot 0 — the first 512 GB of VA — free, so that a 1:1 mapping of
// the code that switches page tables cannot clash with the hypervisor's own regions as long as
// RAM is below 512 GB; everything else lives in L0 slot 1 (Xen at 512 GB + 2 MB) and the
// directmap in slots 256..265. Upstream Xen has since widened the free area to 10 TB
// (IDENTITY_MAPPING_AREA_NR_L0 = 20, Xen's slot at SLOT0(20)); makeLayout('upstream') gives
// that variant. Neither closes the question the seed leaves open — what if the image is loaded
// where VA == PA lands inside a hypervisor region (board seattle, RAM at 512 GB)?
// decideIdentityMap answers it: a pure function of the image's PA range and the RAM banks.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const KB = 1024;
export const MB = 1024 * KB;
export const GB = 1024 * MB;
export const TB = 1024 * GB;
/** One L0 entry maps 512 GB (4 KB granule). */
export const SLOT0_ENTRY_BITS = 39;
export const SLOT0_ENTRY_SIZE = 2 ** SLOT0_ENTRY_BITS;
export const slot0 = (n: number): number => n * SLOT0_ENTRY_SIZE;
/** VA bits of the EL2 regime (TCR_EL2.T0SZ = 16). */
export const VA_BITS = 48;

/** Fixmap slots (asm/fixmap.h): console, misc (copyFromPaddr), ACPI, then the PMAP slots. */
export const FIX_CONSOLE = 0;
export const FIX_MISC = 1;
export const FIX_ACPI_BEGIN = 2;
export const NUM_FIXMAP_ACPI_PAGES = 64;
export const FIX_ACPI_END = FIX_ACPI_BEGIN + NUM_FIXMAP_ACPI_PAGES - 1;
export const NUM_FIX_PMAP = 8;
export const FIX_PMAP_BEGIN = FIX_ACPI_END + 1;
export const FIX_PMAP_END = FIX_PMAP_BEGIN + NUM_FIX_PMAP - 1;
export const FIX_LAST = FIX_PMAP_END;

export interface Region {
  name: string;
  start: number;
  size: number;
}

export interface XenLayout {
  variant: 'seed' | 'upstream';
  /** L0 slots [0, identityAreaSlots) are kept free for the identity map. */
  identityAreaSlots: number;
  xenVirtStart: number;
  xenVirtSize: number;
  fixmapStart: number;
  fixmapSize: number;
  bootFdtStart: number;
  bootFdtSize: number;
  bootRelocStart: number;
  bootRelocSize: number;
  vmapStart: number;
  vmapSize: number;
  frametableStart: number;
  frametableSize: number;
  directmapStart: number;
  directmapSize: number;
  /** Every static region, in address order. */
  regions: Region[];
}

/** The layout: 'seed' (Xen's slot at SLOT0(1), as seed 002) or 'upstream' (SLOT0(20)). */
export function makeLayout(variant: 'seed' | 'upstream' = 'seed'): XenLayout {
  const idSlots = variant === 'seed' ? 1 : 20;
  const base = slot0(idSlots);
  const xenVirtStart = base + 2 * MB;
  const xenVirtSize = 8 * MB;
  const fixmapStart = xenVirtStart + xenVirtSize;
  const fixmapSize = 2 * MB;
  const bootFdtStart = fixmapStart + fixmapSize;
  const bootFdtSize = 4 * MB;
  const bootRelocStart = bootFdtStart + bootFdtSize;
  const bootRelocSize = 2 * MB;
  const vmapStart = base + GB;
  const vmapSize = GB;
  const frametableStart = base + 32 * GB;
  const frametableSize = 32 * GB;
  const directmapStart = slot0(256);
  const directmapSize = SLOT0_ENTRY_SIZE * (266 - 256);
  const regions: Region[] = [
    { name: 'Xen image', start: xenVirtStart, size: xenVirtSize },
    { name: 'Fixmap', start: fixmapStart, size: fixmapSize },
    { name: 'Boot FDT', start: bootFdtStart, size: bootFdtSize },
    { name: 'Boot reloc/livepatch', start: bootRelocStart, size: bootRelocSize },
    { name: 'VMAP', start: vmapStart, size: vmapSize },
    { name: 'Frametable', start: frametableStart, size: frametableSize },
    { name: 'Directmap', start: directmapStart, size: directmapSize },
  ];
  return {
    variant,
    identityAreaSlots: idSlots,
    xenVirtStart,
    xenVirtSize,
    fixmapStart,
    fixmapSize,
    bootFdtStart,
    bootFdtSize,
    bootRelocStart,
    bootRelocSize,
    vmapStart,
    vmapSize,
    frametableStart,
    frametableSize,
    directmapStart,
    directmapSize,
    regions,
  };
}

export const fixmapAddr = (l: XenLayout, slot: number): number => l.fixmapStart + slot * PAGE_SIZE;
export const fixaddrTop = (l: XenLayout): number => fixmapAddr(l, FIX_LAST + 1);

/** Table index of `va` at `level` (0..3). */
export function tableOffset(va: number, level: number): number {
  return Math.floor(va / 2 ** (12 + 9 * (3 - level))) % 512;
}

/**
 * Xen's build_assertions (mmu/setup.c, xen.lds.S) as start-of-day self-checks: returns the
 * failed checks (empty when the layout is sound). `imageSize` is the linked image size.
 */
export function layoutSelfChecks(l: XenLayout, imageSize: number): string[] {
  const bad: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) bad.push(what);
  };
  check(l.xenVirtStart % (2 * MB) === 0, 'XEN_VIRT_START is 2MB aligned');
  check(fixmapAddr(l, 0) % (2 * MB) === 0, 'FIXMAP_ADDR(0) is 2MB aligned');
  check(l.bootRelocStart % (2 * MB) === 0, 'BOOT_RELOC_VIRT_START is 2MB aligned');
  check(l.bootFdtStart % (2 * MB) === 0, 'BOOT_FDT_VIRT_START is 2MB aligned');
  check(l.directmapStart % GB === 0, 'DIRECTMAP_VIRT_START is 1GB aligned');
  for (const [n, va] of [
    ['XEN_VIRT_START', l.xenVirtStart],
    ['VMAP_VIRT_START', l.vmapStart],
    ['FRAMETABLE_VIRT_START', l.frametableStart],
    ['DIRECTMAP_VIRT_START', l.directmapStart],
  ] as const) {
    check(tableOffset(va, 0) >= l.identityAreaSlots, `zeroeth_table_offset(${n}) >= IDENTITY_MAPPING_AREA_NR_L0`);
  }
  check(tableOffset(l.xenVirtStart, 1) === 0, 'first_table_offset(XEN_VIRT_START) == 0');
  for (const [n, va] of [
    ['FIXMAP_ADDR(0)', fixmapAddr(l, 0)],
    ['BOOT_FDT_VIRT_START', l.bootFdtStart],
  ] as const) {
    check(
      tableOffset(va, 0) === tableOffset(l.xenVirtStart, 0) && tableOffset(va, 1) === tableOffset(l.xenVirtStart, 1),
      `${n} shares XEN_VIRT_START's L0 and L1 slots`,
    );
  }
  check(fixaddrTop(l) < l.bootFdtStart, 'FIXADDR_TOP < BOOT_FDT_VIRT_START (guard page)');
  check(fixaddrTop(l) <= l.fixmapStart + l.fixmapSize, 'the fixmap slots fit in one L3 table');
  check(imageSize % PAGE_SIZE === 0, '_end is page aligned');
  check(imageSize <= l.xenVirtSize, 'Xen is too big: (_end - _start) <= XEN_VIRT_SIZE');
  const sorted = [...l.regions].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    check(sorted[i - 1].start + sorted[i - 1].size <= sorted[i].start, `${sorted[i - 1].name} ends before ${sorted[i].name}`);
  }
  check(l.directmapStart + l.directmapSize <= 2 ** VA_BITS, 'the directmap ends below 2^48');
  return bad;
}

/** The layout region holding `va`, if any. */
export function regionAt(l: XenLayout, va: number): Region | undefined {
  return l.regions.find((r) => va >= r.start && va < r.start + r.size);
}

// --- the identity map --------------------------------------------------------------------------

export interface PhysRange {
  start: number;
  end: number;
}

export interface IdentityInput {
  /** PA range of the loaded image; its first page holds the switch code (.text.idmap). */
  image: PhysRange;
  /** RAM banks. */
  banks: { start: number; size: number }[];
  /** Physical ranges a trampoline page must not overwrite (DTB, modules, reserved memory). */
  avoid?: PhysRange[];
}

export type IdentityDecision =
  /** The image is loaded at its link address: the runtime mapping is already 1:1. */
  | { kind: 'runtime'; idPa: number; log: string }
  /** The idmap page is mapped at VA = its load PA. */
  | { kind: 'direct'; idPa: number; log: string }
  /** The idmap page is copied to `idPa` (a RAM page whose VA = PA is free) and run from there. */
  | { kind: 'trampoline'; idPa: number; clash: string; log: string }
  /** No page can be identity mapped: the boot must stop. */
  | { kind: 'clash'; clash: string; log: string };

const hx = (n: number): string => '0x' + n.toString(16);

/** Why VA == PA for the page at `pa` cannot be used (or null if it can). */
export function identityClash(l: XenLayout, pa: number): string | null {
  if (pa + PAGE_SIZE > 2 ** VA_BITS) return `PA ${hx(pa)} is beyond the ${VA_BITS}-bit EL2 VA space`;
  const r = regionAt(l, pa) ?? regionAt(l, pa + PAGE_SIZE - 1);
  if (r) return `VA ${hx(pa)} = PA lies in the ${r.name} region [${hx(r.start)}, ${hx(r.start + r.size)})`;
  return null;
}

/**
 * Where the code that turns the MMU on and switches TTBR runs with VA == PA. A pure function
 * of the image's PA range and the RAM banks (and ranges to leave alone): the image's own first
 * page if VA == PA is free there; otherwise the lowest RAM page whose VA == PA is free and
 * which holds nothing (a temporary relocation of that one page, like Xen's relocate_xen for
 * cache colouring); otherwise a clash. The 'runtime' case is Xen's "PA == XEN_VIRT_START".
 */
export function decideIdentityMap(l: XenLayout, input: IdentityInput): IdentityDecision {
  const pa = input.image.start;
  if (pa === l.xenVirtStart) {
    return { kind: 'runtime', idPa: pa, log: `Xen is loaded at its link address ${hx(pa)}: the runtime mapping is the identity map` };
  }
  const clash = identityClash(l, pa);
  if (!clash) return { kind: 'direct', idPa: pa, log: `identity map: VA ${hx(pa)} = PA of .text.idmap (L0 slot ${tableOffset(pa, 0)})` };
  const busy: PhysRange[] = [input.image, ...(input.avoid ?? [])];
  const banks = [...input.banks].sort((a, b) => a.start - b.start);
  for (const b of banks) {
    let p = Math.ceil(b.start / PAGE_SIZE) * PAGE_SIZE;
    const end = b.start + b.size;
    while (p + PAGE_SIZE <= end) {
      const c = identityClash(l, p);
      if (c) {
        // Skip to the end of the clashing region (or give up on this bank beyond the VA space).
        const r = regionAt(l, p) ?? regionAt(l, p + PAGE_SIZE - 1);
        if (!r) break;
        p = Math.ceil((r.start + r.size) / PAGE_SIZE) * PAGE_SIZE;
        continue;
      }
      const hit = busy.find((x) => p < x.end && x.start < p + PAGE_SIZE);
      if (hit) {
        p = Math.ceil(hit.end / PAGE_SIZE) * PAGE_SIZE;
        continue;
      }
      return {
        kind: 'trampoline',
        idPa: p,
        clash,
        log: `identity map: ${clash}; .text.idmap relocated to PA ${hx(p)} (VA = PA free) for the MMU switch`,
      };
    }
  }
  return { kind: 'clash', clash, log: `identity map impossible: ${clash}, and no free RAM page has a free VA = PA` };
}

/** The layout as Xen-style log lines. */
export function layoutLines(l: XenLayout): string[] {
  const row = (n: string, s: number, size: number): string =>
    `  ${n.padEnd(22)} ${s.toString(16).padStart(16, '0')} - ${(s + size - 1).toString(16).padStart(16, '0')} (${sizeText(size)})`;
  const idEnd = slot0(l.identityAreaSlots);
  return [
    `Virtual memory layout (${l.variant === 'seed' ? 'seed 002: Xen at 512GB + 2MB' : 'upstream: 10TB identity area'}):`,
    row('Identity area (free)', 0, idEnd),
    ...l.regions.map((r) => row(r.name, r.start, r.size)),
  ];
}

export function sizeText(n: number): string {
  for (const [u, s] of [
    ['TB', TB],
    ['GB', GB],
    ['MB', MB],
    ['KB', KB],
  ] as const) {
    if (n >= s && n % s === 0) return `${n / s}${u}`;
  }
  return `${n}B`;
}
