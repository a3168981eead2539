// The hypervisor's mapping services over xenPtUpdate (mmu/pt.c wrappers, mmu/setup.c,
// common/vmap.c): how tables are reached in each phase, map/destroy/modify, mapDomainPage
// (the directmap on arm64), setFixmap/clearFixmap, copyFromPaddr, vmap/vunmap and ioremap.
import type { Xen } from '../../xen.js';
import { SystemState } from '../../xen.js';
import { panic } from '../../panic.js';
import { PtError, xenPtUpdate, INVALID_MFN, type PtOps } from './pt.js';
import { FIX_MISC, GB, PAGE_SIZE, fixmapAddr } from './layout.js';
import { isPmapVa, pmapMap, pmapUnmap } from './pmap.js';
import { PAGE_HYPERVISOR_NOCACHE, PAGE_HYPERVISOR_RW, PAGE_HYPERVISOR_WC, _PAGE_BLOCK, _PAGE_PRESENT, _PAGE_XN, MT } from './pte.js';

const hx = (n: number): string => '0x' + n.toString(16);

/**
 * xen_map_table: with the MMU off a table is its PA. In early boot a table inside the image
 * (the static boot/runtime tables) is reached through the image mapping and one from the boot
 * allocator through a PMAP slot; afterwards mapDomainPage works. The knob reverts to
 * "mapDomainPage only" — the code seed 003 crashed in.
 */
export function xenMapTable(xen: Xen, pa: number): number {
  return xen.call('xenMapTable', () => {
    if (!xen.mmuOn) return pa;
    if (xen.knobs.mapTablesWithDomainPageOnly) return mapDomainPage(xen, pa);
    if (xen.state === SystemState.EarlyBoot) {
      const va = xen.imageVaOf(pa);
      if (va !== null) return va;
      return pmapMap(xen, pa);
    }
    return mapDomainPage(xen, pa);
  });
}

export function xenUnmapTable(xen: Xen, va: number): void {
  if (xen.mmuOn && isPmapVa(xen, va)) pmapUnmap(xen, va);
}

/** A page for a new table: the boot allocator in early boot, the heap afterwards (create_xen_table). */
export function allocXenPage(xen: Xen): number {
  return xen.call('allocXenPage', () => {
    if (xen.state === SystemState.EarlyBoot) {
      if (!xen.bootAlloc) return panic('page table needed before the boot allocator is initialised');
      return xen.bootAlloc.allocBootPages(1, 1);
    }
    if (!xen.heap) return panic('page table needed before the heap is initialised');
    return xen.heap.allocDomheapPages(0) ?? panic('Out of memory: no page for a page table');
  });
}

/** PtOps on the live tables (root = TTBR0_EL2, as xen_pt_update does). */
export function livePtOps(xen: Xen): PtOps {
  const root = Number(xen.cpu.readSysreg('TTBR0_EL2') & 0x0000_ffff_ffff_f000n);
  return ptOpsFor(xen, root, () => allocXenPage(xen));
}

/**
 * PtOps for the static hierarchies the head and setupPagetables build (boot_pgtable,
 * xen_pgtable and their pools in .data): tables are reached by PA with the MMU off and through
 * the image mapping with it on — what Xen's head.S and its early open-coded mapping code do by
 * symbol, so it never depends on how xenMapTable finds other tables.
 */
export function staticPtOps(xen: Xen, root: number, allocTable: () => number): PtOps {
  return {
    cpu: xen.cpu,
    root,
    mapTable: (pa) => {
      if (!xen.mmuOn) return pa;
      const va = xen.imageVaOf(pa);
      return va ?? panic(`static page-table walk reached PA ${hx(pa)}, which is not in the image`);
    },
    unmapTable: () => undefined,
    allocTable,
  };
}

export function ptOpsFor(xen: Xen, root: number, allocTable: () => number): PtOps {
  return {
    cpu: xen.cpu,
    root,
    mapTable: (pa) => xenMapTable(xen, pa),
    unmapTable: (va) => xenUnmapTable(xen, va),
    allocTable,
  };
}

/** map_pages_to_xen / destroy / modify: a PtError is a hypervisor bug here, so it panics. */
export function mapPagesToXen(xen: Xen, va: number, pa: number, nr: number, flags: number): void {
  xen.call('mapPagesToXen', () => ptUpdateOrPanic(xen, va, pa, nr, flags));
}

export function destroyXenMappings(xen: Xen, start: number, end: number): void {
  xen.call('destroyXenMappings', () => ptUpdateOrPanic(xen, start, INVALID_MFN, (end - start) / PAGE_SIZE, 0));
}

export function modifyXenMappings(xen: Xen, start: number, end: number, flags: number): void {
  xen.call('modifyXenMappings', () => ptUpdateOrPanic(xen, start, INVALID_MFN, (end - start) / PAGE_SIZE, flags | _PAGE_PRESENT));
}

function ptUpdateOrPanic(xen: Xen, va: number, pa: number, nr: number, flags: number): void {
  xen.call('xenPtUpdate', () => {
    try {
      xenPtUpdate(livePtOps(xen), va, pa, nr, flags);
    } catch (e) {
      if (e instanceof PtError) panic(e.message);
      throw e;
    }
  });
}

// --- fixmap -------------------------------------------------------------------------------------

export function setFixmap(xen: Xen, slot: number, pa: number, flags: number): void {
  xen.call('setFixmap', () => mapPagesToXen(xen, fixmapAddr(xen.layout, slot), pa - (pa % PAGE_SIZE), 1, flags));
}

export function clearFixmap(xen: Xen, slot: number): void {
  xen.call('clearFixmap', () => destroyXenMappings(xen, fixmapAddr(xen.layout, slot), fixmapAddr(xen.layout, slot) + PAGE_SIZE));
}

/**
 * copy_from_paddr: read physical memory that nothing maps yet (a boot module, wherever the
 * boot loader put it) a page at a time through FIX_MISC, Normal non-cacheable as Xen does.
 */
export function copyFromPaddr(xen: Xen, pa: number, len: number): Uint8Array {
  return xen.call('copyFromPaddr', () => {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const p = pa + done;
      const off = p % PAGE_SIZE;
      const n = Math.min(len - done, PAGE_SIZE - off);
      setFixmap(xen, FIX_MISC, p, PAGE_HYPERVISOR_WC);
      out.set(xen.cpu.copyFrom(fixmapAddr(xen.layout, FIX_MISC) + off, n), done);
      clearFixmap(xen, FIX_MISC);
      done += n;
    }
    return out;
  });
}

// --- the directmap and mapDomainPage --------------------------------------------------------------

/**
 * map_domain_page on arm64 is the directmap (xen/include/xen/domain_page.h). Before
 * setupDirectmapMappings the VA it computes is in the (still unmapped) directmap region:
 * dereferencing it faults, which is seed 003's crash.
 */
export function mapDomainPage(xen: Xen, pa: number): number {
  return xen.call('mapDomainPage', () => {
    const d = xen.directmap;
    return d ? d.virtStart + (pa - d.base) : xen.layout.directmapStart + pa;
  });
}

export function unmapDomainPage(xen: Xen, va: number): void {
  xen.call('unmapDomainPage', () => void va);
}

/**
 * setup_directmap_mappings: map every RAM bank at DIRECTMAP_VIRT_START + (PA - the first
 * bank's 1 GB-aligned base), so VA and PA share 1 GB alignment and superpages (with the
 * contiguous hint where runs allow) can be used. Tables come from the boot allocator and are
 * reached through PMAP: the directmap cannot map itself.
 */
export function setupDirectmapMappings(xen: Xen, banks: { start: number; size: number }[]): void {
  xen.call('setupDirectmapMappings', () => {
    const base = Math.floor(banks[0].start / GB) * GB;
    const virtStart = xen.layout.directmapStart;
    const last = banks[banks.length - 1];
    const end = last.start + last.size;
    if (end - base > xen.layout.directmapSize) panic(`Direct map is too small for RAM up to ${hx(end)}`);
    for (const b of banks) {
      const s = Math.ceil(b.start / PAGE_SIZE) * PAGE_SIZE;
      const e = Math.floor((b.start + b.size) / PAGE_SIZE) * PAGE_SIZE;
      mapPagesToXen(xen, virtStart + (s - base), s, (e - s) / PAGE_SIZE, PAGE_HYPERVISOR_RW | _PAGE_BLOCK);
    }
    xen.directmap = { base, virtStart, end };
  });
}

// --- vmap and ioremap ---------------------------------------------------------------------------

/** vm_init: the VMAP area's page bookkeeping (tables are created on demand). */
export function vmInit(xen: Xen): void {
  xen.call('vmInit', () => {
    xen.requireState('vmInit', SystemState.Boot);
    xen.vmapUsed = new Uint8Array(xen.layout.vmapSize / PAGE_SIZE);
  });
}

/** vmap: map `pas` (page addresses) contiguously in the VMAP area, with a guard page after. */
export function vmap(xen: Xen, pas: number[], flags: number): number {
  return xen.call('vmap', () => {
    xen.requireState('vmap', SystemState.Boot, SystemState.Active);
    const used = xen.vmapUsed;
    if (!used) return panic('vmap before vmInit');
    const need = pas.length + 1;
    let run = 0;
    let first = -1;
    for (let i = 0; i < used.length; i++) {
      run = used[i] ? 0 : run + 1;
      if (run === need) {
        first = i - need + 1;
        break;
      }
    }
    if (first < 0) return panic(`vmap: no room for ${pas.length} pages`);
    used.fill(1, first, first + need);
    const va = xen.layout.vmapStart + first * PAGE_SIZE;
    pas.forEach((pa, i) => mapPagesToXen(xen, va + i * PAGE_SIZE, pa, 1, flags));
    return va;
  });
}

export function vunmap(xen: Xen, va: number, nr: number): void {
  xen.call('vunmap', () => {
    const used = xen.vmapUsed;
    if (!used) panic('vunmap before vmInit');
    const first = (va - xen.layout.vmapStart) / PAGE_SIZE;
    if (!Number.isInteger(first) || first < 0 || first + nr > used.length) panic(`vunmap: ${hx(va)} is not in the VMAP area`);
    destroyXenMappings(xen, va, va + nr * PAGE_SIZE);
    used.fill(0, first, first + nr + 1);
  });
}

export type { IoremapAttr } from '../backend.js';
import type { IoremapAttr } from '../backend.js';

export const IOREMAP_FLAGS: Record<IoremapAttr, number> = {
  nocache: PAGE_HYPERVISOR_NOCACHE,
  wc: PAGE_HYPERVISOR_WC,
  cached: MT.NORMAL | _PAGE_PRESENT | _PAGE_XN,
};

/** ioremap_attr: map [pa, pa + len) in VMAP with the given attributes; returns the VA of pa. */
export function ioremapAttr(xen: Xen, pa: number, len: number, attr: IoremapAttr): number {
  return xen.call('ioremapAttr', () => {
    const first = pa - (pa % PAGE_SIZE);
    const pages: number[] = [];
    for (let p = first; p < pa + len; p += PAGE_SIZE) pages.push(p);
    return vmap(xen, pages, IOREMAP_FLAGS[attr]) + (pa - first);
  });
}
