/**
 * The device tree QEMU 7.2 hands to the guest on
 * `-M virt[,virtualization=on],gic-version=3 -cpu cortex-a57 -smp N`
 * (hw/arm/virt.c create_fdt() and friends, plus boot.c arm_load_dtb()),
 * restricted to the devices this machine emulates: RAM, CPUs, PSCI, the
 * generic timer, the GICv3 distributor + redistributors, one PL011 UART and
 * its fixed 24 MHz clock. flash, fw-cfg, virtio-mmio, PCIe, PL031, PL061,
 * gpio-keys, the PMU node and the ITS are left out because nothing backs them.
 *
 * Node names, property order, compatibles, interrupt specifiers and phandle
 * numbers match /work/shared/reference/qemu-virt-host.dts, so Xen and Linux see
 * what they would under QEMU. QEMU's phandles come from qemu_fdt_alloc_phandle()
 * starting at 0x8000: the clock first, then the CPUs from the highest index
 * down (fdt_add_cpu_nodes() walks them in reverse), then the GIC.
 *
 * The node order is QEMU's too: libfdt inserts each new node and property in
 * front of its siblings, so the blob lists them in reverse creation order.
 */
import { InputError } from '../../util/errors.js';
import { fdtNode, setCells, setEmpty, setReg, setString, setStringList, setU32, toCells, type FdtNode } from '../../fdt/dtb.js';
import { makePsciNode } from '../loader/dtbFixup.js';

/** The slice of QEMU's virt memory map (base_memmap[] in hw/arm/virt.c) we model. */
export const VIRT_MEMMAP = {
  gicDist: { base: 0x0800_0000, size: 0x1_0000 },
  gicRedist: { base: 0x080a_0000, size: 0x00f6_0000 },
  uart: { base: 0x0900_0000, size: 0x1000 },
  rtc: { base: 0x0901_0000, size: 0x1000 },
  mem: { base: 0x4000_0000 },
} as const;

/** SPI numbers (a_irqmap[]) and PPI numbers (virt.h / arm_gic_common). */
export const VIRT_IRQ = {
  uartSpi: 1,
  rtcSpi: 2,
  gicMaintenancePpi: 9,
  timerSecurePpi: 13,
  timerNonSecurePpi: 14,
  timerVirtPpi: 11,
  timerHypPpi: 10,
} as const;

/** Each GICv3 redistributor is two 64 KiB frames (RD_base + SGI_base). */
export const GICV3_REDIST_SIZE = 0x2_0000;
/** QEMU's fixed-clock "clk24mhz". */
export const VIRT_APB_PCLK_HZ = 24_000_000;

/** The GIC binding's interrupt specifier: <type number flags> (SPI 0 / PPI 1; level-high 4). */
export const GIC_FDT_IRQ_TYPE_SPI = 0;
export const GIC_FDT_IRQ_TYPE_PPI = 1;
export const GIC_FDT_IRQ_FLAGS_LEVEL_HI = 4;
const FIRST_PHANDLE = 0x8000;

export interface VirtDtOptions {
  ramBase: number | bigint;
  ramSize: number | bigint;
  cpus: number;
  /** Exception level the boot CPU starts in: 2 = virtualization=on (PSCI via SMC), 1 = HVC. */
  el: 1 | 2;
  bootargs?: string;
  initrd?: { start: number; end: number };
  gicVersion: 3;
  /**
   * Size of the redistributor `reg`: "region" (default) advertises QEMU's whole
   * 0xf60000 window, exactly as QEMU does whatever the CPU count; "cpus" sizes it
   * to cpus × 128 KiB, for guests that should not probe past the last CPU.
   */
  redistributorSize?: 'region' | 'cpus';
}

function num(v: number | bigint, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (!Number.isSafeInteger(n) || n < 0) throw new InputError('virt board', `${what} ${v} is not a non-negative integer below 2^53`);
  return n;
}

/** MPIDR affinity QEMU gives vCPU `i` on virt with GICv3: 16 CPUs per Aff1 cluster. */
export function virtCpuMpidr(i: number): number {
  return (Math.floor(i / 16) << 8) | (i % 16);
}

/** Build the guest-visible tree for QEMU's virt board (before any -dtb replaces it). */
export function makeVirtDtb(opts: VirtDtOptions): FdtNode {
  const ramBase = num(opts.ramBase, 'RAM base');
  const ramSize = num(opts.ramSize, 'RAM size');
  const cpus = opts.cpus;
  if (opts.gicVersion !== 3) throw new InputError('virt board', `gic-version ${String(opts.gicVersion)} is not supported; only 3`);
  const maxCpus = VIRT_MEMMAP.gicRedist.size / GICV3_REDIST_SIZE; // 123: QEMU needs a second region beyond this
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > maxCpus) throw new InputError('virt board', `cpus = ${cpus}; must be 1..${maxCpus}`);
  if (ramSize === 0) throw new InputError('virt board', 'RAM size is 0');

  const clockPhandle = FIRST_PHANDLE;
  const cpuPhandle = (i: number): number => FIRST_PHANDLE + cpus - i;
  const gicPhandle = FIRST_PHANDLE + cpus + 1;
  const uartPath = `/pl011@${VIRT_MEMMAP.uart.base.toString(16)}`;

  const root = fdtNode('');
  setU32(root, 'interrupt-parent', gicPhandle);
  setString(root, 'model', 'linux,dummy-virt');
  setU32(root, '#size-cells', 2);
  setU32(root, '#address-cells', 2);
  setString(root, 'compatible', 'linux,dummy-virt');

  root.children.push(makePsciNode(opts.el === 2 ? 'smc' : 'hvc'));

  const memory = fdtNode(`memory@${ramBase.toString(16)}`);
  setReg(memory, 'reg', [{ address: ramBase, size: ramSize }], 2, 2);
  setString(memory, 'device_type', 'memory');
  root.children.push(memory);

  // QEMU's create_rtc: the PL031, just before the UART in the tree.
  const rtc = fdtNode(`pl031@${VIRT_MEMMAP.rtc.base.toString(16)}`);
  setString(rtc, 'clock-names', 'apb_pclk');
  setU32(rtc, 'clocks', clockPhandle);
  setCells(rtc, 'interrupts', [GIC_FDT_IRQ_TYPE_SPI, VIRT_IRQ.rtcSpi, GIC_FDT_IRQ_FLAGS_LEVEL_HI]);
  setReg(rtc, 'reg', [{ address: VIRT_MEMMAP.rtc.base, size: VIRT_MEMMAP.rtc.size }], 2, 2);
  setStringList(rtc, 'compatible', ['arm,pl031', 'arm,primecell']);
  root.children.push(rtc);

  const uart = fdtNode(uartPath.slice(1));
  setStringList(uart, 'clock-names', ['uartclk', 'apb_pclk']);
  setCells(uart, 'clocks', [clockPhandle, clockPhandle]);
  setCells(uart, 'interrupts', [GIC_FDT_IRQ_TYPE_SPI, VIRT_IRQ.uartSpi, GIC_FDT_IRQ_FLAGS_LEVEL_HI]);
  setReg(uart, 'reg', [{ address: VIRT_MEMMAP.uart.base, size: VIRT_MEMMAP.uart.size }], 2, 2);
  setStringList(uart, 'compatible', ['arm,pl011', 'arm,primecell']);
  root.children.push(uart);

  const redistSize = opts.redistributorSize === 'cpus' ? cpus * GICV3_REDIST_SIZE : VIRT_MEMMAP.gicRedist.size;
  root.children.push(
    gicv3Node(`intc@${VIRT_MEMMAP.gicDist.base.toString(16)}`, gicPhandle, VIRT_IRQ.gicMaintenancePpi, VIRT_MEMMAP.gicDist, {
      base: VIRT_MEMMAP.gicRedist.base,
      size: redistSize,
    }),
  );

  const cpusNode = fdtNode('cpus');
  setU32(cpusNode, '#size-cells', 0);
  setU32(cpusNode, '#address-cells', 1);
  const cluster = fdtNode('cluster0');
  for (let i = 0; i < cpus; i++) {
    const core = fdtNode(`core${i}`);
    setU32(core, 'cpu', cpuPhandle(i));
    cluster.children.push(core);
  }
  cpusNode.children.push(fdtNode('cpu-map', [], [fdtNode('socket0', [], [cluster])]));
  for (let i = 0; i < cpus; i++) {
    const cpu = fdtNode(`cpu@${virtCpuMpidr(i).toString(16)}`);
    setU32(cpu, 'phandle', cpuPhandle(i));
    setU32(cpu, 'reg', virtCpuMpidr(i));
    setString(cpu, 'enable-method', 'psci');
    setString(cpu, 'compatible', 'arm,cortex-a57');
    setString(cpu, 'device_type', 'cpu');
    cpusNode.children.push(cpu);
  }
  root.children.push(cpusNode);

  const timer = fdtNode('timer');
  const ppi = (n: number): number[] => [GIC_FDT_IRQ_TYPE_PPI, n, GIC_FDT_IRQ_FLAGS_LEVEL_HI];
  setCells(timer, 'interrupts', [
    ...ppi(VIRT_IRQ.timerSecurePpi),
    ...ppi(VIRT_IRQ.timerNonSecurePpi),
    ...ppi(VIRT_IRQ.timerVirtPpi),
    ...ppi(VIRT_IRQ.timerHypPpi),
  ]);
  setEmpty(timer, 'always-on');
  setStringList(timer, 'compatible', ['arm,armv8-timer', 'arm,armv7-timer']);
  root.children.push(timer);

  const clk = fdtNode('apb-pclk');
  setU32(clk, 'phandle', clockPhandle);
  setString(clk, 'clock-output-names', 'clk24mhz');
  setU32(clk, 'clock-frequency', VIRT_APB_PCLK_HZ);
  setU32(clk, '#clock-cells', 0);
  setString(clk, 'compatible', 'fixed-clock');
  root.children.push(clk);

  // arm_load_dtb() adds bootargs, then initrd-start, then initrd-end, each in
  // front of the existing properties — hence this order.
  const chosen = fdtNode('chosen');
  if (opts.initrd) {
    // One cell, as QEMU 7.2 writes; two when the address needs them (see dtbFixup.ts).
    const cells = (v: number): number[] => (v < 2 ** 32 ? [v] : toCells(v, 2, 'initrd'));
    setCells(chosen, 'linux,initrd-end', cells(opts.initrd.end));
    setCells(chosen, 'linux,initrd-start', cells(opts.initrd.start));
  }
  if (opts.bootargs) setString(chosen, 'bootargs', opts.bootargs);
  setString(chosen, 'stdout-path', uartPath);
  root.children.push(chosen);

  return root;
}

/**
 * A GICv3 node (binding arm,gic-v3) with one distributor and one redistributor region, its
 * properties in the order QEMU's virt writes them (so virt's DTB stays byte-identical).
 */
export function gicv3Node(
  name: string,
  phandle: number,
  maintenancePpi: number,
  dist: { base: number; size: number },
  redist: { base: number; size: number },
): FdtNode {
  const gic = fdtNode(name);
  setU32(gic, 'phandle', phandle);
  setCells(gic, 'interrupts', [GIC_FDT_IRQ_TYPE_PPI, maintenancePpi, GIC_FDT_IRQ_FLAGS_LEVEL_HI]);
  setReg(
    gic,
    'reg',
    [
      { address: dist.base, size: dist.size },
      { address: redist.base, size: redist.size },
    ],
    2,
    2,
  );
  setU32(gic, '#redistributor-regions', 1);
  setString(gic, 'compatible', 'arm,gic-v3');
  setEmpty(gic, 'ranges');
  setU32(gic, '#size-cells', 2);
  setU32(gic, '#address-cells', 2);
  setEmpty(gic, 'interrupt-controller');
  setU32(gic, '#interrupt-cells', 3);
  return gic;
}
