// What every board builds the same way, whatever its memory map: the console PL011 on the bus,
// the PEs (a Machine, PSCI over SMC when they boot at EL2, HVC otherwise: QEMU's rule), the
// GICv3 with the timers and the UART wired to it, and loading a kernel as QEMU's boot.c does.
// The boards (virt.ts, specBoard.ts, r82.ts) say only where things are and which PEs they have.
import type { Bus } from '../bus.js';
import { Machine, type MachineConfig } from '../machine.js';
import type { PeConfig } from '../../arch/pe.js';
import { Pl011 } from '../devices/pl011.js';
import { wireGicv3, type Gicv3Wired, type Gicv3Wiring } from './interrupts.js';
import { planBoot, QEMU_BOARD_DTB_SIZE, type BootPlan } from '../loader/place.js';
import { buildDtb } from '../../fdt/dtb.js';
import type { Board, KernelInput } from './index.js';

/** The host side of a board: where its console goes, and how the machine runs. */
export interface BoardHostOptions {
  semihosting?: boolean;
  /** Console output: UART transmit and the semihosting console. */
  console: (byte: number) => void;
  /** First time the guest wants UART input (to start reading stdin lazily). */
  onRxInterest?: () => void;
  maxInsns?: number;
  quantum?: number;
  trace?: MachineConfig['trace'];
}

export interface BoardCoreSpec {
  uart: { base: number; size: number; spi: number };
  cpus: PeConfig[];
  bootEl: 1 | 2;
  gic: Omit<Gicv3Wiring, 'uart' | 'uartSpi'>;
}

/** The console PL011, the PEs and the GICv3 wiring of a board whose RAM is already on `bus`. */
export function buildBoardCore(bus: Bus, opts: BoardHostOptions, spec: BoardCoreSpec): Gicv3Wired & { uart: Pl011; machine: Machine } {
  const uart = new Pl011({ tx: opts.console, ...(opts.onRxInterest ? { onRxInterest: opts.onRxInterest } : {}) });
  bus.addMmio(spec.uart.base, spec.uart.size, uart);
  const machine = new Machine({
    bus,
    cpus: spec.cpus,
    bootEl: spec.bootEl,
    conduit: psciConduit(spec.bootEl),
    semihosting: opts.semihosting ?? true,
    console: opts.console,
    ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}),
    ...(opts.quantum !== undefined ? { quantum: opts.quantum } : {}),
    ...(opts.trace ? { trace: opts.trace } : {}),
  });
  return { uart, machine, ...wireGicv3(machine, bus, { ...spec.gic, uart, uartSpi: spec.uart.spi }) };
}

/** PSCI over SMC when the PEs have EL2 (QEMU's virtualization=on), else over HVC. */
export function psciConduit(bootEl: 1 | 2): 'smc' | 'hvc' {
  return bootEl === 2 ? 'smc' : 'hvc';
}

/**
 * Place kernel/initrd/DTB in the first RAM bank as QEMU's loader does (the DTB's /memory lists
 * every bank), copy them into RAM and start PE0. Returns the DTB as placed (without QEMU's
 * padding); for an ELF whose DTB did not fit below it, the tree it would have had.
 */
export function loadOnBoard(board: Board, bootEl: 1 | 2, k: KernelInput): { plan: BootPlan; dtb: Uint8Array } {
  const first = board.ramBanks[0];
  const plan = planBoot({
    ramBase: first.base,
    ramSize: first.size,
    ramBanks: board.ramBanks,
    kernel: k.kernel,
    kernelName: k.kernelName,
    ...(k.initrd ? { initrd: k.initrd, initrdName: k.initrdName ?? 'initrd' } : {}),
    ...(k.cmdline !== undefined ? { cmdline: k.cmdline } : {}),
    dtb: board.deviceTree(),
    psciMethod: psciConduit(bootEl),
    dtbPadTo: QEMU_BOARD_DTB_SIZE,
  });
  for (const l of plan.loads) board.bus.writeBytes(l.addr, l.data);
  board.machine.boot(0, plan.entry, plan.x0);
  return { plan, dtb: buildDtb(plan.fdt ?? board.deviceTree(k.cmdline)) };
}
