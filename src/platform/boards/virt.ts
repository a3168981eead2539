// The `virt` board: QEMU 7.2's `-M virt[,virtualization=on],gic-version=3 -cpu cortex-a57`
// as far as this machine models it (arm-facts §9.3). One description gives the bus, the PEs,
// the devices and — through virtDt.ts — the device tree the guest is handed.
//
//   RAM    0x4000_0000, --mem bytes (default 512 MiB: what our guests and run-qemu.sh use;
//          QEMU's own default of 128 MiB is too small for Linux + initrd + Xen)
//   PL011  0x0900_0000, interrupt SPI 1 = INTID 33
//   PL031  0x0901_0000 (RTC; its interrupt on SPI 2 = INTID 34)
//   GICv3  distributor 0x0800_0000, redistributors 0x080A_0000 (one RD + SGI frame pair per
//          PE; the rest of QEMU's 0xF60000 window reads as zero)
//   timers EL1 physical PPI 14 = INTID 30, EL1 virtual PPI 11 = INTID 27, EL2 physical
//          PPI 10 = INTID 26 (VIRT_IRQ; the DT's timer node lists the same)
//
// Boot (hw/arm/boot.c via loader/place.ts): PE0 starts at the boot EL — EL2 with
// virtualization=on (PSCI conduit SMC), else EL1 (conduit HVC) — MMU off, DAIF masked, at
// the kernel entry with x0 = DTB for a Linux Image, x0 = 0 for an ELF. Other PEs stay off
// until PSCI CPU_ON.
import { Bus, type RamBank } from '../bus.js';
import type { Board, BoardMmioRegion } from './index.js';
import type { Machine } from '../machine.js';
import type { Pl011 } from '../devices/pl011.js';
import { Pl031 } from '../devices/pl031.js';
import type { Gicv3 } from '../devices/gic/index.js';
import type { GenericTimers } from '../devices/timer.js';
import { wireGicv3, type Gicv3Wired } from './interrupts.js';
import { makeVirtDtb, virtCpuMpidr, VIRT_IRQ, VIRT_MEMMAP } from './virtDt.js';
import type { BootPlan } from '../loader/place.js';
import type { FdtNode } from '../../fdt/dtb.js';
import { buildBoardCore, loadOnBoard, type BoardHostOptions } from './common.js';
import { InputError } from '../../util/errors.js';

export const VIRT_DEFAULT_MEM = 512 * 1024 * 1024;
/** Cortex-A57: ID_AA64MMFR0_EL1.PARange = 44 bits. */
const VIRT_PA_BITS = 44;
/** QEMU's virt limit with one GICv3 redistributor region (0xF60000 / 0x20000). */
export const VIRT_MAX_CPUS = 123;

export interface VirtOptions extends BoardHostOptions {
  el: 1 | 2;
  cpus: number;
  memSize: number;
}

export interface KernelInput {
  kernel: Uint8Array;
  kernelName: string;
  initrd?: Uint8Array;
  initrdName?: string;
  cmdline?: string;
}

/**
 * virt's interrupt wiring: the GICv3 at QEMU's addresses, the PL011 on its SPI, and the generic
 * timers' outputs on their PPIs (also used for hypervisor boots with custom RAM banks).
 */
export function wireVirtInterrupts(machine: Machine, bus: Bus, uart: Pl011): Gicv3Wired {
  return wireGicv3(machine, bus, { ...VIRT_GIC_WIRING, uart, uartSpi: VIRT_IRQ.uartSpi });
}

/** The GICv3 at QEMU's addresses with virt's maintenance and timer PPIs. */
const VIRT_GIC_WIRING = {
  dist: VIRT_MEMMAP.gicDist,
  redist: VIRT_MEMMAP.gicRedist,
  maintenancePpi: VIRT_IRQ.gicMaintenancePpi,
  timerPpis: { nonSecure: VIRT_IRQ.timerNonSecurePpi, virt: VIRT_IRQ.timerVirtPpi, hyp: VIRT_IRQ.timerHypPpi },
};

export class VirtBoard implements Board {
  readonly name = 'virt' as const;
  readonly bus = new Bus();
  readonly machine: Machine;
  readonly uart: Pl011;
  readonly gic: Gicv3;
  readonly timers: GenericTimers;
  readonly ramBase = VIRT_MEMMAP.mem.base;
  readonly uartBase = VIRT_MEMMAP.uart.base;
  readonly ramBanks: readonly RamBank[];
  readonly mmioMap: readonly BoardMmioRegion[] = [
    { name: 'gicv3-dist', base: VIRT_MEMMAP.gicDist.base, size: VIRT_MEMMAP.gicDist.size, modelled: true },
    { name: 'gicv3-redist', base: VIRT_MEMMAP.gicRedist.base, size: VIRT_MEMMAP.gicRedist.size, modelled: true },
    { name: 'pl011', base: VIRT_MEMMAP.uart.base, size: VIRT_MEMMAP.uart.size, modelled: true },
    { name: 'pl031', base: VIRT_MEMMAP.rtc.base, size: VIRT_MEMMAP.rtc.size, modelled: true },
  ];

  constructor(readonly opts: VirtOptions) {
    if (!Number.isInteger(opts.cpus) || opts.cpus < 1 || opts.cpus > VIRT_MAX_CPUS) {
      throw new InputError('--smp', `'${opts.cpus}' must be 1..${VIRT_MAX_CPUS} on the virt board`);
    }
    this.ramBanks = [{ base: this.ramBase, size: opts.memSize }];
    this.bus.addRam(this.ramBase, opts.memSize);
    ({
      uart: this.uart,
      machine: this.machine,
      gic: this.gic,
      timers: this.timers,
    } = buildBoardCore(this.bus, opts, {
      uart: { ...VIRT_MEMMAP.uart, spi: VIRT_IRQ.uartSpi },
      cpus: Array.from({ length: opts.cpus }, (_, i) => ({
        id: i,
        affinity: virtCpuMpidr(i),
        hasEl2: opts.el === 2,
        paBits: VIRT_PA_BITS,
        profile: 'A' as const,
      })),
      bootEl: opts.el,
      gic: VIRT_GIC_WIRING,
    }));
    const rtc = new Pl031((pe) => this.machine.peNowNs(this.machine.pes[pe]));
    rtc.onIrq = (level) => this.gic.setSpiLine(32 + VIRT_IRQ.rtcSpi, level);
    this.bus.addMmio(VIRT_MEMMAP.rtc.base, VIRT_MEMMAP.rtc.size, rtc);
  }

  /** The device tree QEMU would generate for this configuration (before boot fix-ups). */
  deviceTree(cmdline?: string): FdtNode {
    return makeVirtDtb({
      ramBase: this.ramBase,
      ramSize: this.opts.memSize,
      cpus: this.opts.cpus,
      el: this.opts.el,
      gicVersion: 3,
      ...(cmdline ? { bootargs: cmdline } : {}),
    });
  }

  /** Place kernel/initrd/DTB as QEMU does, copy them into RAM and start PE0. */
  load(k: KernelInput): { plan: BootPlan; dtb: Uint8Array } {
    return loadOnBoard(this, this.opts.el, k);
  }
}
