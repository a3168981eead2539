// The PMSAv8-64 region match (arm-facts §5.3-5.6): which enabled region holds an address, or
// that none does, or that several do (a fault whatever their attributes: "regions must not
// overlap", unlike PMSAv7 where the highest-numbered region won — QEMU ptw.c
// pmsav8_mpu_lookup). Pure: no PE, no faults raised; the caller decides what a miss means
// (background region or fault) and which fault code to report.
//
// Besides the answer, the lookup returns the span of addresses around the input, inside its
// 4 KiB page, for which the answer is the same. The PE's fast paths work on whole 4 KiB
// pages, so a page is only handed to them when the span is the whole page; otherwise every
// access (and every instruction fetch window) is checked here at 64-byte precision.
import { PERM } from '../mmu/walk.js';
import { AP, XN_NEVER, type Region } from './regions.js';

export const enum MatchKind {
  Hit = 0,
  NoMatch = 1,
  Overlap = 2,
}

export interface MpuMatch {
  kind: MatchKind;
  /** The region (Hit), or the two lowest-numbered matching regions (Overlap: [first, second]). */
  region?: Region;
  other?: Region;
  /** [spanLo, spanHi): addresses inside the input's page with the same outcome. */
  spanLo: number;
  spanHi: number;
}

/**
 * Match `addr` against the enabled regions `regions` (ascending index order). `page` is the
 * size of the window the span is clipped to.
 */
export function matchRegions(regions: readonly Region[], addr: number, page = 4096): MpuMatch {
  const pageLo = addr - (addr % page);
  let spanLo = pageLo;
  let spanHi = pageLo + page;
  let hit: Region | undefined;
  let other: Region | undefined;
  for (const r of regions) {
    if (r.limit < r.base) continue; // an empty region (LIMIT < BASE) matches nothing
    if (r.base <= addr && addr <= r.limit) {
      if (!hit) hit = r;
      else if (!other) other = r;
      if (r.base > spanLo) spanLo = r.base;
      if (r.limit + 1 < spanHi) spanHi = r.limit + 1;
    } else if (r.base > addr) {
      if (r.base < spanHi) spanHi = r.base;
    } else if (r.limit + 1 > spanLo) {
      spanLo = r.limit + 1;
    }
  }
  if (other) return { kind: MatchKind.Overlap, region: hit!, other, spanLo, spanHi };
  if (hit) return { kind: MatchKind.Hit, region: hit, spanLo, spanHi };
  return { kind: MatchKind.NoMatch, spanLo, spanHi };
}

/** Which MPU a region belongs to and for what it is checking. */
export const enum MpuUse {
  /** EL1 MPU: stage 1 of the EL1&0 regime (EL0 rights from AP[1]). */
  El1Stage1 = 0,
  /** EL2 MPU: stage 1 of the EL2 regime (the "privileged" rights). */
  El2Stage1 = 1,
  /** EL2 MPU checking EL1&0 accesses as stage 2 (HCR_EL2.VM = 1): AP[1] grants EL1&0 access. */
  El2Stage2 = 2,
}

/**
 * Region permissions as PERM bits (R0/W0/X0 for EL0, R1/W1/X1 for EL1 or EL2). AP[2:1]: bit 1
 * read-only, bit 0 the less privileged level may access; XN[1] forbids execution for every
 * level the region serves.
 */
export function regionPerms(r: Region, use: MpuUse): number {
  const ro = (r.ap & AP.READ_ONLY) !== 0;
  const unpriv = (r.ap & AP.UNPRIV) !== 0;
  const x = (r.xn & XN_NEVER) === 0;
  let p = 0;
  if (use === MpuUse.El2Stage2) {
    if (!unpriv) return 0;
    p = PERM.R0 | PERM.R1;
    if (!ro) p |= PERM.W0 | PERM.W1;
    if (x) p |= PERM.X0 | PERM.X1;
    return p;
  }
  p = PERM.R1 | (ro ? 0 : PERM.W1) | (x ? PERM.X1 : 0);
  if (use === MpuUse.El1Stage1 && unpriv) p |= PERM.R0 | (ro ? 0 : PERM.W0) | (x ? PERM.X0 : 0);
  return p;
}
