// The `r82` board: an Armv8-R AArch64 machine with Cortex-R82-like PEs (PMSAv8-64 at EL2
// and EL1, optional VMSAv8-64 at EL1&0) on an FVP_BaseR_AEMv8R-like memory map (r82Dt.ts).
// Shaped like virt.ts: bus, machine, uart, deviceTree(), load().
//
// Boot: PE0 starts at EL2 (the highest EL: Armv8-R AArch64 has no EL3; ARM-EX "starts in
// EL2"), MPUs off, DAIF masked, at the kernel entry (x0 = DTB for a Linux Image, 0 for an
// ELF). PSCI is served over SMC by the board's firmware, as on virt with EL2. Other PEs stay
// off until PSCI CPU_ON.
//
// CPU: MIDR 0x410F_D150 — implementer Arm, part 0xD15 (the Cortex-R82 part number in GCC's
// aarch64-cores.def, as copied into BLIS's bli_cpuid.c), variant/revision r0p0 (ours: the
// real revision is not something software here depends on). PA size 40 bits (?): the R82
// addresses up to 1 TB; the MPU registers hold address bits [47:6] regardless.
import { Bus } from '../bus.js';
import type { Machine } from '../machine.js';
import type { Pl011 } from '../devices/pl011.js';
import type { Gicv3 } from '../devices/gic/index.js';
import type { GenericTimers } from '../devices/timer.js';
import { buildBoardCore, loadOnBoard, type BoardHostOptions } from './common.js';
import { makeR82Dtb, R82_IRQ, R82_MAX_CPUS, R82_MEMMAP } from './r82Dt.js';
import type { BootPlan } from '../loader/place.js';
import type { FdtNode } from '../../fdt/dtb.js';
import { InputError } from '../../util/errors.js';
import { MAX_REGIONS } from '../../arch/pmsa/regions.js';
import { DEFAULT_PMSA, type MpuFaultModel, type PmsaConfig } from '../../arch/pmsa/state.js';
import type { KernelInput } from './virt.js';
import type { Board, BoardMmioRegion } from './index.js';
import type { RamBank } from '../bus.js';
import { GICV3_REDIST_SIZE } from './virtDt.js';

export const R82_MIDR = 0x410f_d150n;
export const R82_PA_BITS = 40;
export const R82_DEFAULT_MEM = 512 * 1024 * 1024;
export { R82_MAX_CPUS };

export interface R82Options extends BoardHostOptions {
  cpus: number;
  memSize: number;
  /** MPUIR_EL1/EL2 region counts (default 32 each), EL1 VMSA, MPU fault reporting. */
  pmsa?: Partial<PmsaConfig>;
}

/** Check and complete the PMSA board options; one InputError naming the option on bad input. */
export function r82Pmsa(p: Partial<PmsaConfig> = {}): PmsaConfig {
  const cfg = { ...DEFAULT_PMSA, ...p };
  for (const [k, opt] of [
    ['el1Regions', '--mpu-el1-regions'],
    ['el2Regions', '--mpu-el2-regions'],
  ] as const) {
    const n = cfg[k];
    if (!Number.isInteger(n) || n < 0 || n > MAX_REGIONS)
      throw new InputError(opt, `'${n}' must be 0..${MAX_REGIONS} (MPUIR_ELx.REGION is 8 bits)`);
  }
  const models: MpuFaultModel[] = ['permission', 'translation'];
  if (!models.includes(cfg.faultModel)) throw new InputError('--mpu-faults', `'${cfg.faultModel}' must be permission or translation`);
  return cfg;
}

export class R82Board implements Board {
  readonly name = 'r82' as const;
  readonly bus = new Bus();
  readonly machine: Machine;
  readonly uart: Pl011;
  readonly gic: Gicv3;
  readonly timers: GenericTimers;
  readonly ramBase = R82_MEMMAP.mem.base;
  readonly uartBase = R82_MEMMAP.uart.base;
  readonly ramBanks: readonly RamBank[];
  readonly mmioMap: readonly BoardMmioRegion[];
  readonly pmsa: PmsaConfig;

  constructor(readonly opts: R82Options) {
    if (!Number.isInteger(opts.cpus) || opts.cpus < 1 || opts.cpus > R82_MAX_CPUS) {
      throw new InputError('--smp', `'${opts.cpus}' must be 1..${R82_MAX_CPUS} on the r82 board`);
    }
    if (opts.memSize > R82_MEMMAP.mem.maxSize)
      throw new InputError('--mem', `${opts.memSize} bytes is more than the 2 GiB DRAM window of the r82 board`);
    this.pmsa = r82Pmsa(opts.pmsa);
    this.ramBanks = [{ base: this.ramBase, size: opts.memSize }];
    const redist = { base: R82_MEMMAP.gicRedist.base, size: opts.cpus * GICV3_REDIST_SIZE };
    this.mmioMap = [
      { name: 'pl011', base: R82_MEMMAP.uart.base, size: R82_MEMMAP.uart.size, modelled: true },
      { name: 'gicv3-dist', base: R82_MEMMAP.gicDist.base, size: R82_MEMMAP.gicDist.size, modelled: true },
      { name: 'gicv3-redist', ...redist, modelled: true },
    ];
    this.bus.addRam(this.ramBase, opts.memSize);
    ({
      uart: this.uart,
      machine: this.machine,
      gic: this.gic,
      timers: this.timers,
    } = buildBoardCore(this.bus, opts, {
      uart: { ...R82_MEMMAP.uart, spi: R82_IRQ.uartSpi },
      cpus: Array.from({ length: opts.cpus }, (_, i) => ({
        id: i,
        affinity: i,
        hasEl2: true,
        paBits: R82_PA_BITS,
        profile: 'R' as const,
        pmsa: this.pmsa,
        midr: R82_MIDR,
      })),
      bootEl: 2,
      gic: {
        dist: R82_MEMMAP.gicDist,
        redist,
        maintenancePpi: R82_IRQ.gicMaintenancePpi,
        timerPpis: { nonSecure: R82_IRQ.timerNonSecurePpi, virt: R82_IRQ.timerVirtPpi, hyp: R82_IRQ.timerHypPpi },
      },
    }));
  }

  deviceTree(cmdline?: string): FdtNode {
    return makeR82Dtb({ ramSize: this.opts.memSize, cpus: this.opts.cpus, ...(cmdline ? { bootargs: cmdline } : {}) });
  }

  /** Place kernel/initrd/DTB by the same rules as on virt (RAM base 0 here) and start PE0. */
  load(k: KernelInput): { plan: BootPlan; dtb: Uint8Array } {
    return loadOnBoard(this, 2, k);
  }
}
