// The boards armvisor models, behind one interface: a bus with RAM and MMIO devices, the PEs
// (a Machine), the console UART, the RAM banks, the board's MMIO map and the device tree a
// boot loader hands the first software. `armvisor run --board B` and the hypervisor's
// start of day pick a board by name here.
//
//   virt     QEMU 7.2 -M virt (virt.ts, virtDt.ts): RAM at 0x4000_0000, PL011 at 0x0900_0000
//   juno     Arm Juno-like (juno.ts): RAM at 0x8000_0000 (2 GiB) and 0x8_8000_0000 (6 GiB),
//            PL011 at 0x7ff8_0000
//   seattle  AMD Seattle-like (seattle.ts): RAM at 0x80_0000_0000 (512 GiB), PL011 at 0xe101_0000
//   r82      Armv8-R AArch64, Cortex-R82-like with PMSAv8-64 MPUs (r82.ts, r82Dt.ts): DRAM at 0,
//            PL011 at 0x9c09_0000; always boots at EL2
//   zynqmp   Xilinx ZynqMP-like (zynqmp.ts): DDR at 0, PL011 at 0xff00_0000, GICv3 at 0xf901_0000,
//            a 256 KiB mmio-sram (the OCM) at 0xfffc_0000 (seed 004)
import type { Gicv3 } from '../devices/gic/index.js';
import type { GenericTimers } from '../devices/timer.js';
import type { Bus, RamBank } from '../bus.js';
import type { Machine } from '../machine.js';
import type { Pl011 } from '../devices/pl011.js';
import type { BootPlan } from '../loader/place.js';
import type { FdtNode } from '../../fdt/dtb.js';
import { InputError } from '../../util/errors.js';
import { VirtBoard, VIRT_DEFAULT_MEM, VIRT_MAX_CPUS, type KernelInput, type VirtOptions } from './virt.js';
import { SpecBoard, type BoardSpec } from './specBoard.js';
import { JUNO } from './juno.js';
import { R82Board, R82_DEFAULT_MEM, R82_MAX_CPUS } from './r82.js';
import { R82_MEMMAP } from './r82Dt.js';
import type { PmsaConfig } from '../../arch/pmsa/state.js';
import { SEATTLE } from './seattle.js';
import { ZYNQMP } from './zynqmp.js';

export type { KernelInput } from './virt.js';

/** One entry of a board's physical memory map. */
export interface BoardMmioRegion {
  name: string;
  base: number;
  size: number;
  /** Whether a device answers there yet (false: described in the DT only; accesses fault). */
  modelled: boolean;
  /** Storage the bus answers like RAM (an mmio-sram), rather than an MMIO device. */
  storage?: boolean;
}

export interface Board {
  readonly name: BoardName;
  readonly bus: Bus;
  readonly machine: Machine;
  /** The console UART (PL011). */
  readonly uart: Pl011;
  readonly uartBase: number;
  /** The GICv3 and the generic timers' outputs (boards/interrupts.ts wires both). */
  readonly gic: Gicv3;
  readonly timers: GenericTimers;
  /** RAM banks, ascending. */
  readonly ramBanks: readonly RamBank[];
  /** The board's MMIO map (devices, modelled or not), ascending. */
  readonly mmioMap: readonly BoardMmioRegion[];
  /** The device tree a boot loader would hand over (before boot fix-ups). */
  deviceTree(cmdline?: string): FdtNode;
  /** Place kernel/initrd/DTB as QEMU's loader does, copy them into RAM and start PE0. */
  load(k: KernelInput): { plan: BootPlan; dtb: Uint8Array };
}

export const BOARD_NAMES = ['virt', 'juno', 'seattle', 'r82', 'zynqmp'] as const;
export type BoardName = (typeof BOARD_NAMES)[number];

/** VirtOptions with the RAM size optional (each board has its default). */
export type BoardOptions = Omit<VirtOptions, 'memSize'> & {
  memSize?: number;
  /** r82 only: MPU region counts, EL1 VMSA, MPU fault reporting. */
  pmsa?: Partial<PmsaConfig>;
};

const SPECS: Record<'juno' | 'seattle' | 'zynqmp', BoardSpec> = { juno: JUNO, seattle: SEATTLE, zynqmp: ZYNQMP };

/** What a board allows, for option checking before one is built. */
export function boardLimits(name: BoardName): { maxCpus: number; defaultMem: number; maxMem: number } {
  if (name === 'virt') return { maxCpus: VIRT_MAX_CPUS, defaultMem: VIRT_DEFAULT_MEM, maxMem: 255 * 2 ** 30 };
  if (name === 'r82') return { maxCpus: R82_MAX_CPUS, defaultMem: R82_DEFAULT_MEM, maxMem: R82_MEMMAP.mem.maxSize };
  const s = SPECS[name];
  return {
    maxCpus: s.maxCpus,
    defaultMem: s.ram.reduce((n, w) => n + w.defaultSize, 0),
    maxMem: s.ram.reduce((n, w) => n + w.maxSize, 0),
  };
}

export function isBoardName(name: string): name is BoardName {
  return (BOARD_NAMES as readonly string[]).includes(name);
}

/** Build board `name`; an unknown name is an InputError listing the boards. */
export function createBoard(name: string, opts: BoardOptions): Board {
  if (!isBoardName(name)) throw new InputError('--board', `'${name}' is not a board this machine has (boards: ${BOARD_NAMES.join(', ')})`);
  if (name === 'virt') return new VirtBoard({ ...opts, memSize: opts.memSize ?? VIRT_DEFAULT_MEM });
  if (name === 'r82') {
    if (opts.el !== 2) throw new InputError('--el', 'the r82 board always boots at EL2 (Armv8-R AArch64 has no EL3: EL2 is the reset EL)');
    return new R82Board({ ...opts, memSize: opts.memSize ?? R82_DEFAULT_MEM });
  }
  return new SpecBoard(SPECS[name], opts);
}
