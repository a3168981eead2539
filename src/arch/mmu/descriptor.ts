// VMSAv8-64 translation table descriptors, 4 KB granule, 48-bit OA (Arm ARM D8.3, "Translation
// table descriptor formats"; arm-facts §4.5). The one codec for the walker, the rule checker,
// `--dump-tables` and `armvisor walk`. A descriptor is handled as two uint32 halves (lo, hi)
// read little-endian from memory, so the walk never touches bigint.

/** Bit positions within the 64-bit descriptor. */
export const DESC = {
  VALID: 0,
  TABLE: 1, // table (levels 0-2) or page (level 3)
  ATTR_INDX: 2, // [4:2] stage 1
  MEM_ATTR: 2, // [5:2] stage 2
  NS: 5,
  AP1: 6, // stage 1 AP[1]: EL0 access (EL1&0 regime); stage 2 S2AP[0]: read
  AP2: 7, // stage 1 AP[2]: read-only; stage 2 S2AP[1]: write
  SH: 8, // [9:8]
  AF: 10,
  NG: 11,
  CONTIGUOUS: 52,
  PXN: 53,
  UXN: 54, // XN in single-EL regimes and at stage 2
  PXN_TABLE: 59,
  XN_TABLE: 60, // UXNTable in the EL1&0 regime
  AP_TABLE: 61, // [62:61]: bit 61 no EL0 access below, bit 62 read-only below
  NS_TABLE: 63,
} as const;

/** Bit `b` (0..63) of a descriptor held as (lo, hi). */
export function descBit(lo: number, hi: number, b: number): number {
  return b < 32 ? (lo >>> b) & 1 : (hi >>> (b - 32)) & 1;
}

/** Address bits [47:12] of a descriptor (next-level table, page or block base before masking). */
export function descAddress(lo: number, hi: number): number {
  return (hi & 0xffff) * 2 ** 32 + ((lo & 0xfffff000) >>> 0);
}

/** log2 of the region one descriptor at `level` maps (4 KB granule: 39, 30, 21, 12). */
export function levelShift(level: number): number {
  return 12 + 9 * (3 - level);
}

export function levelSize(level: number): number {
  return 2 ** levelShift(level);
}

export const enum DescKind {
  Invalid = 0,
  Table = 1,
  Block = 2,
  Page = 3,
  /** Block at level 0 or a level-3 descriptor with bit 1 clear: Translation fault. */
  Reserved = 4,
}

export function descKind(lo: number, level: number): DescKind {
  if ((lo & 1) === 0) return DescKind.Invalid;
  const t = (lo >>> 1) & 1;
  if (level === 3) return t ? DescKind.Page : DescKind.Reserved;
  if (t) return DescKind.Table;
  return level === 0 ? DescKind.Reserved : DescKind.Block;
}

/** The output address a leaf at `level` maps `ia` to (OA base plus the offset within it). */
export function leafOutput(lo: number, hi: number, level: number, ia: number): number {
  const size = levelSize(level);
  const base = descAddress(lo, hi);
  const oaBase = base - (base % size);
  return oaBase + (((ia % size) + size) % size);
}

/** Human-readable decode of a descriptor for traces, `walk` and `--dump-tables`. */
export function describeDescriptor(lo: number, hi: number, level: number, stage: 1 | 2): string {
  const kind = descKind(lo, level);
  const hex = `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`;
  const bit = (b: number): number => descBit(lo, hi, b);
  switch (kind) {
    case DescKind.Invalid:
      return `${hex} invalid`;
    case DescKind.Reserved:
      return `${hex} reserved (${level === 0 ? 'block at level 0' : 'level-3 descriptor with bit[1]=0'})`;
    case DescKind.Table: {
      const extra: string[] = [];
      if (stage === 1) {
        if (bit(DESC.PXN_TABLE)) extra.push('PXNTable');
        if (bit(DESC.XN_TABLE)) extra.push('XNTable');
        const ap = (hi >>> (DESC.AP_TABLE - 32)) & 3;
        if (ap) extra.push(`APTable=${ap.toString(2).padStart(2, '0')}`);
        if (bit(DESC.NS_TABLE)) extra.push('NSTable');
      }
      return `${hex} table -> 0x${descAddress(lo, hi).toString(16)}${extra.length ? ' ' + extra.join(' ') : ''}`;
    }
    default: {
      const size = levelSize(level);
      const oa = descAddress(lo, hi);
      const f: string[] = [`${kind === DescKind.Page ? 'page' : 'block'} -> 0x${(oa - (oa % size)).toString(16)}`];
      if (stage === 1) {
        f.push(`AttrIndx=${(lo >>> DESC.ATTR_INDX) & 7}`, `AP=${(lo >>> DESC.AP1) & 3}`);
      } else {
        f.push(`MemAttr=0x${((lo >>> DESC.MEM_ATTR) & 15).toString(16)}`, `S2AP=${(lo >>> DESC.AP1) & 3}`);
      }
      f.push(`SH=${(lo >>> DESC.SH) & 3}`, `AF=${bit(DESC.AF)}`);
      if (stage === 1 && bit(DESC.NG)) f.push('nG');
      if (bit(DESC.CONTIGUOUS)) f.push('Contiguous');
      if (stage === 1 && bit(DESC.PXN)) f.push('PXN');
      if (bit(DESC.UXN)) f.push(stage === 1 ? 'UXN' : 'XN');
      return `${hex} ${f.join(' ')}`;
    }
  }
}
