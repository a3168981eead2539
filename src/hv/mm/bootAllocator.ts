// The boot allocator: Xen's bootmem regions (xen/common/page_alloc.c, "BOOT-TIME ALLOCATOR").
// Between the device-tree scan and the heap, every page the hypervisor allocates (page tables
// of the directmap, the frame table) comes from here. It is a sorted list of free page ranges
// [s, e) in frame numbers, at most one page's worth (256 entries) as in Xen:
//   initBootPages(ps, pe)      adds [round_pgup(ps), round_pgdown(pe)); ranges may not overlap
//   allocBootPages(n, align)   scans the ranges from the highest down and carves n pages from
//                              the top of the first one that fits, aligned down to `align`
//                              pages — so early allocations sit at the top of RAM
//   endBootAllocator()         hands what is left to the heap: first the region of CPU0's
//                              node (with one node: the first non-empty one), then the rest
//                              from the highest down, as Xen does
// populateBootAllocator() is common/device-tree/bootinfo.c's populate_boot_allocator(): all
// RAM minus boot modules (the hypervisor image and the DTB among them) and reserved ranges —
// or, with a static heap, only the static-heap banks.
//
// Bookkeeping is plain TypeScript (DESIGN.md §1): nothing here touches guest-visible memory.
import { hex } from '../../util/errors.js';
import { panic } from '../panic.js';
import type { BootInfo, MemBank } from '../bootinfo.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** PAGE_SIZE / sizeof(struct bootmem_region): the static page that holds the list. */
export const MAX_BOOTMEM_REGIONS = PAGE_SIZE / 16;

interface Region {
  /** First free frame. */
  s: number;
  /** One past the last free frame. */
  e: number;
}

const pfnRange = (r: Region): string => `[${hex(r.s * PAGE_SIZE)}, ${hex(r.e * PAGE_SIZE)})`;

export class BootAllocator {
  private regions: Region[] = [];
  private ended = false;

  /** Xen's init_boot_pages(ps, pe): give [ps, pe) (rounded inwards to pages) to the allocator. */
  initBootPages(start: number, end: number): void {
    if (this.ended) panic(`Xen BUG at page_alloc.c: init_boot_pages(${hex(start)}, ${hex(end)}) after end_boot_allocator`);
    const ps = Math.ceil(start / PAGE_SIZE);
    const pe = Math.floor(end / PAGE_SIZE);
    if (pe <= ps) return;
    this.add(ps, pe);
  }

  /**
   * Xen's alloc_boot_pages(nr_pfns, pfn_align): `nrPages` pages aligned to `alignPages` pages
   * (a power of two), from the top of the highest region that can hold them. Returns the PA.
   */
  allocBootPages(nrPages: number, alignPages = 1): number {
    if (this.ended) panic(`Xen BUG at page_alloc.c: alloc_boot_pages(${nrPages}, ${alignPages}) after end_boot_allocator`);
    if (!Number.isSafeInteger(nrPages) || nrPages < 1) panic(`Xen BUG at page_alloc.c: alloc_boot_pages(${nrPages}): bad page count`);
    if (!Number.isSafeInteger(alignPages) || alignPages < 1 || (alignPages & (alignPages - 1)) !== 0 || alignPages > 2 ** 30) {
      panic(`Xen BUG at page_alloc.c: alloc_boot_pages(${nrPages}, ${alignPages}): alignment is not a power of two`);
    }
    if (this.regions.length === 0) panic(`Xen BUG at page_alloc.c: alloc_boot_pages(${nrPages}): the boot allocator has no memory`);
    for (let i = this.regions.length - 1; i >= 0; i--) {
      const r = this.regions[i];
      const pg = Math.floor((r.e - nrPages) / alignPages) * alignPages;
      if (pg >= r.e || pg < r.s) continue;
      const top = r.e;
      r.e = pg;
      if (r.e === r.s) this.regions.splice(i, 1);
      this.add(pg + nrPages, top);
      return pg * PAGE_SIZE;
    }
    panic(
      `Xen BUG at page_alloc.c: alloc_boot_pages(${nrPages}, ${alignPages}): Out of memory — ` +
        `no boot region holds ${nrPages} page(s) aligned to ${alignPages} (${this.freePages()} pages free in ${this.regions.length} region(s))`,
    );
  }

  /** Xen's end_boot_allocator(): the free ranges, in the order they go to the heap. */
  endBootAllocator(): MemBank[] {
    if (this.ended) panic('Xen BUG at page_alloc.c: end_boot_allocator called twice');
    this.ended = true;
    const rs = this.regions;
    this.regions = [];
    // One NUMA node: the first region is "CPU0's node" and goes first; the rest top-down.
    const order = rs.length === 0 ? [] : [rs[0], ...rs.slice(1).reverse()];
    return order.map((r) => ({ start: r.s * PAGE_SIZE, size: (r.e - r.s) * PAGE_SIZE }));
  }

  /** The free ranges now, ascending (for logs and tests). */
  freeRanges(): MemBank[] {
    return this.regions.map((r) => ({ start: r.s * PAGE_SIZE, size: (r.e - r.s) * PAGE_SIZE }));
  }

  freePages(): number {
    return this.regions.reduce((n, r) => n + r.e - r.s, 0);
  }

  /** bootmem_region_add(): insert keeping the list sorted; an overlap is Xen's BUG_ON. */
  private add(s: number, e: number): void {
    if (s >= e) return;
    let i = 0;
    while (i < this.regions.length && s >= this.regions[i].e) i++;
    const next = this.regions[i];
    if (next && e > next.s) {
      panic(`Xen BUG at page_alloc.c: init_boot_pages: ${pfnRange({ s, e })} overlaps boot region ${pfnRange(next)}`);
    }
    if (this.regions.length === MAX_BOOTMEM_REGIONS) {
      panic(`Xen BUG at page_alloc.c: bootmem_region_add: more than ${MAX_BOOTMEM_REGIONS} boot regions`);
    }
    this.regions.splice(i, 0, { s, e });
  }
}

/**
 * Xen's populate_boot_allocator(): RAM banks minus every boot module, the hypervisor image,
 * the DTB and every reserved range (the image and DTB are normally modules already; giving
 * them here as well makes the function safe to call with a BootInfo that lacks them). With a
 * static heap, only the static-heap banks. Returns the ranges handed to initBootPages (page
 * rounded inwards), ascending; feeds `alloc` when one is given.
 */
export function populateBootAllocator(bi: BootInfo, xenImage: MemBank, fdt: MemBank, alloc?: BootAllocator): MemBank[] {
  const out: MemBank[] = [];
  const give = (s: number, e: number): void => {
    const ps = Math.ceil(s / PAGE_SIZE) * PAGE_SIZE;
    const pe = Math.floor(e / PAGE_SIZE) * PAGE_SIZE;
    if (pe <= ps) return;
    out.push({ start: ps, size: pe - ps });
    alloc?.initBootPages(ps, pe);
  };
  if (bi.staticHeap.length > 0) {
    for (const b of [...bi.staticHeap].sort((a, c) => a.start - c.start)) give(b.start, b.start + b.size);
    return out;
  }
  const holes = [xenImage, fdt, ...bi.modules, ...bi.reserved]
    .filter((h) => h.size > 0)
    .map((h) => ({ s: h.start, e: h.start + h.size }))
    .sort((a, b) => a.s - b.s);
  for (const bank of [...bi.mem].sort((a, b) => a.start - b.start)) {
    let s = bank.start;
    const end = bank.start + bank.size;
    for (const h of holes) {
      if (h.e <= s || h.s >= end) continue;
      if (h.s > s) give(s, h.s);
      s = Math.max(s, h.e);
      if (s >= end) break;
    }
    if (s < end) give(s, end);
  }
  return out;
}
