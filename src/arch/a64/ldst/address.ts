// Address generation for A64 loads and stores (Arm ARM C1.3.3, "Load/Store addressing modes").
//
// A base register is a (lo, hi) pair; the address is its signed value plus an offset, as a
// signed-canonical JS number. That number is exact while |hi| < 2^20 (|value| < 2^52), which
// covers every canonical 48-bit VA with room to spare. A base outside that range (a tagged or
// non-canonical pointer) cannot be represented exactly: the op calls `wideVa`, which redoes
// the sum with BigInt and either returns an exact address or raises the fault.
import { EXCEPTION_TAKEN, type Pe } from '../../pe.js';
import { EC, FSC, ABT, makeEsr } from '../../esr.js';
import { takeException, syncTargetEl, Vector } from '../../exceptions.js';
import { dataAbort, AccessFlags } from '../../mem/access.js';
import { sr } from '../../sysreg/index.js';
import { SCTLR } from '../../sysreg/fields.js';

export const TWO32 = 4294967296;
/** hi|0 must lie in [HI_MIN, HI_MAX) for hi*2^32 + lo to be an exact, meaningful address. */
export const HI_MIN = -0x100000;
export const HI_MAX = 0x100000;

const FAR = [0, sr('FAR_EL1'), sr('FAR_EL2')];

/**
 * Slow address generation: (Xn + off) mod 2^64. Returns the address when it is exactly
 * representable; otherwise takes the abort for it and throws.
 *
 * Architecturally a non-canonical VA faults at level 0: an Address size fault while stage 1
 * is off (Arm ARM AArch64.S1DisabledOutput: VA bits above the PA size must be 0, the same
 * fault `translate` raises for representable VAs), a Translation fault when the MMU is on
 * (the VA lies in neither TTBR0's nor TTBR1's range). FAR gets the exact 64-bit VA.
 * TBI (top-byte-ignore, TCR_ELx.TBI0/1) will be applied here once the MMU lands: with TBI
 * the top byte is dropped (sign-extended from bit 55) before the range check.
 */
export function wideVa(pe: Pe, lo: number, hi: number, off: bigint, size: number, isWrite: boolean, flags: AccessFlags): number {
  const exact = BigInt.asIntN(64, ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) + off);
  if (exact >= -(1n << 52n) && exact < 1n << 52n) return Number(exact);
  // Alignment is checked before translation (Arm ARM B2.5.2); the slow path does the same.
  const sctlr = pe.el === 2 ? pe.sctlrEl2 : pe.sctlrEl1;
  const mustAlign = (flags & (AccessFlags.Exclusive | AccessFlags.Ordered)) !== 0 || (sctlr & SCTLR.A) !== 0;
  const misaligned = (exact & BigInt(size - 1)) !== 0n;
  const tel = syncTargetEl(pe);
  let fsc: number;
  if (mustAlign && misaligned) fsc = FSC.ALIGNMENT;
  else fsc = sctlr & SCTLR.M ? FSC.TRANSLATION + 0 : FSC.ADDR_SIZE + 0;
  let iss = fsc;
  if (isWrite) iss |= ABT.WNR;
  const ec = tel > pe.el ? EC.DABT_LOW : EC.DABT_CUR;
  // takeException takes FAR as a JS number; this one is not representable, so write it here.
  takeException(pe, tel, Vector.Sync, makeEsr(ec, true, iss), pe.curPc);
  pe.sys[FAR[tel]] = BigInt.asUintN(64, exact);
  throw EXCEPTION_TAKEN;
}

/** Xn + imm for a base register slot n (31 = SP): the address, exact, or fault. */
export function baseVa(pe: Pe, n: number, imm: number, size: number, isWrite: boolean, flags: AccessFlags): number {
  const x = pe.x;
  const hi = x[2 * n + 1] | 0;
  if (hi >= HI_MIN && hi < HI_MAX) return hi * TWO32 + x[2 * n] + imm;
  return wideVa(pe, x[2 * n], x[2 * n + 1], BigInt(imm), size, isWrite, flags);
}

/**
 * Base register writeback: Xn = addr. The new base is derived from the address the access used
 * (plus the post-index immediate), never re-read from Xn, so a load into Rt == Rn cannot leak
 * into it. Any access that got this far had an exact address (|addr| < 2^53), and ToUint32 on
 * both halves gives the 64-bit two's-complement value, wrapping at 2^64 as the architecture does.
 */
export function setBase(x: Uint32Array, n: number, addr: number): void {
  x[2 * n] = addr;
  x[2 * n + 1] = Math.floor(addr / TWO32);
}

/** Alignment fault for a pair exclusive whose address is not aligned to the pair size. */
export function pairAlignmentFault(pe: Pe, va: number, isWrite: boolean, flags: AccessFlags): never {
  return dataAbort(pe, va, FSC.ALIGNMENT, isWrite, flags);
}
