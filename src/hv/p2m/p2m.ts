// The p2m: a domain's stage-2 translation tables (xen/arch/arm/mmu/p2m.c), IPA → PA with the
// p2m type's attributes and permissions. The tables live in simulated RAM (domheap pages) and
// the hypervisor edits them through its own directmap (mapDomainPage), as Xen does.
//
// Geometry (Xen's choice for a 40-bit IPA, P2M_ROOT_LEVEL 1): 4 KB granule, VTCR_EL2.T0SZ = 24,
// SL0 = 1 (start at level 1) and a root of two concatenated level-1 tables (an order-1 domheap
// block, 8 KB aligned: Arm ARM D8.2.7 "Concatenated translation tables"), so a 1 GB block is
// the largest mapping. VTTBR_EL2 = root | VMID << 48, one VMID per domain (8-bit VMIDs).
//
// Every change to a live entry follows break-before-make (Arm ARM D8.16.1): write the invalid
// entry, DSB, TLBI IPAS2E1IS for the IPA, DSB, TLBI VMALLE1IS (stage-1 entries cached with the
// old stage-2 result), DSB, then the new entry. TLBIs name the VMID through VTTBR_EL2, so an
// update of a domain other than the running one loads its VTTBR around the flush (Xen's
// p2m_force_tlb_flush_sync).
import type { Xen } from '../xen.js';
import { mapDomainPage } from '../mm/mmu/mm.js';
import { DESC, DescKind, descKind } from '../../arch/mmu/descriptor.js';

/**
 * Xen's p2m_type_t (the subset with attributes of their own), plus mmio_direct_c_rwx: device
 * memory that is Normal WB and executable — on-chip SRAM ("mmio-sram", seed 004: "MEMORY,
 * cached and with RWX perms"), which Xen's mmio_direct_c (XN) cannot express.
 */
export type P2mType = 'ram_rw' | 'ram_ro' | 'mmio_direct_dev' | 'mmio_direct_nc' | 'mmio_direct_c' | 'mmio_direct_c_rwx';

/** Stored in the descriptor's software bits [58:55], as Xen does (p2m_type_t in pte.p2m.type). */
const P2M_TYPE_CODES: P2mType[] = ['ram_rw', 'ram_ro', 'mmio_direct_dev', 'mmio_direct_nc', 'mmio_direct_c', 'mmio_direct_c_rwx'];
const TYPE_SHIFT = 55n;

/** Stage-2 MemAttr[3:0] (Arm ARM D8.5.5): Device-nGnRE 0b0001, Normal NC 0b0101, Normal WB 0b1111. */
const MATTR = { DEV_nGnRE: 0x1, NORMAL_NC: 0x5, NORMAL_WB: 0xf } as const;
/** SH[1:0]: Outer for Device and Non-cacheable (Xen's mfn_to_p2m_entry), Inner for cacheable. */
const SH_OUTER = 2n;
const SH_INNER = 3n;

interface TypeAttrs {
  mattr: number;
  write: boolean;
  xn: boolean;
  sh: bigint;
}

/** Xen's p2m_set_permission + mfn_to_p2m_entry, per type. */
export const P2M_TYPE_ATTRS: Record<P2mType, TypeAttrs> = {
  ram_rw: { mattr: MATTR.NORMAL_WB, write: true, xn: false, sh: SH_INNER },
  ram_ro: { mattr: MATTR.NORMAL_WB, write: false, xn: false, sh: SH_INNER },
  mmio_direct_dev: { mattr: MATTR.DEV_nGnRE, write: true, xn: true, sh: SH_OUTER },
  mmio_direct_nc: { mattr: MATTR.NORMAL_NC, write: true, xn: true, sh: SH_OUTER },
  mmio_direct_c: { mattr: MATTR.NORMAL_WB, write: true, xn: true, sh: SH_INNER },
  mmio_direct_c_rwx: { mattr: MATTR.NORMAL_WB, write: true, xn: false, sh: SH_INNER },
};

export const P2M_IPA_BITS = 40;
export const P2M_ROOT_LEVEL = 1;
export const P2M_ROOT_PAGES = 2;
/** VTCR_EL2: RES1 bit 31, PS = 2 (40-bit), TG0 = 4K, SH0 Inner, ORGN0/IRGN0 WBWA, SL0 = 1, T0SZ = 24. */
export const VTCR_EL2_VALUE = (1n << 31n) | (2n << 16n) | (3n << 12n) | (1n << 10n) | (1n << 8n) | (1n << 6n) | 24n;

const PAGE = 4096;
const ADDR_MASK = 0x0000_ffff_ffff_f000n;
const levelSize = (l: number): number => 2 ** (12 + 9 * (3 - l));
const hx = (n: number): string => '0x' + n.toString(16);
const bit = (b: number): bigint => 1n << BigInt(b);

/** A rejected p2m request (Xen returns -EINVAL / -EEXIST / -ENOMEM). */
export class P2mError extends Error {
  constructor(
    msg: string,
    readonly errno: number,
  ) {
    super(msg);
    this.name = 'P2mError';
  }
}

export const EINVAL = 22;
export const EEXIST = 17;
export const ENOMEM = 12;

/** One domain's p2m (struct p2m_domain). */
export interface P2m {
  /** PA of the concatenated root (P2M_ROOT_PAGES pages). */
  root: number;
  vmid: number;
  /** Table pages allocated so far (for p2m teardown and statistics). */
  tables: number[];
  /** Live TLB flushes so far (tests check break-before-make happened). */
  flushes: number;
}

export function vttbrOf(p2m: P2m): bigint {
  return BigInt(p2m.root) | (BigInt(p2m.vmid) << 48n);
}

/** A stage-2 leaf for `pa` at `level` with type `t`. */
export function p2mLeaf(pa: number, level: number, t: P2mType): bigint {
  const a = P2M_TYPE_ATTRS[t];
  let e = bit(DESC.VALID) | (BigInt(a.mattr) << BigInt(DESC.MEM_ATTR)) | bit(DESC.AP1) | bit(DESC.AF) | (a.sh << BigInt(DESC.SH));
  if (a.write) e |= bit(DESC.AP2);
  if (a.xn) e |= bit(DESC.UXN);
  if (level === 3) e |= bit(DESC.TABLE);
  e |= BigInt(P2M_TYPE_CODES.indexOf(t)) << TYPE_SHIFT;
  return e | (BigInt(pa) & ADDR_MASK);
}

/** The p2m type recorded in a leaf. */
export function p2mTypeOf(e: bigint): P2mType {
  return P2M_TYPE_CODES[Number((e >> TYPE_SHIFT) & 0xfn)];
}

const tableDesc = (pa: number): bigint => bit(DESC.VALID) | bit(DESC.TABLE) | (BigInt(pa) & ADDR_MASK);
const lo32 = (e: bigint): number => Number(e & 0xffff_ffffn);

/** p2m_init + p2m_alloc_table: the root from the domheap (order 1, so 8 KB aligned), zeroed. */
export function p2mInit(xen: Xen, vmid: number): P2m {
  return xen.call('p2mInit', () => {
    const root = xen.heap!.allocDomheapPages(1);
    if (root === null) throw new P2mError('p2m: no memory for the root table', ENOMEM);
    xen.cpu.zero(mapDomainPage(xen, root), P2M_ROOT_PAGES * PAGE);
    return { root, vmid, tables: [], flushes: 0 };
  });
}

/** VA (through the directmap) of the table entry for `ipa` at `level` in the table at `tpa`. */
function entryVa(xen: Xen, tpa: number, ipa: number, level: number): number {
  const shift = 12 + 9 * (3 - level);
  // The root's index runs over both concatenated tables (IPA bit 39 selects the page).
  const idx = level === P2M_ROOT_LEVEL ? Math.floor(ipa / 2 ** shift) % (512 * P2M_ROOT_PAGES) : Math.floor(ipa / 2 ** shift) % 512;
  return mapDomainPage(xen, tpa) + idx * 8;
}

/** Flush the stage-2 (and combined) TLB entries of `p2m` for `ipa` (all PEs: the IS forms). */
function p2mFlush(xen: Xen, p2m: P2m, ipa: number): void {
  const cpu = xen.cpu;
  const saved = cpu.readSysreg('VTTBR_EL2');
  const mine = vttbrOf(p2m);
  if (saved !== mine) {
    cpu.writeSysreg('VTTBR_EL2', mine);
    cpu.isb();
  }
  cpu.dsb();
  cpu.tlbi('IPAS2E1IS', ipa);
  cpu.dsb();
  cpu.tlbi('VMALLE1IS');
  cpu.dsb();
  if (saved !== mine) {
    cpu.writeSysreg('VTTBR_EL2', saved);
    cpu.isb();
  }
  p2m.flushes++;
}

/** Break-before-make replacement of the live entry at `va` (mapping `ipa`). */
function bbm(xen: Xen, p2m: P2m, va: number, ipa: number, next: bigint): void {
  xen.cpu.write64(va, 0n);
  p2mFlush(xen, p2m, ipa);
  xen.cpu.write64(va, next);
}

function newTable(xen: Xen, p2m: P2m): number {
  const pa = xen.heap!.allocDomheapPages(0);
  if (pa === null) throw new P2mError('p2m: out of memory for a stage-2 table', ENOMEM);
  xen.cpu.zero(mapDomainPage(xen, pa), PAGE);
  p2m.tables.push(pa);
  return pa;
}

/** Replace the live block at `va` (level `level`, covering `ipa`) by a table of the same mappings. */
function shatter(xen: Xen, p2m: P2m, va: number, e: bigint, level: number, ipa: number): number {
  const t = newTable(xen, p2m);
  const sub = levelSize(level + 1);
  const base = Number(e & ADDR_MASK);
  const blockIpa = ipa - (ipa % levelSize(level));
  const type = p2mTypeOf(e);
  const tva = mapDomainPage(xen, t);
  for (let i = 0; i < 512; i++) xen.cpu.write64(tva + i * 8, p2mLeaf(base + i * sub, level + 1, type));
  bbm(xen, p2m, va, blockIpa, tableDesc(t));
  return t;
}

/**
 * p2m_set_entry: map `nr` pages at `gfnIpa` to `pa` with type `t` (pa = null removes). Uses the
 * largest block both addresses are aligned to at each step. Mapping over a valid entry is an
 * error (-EEXIST), as is an IPA outside the 40-bit space (-EINVAL); removal shatters blocks it
 * cuts through and flushes every entry it invalidates.
 */
export function p2mSetEntry(xen: Xen, p2m: P2m, ipa: number, nr: number, pa: number | null, t: P2mType = 'ram_rw'): void {
  xen.call('p2mSetEntry', () => {
    if (ipa % PAGE || (pa !== null && pa % PAGE) || !Number.isInteger(nr) || nr <= 0)
      throw new P2mError(`p2m: unaligned or empty request ipa ${hx(ipa)} pa ${pa === null ? '-' : hx(pa)} nr ${nr}`, EINVAL);
    const end = ipa + nr * PAGE;
    if (ipa < 0 || end > 2 ** P2M_IPA_BITS)
      throw new P2mError(`p2m: IPA range [${hx(ipa)}, ${hx(end)}) is outside the ${P2M_IPA_BITS}-bit IPA space`, EINVAL);
    if (pa !== null) {
      // Check the whole range first, so a rejected map changes nothing.
      for (let a = ipa; a < end;) {
        const hit = p2mLookup(xen, p2m, a);
        if (hit) throw new P2mError(`p2m: IPA ${hx(a)} is already mapped (to ${hx(hit.pa)}, ${hit.type})`, EEXIST);
        // Step over the whole invalid entry the walk stopped at (a 1 GB hole is one check, not
        // 262144: dom0's PCI windows are hundreds of GB).
        const hole = levelSize(unmappedLevel(xen, p2m, a));
        a = Math.floor(a / hole) * hole + hole;
      }
    }
    let cur = ipa;
    while (cur < end) cur += setOne(xen, p2m, cur, end, pa === null ? null : pa + (cur - ipa), t);
  });
}

/** Map or unmap the largest piece at `ipa` (below `end`); returns its size. */
function setOne(xen: Xen, p2m: P2m, ipa: number, end: number, pa: number | null, t: P2mType): number {
  const cpu = xen.cpu;
  let tpa = p2m.root;
  for (let level = P2M_ROOT_LEVEL; level <= 3; level++) {
    const size = levelSize(level);
    const va = entryVa(xen, tpa, ipa, level);
    const e = cpu.read64(va);
    const kind = descKind(lo32(e), level);
    const fits = ipa % size === 0 && end - ipa >= size && (pa === null || pa % size === 0);
    if (pa === null) {
      if (kind === DescKind.Invalid) return Math.min(size - (ipa % size), end - ipa);
      if (kind === DescKind.Table) {
        tpa = Number(e & ADDR_MASK);
        continue;
      }
      if (fits || level === 3) {
        cpu.write64(va, 0n);
        p2mFlush(xen, p2m, ipa);
        return size;
      }
      tpa = shatter(xen, p2m, va, e, level, ipa);
      continue;
    }
    if (kind === DescKind.Table) {
      tpa = Number(e & ADDR_MASK);
      continue;
    }
    if (fits) {
      cpu.write64(va, p2mLeaf(pa, level, t));
      return size;
    }
    // Invalid and too big for this piece: a new table below.
    const next = newTable(xen, p2m);
    cpu.write64(va, tableDesc(next));
    tpa = next;
  }
  throw new Error('p2m: walk went past level 3');
}

/** The level of the invalid entry a walk for an unmapped `ipa` stops at. */
function unmappedLevel(xen: Xen, p2m: P2m, ipa: number): number {
  let tpa = p2m.root;
  for (let level = P2M_ROOT_LEVEL; level <= 3; level++) {
    const e = xen.cpu.read64(entryVa(xen, tpa, ipa, level));
    if (descKind(lo32(e), level) !== DescKind.Table) return level;
    tpa = Number(e & ADDR_MASK);
  }
  return 3;
}

/** p2m_lookup: the PA and type `ipa` maps to, or null. */
export function p2mLookup(xen: Xen, p2m: P2m, ipa: number): { pa: number; type: P2mType; level: number } | null {
  if (ipa < 0 || ipa >= 2 ** P2M_IPA_BITS) return null;
  let tpa = p2m.root;
  for (let level = P2M_ROOT_LEVEL; level <= 3; level++) {
    const e = xen.cpu.read64(entryVa(xen, tpa, ipa, level));
    const kind = descKind(lo32(e), level);
    if (kind === DescKind.Invalid || kind === DescKind.Reserved) return null;
    if (kind === DescKind.Table) {
      tpa = Number(e & ADDR_MASK);
      continue;
    }
    const size = levelSize(level);
    return { pa: Number(e & ADDR_MASK) + (ipa % size), type: p2mTypeOf(e), level };
  }
  return null;
}

/** guest_physmap_add_entry / map_regions_p2mt: insert a mapping of `t`. */
export function p2mInsertMapping(xen: Xen, p2m: P2m, ipa: number, nr: number, pa: number, t: P2mType): void {
  p2mSetEntry(xen, p2m, ipa, nr, pa, t);
}

/** guest_physmap_remove_page / unmap_regions_p2mt. */
export function p2mRemoveMapping(xen: Xen, p2m: P2m, ipa: number, nr: number): void {
  p2mSetEntry(xen, p2m, ipa, nr, null);
}
