// The heap: Xen's binary buddy allocator (xen/common/page_alloc.c, "BINARY BUDDY ALLOCATOR").
// Free memory is kept as naturally aligned blocks of 2^order pages, order 0..MAX_ORDER
// (CONFIG_PAGEALLOC_MAX_ORDER = 18 on Arm: 1 GiB). Freeing a block merges it with its buddy
// (pfn ^ 2^order) for as long as the buddy is a free block of the same order, so a heap whose
// pages are all free is always in its unique fully merged state.
//
// Zones: Xen files free blocks by zone = bit width of the frame number, and allocates from
// the highest zone that can satisfy the request, smallest order first within a zone; the
// chosen block is split, the lower halves going back to the free lists and the top part
// returned (alloc_heap_pages). We do the same, so allocations come from the top of RAM.
//
// arm64 has no separate xenheap (no CONFIG_SEPARATE_XENHEAP): alloc_xenheap_pages and
// alloc_domheap_pages draw on the one heap; xenheap pages are just marked (PGC_xen_heap). We
// keep both names and count them apart for the boot log and for checks on free.
//
// The frame table is notional (DESIGN.md §1): this bookkeeping is ordinary TypeScript keyed by
// frame number; nothing is written to machine memory.
import { hex } from '../../util/errors.js';
import { panic } from '../panic.js';
import type { MemBank } from '../bootinfo.js';
import { PAGE_SIZE } from './bootAllocator.js';

/** CONFIG_PAGEALLOC_MAX_ORDER on Arm (xen/arch/arm/include/asm/config.h). */
export const MAX_ORDER = 18;
/** Zones = frame-number bit widths; 53-bit PAs give at most 41-bit frame numbers. */
const NR_ZONES = 42;

type Owner = 'xen' | 'dom';

/** Zone of a frame: its bit width (Xen: page_to_zone → flsl(pdx)). */
function zoneOf(pfn: number): number {
  return pfn === 0 ? 0 : Math.floor(Math.log2(pfn)) + 1;
}

export class Heap {
  /** Free block heads: pfn → order. */
  private readonly freeHead = new Map<number, number>();
  /** Free lists per zone and order (insertion-ordered sets: deterministic FIFO). */
  private readonly lists: Set<number>[][] = Array.from({ length: NR_ZONES }, () =>
    Array.from({ length: MAX_ORDER + 1 }, () => new Set<number>()),
  );
  /** Allocated blocks: pfn → order and owner. */
  private readonly allocated = new Map<number, { order: number; owner: Owner }>();
  /** Every page ever given to the heap, as ascending [s, e) frame ranges. */
  private readonly owned: { s: number; e: number }[] = [];

  totalPages = 0;
  freePages = 0;
  xenheapPages = 0;
  domheapPages = 0;

  /**
   * Xen's init_heap_pages(): add [pa, pa + nrPages pages) to the heap. Pages already in the
   * heap are a Xen BUG (the boot allocator and the heap must never both own a page).
   */
  initHeapPages(pa: number, nrPages: number): void {
    if (pa % PAGE_SIZE !== 0 || !Number.isSafeInteger(nrPages) || nrPages < 0) {
      panic(`Xen BUG at page_alloc.c: init_heap_pages(${hex(pa)}, ${nrPages}): not a page-aligned range`);
    }
    if (nrPages === 0) return;
    const s = pa / PAGE_SIZE;
    const e = s + nrPages;
    for (const r of this.owned) {
      if (s < r.e && r.s < e) {
        panic(`Xen BUG at page_alloc.c: init_heap_pages: [${hex(pa)}, ${hex(e * PAGE_SIZE)}) is already in the heap`);
      }
    }
    this.owned.push({ s, e });
    this.owned.sort((a, b) => a.s - b.s);
    this.totalPages += nrPages;
    // Largest naturally aligned blocks first; merging joins them with neighbours already free.
    let p = s;
    while (p < e) {
      let order = 0;
      while (order < MAX_ORDER && p % 2 ** (order + 1) === 0 && p + 2 ** (order + 1) <= e) order++;
      this.freeBlock(p, order);
      p += 2 ** order;
    }
  }

  /** Hand the boot allocator's leftovers (endBootAllocator's result) to the heap. */
  initFromBanks(banks: readonly MemBank[]): void {
    for (const b of banks) this.initHeapPages(b.start, b.size / PAGE_SIZE);
  }

  /** alloc_xenheap_pages(order): the PA of 2^order pages, or null when none is free. */
  allocXenheapPages(order: number): number | null {
    return this.alloc(order, 'xen');
  }

  /** free_xenheap_pages(pa, order). */
  freeXenheapPages(pa: number, order: number): void {
    this.free(pa, order, 'xen');
  }

  /** alloc_domheap_pages(d, order): the PA of 2^order pages, or null when none is free. */
  allocDomheapPages(order: number): number | null {
    return this.alloc(order, 'dom');
  }

  /**
   * alloc_domheap_pages(d, order, MEMF_bits(bits)): only from zones whose frames lie below
   * 2^bits bytes (zone_hi = bits_to_zone(bits)), highest such zone first — what
   * allocate_memory_11 asks for to put dom0's first bank as low as it can.
   */
  allocDomheapPagesBelow(order: number, bits: number): number | null {
    return this.alloc(order, 'dom', Math.max(1, bits - 12));
  }

  /** free_domheap_pages(pa, order). */
  freeDomheapPages(pa: number, order: number): void {
    this.free(pa, order, 'dom');
  }

  /** Free blocks as (pa, order), ascending — the merged state, for tests and dumps. */
  freeBlocks(): { pa: number; order: number }[] {
    return [...this.freeHead].sort((a, b) => a[0] - b[0]).map(([pfn, order]) => ({ pa: pfn * PAGE_SIZE, order }));
  }

  /** Whether the page at `pa` is currently allocated (xenheap or domheap). */
  isAllocated(pa: number): boolean {
    const pfn = Math.floor(pa / PAGE_SIZE);
    for (const [head, { order }] of this.allocated) if (pfn >= head && pfn < head + 2 ** order) return true;
    return false;
  }

  /** Xen's 'm' debug key "Physical memory information" lines (without "(XEN) "). */
  heapInfoLog(): string[] {
    const kb = (pages: number): number => (pages * PAGE_SIZE) / 1024;
    const out = ['Physical memory information:', '    Xen heap: 0kB free'];
    for (let z = 0; z < NR_ZONES; z++) {
      let pages = 0;
      for (let o = 0; o <= MAX_ORDER; o++) pages += this.lists[z][o].size * 2 ** o;
      if (pages > 0) out.push(`    heap[${String(z).padStart(2, '0')}]: ${kb(pages)}kB free`);
    }
    out.push(`    Dom heap: ${kb(this.freePages)}kB free`);
    return out;
  }

  // ---- the buddy algorithm --------------------------------------------------------------------

  private alloc(order: number, owner: Owner, zoneHi = NR_ZONES - 1): number | null {
    if (!Number.isInteger(order) || order < 0 || order > MAX_ORDER) {
      panic(`Xen BUG at page_alloc.c: alloc_${owner}heap_pages: order ${order} is outside 0..${MAX_ORDER}`);
    }
    for (let zone = Math.min(zoneHi, NR_ZONES - 1); zone >= 0; zone--) {
      for (let j = order; j <= MAX_ORDER; j++) {
        const list = this.lists[zone][j];
        const first = list.values().next();
        if (first.done) continue;
        let pfn = first.value;
        this.unlinkFree(pfn, j);
        // Split: keep the lower halves free, continue with the upper one.
        while (j > order) {
          j--;
          this.linkFree(pfn, j);
          pfn += 2 ** j;
        }
        this.allocated.set(pfn, { order, owner });
        this.freePages -= 2 ** order;
        if (owner === 'xen') this.xenheapPages += 2 ** order;
        else this.domheapPages += 2 ** order;
        return pfn * PAGE_SIZE;
      }
    }
    return null;
  }

  private free(pa: number, order: number, owner: Owner): void {
    const what = `free_${owner}heap_pages(${hex(pa)}, ${order})`;
    if (pa % PAGE_SIZE !== 0) panic(`Xen BUG at page_alloc.c: ${what}: address is not page aligned`);
    const pfn = pa / PAGE_SIZE;
    const a = this.allocated.get(pfn);
    if (!a) panic(`Xen BUG at page_alloc.c: ${what}: not an allocated block (double free or never allocated)`);
    if (a.order !== order) panic(`Xen BUG at page_alloc.c: ${what}: the block was allocated with order ${a.order}`);
    if (a.owner !== owner) panic(`Xen BUG at page_alloc.c: ${what}: the block is a ${a.owner}heap block`);
    this.allocated.delete(pfn);
    if (owner === 'xen') this.xenheapPages -= 2 ** order;
    else this.domheapPages -= 2 ** order;
    this.freeBlock(pfn, order);
  }

  /** free_heap_pages(): add a block, merging with free buddies of the same order. */
  private freeBlock(pfn: number, order: number): void {
    this.freePages += 2 ** order;
    while (order < MAX_ORDER) {
      const size = 2 ** order;
      const buddy = pfn % (2 * size) === 0 ? pfn + size : pfn - size;
      if (this.freeHead.get(buddy) !== order) break;
      this.unlinkFree(buddy, order);
      pfn = Math.min(pfn, buddy);
      order++;
    }
    this.linkFree(pfn, order);
  }

  private linkFree(pfn: number, order: number): void {
    this.freeHead.set(pfn, order);
    this.lists[zoneOf(pfn)][order].add(pfn);
  }

  private unlinkFree(pfn: number, order: number): void {
    this.freeHead.delete(pfn);
    this.lists[zoneOf(pfn)][order].delete(pfn);
  }
}
