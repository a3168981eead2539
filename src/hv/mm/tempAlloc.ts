// TEMPORARY (until the hvboot branch merges src/hv/mm/bootAllocator.ts and pageAlloc.ts): a
// bump allocator with BootAllocator's method names, and the heap after it. The lead swaps
// these for the real allocators at merge; nothing else depends on their internals.
import { panic } from '../panic.js';
import { PAGE_SIZE } from './mmu/layout.js';

export interface PhysRangeE {
  start: number;
  end: number;
}

/** Same surface as hvboot's BootAllocator (initBootPages / allocBootPages / endBootAllocator). */
export class TempBootAllocator {
  private ranges: PhysRangeE[] = [];
  private ended = false;
  allocated = 0;

  initBootPages(start: number, end: number): void {
    const s = Math.ceil(start / PAGE_SIZE) * PAGE_SIZE;
    const e = Math.floor(end / PAGE_SIZE) * PAGE_SIZE;
    if (e > s) this.ranges.push({ start: s, end: e });
    this.ranges.sort((a, b) => a.start - b.start);
  }

  /** nrPages pages aligned to alignPages pages, from the top of the highest range (as Xen). */
  allocBootPages(nrPages: number, alignPages: number): number {
    if (this.ended) panic('allocBootPages called after endBootAllocator');
    const size = nrPages * PAGE_SIZE;
    const align = alignPages * PAGE_SIZE;
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const r = this.ranges[i];
      const pa = Math.floor((r.end - size) / align) * align;
      if (pa >= r.start) {
        this.ranges.splice(
          i,
          1,
          ...[
            { start: r.start, end: pa },
            { start: pa + size, end: r.end },
          ].filter((x) => x.end > x.start),
        );
        this.allocated += nrPages;
        return pa;
      }
    }
    return panic(`Boot allocator: no ${nrPages} free page(s) aligned to ${alignPages}`);
  }

  freePages(): number {
    return this.ranges.reduce((n, r) => n + (r.end - r.start) / PAGE_SIZE, 0);
  }

  endBootAllocator(): PhysRangeE[] {
    this.ended = true;
    return [...this.ranges];
  }
}

/** TEMPORARY heap: hands out the ranges the boot allocator left, one page at a time. */
export class TempHeap {
  constructor(private readonly ranges: PhysRangeE[]) {}

  allocDomheapPage(): number {
    const r = this.ranges[this.ranges.length - 1];
    if (!r) return panic('Out of memory: the heap is empty');
    r.end -= PAGE_SIZE;
    if (r.end <= r.start) this.ranges.pop();
    return r.end;
  }
}
