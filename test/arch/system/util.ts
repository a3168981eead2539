// Shared helpers for the system-instruction tests: a PE with both vector bases set, HCR_EL2
// control, single-stepping and the syndrome a trapped MSR/MRS/SYS word should produce.
import { makeCpu, CODE, type TestCpu } from '../../helpers/cpu.js';
import { sr } from '../../../src/arch/sysreg/index.js';
import { makeEsr, sysRegIss, EC } from '../../../src/arch/esr.js';
import type { Pe } from '../../../src/arch/pe.js';

export { CODE };
export const VBAR1 = 0x4007_0000;
export const VBAR2 = 0x4008_0000;

export function cpu(words: number[], opts: { el?: number; hasEl2?: boolean } = {}): TestCpu {
  const c = makeCpu(words, { el: 1, hasEl2: true, ...opts });
  c.pe.sys[sr('VBAR_EL1')] = BigInt(VBAR1);
  c.pe.sys[sr('VBAR_EL2')] = BigInt(VBAR2);
  return c;
}

export function setSys(pe: Pe, name: string, v: bigint): void {
  pe.sys[sr(name)] = v;
  pe.refreshControl();
}

export function getSys(pe: Pe, name: string): bigint {
  return pe.sys[sr(name)];
}

/** Execute `n` instructions (an exception entry counts as one). */
export function step(c: TestCpu, n = 1): void {
  c.pe.run(n);
}

/** ESR for a trapped MRS/MSR/SYS with this instruction word (EC 0x18, IL = 1). */
export function trapEsr(word: number): bigint {
  const op0 = (word >>> 19) & 3;
  const iss = sysRegIss(
    op0,
    (word >>> 16) & 7,
    (word >>> 12) & 15,
    (word >>> 8) & 15,
    (word >>> 5) & 7,
    word & 31,
    ((word >>> 21) & 1) === 1,
  );
  return BigInt(makeEsr(EC.SYS64, true, iss));
}

export const ESR_UNDEF = BigInt(makeEsr(EC.UNKNOWN, true, 0));

/** Vector offsets: current EL with SP_ELx, and lower EL (AArch64). */
export const CUR_SPX_SYNC = 0x200;
export const LOWER_SYNC = 0x400;

/** Put a NOP at `addr` (e.g. a vector entry, so the first vector instruction is harmless). */
export function nopAt(c: TestCpu, addr: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, 0xd503201f, true);
  c.bus.writeBytes(addr, b);
}
