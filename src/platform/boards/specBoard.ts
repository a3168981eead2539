// A board described by a table (BoardSpec): RAM windows, a PL011, a GICv3, CPU affinities and
// names. juno.ts and seattle.ts are such tables; this file turns one into the bus, the PEs and
// the device tree, in the style of virtDt.ts (QEMU's node and property order: libfdt prepends,
// so nodes appear in reverse creation order) so the same consumers read all boards alike.
//
// RAM: `--mem` fills the windows in order (juno: the 2 GiB bank first, then the 6 GiB one);
// the default fills each to its default size. The boot loader (loader/place.ts) places the
// kernel, initrd and DTB in the first bank, and the DTB's /memory lists every bank.
import { Bus, type RamBank } from '../bus.js';
import type { Machine } from '../machine.js';
import type { Pl011 } from '../devices/pl011.js';
import type { Gicv3 } from '../devices/gic/index.js';
import type { GenericTimers } from '../devices/timer.js';
import { buildBoardCore, loadOnBoard } from './common.js';
import type { BootPlan } from '../loader/place.js';
import { makePsciNode } from '../loader/dtbFixup.js';
import { fdtNode, setCells, setEmpty, setReg, setString, setStringList, setU32, type FdtNode } from '../../fdt/dtb.js';
import { InputError, hex } from '../../util/errors.js';
import type { Board, BoardMmioRegion, BoardName, BoardOptions } from './index.js';
import type { KernelInput } from './virt.js';
import { GIC_FDT_IRQ_FLAGS_LEVEL_HI, GIC_FDT_IRQ_TYPE_PPI, GIC_FDT_IRQ_TYPE_SPI, GICV3_REDIST_SIZE, gicv3Node } from './virtDt.js';

export interface BoardSpec {
  name: Exclude<BoardName, 'virt'>;
  model: string;
  compatible: string[];
  /** RAM windows, ascending: where banks may be, and how big they are by default. */
  ram: { base: number; defaultSize: number; maxSize: number }[];
  uart: { base: number; size: number; spi: number; clockHz: number };
  /** GICv3 frames; `nrIrqs`: INTIDs implemented (default 256), enough for the UART's SPI. */
  gic: { dist: { base: number; size: number }; redist: { base: number }; nrIrqs?: number };
  maxCpus: number;
  /** MPIDR affinity (Aff1 << 8 | Aff0) of PE i. */
  mpidr(i: number): number;
  /** PA size of the PEs (ID_AA64MMFR0_EL1.PARange); must cover all RAM. */
  paBits: number;
  /** The `compatible` of the cpu nodes (default "arm,cortex-a57": every PE is our one A-profile model). */
  cpuCompatible?: string;
  /**
   * On-chip SRAMs (Linux's "mmio-sram" binding, Documentation/devicetree/bindings/sram): real
   * storage on the bus, answered like RAM (any size, alignment, DC ZVA — what the memory type
   * allows), but not system memory: not in /memory, so no software takes it as RAM (seed 004).
   */
  sram?: { base: number; size: number; label: string }[];
}

const GIC_SPI = GIC_FDT_IRQ_TYPE_SPI;
const GIC_PPI = GIC_FDT_IRQ_TYPE_PPI;
const LEVEL_HI = GIC_FDT_IRQ_FLAGS_LEVEL_HI;
/** PPIs as on virt (and on Juno and Seattle): secure, non-secure, virtual, hypervisor timers; GIC maintenance. */
const PPI = { timerSecure: 13, timerNonSecure: 14, timerVirt: 11, timerHyp: 10, gicMaintenance: 9 } as const;

/** Split `memSize` over the spec's RAM windows, in order. */
export function ramBanksFor(spec: BoardSpec, memSize?: number): RamBank[] {
  const max = spec.ram.reduce((n, w) => n + w.maxSize, 0);
  if (memSize === undefined) return spec.ram.filter((w) => w.defaultSize > 0).map((w) => ({ base: w.base, size: w.defaultSize }));
  if (!Number.isSafeInteger(memSize) || memSize <= 0 || memSize % 4096 !== 0 || memSize > max) {
    throw new InputError(
      '--mem',
      `${hex(memSize)} bytes does not fit the ${spec.name} board's RAM (4 KiB multiple, at most ${max / 2 ** 30} GiB)`,
    );
  }
  const out: RamBank[] = [];
  let left = memSize;
  for (const w of spec.ram) {
    if (left === 0) break;
    const size = Math.min(left, w.maxSize);
    out.push({ base: w.base, size });
    left -= size;
  }
  return out;
}

export class SpecBoard implements Board {
  readonly name: Exclude<BoardName, 'virt'>;
  readonly bus = new Bus();
  readonly machine: Machine;
  readonly uart: Pl011;
  readonly gic: Gicv3;
  readonly timers: GenericTimers;
  readonly uartBase: number;
  readonly ramBanks: readonly RamBank[];
  readonly mmioMap: readonly BoardMmioRegion[];

  constructor(
    readonly spec: BoardSpec,
    readonly opts: BoardOptions,
  ) {
    this.name = spec.name;
    if (!Number.isInteger(opts.cpus) || opts.cpus < 1 || opts.cpus > spec.maxCpus) {
      throw new InputError('--smp', `'${opts.cpus}' must be 1..${spec.maxCpus} on the ${spec.name} board`);
    }
    this.ramBanks = ramBanksFor(spec, opts.memSize);
    const top = Math.max(...this.ramBanks.map((b) => b.base + b.size));
    if (top > 2 ** spec.paBits) throw new Error(`${spec.name}: RAM ends at ${hex(top)}, beyond ${spec.paBits}-bit PAs`);
    for (const b of this.ramBanks) this.bus.addRam(b.base, b.size);
    for (const r of spec.sram ?? []) this.bus.addRam(r.base, r.size);
    this.uartBase = spec.uart.base;
    const redist = { base: spec.gic.redist.base, size: spec.maxCpus * GICV3_REDIST_SIZE };
    this.mmioMap = [
      { name: 'pl011', base: spec.uart.base, size: spec.uart.size, modelled: true },
      { name: 'gicv3-dist', base: spec.gic.dist.base, size: spec.gic.dist.size, modelled: true },
      { name: 'gicv3-redist', ...redist, modelled: true },
      ...(spec.sram ?? []).map((r) => ({ name: `mmio-sram ${r.label}`, base: r.base, size: r.size, modelled: true, storage: true })),
    ].sort((a, b) => a.base - b.base);
    ({
      uart: this.uart,
      machine: this.machine,
      gic: this.gic,
      timers: this.timers,
    } = buildBoardCore(this.bus, opts, {
      uart: spec.uart,
      cpus: Array.from({ length: opts.cpus }, (_, i) => ({
        id: i,
        affinity: spec.mpidr(i),
        hasEl2: opts.el === 2,
        paBits: spec.paBits,
        profile: 'A' as const,
      })),
      bootEl: opts.el,
      gic: {
        dist: spec.gic.dist,
        redist,
        maintenancePpi: PPI.gicMaintenance,
        timerPpis: { nonSecure: PPI.timerNonSecure, virt: PPI.timerVirt, hyp: PPI.timerHyp },
        ...(spec.gic.nrIrqs !== undefined ? { nrIrqs: spec.gic.nrIrqs } : {}),
      },
    }));
  }

  deviceTree(cmdline?: string): FdtNode {
    return makeSpecDt(this.spec, {
      banks: this.ramBanks,
      cpus: this.opts.cpus,
      el: this.opts.el,
      ...(cmdline ? { bootargs: cmdline } : {}),
    });
  }

  load(k: KernelInput): { plan: BootPlan; dtb: Uint8Array } {
    return loadOnBoard(this, this.opts.el, k);
  }
}

/**
 * An mmio-sram node as Linux's binding has it: the SRAM's reg, and a child address space
 * (#address-cells/#size-cells 1, `ranges` from offset 0) for the pools software carves out.
 */
function sramNode(r: { base: number; size: number; label: string }): FdtNode {
  const n = fdtNode(`sram@${r.base.toString(16)}`);
  setCells(n, 'ranges', [0, Math.floor(r.base / 2 ** 32), r.base % 2 ** 32, r.size]);
  setU32(n, '#size-cells', 1);
  setU32(n, '#address-cells', 1);
  setReg(n, 'reg', [{ address: r.base, size: r.size }], 2, 2);
  setString(n, 'label', r.label);
  setString(n, 'compatible', 'mmio-sram');
  return n;
}

export interface SpecDtOptions {
  banks: readonly RamBank[];
  cpus: number;
  el: 1 | 2;
  bootargs?: string;
}

/** The board's device tree: memory, cpus (PSCI), psci, timer, GICv3, PL011 + clock, chosen. */
export function makeSpecDt(spec: BoardSpec, o: SpecDtOptions): FdtNode {
  const clockPhandle = 1;
  const gicPhandle = 2;
  const cpuPhandle = (i: number): number => 3 + i;
  const uartName = `uart@${spec.uart.base.toString(16)}`;
  const ppi = (n: number): number[] => [GIC_PPI, n, LEVEL_HI];

  const root = fdtNode('');
  setU32(root, 'interrupt-parent', gicPhandle);
  setString(root, 'model', spec.model);
  setU32(root, '#size-cells', 2);
  setU32(root, '#address-cells', 2);
  setStringList(root, 'compatible', spec.compatible);

  root.children.push(makePsciNode(o.el === 2 ? 'smc' : 'hvc'));

  const memory = fdtNode(`memory@${o.banks[0].base.toString(16)}`);
  setReg(
    memory,
    'reg',
    o.banks.map((b) => ({ address: b.base, size: b.size })),
    2,
    2,
  );
  setString(memory, 'device_type', 'memory');
  root.children.push(memory);

  const uart = fdtNode(uartName);
  setStringList(uart, 'clock-names', ['uartclk', 'apb_pclk']);
  setCells(uart, 'clocks', [clockPhandle, clockPhandle]);
  setCells(uart, 'interrupts', [GIC_SPI, spec.uart.spi, LEVEL_HI]);
  setReg(uart, 'reg', [{ address: spec.uart.base, size: spec.uart.size }], 2, 2);
  setStringList(uart, 'compatible', ['arm,pl011', 'arm,primecell']);
  root.children.push(uart);

  root.children.push(
    gicv3Node(`interrupt-controller@${spec.gic.dist.base.toString(16)}`, gicPhandle, PPI.gicMaintenance, spec.gic.dist, {
      base: spec.gic.redist.base,
      size: o.cpus * GICV3_REDIST_SIZE,
    }),
  );

  const cpus = fdtNode('cpus');
  setU32(cpus, '#size-cells', 0);
  setU32(cpus, '#address-cells', 1);
  for (let i = 0; i < o.cpus; i++) {
    const cpu = fdtNode(`cpu@${spec.mpidr(i).toString(16)}`);
    setU32(cpu, 'phandle', cpuPhandle(i));
    setU32(cpu, 'reg', spec.mpidr(i));
    setString(cpu, 'enable-method', 'psci');
    // Every PE is the one PE model we have (Cortex-A57 ID registers), so the DT says so.
    setString(cpu, 'compatible', spec.cpuCompatible ?? 'arm,cortex-a57');
    setString(cpu, 'device_type', 'cpu');
    cpus.children.push(cpu);
  }
  root.children.push(cpus);

  const timer = fdtNode('timer');
  setCells(timer, 'interrupts', [...ppi(PPI.timerSecure), ...ppi(PPI.timerNonSecure), ...ppi(PPI.timerVirt), ...ppi(PPI.timerHyp)]);
  setEmpty(timer, 'always-on');
  setStringList(timer, 'compatible', ['arm,armv8-timer', 'arm,armv7-timer']);
  root.children.push(timer);

  for (const r of spec.sram ?? []) root.children.push(sramNode(r));

  const clk = fdtNode('uartclk');
  setU32(clk, 'phandle', clockPhandle);
  setString(clk, 'clock-output-names', 'uartclk');
  setU32(clk, 'clock-frequency', spec.uart.clockHz);
  setU32(clk, '#clock-cells', 0);
  setString(clk, 'compatible', 'fixed-clock');
  root.children.push(clk);

  const chosen = fdtNode('chosen');
  if (o.bootargs) setString(chosen, 'bootargs', o.bootargs);
  setString(chosen, 'stdout-path', `/${uartName}`);
  root.children.push(chosen);
  return root;
}
