// xenPtUpdate: the one routine that edits the hypervisor's own page tables (mmu/pt.c;
// xen-facts §2.2, seed 003). Map, unmap and modify at 4K/2M/1G with the contiguous hint for
// whole aligned runs of 16, W^X enforced in software.
//
// Beyond Xen: every change to a live entry follows break-before-make (Arm ARM D8.16.1): write
// an invalid entry, TLBI the VA, then write the new one. That includes shattering a superpage
// (Xen refuses: "Shattering superpage is not supported"), changing memory attributes, and
// breaking a contiguous run before one of its entries changes. Permission-only changes are
// done in place followed by a TLBI, which the architecture allows. Requests that would
// silently replace another mapping are errors, as are misaligned ones.
//
// How a table is reached is the caller's business (PtOps.mapTable): by PA with the MMU off,
// through the image for static tables, through the PMAP fixmap slots in early boot, through
// mapDomainPage afterwards — the subject of seed 003.
import type { Cpu } from '../../arch/cpu.js';
import { DESC, DescKind, descKind } from '../../../arch/mmu/descriptor.js';
import { PAGE_SIZE, VA_BITS, tableOffset } from './layout.js';
import {
  _PAGE_BLOCK,
  _PAGE_CONTIG,
  _PAGE_POPULATE,
  _PAGE_PRESENT,
  _PAGE_RO,
  _PAGE_XN,
  PAGE_AI_MASK,
  flagsHaveRwx,
  pteAi,
  pteContig,
  pteFlags,
  pteHi,
  pteLo,
  pteWithPerms,
  pteWithoutContig,
  xenLeaf,
  xenTable,
} from './pte.js';

/** A rejected request (Xen returns -EINVAL / -ENOMEM and prints why). */
export class PtError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'PtError';
  }
}

/** No physical address: remove (flags without _PAGE_PRESENT) or modify (with it). */
export const INVALID_MFN = -1;

/** 16 entries per contiguous run with a 4K granule (XEN_PT_4K_NR_CONTIG). */
export const NR_CONTIG = 16;

export interface PtOps {
  cpu: Cpu;
  /** PA of the root (L0) table. */
  root: number;
  /** Make the table at `pa` accessible; returns its VA. */
  mapTable(pa: number): number;
  unmapTable(va: number): void;
  /** A new page for a table (contents unspecified; xenPtUpdate clears it). */
  allocTable(): number;
}

const levelSize = (l: number): number => 2 ** (12 + 9 * (3 - l));
const hx = (n: number): string => '0x' + n.toString(16);

/** Statistics of one update (tests and the boot log). */
export interface PtStats {
  tlbis: number;
  tables: number;
  shattered: number;
  breaks: number;
}

class Updater {
  readonly stats: PtStats = { tlbis: 0, tables: 0, shattered: 0, breaks: 0 };
  constructor(private readonly o: PtOps) {}

  private read(tva: number, idx: number): bigint {
    return this.o.cpu.read64(tva + idx * 8);
  }

  /** write_pte: dsb; store; dsb. */
  private write(tva: number, idx: number, e: bigint): void {
    this.o.cpu.dsb();
    this.o.cpu.write64(tva + idx * 8, e);
    this.o.cpu.dsb();
  }

  private tlbi(va: number): void {
    this.o.cpu.tlbi('VAE2IS', va);
    this.stats.tlbis++;
  }

  /** Break-before-make on a live entry: invalid, TLBI (for every VA it may cache), new value. */
  private bbm(tva: number, idx: number, vas: number[], e: bigint): void {
    this.write(tva, idx, 0n);
    for (const va of vas) this.tlbi(va);
    this.o.cpu.dsb();
    this.write(tva, idx, e);
    this.stats.breaks++;
  }

  private newTable(): { pa: number; va: number } {
    const pa = this.o.allocTable();
    const va = this.o.mapTable(pa);
    this.o.cpu.zero(va, PAGE_SIZE);
    this.stats.tables++;
    return { pa, va };
  }

  /** Clear the contiguous hint on the run holding entry `idx` (one break for the whole run). */
  private breakRun(tva: number, idx: number, level: number, va: number): void {
    const first = idx - (idx % NR_CONTIG);
    const size = levelSize(level);
    const runVa = va - (idx - first) * size;
    const olds: bigint[] = [];
    for (let i = 0; i < NR_CONTIG; i++) olds.push(this.read(tva, first + i));
    for (let i = 0; i < NR_CONTIG; i++) this.write(tva, first + i, 0n);
    for (let i = 0; i < NR_CONTIG; i++) this.tlbi(runVa + i * size);
    this.o.cpu.dsb();
    for (let i = 0; i < NR_CONTIG; i++) this.write(tva, first + i, pteWithoutContig(olds[i]));
    this.stats.breaks++;
  }

  /** Replace the block at (tva, idx) by a table of 512 next-level entries that map the same. */
  private shatter(tva: number, idx: number, level: number, va: number, e: bigint): number {
    if (pteContig(e)) {
      this.breakRun(tva, idx, level, va);
      e = this.read(tva, idx);
    }
    const t = this.newTable();
    const sub = levelSize(level + 1);
    const oa = Number((e & 0x0000_ffff_ffff_f000n) / BigInt(levelSize(level))) * levelSize(level);
    const flags = pteFlags(e);
    for (let i = 0; i < 512; i++) this.o.cpu.write64(t.va + i * 8, xenLeaf(oa + i * sub, level + 1, flags));
    const blockVa = va - (va % levelSize(level));
    this.bbm(tva, idx, [blockVa], xenTable(t.pa));
    this.o.unmapTable(t.va);
    this.stats.shattered++;
    return t.pa;
  }

  /** The level of the leaf mapping `va`, or the level of the invalid entry met (negated - 1). */
  leafLevel(va: number): number {
    let tpa = this.o.root;
    for (let level = 0; level <= 3; level++) {
      const tva = this.o.mapTable(tpa);
      const e = this.read(tva, tableOffset(va, level));
      this.o.unmapTable(tva);
      const k = descKind(pteLo(e), level);
      if (k === DescKind.Table) {
        tpa = Number(e & 0x0000_ffff_ffff_f000n);
        continue;
      }
      if (k === DescKind.Block || k === DescKind.Page) return level;
      return -1 - level;
    }
    return -4;
  }

  /** xen_pt_update_entry: one entry at `target` level. */
  entry(va: number, pa: number, target: number, flags: number): void {
    const populate = (flags & _PAGE_POPULATE) !== 0;
    const remove = pa === INVALID_MFN && (flags & _PAGE_PRESENT) === 0 && !populate;
    const modify = pa === INVALID_MFN && (flags & _PAGE_PRESENT) !== 0;
    let tpa = this.o.root;
    for (let level = 0; level < target; level++) {
      const tva = this.o.mapTable(tpa);
      const idx = tableOffset(va, level);
      const e = this.read(tva, idx);
      const k = descKind(pteLo(e), level);
      if (k === DescKind.Table) tpa = Number(e & 0x0000_ffff_ffff_f000n);
      else if (k === DescKind.Block) tpa = this.shatter(tva, idx, level, va, e);
      else if (remove) {
        this.o.unmapTable(tva);
        return;
      } else if (modify) {
        this.o.unmapTable(tva);
        throw new PtError(`cannot modify VA ${hx(va)}: it is not mapped`);
      } else {
        const t = this.newTable();
        this.o.unmapTable(t.va);
        // invalid -> valid needs no break; the ISB at the end of the update publishes it
        this.write(tva, idx, xenTable(t.pa));
        tpa = t.pa;
      }
      this.o.unmapTable(tva);
    }
    if (populate) return;
    const tva = this.o.mapTable(tpa);
    try {
      this.leaf(tva, tableOffset(va, target), target, va, pa, flags, remove, modify);
    } finally {
      this.o.unmapTable(tva);
    }
  }

  private leaf(tva: number, idx: number, level: number, va: number, pa: number, flags: number, remove: boolean, modify: boolean): void {
    let e = this.read(tva, idx);
    const k = descKind(pteLo(e), level);
    if (k === DescKind.Table) {
      throw new PtError(`overlapping request at VA ${hx(va)}: it is already mapped with a finer-grained table`);
    }
    const valid = k === DescKind.Block || k === DescKind.Page;
    if (remove) {
      if (!valid) return;
      if (pteContig(e)) {
        this.breakRun(tva, idx, level, va);
        e = this.read(tva, idx);
      }
      this.write(tva, idx, 0n);
      this.tlbi(va);
      return;
    }
    if (modify) {
      if (!valid) throw new PtError(`cannot modify VA ${hx(va)}: it is not mapped`);
      if (pteContig(e)) {
        this.breakRun(tva, idx, level, va);
        e = this.read(tva, idx);
      }
      const ro = (flags & _PAGE_RO) !== 0;
      const xn = (flags & _PAGE_XN) !== 0;
      if (pteAi(e) !== (flags & PAGE_AI_MASK)) {
        // A change of memory type needs break-before-make (Arm ARM D8.16.1).
        this.bbm(tva, idx, [va], xenLeaf(Number(e & 0x0000_ffff_ffff_f000n), level, flags & ~_PAGE_CONTIG));
      } else {
        this.write(tva, idx, pteWithPerms(e, ro, xn));
        this.tlbi(va);
      }
      return;
    }
    const n = xenLeaf(pa, level, flags);
    if (!valid) {
      this.write(tva, idx, n);
      return;
    }
    const oldPa = Number(e & 0x0000_ffff_ffff_f000n);
    if (oldPa !== pa) {
      throw new PtError(`overlapping request: VA ${hx(va)} is already mapped to PA ${hx(oldPa)} (asked for ${hx(pa)})`);
    }
    if (n === e) return;
    if (pteContig(e) && !pteContig(n)) {
      this.breakRun(tva, idx, level, va);
      e = this.read(tva, idx);
      if (n === e) return;
    }
    // Only AP[2] (read-only) and PXN/XN differ: a permission change, allowed in place (Arm ARM
    // D8.16.1 lists no break-before-make requirement for it). Anything else: break before make.
    const loPerm = 1 << DESC.AP2;
    const hiPerm = (1 << (DESC.PXN - 32)) | (1 << (DESC.UXN - 32));
    if ((pteLo(n) & ~loPerm) === (pteLo(e) & ~loPerm) && (pteHi(n) & ~hiPerm) === (pteHi(e) & ~hiPerm)) {
      this.write(tva, idx, n);
      this.tlbi(va);
    } else this.bbm(tva, idx, [va], n);
  }
}

/** The mapping level for the next chunk (xen_pt_mapping_level). */
function mappingLevel(va: number, pa: number, left: number, flags: number): number {
  if ((flags & _PAGE_BLOCK) === 0 || pa === INVALID_MFN) return 3;
  for (const level of [1, 2]) {
    const s = levelSize(level);
    if (va % s === 0 && pa % s === 0 && left * PAGE_SIZE >= s) return level;
  }
  return 3;
}

/** How many entries from here form an aligned contiguous run (xen_pt_check_contig). */
function contigRun(va: number, pa: number, left: number, level: number, flags: number): number {
  if ((flags & _PAGE_BLOCK) === 0 || pa === INVALID_MFN || level < 2) return 1;
  const span = levelSize(level) * NR_CONTIG;
  if (va % span === 0 && pa % span === 0 && left * PAGE_SIZE >= span) return NR_CONTIG;
  return 1;
}

/**
 * xen_pt_update(virt, mfn, nr, flags): `pa` INVALID_MFN with flags 0 removes, with
 * _PAGE_PRESENT modifies permissions (and, with break-before-make, memory type).
 */
export function xenPtUpdate(o: PtOps, virt: number, pa: number, nr: number, flags: number): PtStats {
  const at = `xenPtUpdate(${hx(virt)}, ${pa === INVALID_MFN ? 'INVALID' : hx(pa)}, ${nr}, ${hx(flags)})`;
  if (!Number.isInteger(nr) || nr <= 0) throw new PtError(`${at}: page count must be positive`);
  if (virt % PAGE_SIZE !== 0) throw new PtError(`${at}: VA is not page aligned`);
  if (pa !== INVALID_MFN && pa % PAGE_SIZE !== 0) throw new PtError(`${at}: PA is not page aligned`);
  if (flags & _PAGE_CONTIG) throw new PtError(`${at}: _PAGE_CONTIG is internal; pass _PAGE_BLOCK and let the update choose`);
  if (flagsHaveRwx(flags)) throw new PtError(`${at}: mappings must not be both writable and executable (W^X)`);
  if (virt < 0 || virt + nr * PAGE_SIZE > 2 ** VA_BITS) throw new PtError(`${at}: outside the ${VA_BITS}-bit VA space`);
  const u = new Updater(o);
  const cpu = o.cpu;
  if (flags & _PAGE_POPULATE) throw new PtError(`${at}: use populatePtRange for _PAGE_POPULATE`);
  const remove = pa === INVALID_MFN && (flags & _PAGE_PRESENT) === 0;
  const modify = pa === INVALID_MFN && (flags & _PAGE_PRESENT) !== 0;
  let va = virt;
  let left = nr;
  let cur = pa;
  while (left > 0) {
    let level: number;
    if (remove || modify) {
      // Act on whole leaves the request covers; shatter one it only partly covers.
      const l = u.leafLevel(va);
      if (l < 0) {
        if (modify) throw new PtError(`${at}: VA ${hx(va)} is not mapped`);
        // Nothing mapped here: skip to the end of the empty entry.
        const s = levelSize(-1 - l);
        const skip = Math.min(left, (s - (va % s)) / PAGE_SIZE);
        va += skip * PAGE_SIZE;
        left -= skip;
        continue;
      }
      const s = levelSize(l);
      level = va % s === 0 && left * PAGE_SIZE >= s ? l : 3;
    } else level = mappingLevel(va, cur, left, flags);
    const run = contigRun(va, cur, left, level, flags);
    const f = run > 1 ? flags | _PAGE_CONTIG : flags & ~_PAGE_BLOCK;
    const s = levelSize(level);
    for (let i = 0; i < run; i++) {
      try {
        u.entry(va + i * s, cur === INVALID_MFN ? cur : cur + i * s, level, f & ~_PAGE_BLOCK);
      } catch (e) {
        if (e instanceof PtError && !e.message.startsWith('xenPtUpdate')) throw new PtError(`${at}: ${e.message}`);
        throw e;
      }
    }
    va += run * s;
    if (cur !== INVALID_MFN) cur += run * s;
    left -= (run * s) / PAGE_SIZE;
  }
  // New entries only need the ISB; changed and removed ones were invalidated on the way.
  cpu.dsb();
  cpu.isb();
  return u.stats;
}

/**
 * Link an existing table `tablePa` as the level-`level` table covering `va` (the fixmap's L3
 * table is shared by the boot and runtime hierarchies, as Xen's xen_fixmap is).
 */
export function linkTable(o: PtOps, va: number, level: number, tablePa: number): void {
  // Populate the tables above (populate_pt_range), then write the table entry at level - 1.
  new Updater(o).entry(va, INVALID_MFN, level - 1, _PAGE_POPULATE);
  let tpa = o.root;
  for (let l = 0; l < level - 1; l++) {
    const tva = o.mapTable(tpa);
    const e = o.cpu.read64(tva + tableOffset(va, l) * 8);
    o.unmapTable(tva);
    if (descKind(pteLo(e), l) !== DescKind.Table) throw new PtError(`linkTable: no table at level ${l} for ${hx(va)}`);
    tpa = Number(e & 0x0000_ffff_ffff_f000n);
  }
  const tva = o.mapTable(tpa);
  const idx = tableOffset(va, level - 1);
  const old = o.cpu.read64(tva + idx * 8);
  if (old !== 0n && old !== xenTable(tablePa)) {
    o.unmapTable(tva);
    throw new PtError(`linkTable: VA ${hx(va)} already has a level-${level - 1} entry`);
  }
  o.cpu.write64(tva + idx * 8, xenTable(tablePa));
  o.unmapTable(tva);
}

/** populate_pt_range: make sure the tables down to L3 exist for [va, va + nr pages). */
export function populatePtRange(o: PtOps, va: number, nr: number): void {
  const u = new Updater(o);
  for (let v = va - (va % levelSize(2)); v < va + nr * PAGE_SIZE; v += levelSize(2)) u.entry(v, INVALID_MFN, 3, _PAGE_POPULATE);
}
