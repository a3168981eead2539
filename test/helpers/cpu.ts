// A bare PE on a bus with RAM, for instruction-level unit tests: write instruction words at
// 0x4000_0000, run them, inspect registers and memory. No board, no devices.
import { Bus } from '../../src/platform/bus.js';
import { Pe, type PeHost } from '../../src/arch/pe.js';
import { toBig } from '../../src/arch/a64/u64.js';
import { sr } from '../../src/arch/sysreg/index.js';

export const RAM_BASE = 0x4000_0000;
export const CODE = RAM_BASE + 0x1000;
export const DATA = RAM_BASE + 0x10_0000;

export const nullHost: PeHost = {
  smc: () => false,
  hvcFirmware: () => false,
  semihosting: () => false,
  counter: (pe) => BigInt(pe.retired),
  sev: () => {},
  tlbiBroadcast: () => {},
};

export interface TestCpu {
  pe: Pe;
  bus: Bus;
  /** Run until the PE executes past the last word (or `max` instructions). */
  run(max?: number): void;
  x(n: number): bigint;
  setX(n: number, v: bigint | number): void;
  flags(): string;
}

export function makeCpu(words: number[], opts: { el?: number; hasEl2?: boolean } = {}): TestCpu {
  const bus = new Bus();
  bus.addRam(RAM_BASE, 0x1000_0000);
  const pe = new Pe({ id: 0, affinity: 0, hasEl2: opts.hasEl2 ?? true, paBits: 40, profile: 'A' }, bus);
  pe.host = nullHost;
  const code = new Uint8Array(words.length * 4);
  const dv = new DataView(code.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  bus.writeBytes(CODE, code);
  pe.reset(opts.el ?? 1, CODE);
  pe.off = false;
  const end = CODE + words.length * 4;
  return {
    pe,
    bus,
    run(max = 10_000) {
      let n = 0;
      while (pe.pc !== end && n < max && !pe.off && pe.sleeping === '') n += pe.run(1);
    },
    x: (n) => toBig(pe.x[2 * n], pe.x[2 * n + 1]),
    setX(n, v) {
      const b = BigInt.asUintN(64, BigInt(v));
      pe.x[2 * n] = Number(b & 0xffffffffn);
      pe.x[2 * n + 1] = Number(b >> 32n);
    },
    flags: () => `${pe.n ? 'N' : 'n'}${pe.z ? 'Z' : 'z'}${pe.c ? 'C' : 'c'}${pe.v ? 'V' : 'v'}`,
  };
}

/**
 * Make EL1&0 data accesses Normal memory with the MMU off: HCR_EL2.DC = 1. DC also turns
 * stage 2 on (Arm ARM D17.2.48: "behaves as if HCR_EL2.VM is 1"), so give it an identity
 * stage 2 for the RAM gigabyte (a level-1 block, Normal Write-Back, read/write).
 */
export function normalMemory(c: TestCpu): void {
  const root = RAM_BASE + 0x0ff0_0000; // 8 KB: two concatenated level-1 tables (40-bit IPA)
  const block = BigInt(RAM_BASE) | (0xfn << 2n) | (3n << 6n) | (3n << 8n) | (1n << 10n) | 1n;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, block, true);
  c.bus.writeBytes(root + 8 * (RAM_BASE / 2 ** 30), b);
  const set = (name: string, v: bigint): void => {
    c.pe.sys[sr(name)] = v;
  };
  set('VTCR_EL2', (1n << 31n) | (2n << 16n) | (1n << 6n) | 24n);
  set('VTTBR_EL2', BigInt(root));
  set('HCR_EL2', 1n << 12n);
  c.pe.refreshControl();
}
