// `juno`: an Arm Juno-like Armv8-A board.
//
//   RAM     0x8000_0000 (2 GiB) and 0x8_8000_0000 (6 GiB) — Juno's two DRAM windows;
//           `--mem` fills the first, then the second (8 GiB at most)
//   PL011   0x7ff8_0000 (Juno's SoC UART0), SPI 83, 7.2738 MHz reference clock
//   GICv3   distributor 0x2f00_0000, redistributors 0x2f10_0000 (128 KiB per PE): real Juno
//           has a GIC-400 (GICv2) at 0x2c01_0000, but we model only GICv3, so we use the
//           addresses Arm's FVP Base models give their GICv3 — the Juno-family memory map's
//           slot for it. 256 INTIDs, as virt.
//   PEs     up to 6: Juno's big cluster (MPIDR 0x0, 0x1) then its LITTLE one (0x100..0x103);
//           all are our Cortex-A57 model, 44-bit PAs
import type { BoardSpec } from './specBoard.js';

const GiB = 2 ** 30;

export const JUNO: BoardSpec = {
  name: 'juno',
  model: 'ARM Juno development board (r0)',
  compatible: ['arm,juno', 'arm,vexpress'],
  ram: [
    { base: 0x8000_0000, defaultSize: 2 * GiB, maxSize: 2 * GiB },
    { base: 0x8_8000_0000, defaultSize: 6 * GiB, maxSize: 6 * GiB },
  ],
  uart: { base: 0x7ff8_0000, size: 0x1000, spi: 83, clockHz: 7_273_800 },
  gic: { dist: { base: 0x2f00_0000, size: 0x1_0000 }, redist: { base: 0x2f10_0000 } },
  maxCpus: 6,
  mpidr: (i) => (i < 2 ? i : 0x100 + (i - 2)),
  paBits: 44,
};
