// Translation regimes and their controls, decoded from the system registers once per change
// (Pe.refreshControl) rather than on every walk: which tables, how many VA bits, which start
// level, which ASID/VMID tags the TLB entries (Arm ARM D8.2 "Translation process", D17.2
// TCR_EL1/TCR_EL2/VTCR_EL2/TTBRn/VTTBR; arm-facts §4.3-4.4). 4 KB granule only: TG0/TG1
// select it whatever they say, since ID_AA64MMFR0_EL1 reports 16 KB and 64 KB absent (a
// reserved or unsupported TGx value is treated as 4 KB, Arm ARM D8.2.6).
import type { Pe } from '../pe.js';
import { sr } from '../sysreg/index.js';
import { HCR, HCR_HI, SCTLR } from '../sysreg/fields.js';
import { levelShift } from './descriptor.js';

export const enum Regime {
  EL10 = 1,
  EL2 = 2,
}

/** One half of a VA space (TTBR0 or TTBR1): where its tables are and how they are shaped. */
export interface TableHalf {
  /** Translation table base (PA at stage 1 of EL2, IPA for EL1&0 under stage 2). */
  base: number;
  /** TTBR BADDR has bits at or above the output size: Address size fault at level 0. */
  baseTooBig: boolean;
  iaBits: number;
  startLevel: number;
  /** TCR.EPDn = 1: a TLB miss in this half is a Translation fault at level 0. */
  disabled: boolean;
  /** TCR.TBIn: bits [63:56] are ignored for data accesses (addresses are tagged). */
  tbi: boolean;
  /** TxSZ outside 16..39 was clamped (CONSTRAINED UNPREDICTABLE, reported by the rule checker). */
  clamped: boolean;
}

export interface Stage1Config {
  regime: Regime;
  enabled: boolean;
  /** SCTLR.C / SCTLR.I of the regime. */
  dataCache: boolean;
  instCache: boolean;
  wxn: boolean;
  /** MAIR_ELx as two 32-bit halves (attribute n is byte n). */
  mairLo: number;
  mairHi: number;
  /** Output (IPA/PA) size in bits: min(TCR.IPS/PS, ID_AA64MMFR0_EL1.PARange). */
  oaBits: number;
  /** TTBR0 half, and the TTBR1 half in the EL1&0 regime (null in EL2, which has one range). */
  lo: TableHalf;
  hi: TableHalf | null;
  asid: number;
  /** HCR_EL2.DC = 1: EL1&0 stage 1 is off and its output is Normal Write-Back. */
  defaultCacheable: boolean;
}

export interface Stage2Config {
  enabled: boolean;
  vmid: number;
  base: number;
  baseTooBig: boolean;
  iaBits: number;
  startLevel: number;
  oaBits: number;
  /** VTCR_EL2.{T0SZ, SL0} inconsistent: every stage-2 walk is a Translation fault at level 0. */
  badConfig: boolean;
  /** HCR_EL2.PTW: a stage-1 walk touching stage-2 Device memory is a stage-2 Permission fault. */
  protectedWalk: boolean;
  /** HCR_EL2.CD / ID: stage-2 data / instruction attributes treated as Non-cacheable. */
  dataNonCacheable: boolean;
  instNonCacheable: boolean;
}

/** PS/IPS encodings → output size in bits (Arm ARM D17.2.131 TCR_EL1.IPS). */
const PS_BITS = [32, 36, 40, 42, 44, 48, 52];

function psBits(pe: Pe, ps: number): number {
  // Values beyond the implemented PARange are treated as PARange (Arm ARM D8.2.5).
  const b = PS_BITS[ps] ?? 48;
  return Math.min(b, pe.cfg.paBits);
}

/** Stage-1 start level for a 4 KB granule and an input size of `iaBits` (25..48). */
export function s1StartLevel(iaBits: number): number {
  if (iaBits > 39) return 0;
  if (iaBits > 30) return 1;
  return 2;
}

const idx = {
  TCR_EL1: sr('TCR_EL1'),
  TTBR0_EL1: sr('TTBR0_EL1'),
  TTBR1_EL1: sr('TTBR1_EL1'),
  MAIR_EL1: sr('MAIR_EL1'),
  TCR_EL2: sr('TCR_EL2'),
  TTBR0_EL2: sr('TTBR0_EL2'),
  MAIR_EL2: sr('MAIR_EL2'),
  VTCR_EL2: sr('VTCR_EL2'),
  VTTBR_EL2: sr('VTTBR_EL2'),
};

function field(v: bigint, lo: number, width: number): number {
  return Number((v >> BigInt(lo)) & ((1n << BigInt(width)) - 1n));
}

function tableHalf(ttbr: bigint, txsz: number, epd: boolean, tbi: boolean, oaBits: number): TableHalf {
  const clampedSz = Math.min(39, Math.max(16, txsz));
  const iaBits = 64 - clampedSz;
  const startLevel = s1StartLevel(iaBits);
  const baddr = Number(ttbr & 0x0000_ffff_ffff_fffen);
  // BADDR bits below the start table's size are RES0 (Arm ARM D17.2.151): ignored here.
  const entries = 2 ** (iaBits - levelShift(startLevel));
  const align = Math.max(entries * 8, 64);
  const base = baddr - (baddr % align);
  return { base, baseTooBig: base >= 2 ** oaBits, iaBits, startLevel, disabled: epd, tbi, clamped: clampedSz !== txsz };
}

export function stage1Config(pe: Pe, regime: Regime): Stage1Config {
  const s = pe.sys;
  if (regime === Regime.EL2) {
    const tcr = s[idx.TCR_EL2];
    const oaBits = psBits(pe, field(tcr, 16, 3));
    const mair = s[idx.MAIR_EL2];
    const sctlr = pe.sctlrEl2;
    return {
      regime,
      enabled: (sctlr & SCTLR.M) !== 0,
      dataCache: (sctlr & SCTLR.C) !== 0,
      instCache: (sctlr & SCTLR.I) !== 0,
      wxn: (sctlr & SCTLR.WXN) !== 0,
      mairLo: Number(mair & 0xffffffffn),
      mairHi: Number(mair >> 32n),
      oaBits,
      lo: tableHalf(s[idx.TTBR0_EL2], field(tcr, 0, 6), false, field(tcr, 20, 1) === 1, oaBits),
      hi: null,
      asid: 0,
      defaultCacheable: false,
    };
  }
  const tcr = s[idx.TCR_EL1];
  const oaBits = psBits(pe, field(tcr, 32, 3));
  const mair = s[idx.MAIR_EL1];
  const sctlr = pe.sctlrEl1;
  const ttbr0 = s[idx.TTBR0_EL1];
  const ttbr1 = s[idx.TTBR1_EL1];
  // TCR_EL1.A1 picks which TTBR holds the ASID; AS = 0 means 8-bit ASIDs (upper bits ignored).
  const asidReg = field(tcr, 22, 1) ? ttbr1 : ttbr0;
  const asid = field(asidReg, 48, 16) & (field(tcr, 36, 1) ? 0xffff : 0xff);
  const el2 = pe.cfg.hasEl2;
  const dc = el2 && (pe.hcrLo & HCR.DC) !== 0;
  const tge = el2 && (pe.hcrLo & HCR.TGE) !== 0;
  return {
    regime,
    // HCR_EL2.DC and (E2H = 0) TGE make EL1&0 stage 1 behave as disabled (Arm ARM D17.2.48).
    enabled: (sctlr & SCTLR.M) !== 0 && !dc && !tge,
    dataCache: (sctlr & SCTLR.C) !== 0,
    instCache: (sctlr & SCTLR.I) !== 0,
    wxn: (sctlr & SCTLR.WXN) !== 0,
    mairLo: Number(mair & 0xffffffffn),
    mairHi: Number(mair >> 32n),
    oaBits,
    lo: tableHalf(ttbr0, field(tcr, 0, 6), field(tcr, 7, 1) === 1, field(tcr, 37, 1) === 1, oaBits),
    hi: tableHalf(ttbr1, field(tcr, 16, 6), field(tcr, 23, 1) === 1, field(tcr, 38, 1) === 1, oaBits),
    asid,
    defaultCacheable: dc,
  };
}

/** VTCR_EL2.SL0 → start level for a 4 KB granule (3 is reserved). */
const SL0_LEVEL = [2, 1, 0, -1];

export function stage2Config(pe: Pe): Stage2Config {
  const s = pe.sys;
  const vtcr = s[idx.VTCR_EL2];
  const vttbr = s[idx.VTTBR_EL2];
  const h = pe.hcrLo;
  const oaBits = psBits(pe, field(vtcr, 16, 3));
  const t0sz = field(vtcr, 0, 6);
  const iaBits = 64 - t0sz;
  const startLevel = SL0_LEVEL[field(vtcr, 6, 2)];
  // The start level must resolve the top IPA bit with at most 16 concatenated tables
  // (Arm ARM D8.2.7, "Concatenated translation tables"; the startsizecheck of the
  // AArch64.TranslationTableWalk pseudocode). Otherwise no base is found: level-0 fault.
  const startBits = startLevel < 0 ? 0 : iaBits - levelShift(startLevel);
  const badConfig = startLevel < 0 || t0sz < 16 || t0sz > 39 || startBits < 1 || startBits > 13;
  const entries = badConfig ? 1 : 2 ** (iaBits - levelShift(startLevel));
  const baddr = Number(vttbr & 0x0000_ffff_ffff_fffen);
  const align = Math.max(entries * 8, 64);
  const base = baddr - (baddr % align);
  return {
    enabled: pe.cfg.hasEl2 && (h & (HCR.VM | HCR.DC)) !== 0,
    vmid: field(vttbr, 48, 8),
    base,
    baseTooBig: base >= 2 ** oaBits,
    iaBits,
    startLevel: badConfig ? 0 : startLevel,
    oaBits,
    badConfig,
    protectedWalk: (h & HCR.PTW) !== 0,
    dataNonCacheable: (pe.hcrHi & HCR_HI.CD) !== 0,
    instNonCacheable: (pe.hcrHi & HCR_HI.ID) !== 0,
  };
}

/** MAIR attribute byte `i` (0..7) of a stage-1 config. */
export function mairByte(c: Stage1Config, i: number): number {
  return i < 4 ? (c.mairLo >>> (8 * i)) & 0xff : (c.mairHi >>> (8 * (i - 4))) & 0xff;
}
