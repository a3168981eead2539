// Disassembly helpers for loads and stores, in objdump's syntax (GNU binutils): decimal
// immediates, `[xN, #imm]!` pre-index, `[xN], #imm` post-index, literals as a bare hex address.
import { regName } from '../regs.js';
import { Ext, RegExt, type Kind } from './single.js';

/** Base register: 31 is SP. */
export function baseName(n: number): string {
  return regName(n, true, true);
}

/** Is Rt an X register for this kind? */
export function rtIs64(k: Kind): boolean {
  return k.size === 3 || (!k.store && k.ext === Ext.SignX);
}

/**
 * Mnemonic for a single-register access: `form` is '' (LDR/STR), 'u' (unscaled LDUR/STUR) or
 * 't' (unprivileged LDTR/STTR), e.g. ldursb, sttrh, ldrsw.
 */
export function singleMnemonic(k: Kind, form: '' | 'u' | 't'): string {
  const signed = !k.store && k.ext !== Ext.Zero;
  const suffix = k.size === 0 ? 'b' : k.size === 1 ? 'h' : k.size === 2 && signed ? 'w' : '';
  return (k.store ? 'st' : 'ld') + (form === 'u' ? 'ur' : form === 't' ? 'tr' : 'r') + (signed ? 's' : '') + suffix;
}

/** `[xN]` or `[xN, #imm]`. */
export function offsetAddr(n: number, imm: number): string {
  return imm === 0 ? `[${baseName(n)}]` : `[${baseName(n)}, #${imm}]`;
}

export function preAddr(n: number, imm: number): string {
  return `[${baseName(n)}, #${imm}]!`;
}

export function postAddr(n: number, imm: number): string {
  return `[${baseName(n)}], #${imm}`;
}

const EXT_NAMES: Record<number, string> = { [RegExt.UXTW]: 'uxtw', [RegExt.LSL]: 'lsl', [RegExt.SXTW]: 'sxtw', [RegExt.SXTX]: 'sxtx' };

/** `[xN, xM]`, `[xN, xM, lsl #s]`, `[xN, wM, uxtw]`, `[xN, wM, sxtw #s]`... */
export function regAddr(n: number, m: number, option: number, s: number, amount: number): string {
  const rm = regName(m, (option & 1) === 1);
  if (option === RegExt.LSL && s === 0) return `[${baseName(n)}, ${rm}]`;
  const ext = EXT_NAMES[option];
  return s ? `[${baseName(n)}, ${rm}, ${ext} #${amount}]` : `[${baseName(n)}, ${rm}, ${ext}]`;
}

/** A PC-relative target as objdump prints it (hex, no 0x, without the <symbol> part). */
export function targetAddr(pc: number, off: number): string {
  return BigInt.asUintN(64, BigInt(pc + off)).toString(16);
}

const PRF_TYPES = ['pld', 'pli', 'pst'];

/** PRFM operation name from the Rt field: <type><target><policy>, or #0xNN when unallocated. */
export function prfop(rt: number): string {
  const type = rt >> 3;
  const target = (rt >> 1) & 3;
  if (type === 3 || target === 3) return '#0x' + rt.toString(16).padStart(2, '0');
  return `${PRF_TYPES[type]}l${target + 1}${rt & 1 ? 'strm' : 'keep'}`;
}
