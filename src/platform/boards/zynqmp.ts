// `zynqmp`: a Xilinx Zynq UltraScale+ MPSoC-like Armv8-A board, for seed 004 (mmio-sram).
//
//   DDR     0x0 (2 GiB, the ZynqMP's low DDR window) and 0x8_0000_0000 (up to 30 GiB, its
//           high window); `--mem` fills the low one first. 2 GiB by default.
//   PL011   0xff00_0000 (where the ZynqMP's UART0 is), SPI 21 (its INTID 53), 100 MHz: real
//           ZynqMP UARTs are Cadence ones ("cdns,uart-r1p12"); we model only the PL011, which
//           the hypervisor and the guests drive, at the same place.
//   GICv3   distributor 0xf901_0000 (the GIC-400's GICD address on ZynqMP), redistributors
//           0xf908_0000 (128 KiB per PE, so four PEs end at 0xf910_0000, inside the 1 MiB the
//           ZynqMP memory map gives its GIC): real ZynqMP has a GIC-400 (GICv2) and we model only
//           GICv3 — the same choice as juno.ts. 256 INTIDs.
//   OCM     0xfffc_0000, 256 KiB: the on-chip memory, described as Linux's "mmio-sram" node
//           (Xilinx's own device trees do so: `ocm: sram@fffc0000`). Real storage on the bus,
//           not system RAM (not in /memory) — the device seed 004 is about.
//   PEs     4, one cluster (MPIDR 0x0..0x3) like the ZynqMP's four Cortex-A53s; they are our
//           one A-profile PE model (Cortex-A57 ID registers), 40-bit PAs (the A53's). The cpu
//           nodes say "arm,cortex-a53" as a ZynqMP tree does.
import type { BoardSpec } from './specBoard.js';

const GiB = 2 ** 30;

export const ZYNQMP_OCM = { base: 0xfffc_0000, size: 0x4_0000, label: 'ocm' } as const;

export const ZYNQMP: BoardSpec = {
  name: 'zynqmp',
  model: 'ZynqMP ZCU102-like (armvisor)',
  compatible: ['xlnx,zynqmp-zcu102', 'xlnx,zynqmp'],
  ram: [
    { base: 0, defaultSize: 2 * GiB, maxSize: 2 * GiB },
    { base: 0x8_0000_0000, defaultSize: 0, maxSize: 30 * GiB },
  ],
  uart: { base: 0xff00_0000, size: 0x1000, spi: 21, clockHz: 100_000_000 },
  gic: { dist: { base: 0xf901_0000, size: 0x1_0000 }, redist: { base: 0xf908_0000 } },
  maxCpus: 4,
  mpidr: (i) => i,
  paBits: 40,
  cpuCompatible: 'arm,cortex-a53',
  sram: [{ ...ZYNQMP_OCM }],
};
