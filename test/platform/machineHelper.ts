// A small machine for firmware and scheduling tests: RAM at 0x4000_0000, N PEs, code words
// at 0x4000_1000 (PE0's entry), console bytes collected in `out`.
import { Bus } from '../../src/platform/bus.js';
import { Machine, type MachineConfig } from '../../src/platform/machine.js';
import type { Pe } from '../../src/arch/pe.js';

export const RAM = 0x4000_0000;
export const CODE = RAM + 0x1000;

// Instruction words (aarch64-linux-gnu-as, checked with objdump -d).
export const HVC0 = 0xd4000002; // hvc #0
export const SMC0 = 0xd4000003; // smc #0
export const HLT_SEMI = 0xd45e0000; // hlt #0xf000
export const B_SELF = 0x14000000; // b .
export const WFI = 0xd503207f; // wfi
export const WFE = 0xd503205f; // wfe
export const ADD_X0_1 = 0x91000400; // add x0, x0, #0x1
export const B_BACK1 = 0x17ffffff; // b .-4
export const NOP = 0xd503201f; // nop
export const MSR_DAIFCLR_F = 0xd5034fff; // msr daifclr, #0xf

export interface TestMachine {
  m: Machine;
  bus: Bus;
  out: number[];
  text(): string;
  pe(i?: number): Pe;
  x(n: number, pe?: number): bigint;
  setX(n: number, v: bigint | number, pe?: number): void;
  load(addr: number, words: number[]): void;
}

export function makeMachine(
  words: number[],
  opts: { cpus?: number; el?: 1 | 2; semihosting?: boolean; maxInsns?: number; quantum?: number } = {},
): TestMachine {
  const bus = new Bus();
  bus.addRam(RAM, 0x100_0000);
  const out: number[] = [];
  const el = opts.el ?? 1;
  const cfg: MachineConfig = {
    bus,
    cpus: Array.from({ length: opts.cpus ?? 1 }, (_, i) => ({ id: i, affinity: i, hasEl2: el === 2, paBits: 40, profile: 'A' as const })),
    bootEl: el,
    conduit: el === 2 ? 'smc' : 'hvc',
    semihosting: opts.semihosting ?? true,
    console: (b) => out.push(b),
    ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}),
    ...(opts.quantum !== undefined ? { quantum: opts.quantum } : {}),
  };
  const m = new Machine(cfg);
  const load = (addr: number, ws: number[]): void => {
    const b = new Uint8Array(ws.length * 4);
    const dv = new DataView(b.buffer);
    ws.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    bus.writeBytes(addr, b);
  };
  load(CODE, words);
  m.boot(0, CODE);
  const t: TestMachine = {
    m,
    bus,
    out,
    text: () => String.fromCharCode(...out),
    pe: (i = 0) => m.pes[i],
    x: (n, pe = 0) => (BigInt(m.pes[pe].x[2 * n + 1]) << 32n) | BigInt(m.pes[pe].x[2 * n]),
    setX(n, v, pe = 0) {
      const u = BigInt.asUintN(64, BigInt(v));
      m.pes[pe].x[2 * n] = Number(u & 0xffffffffn);
      m.pes[pe].x[2 * n + 1] = Number(u >> 32n);
    },
    load,
  };
  return t;
}

/** Run `pe` for exactly `n` instructions (outside the round scheduler). */
export function step(pe: Pe, n = 1): void {
  for (let i = 0; i < n; i++) pe.run(1);
}

export const U64 = (v: number | bigint): bigint => BigInt.asUintN(64, BigInt(v));
