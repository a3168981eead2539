// A bare PE on a bus with RAM, for instruction-level unit tests: write instruction words at
// 0x4000_0000, run them, inspect registers and memory. No board, no devices.
import { Bus } from '../../src/platform/bus.js';
import { Pe, type PeHost } from '../../src/arch/pe.js';
import { toBig } from '../../src/arch/a64/u64.js';

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
