// `seattle`: an AMD Seattle (Opteron A1100)-like Armv8-A board, whose RAM lies at 512 GiB —
// above the hypervisor's own virtual slot, so the start of day must pick its identity map
// with care (issue 5).
//
//   RAM     0x80_0000_0000 (512 GiB), 8 GiB by default (the Overdrive's), up to 512 GiB
//   PL011   0xe101_0000 (Seattle's UART0), SPI 328, 100 MHz clock
//   GICv3   distributor 0xe111_0000 (where Seattle's GIC-400 distributor is), redistributors
//           0xe120_0000 (128 KiB per PE) — our choice: Seattle has a GIC-400 and we model
//           only GICv3. 384 INTIDs (GICD_TYPER.ITLinesNumber = 11), enough for the UART's
//           INTID 360.
//   PEs     up to 8 in four clusters of two (MPIDR 0x000, 0x001, 0x100, … 0x301), as Seattle;
//           Cortex-A57, 44-bit PAs (RAM needs 41)
import type { BoardSpec } from './specBoard.js';

const GiB = 2 ** 30;

export const SEATTLE: BoardSpec = {
  name: 'seattle',
  model: 'AMD Seattle Development Board (Overdrive)',
  compatible: ['amd,seattle-overdrive', 'amd,seattle'],
  ram: [{ base: 0x80_0000_0000, defaultSize: 8 * GiB, maxSize: 512 * GiB }],
  uart: { base: 0xe101_0000, size: 0x1000, spi: 328, clockHz: 100_000_000 },
  gic: { dist: { base: 0xe111_0000, size: 0x1_0000 }, redist: { base: 0xe120_0000 }, nrIrqs: 384 },
  maxCpus: 8,
  mpidr: (i) => (Math.floor(i / 2) << 8) | (i % 2),
  paBits: 44,
};
