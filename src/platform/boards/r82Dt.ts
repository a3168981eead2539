/**
 * The device tree of the `r82` board: an Armv8-R AArch64 machine laid out like Arm's
 * FVP_BaseR_AEMv8R (arm-facts §5.7), with the nodes a Xen MPU port or Zephyr's
 * fvp_baser_aemv8r board looks for: memory, cpus (PSCI enable method), psci (SMC, served by
 * the board's firmware as on virt at EL2), the generic timer, the GICv3 and one PL011.
 *
 * Memory map (SCP-firmware product/fvp-baser-aemv8r fvp_baser_aemv8r_mmap.h: DRAM at 0,
 * peripherals from 0x8000_0000, GICD +0x2F00_0000, GICR +0x2F10_0000, UART +0x1C09_0000;
 * Zephyr boards/arm64/fvp_baser_aemv8r: DRAM 0x0–0x7FFF_FFFF, UART0; Arm's Cortex-R82
 * GIC startup example: GICD 0xAF00_0000, GICR 0xAF10_0000):
 *
 *   DRAM   0x0000_0000  --mem bytes (≤ 2 GiB: the peripheral space starts at 2 GiB)
 *   UART0  0x9C09_0000  PL011, SPI 5 (INTID 37, as on the FVP Base family)
 *   GICD   0xAF00_0000  64 KiB
 *   GICR   0xAF10_0000  128 KiB per PE
 */
import { GIC_FDT_IRQ_FLAGS_LEVEL_HI, GIC_FDT_IRQ_TYPE_PPI, GIC_FDT_IRQ_TYPE_SPI, GICV3_REDIST_SIZE, gicv3Node } from './virtDt.js';
import { InputError } from '../../util/errors.js';
import { fdtNode, setCells, setEmpty, setReg, setString, setStringList, setU32, type FdtNode } from '../../fdt/dtb.js';
import { makePsciNode } from '../loader/dtbFixup.js';

export const R82_MEMMAP = {
  mem: { base: 0x0, maxSize: 0x8000_0000 },
  uart: { base: 0x9c09_0000, size: 0x1_0000 },
  gicDist: { base: 0xaf00_0000, size: 0x1_0000 },
  gicRedist: { base: 0xaf10_0000 },
} as const;

export const R82_IRQ = {
  uartSpi: 5,
  gicMaintenancePpi: 9,
  timerSecurePpi: 13,
  timerNonSecurePpi: 14,
  timerVirtPpi: 11,
  timerHypPpi: 10,
} as const;

/** A Cortex-R82 cluster has at most 8 cores; MPIDR Aff0 = core number. */
export const R82_MAX_CPUS = 8;
/** The FVP's 24 MHz reference clock for the PL011s. */
const UART_CLK_HZ = 24_000_000;
const SPI = GIC_FDT_IRQ_TYPE_SPI;
const PPI = GIC_FDT_IRQ_TYPE_PPI;
const LEVEL_HI = GIC_FDT_IRQ_FLAGS_LEVEL_HI;

export interface R82DtOptions {
  ramSize: number;
  cpus: number;
  bootargs?: string;
}

export function makeR82Dtb(o: R82DtOptions): FdtNode {
  if (!Number.isInteger(o.cpus) || o.cpus < 1 || o.cpus > R82_MAX_CPUS)
    throw new InputError('r82 board', `cpus = ${o.cpus}; must be 1..${R82_MAX_CPUS}`);
  const clockPhandle = 1;
  const gicPhandle = 2;
  const uartPath = `/uart@${R82_MEMMAP.uart.base.toString(16)}`;

  const root = fdtNode('');
  setU32(root, '#address-cells', 2);
  setU32(root, '#size-cells', 2);
  setString(root, 'model', 'armvisor r82 (FVP_BaseR_AEMv8R-like)');
  setStringList(root, 'compatible', ['arm,fvp-baser-aemv8r', 'arm,vexpress']);
  setU32(root, 'interrupt-parent', gicPhandle);

  const chosen = fdtNode('chosen');
  setString(chosen, 'stdout-path', uartPath);
  if (o.bootargs) setString(chosen, 'bootargs', o.bootargs);
  root.children.push(chosen);

  const memory = fdtNode(`memory@${R82_MEMMAP.mem.base.toString(16)}`);
  setString(memory, 'device_type', 'memory');
  setReg(memory, 'reg', [{ address: R82_MEMMAP.mem.base, size: o.ramSize }], 2, 2);
  root.children.push(memory);

  const cpus = fdtNode('cpus');
  setU32(cpus, '#address-cells', 1);
  setU32(cpus, '#size-cells', 0);
  for (let i = 0; i < o.cpus; i++) {
    const cpu = fdtNode(`cpu@${i.toString(16)}`);
    setString(cpu, 'device_type', 'cpu');
    setString(cpu, 'compatible', 'arm,cortex-r82');
    setU32(cpu, 'reg', i);
    setString(cpu, 'enable-method', 'psci');
    cpus.children.push(cpu);
  }
  root.children.push(cpus);

  root.children.push(makePsciNode('smc'));

  const timer = fdtNode('timer');
  setStringList(timer, 'compatible', ['arm,armv8-timer']);
  const ppi = (n: number): number[] => [PPI, n, LEVEL_HI];
  setCells(timer, 'interrupts', [
    ...ppi(R82_IRQ.timerSecurePpi),
    ...ppi(R82_IRQ.timerNonSecurePpi),
    ...ppi(R82_IRQ.timerVirtPpi),
    ...ppi(R82_IRQ.timerHypPpi),
  ]);
  setEmpty(timer, 'always-on');
  root.children.push(timer);

  root.children.push(
    gicv3Node(`interrupt-controller@${R82_MEMMAP.gicDist.base.toString(16)}`, gicPhandle, R82_IRQ.gicMaintenancePpi, R82_MEMMAP.gicDist, {
      base: R82_MEMMAP.gicRedist.base,
      size: o.cpus * GICV3_REDIST_SIZE,
    }),
  );

  const clk = fdtNode('refclk24mhz');
  setString(clk, 'compatible', 'fixed-clock');
  setU32(clk, '#clock-cells', 0);
  setU32(clk, 'clock-frequency', UART_CLK_HZ);
  setString(clk, 'clock-output-names', 'v2m:refclk24mhz');
  setU32(clk, 'phandle', clockPhandle);
  root.children.push(clk);

  const uart = fdtNode(uartPath.slice(1));
  setStringList(uart, 'compatible', ['arm,pl011', 'arm,primecell']);
  setReg(uart, 'reg', [{ address: R82_MEMMAP.uart.base, size: R82_MEMMAP.uart.size }], 2, 2);
  setCells(uart, 'interrupts', [SPI, R82_IRQ.uartSpi, LEVEL_HI]);
  setCells(uart, 'clocks', [clockPhandle, clockPhandle]);
  setStringList(uart, 'clock-names', ['uartclk', 'apb_pclk']);
  root.children.push(uart);

  return root;
}
