// The machine's data cache (issue 6, seed 001): one set-associative, write-back,
// write-allocate cache of 64-byte lines in front of RAM, shared by every PE.
//
// Why one shared cache is faithful: the data and unified caches of the PEs of an SMP system
// are in one Inner Shareable domain and hardware keeps them coherent with each other (Arm ARM
// B2.2 "Caches and memory hierarchy", the Point of Coherency). So no PE can observe that a
// line lives in another PE's L1 rather than its own: the only thing software can see is the
// difference between "in some cache" and "in memory", which is what accesses that bypass the
// caches (Non-cacheable, Device, caches or MMU off) and maintenance to the PoC expose. That
// difference is exactly the one seed 001 is about, so this model keeps just that: a single
// level between all PEs and memory (PoU = PoC = memory for the purposes of this model).
//
// What goes through it is decided by cache/policy.ts (the effective memory attributes of each
// access); this file only holds lines. Lines are filled from and written back to the bus's
// RAM pages; MMIO is never cached. Victims (a full set) are picked by a seeded PRNG so that a
// failing run replays identically with the same --dcache-seed.
import type { Bus, RamPage } from '../../platform/bus.js';
import { PAGE_SIZE } from '../../platform/bus.js';
import { Prng } from '../../util/prng.js';

/** Line size; CTR_EL0.DminLine = 4 (log2 of 16 words) and DCZID_EL0.BS = 4 say the same. */
export const LINE_BYTES = 64;
const LINE_SHIFT = 6;

export interface DataCacheOptions {
  sizeBytes: number;
  ways: number;
  /** Seed of the eviction PRNG. */
  seed: number;
}

export const DCACHE_DEFAULTS: DataCacheOptions = { sizeBytes: 32 * 1024, ways: 4, seed: 1 };

/** Maintenance by VA or set/way: bit 0 clean, bit 1 invalidate. */
export const enum CacheOp {
  Clean = 1,
  Invalidate = 2,
  CleanInvalidate = 3,
}

const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/**
 * Why `sizeBytes`/`ways` cannot describe a cache in CCSIDR_EL1's (32-bit) format, or null:
 * ways 1..1024 (Associativity [12:3]), sets 1..32768 (NumSets [27:13]), both powers of two
 * (so set/way operands are plain bit fields, Arm ARM DC CISW).
 */
export function dataCacheGeometryProblem(sizeBytes: number, ways: number): string | null {
  if (!isPow2(ways) || ways > 1024) return `ways must be a power of two from 1 to 1024, not ${ways}`;
  if (!isPow2(sizeBytes)) return `size must be a power of two, not ${sizeBytes}`;
  const sets = sizeBytes / (LINE_BYTES * ways);
  if (sets < 1 || sets > 32768) return `${sizeBytes} bytes in ${ways} ways of 64-byte lines is ${sets} sets (1..32768 allowed)`;
  return null;
}

export class DataCache {
  readonly sizeBytes: number;
  readonly ways: number;
  readonly sets: number;
  /** log2(ways), the width of the way field of a set/way operand. */
  private readonly wayBits: number;
  /** Line number (pa / 64) held by each slot (set * ways + way), NaN when invalid. */
  private readonly tags: Float64Array;
  private readonly dirty: Uint8Array;
  /** Line data, slot by slot. */
  readonly data: Uint8Array;
  readonly view: DataView;
  private readonly prng: Prng;
  readonly stats = { hits: 0, misses: 0, evictions: 0, writebacks: 0 };
  /** High half of the last 8-byte read. */
  rhi = 0;

  constructor(
    private readonly bus: Bus,
    o: DataCacheOptions = DCACHE_DEFAULTS,
  ) {
    const why = dataCacheGeometryProblem(o.sizeBytes, o.ways);
    if (why) throw new Error(`data cache: ${why}`);
    this.sizeBytes = o.sizeBytes;
    this.ways = o.ways;
    this.sets = o.sizeBytes / (LINE_BYTES * o.ways);
    this.wayBits = Math.log2(o.ways);
    this.tags = new Float64Array(this.sets * this.ways).fill(NaN);
    this.dirty = new Uint8Array(this.sets * this.ways);
    this.data = new Uint8Array(o.sizeBytes);
    this.view = new DataView(this.data.buffer);
    this.prng = new Prng(o.seed);
  }

  /** The slot holding the line of `pa`, or -1. */
  slotOf(pa: number): number {
    const line = Math.floor(pa / LINE_BYTES);
    const base = (line % this.sets) * this.ways;
    for (let w = 0; w < this.ways; w++) if (this.tags[base + w] === line) return base + w;
    return -1;
  }

  /** The slot holding the line of `pa`, filled from memory on a miss (evicting a victim). */
  private allocate(pa: number): number {
    const hit = this.slotOf(pa);
    if (hit >= 0) {
      this.stats.hits++;
      return hit;
    }
    this.stats.misses++;
    const line = Math.floor(pa / LINE_BYTES);
    const base = (line % this.sets) * this.ways;
    let slot = -1;
    // An invalid way is used first (as real caches do); only a full set consults the PRNG.
    for (let w = 0; w < this.ways && slot < 0; w++) if (Number.isNaN(this.tags[base + w])) slot = base + w;
    if (slot < 0) {
      slot = base + this.prng.below(this.ways);
      this.stats.evictions++;
      if (this.dirty[slot]) this.writeBack(slot);
    }
    this.tags[slot] = line;
    this.dirty[slot] = 0;
    const lpa = line * LINE_BYTES;
    const page = this.page(lpa);
    const o = lpa % PAGE_SIZE;
    this.data.set(page.bytes.subarray(o, o + LINE_BYTES), slot << LINE_SHIFT);
    return slot;
  }

  private page(pa: number): RamPage {
    const p = this.bus.ramPage(pa);
    if (!p) throw new Error(`data cache: line at 0x${pa.toString(16)} is not RAM`);
    return p;
  }

  /** Copy a dirty line to memory. Memory changed, so decoded instructions there are stale. */
  private writeBack(slot: number): void {
    const lpa = this.tags[slot] * LINE_BYTES;
    const page = this.page(lpa);
    const o = slot << LINE_SHIFT;
    page.bytes.set(this.data.subarray(o, o + LINE_BYTES), lpa % PAGE_SIZE);
    page.invalidateCode();
    this.dirty[slot] = 0;
    this.stats.writebacks++;
  }

  /** A cacheable read of `size` (1, 2, 4, 8) aligned bytes: the low half; the high half in `rhi`. */
  read(pa: number, size: number): number {
    const o = (this.allocate(pa) << LINE_SHIFT) + (pa % LINE_BYTES);
    const v = this.view;
    switch (size) {
      case 1:
        return v.getUint8(o);
      case 2:
        return v.getUint16(o, true);
      case 4:
        return v.getUint32(o, true);
      default:
        this.rhi = v.getUint32(o + 4, true);
        return v.getUint32(o, true);
    }
  }

  /**
   * A cacheable write of `size` aligned bytes. Write-Back: write-allocate, the line becomes
   * dirty and memory is not touched. Write-Through (`through`): a resident line is updated and
   * stays clean, nothing is allocated; the caller writes memory too.
   */
  write(pa: number, size: number, lo: number, hi: number, through: boolean): void {
    let slot: number;
    if (through) {
      slot = this.slotOf(pa);
      if (slot < 0) return;
    } else {
      slot = this.allocate(pa);
      this.dirty[slot] = 1;
    }
    const o = (slot << LINE_SHIFT) + (pa % LINE_BYTES);
    const v = this.view;
    switch (size) {
      case 1:
        v.setUint8(o, lo);
        break;
      case 2:
        v.setUint16(o, lo, true);
        break;
      case 4:
        v.setUint32(o, lo, true);
        break;
      default:
        v.setUint32(o, lo, true);
        v.setUint32(o + 4, hi, true);
    }
  }

  /**
   * DC by VA, on the line holding `pa`. The operation is defined on the location the VA
   * translates to, so it applies whatever memory type the VA has (a decision: software that
   * maintains through a Non-cacheable alias, e.g. Linux's DMA paths, expects that).
   */
  maintain(pa: number, op: CacheOp): void {
    const slot = this.slotOf(pa);
    if (slot >= 0) this.apply(slot, op);
  }

  private apply(slot: number, op: CacheOp): void {
    if (Number.isNaN(this.tags[slot])) return;
    if (op & CacheOp.Clean && this.dirty[slot]) this.writeBack(slot);
    if (op & CacheOp.Invalidate) {
      // Invalidate without clean discards dirty data: that is the point of DC IVAC/ISW.
      this.tags[slot] = NaN;
      this.dirty[slot] = 0;
    }
  }

  /**
   * DC ISW/CSW/CISW operand (Arm ARM C5.3.x DC CISW): Level [3:1] (0 = level 1, the only one
   * here), Set [L+S-1:L] with L = log2(64) = 6, S = log2(sets), Way [31:32-A], A = log2(ways).
   * A level or set/way outside the cache is CONSTRAINED UNPREDICTABLE; we do nothing.
   */
  setWay(xt: number, op: CacheOp): void {
    if (((xt >>> 1) & 7) !== 0) return;
    const way = this.wayBits === 0 ? 0 : xt >>> (32 - this.wayBits);
    const set = (xt >>> LINE_SHIFT) & 0x7fff;
    if (set >= this.sets || way >= this.ways) return;
    this.apply(set * this.ways + way, op);
  }

  /**
   * Bytes stored the way EL2 code with its caches on stores them (write-back, write-allocate):
   * for the hypervisor's TypeScript side (a domain builder writing guest memory), which does
   * not go through a PE's load/store path. RAM only.
   */
  writeBytes(pa: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.write(pa + i, 1, data[i], 0, false);
  }

  /**
   * DC ZVA into a Write-Back line: the line is allocated, zeroed and dirty (memory untouched
   * until it is written back), as a DC ZVA to cacheable memory does.
   */
  zeroLine(pa: number): void {
    const slot = this.allocate(pa - (pa % LINE_BYTES));
    this.data.fill(0, slot << LINE_SHIFT, (slot << LINE_SHIFT) + LINE_BYTES);
    this.dirty[slot] = 1;
  }

  /** Bytes as a cacheable load sees them (resident lines win; misses allocate). */
  readBytes(pa: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.read(pa + i, 1);
    return out;
  }

  /** Maintenance by VA over [pa, pa + len): every line the range touches (DC ... loops). */
  maintainRange(pa: number, len: number, op: CacheOp): void {
    const first = pa - (pa % LINE_BYTES);
    for (let a = first; a < pa + len; a += LINE_BYTES) this.maintain(a, op);
  }

  /** Write every dirty line back (a host-side flush, e.g. before saving state). */
  cleanAll(): void {
    for (let s = 0; s < this.tags.length; s++) if (this.dirty[s]) this.writeBack(s);
  }

  /** How many lines are valid, and how many of them dirty (tests, statistics). */
  occupancy(): { valid: number; dirty: number } {
    let valid = 0;
    let dirty = 0;
    for (let s = 0; s < this.tags.length; s++) {
      if (!Number.isNaN(this.tags[s])) valid++;
      dirty += this.dirty[s];
    }
    return { valid, dirty };
  }

  /** CLIDR_EL1: Ctype1 = 4 (one unified level), LoUIS = LoC = LoUU = 1 (level 1 must be cleaned). */
  clidr(): bigint {
    return 4n | (1n << 21n) | (1n << 24n) | (1n << 27n);
  }

  /** CCSIDR_EL1 (32-bit format): WB/RA/WA [30:28], NumSets-1, Associativity-1, LineSize = log2(64) - 4. */
  ccsidr(): bigint {
    return (0x7n << 28n) | (BigInt(this.sets - 1) << 13n) | (BigInt(this.ways - 1) << 3n) | BigInt(LINE_SHIFT - 4);
  }
}

/**
 * A 32-bit word of RAM as the caches see it (a resident line wins over memory): what
 * translation table walks read. Walks are treated as cacheable whatever TCR.IRGN/ORGN say
 * (every OS and Xen use Write-Back walks); a walk never allocates a line.
 */
export function coherentWord(bus: Bus, page: RamPage, pa: number): number {
  const dc = bus.dcache;
  if (dc !== null) {
    const slot = dc.slotOf(pa);
    if (slot >= 0) return dc.view.getUint32((slot << LINE_SHIFT) + (pa % LINE_BYTES), true);
  }
  return page.view.getUint32(pa % PAGE_SIZE, true);
}
