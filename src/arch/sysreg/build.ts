// Small helpers shared by the sysreg definition modules: a compact constructor for
// definitions and storage-index lookups that resolve on first use (a computed register may
// read another register's storage; by the time any PE runs the catalogue is complete).
import type { Pe } from '../pe.js';
import type { SysRegDef } from './types.js';
import { sr } from './catalogue.js';

/** A register definition: name, encoding (op0, op1, CRn, CRm, op2), lowest EL, extras. */
export function reg(
  name: string,
  op0: number,
  op1: number,
  crn: number,
  crm: number,
  op2: number,
  minEl: 0 | 1 | 2 | 3,
  extra: Partial<SysRegDef> = {},
): SysRegDef {
  return { name, op0, op1, crn, crm, op2, minEl, ...extra };
}

/** A function returning the storage index of `name`, looked up once on first call. */
export function lazySr(name: string): () => number {
  let i = -1;
  return () => (i >= 0 ? i : (i = sr(name)));
}

/** Re-derive the PE's cached translation/control state (for onWrite). */
export const refresh = (pe: Pe): void => pe.refreshControl();

export const M32 = 0xffff_ffffn;
export const M64 = 0xffff_ffff_ffff_ffffn;

/** Bits [hi:lo] set, as a bigint mask. */
export function bits(hi: number, lo: number): bigint {
  return ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo);
}
