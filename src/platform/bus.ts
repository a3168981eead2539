// The system bus: sparse RAM plus MMIO dispatch, addressed by physical address.
//
// RAM is a set of banks; host memory is allocated a 4 KiB page at a time on first touch, so a
// 16 GiB board costs only what the guest uses. Every PE shares one bus, and with it the
// decoded-instruction cache (ops are keyed by physical page, so all PEs reuse them).

import type { Op } from '../arch/a64/op.js';
import type { DataCache } from '../arch/cache/dcache.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** A 4 KiB page of RAM and, once code has run from it, its decoded instructions. */
export class RamPage {
  readonly bytes = new Uint8Array(PAGE_SIZE);
  readonly view = new DataView(this.bytes.buffer);
  /** Decoded ops by word index; created the first time a PE fetches from this page. */
  code: (Op | undefined)[] | null = null;
  decoded = 0;
  /** Exclusive reservations (any PE) on this page; stores must then take the slow path. */
  monitors = 0;
  /** Translation descriptors some PE's TLB holds live (the rule checker watches stores here). */
  ptWatch = 0;
  constructor(readonly ppn: number) {}

  /** A write landed on this page: decoded ops may be stale (self-modifying code, loaders). */
  invalidateCode(): void {
    if (this.code && this.decoded > 0) {
      this.code.fill(undefined);
      this.decoded = 0;
    }
  }
}

/** A memory-mapped device. Offsets are relative to the region base; size is 1, 2 or 4. */
export interface MmioDevice {
  readonly name: string;
  read(offset: number, size: number, peId: number): number;
  write(offset: number, size: number, value: number, peId: number): void;
}

export interface MmioRegion {
  base: number;
  size: number;
  dev: MmioDevice;
}

export interface RamBank {
  base: number;
  size: number;
}

/** Who is told "stores to this physical page must now take the slow path" (each PE). */
export type SlowWriteListener = (ppn: number) => void;

export class Bus {
  readonly banks: RamBank[] = [];
  private readonly pages = new Map<number, RamPage>();
  private readonly mmio: MmioRegion[] = [];
  private readonly slowWriteListeners: SlowWriteListener[] = [];
  /** The data cache in front of RAM (`run --dcache`, Machine.enableDataCache); null = none. */
  dcache: DataCache | null = null;

  addRam(base: number, size: number): void {
    for (const b of this.banks) {
      if (base < b.base + b.size && b.base < base + size) {
        throw new Error(`RAM bank ${hexa(base)}+${hexa(size)} overlaps ${hexa(b.base)}+${hexa(b.size)}`);
      }
    }
    this.banks.push({ base, size });
  }

  addMmio(base: number, size: number, dev: MmioDevice): void {
    for (const r of this.mmio) {
      if (base < r.base + r.size && r.base < base + size) {
        throw new Error(`MMIO ${dev.name} at ${hexa(base)} overlaps ${r.dev.name}`);
      }
    }
    this.mmio.push({ base, size, dev });
    this.mmio.sort((a, b) => a.base - b.base);
  }

  onSlowWritePage(l: SlowWriteListener): void {
    this.slowWriteListeners.push(l);
  }

  /** Every PE drops its fast write entries for `ppn` (code or reservation appeared there). */
  forceSlowWrites(ppn: number): void {
    for (const l of this.slowWriteListeners) l(ppn);
  }

  isRam(pa: number): boolean {
    for (const b of this.banks) if (pa >= b.base && pa < b.base + b.size) return true;
    return false;
  }

  /** The RAM page holding `pa`, allocated on first touch; undefined if `pa` is not RAM. */
  ramPage(pa: number): RamPage | undefined {
    const ppn = Math.floor(pa / PAGE_SIZE);
    let p = this.pages.get(ppn);
    if (p) return p;
    if (!this.isRam(pa)) return undefined;
    p = new RamPage(ppn);
    this.pages.set(ppn, p);
    return p;
  }

  /** Make `page` a code page (decoded-op array) and tell every PE to stop fast-writing to it. */
  codeFor(page: RamPage): (Op | undefined)[] {
    if (!page.code) {
      page.code = new Array<Op | undefined>(PAGE_SIZE / 4).fill(undefined);
      this.forceSlowWrites(page.ppn);
    }
    return page.code;
  }

  findMmio(pa: number): MmioRegion | undefined {
    for (const r of this.mmio) if (pa >= r.base && pa < r.base + r.size) return r;
    return undefined;
  }

  /** Pages host memory was allocated for (for memory statistics). */
  get touchedPages(): number {
    return this.pages.size;
  }

  /** Every allocated RAM page, in allocation order (for saved states). */
  allPages(): IterableIterator<RamPage> {
    return this.pages.values();
  }

  // Plain physical accessors for loaders and devices (little-endian, any alignment).
  readBytes(pa: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let i = 0;
    while (i < len) {
      const page = this.ramPage(pa + i);
      if (!page) throw new Error(`physical read at ${hexa(pa + i)} is not RAM`);
      const off = (pa + i) % PAGE_SIZE;
      const n = Math.min(len - i, PAGE_SIZE - off);
      out.set(page.bytes.subarray(off, off + n), i);
      i += n;
    }
    return out;
  }

  writeBytes(pa: number, data: Uint8Array): void {
    let i = 0;
    while (i < data.length) {
      const page = this.ramPage(pa + i);
      if (!page) throw new Error(`physical write at ${hexa(pa + i)} is not RAM`);
      const off = (pa + i) % PAGE_SIZE;
      const n = Math.min(data.length - i, PAGE_SIZE - off);
      page.bytes.set(data.subarray(i, i + n), off);
      page.invalidateCode();
      i += n;
    }
  }
}

export function hexa(n: number): string {
  return '0x' + n.toString(16);
}
