// The interrupt wiring every board shares: a GICv3 (distributor + one redistributor pair per
// PE) at the addresses the board's device tree gives, the generic timers' outputs on their
// PPIs, and the console PL011 on its SPI. One function so that virt, juno, seattle and r82
// cannot drift apart; the numbers come from each board's own table, in DT terms (PPI n =
// INTID 16 + n, SPI n = INTID 32 + n, as the DT's `interrupts` cells count them).
import type { Bus } from '../bus.js';
import type { Machine } from '../machine.js';
import type { Pl011 } from '../devices/pl011.js';
import { Gicv3, GicDistributor, GicRedistributors, GIC_NUM_IRQ } from '../devices/gic/index.js';
import { GenericTimers } from '../devices/timer.js';

/** DT interrupt specifiers number SPIs from INTID 32 and PPIs from INTID 16. */
export const SPI_BASE = 32;
export const PPI_BASE = 16;

export interface Gicv3Wiring {
  dist: { base: number; size: number };
  /** The redistributor window; frames past the last PE's read as zero. */
  redist: { base: number; size: number };
  /** DT PPI numbers: the maintenance interrupt and the EL1 physical, EL1 virtual, EL2 physical timers. */
  maintenancePpi: number;
  timerPpis: { nonSecure: number; virt: number; hyp: number };
  uart: Pl011;
  /** DT SPI number of the UART's interrupt. */
  uartSpi: number;
  /** INTIDs the distributor implements (default 256, as QEMU virt). */
  nrIrqs?: number;
}

export interface Gicv3Wired {
  gic: Gicv3;
  timers: GenericTimers;
}

/** Build the GIC and timers of `machine`, map the GIC frames on `bus`, connect the UART. */
export function wireGicv3(machine: Machine, bus: Bus, w: Gicv3Wiring): Gicv3Wired {
  const nrIrqs = w.nrIrqs ?? GIC_NUM_IRQ;
  const uartIntid = SPI_BASE + w.uartSpi;
  if (uartIntid >= nrIrqs) throw new Error(`board: UART SPI ${w.uartSpi} is beyond the GIC's ${nrIrqs} INTIDs`);
  const gic = new Gicv3(machine.pes, PPI_BASE + w.maintenancePpi, nrIrqs);
  gic.attach();
  bus.addMmio(w.dist.base, w.dist.size, new GicDistributor(gic));
  bus.addMmio(w.redist.base, w.redist.size, new GicRedistributors(gic));
  w.uart.onIrq = (level) => gic.setSpiLine(uartIntid, level);
  const t = w.timerPpis;
  const timers = new GenericTimers(machine.pes, machine.cntfrq, {
    intids: [PPI_BASE + t.nonSecure, PPI_BASE + t.virt, PPI_BASE + t.hyp],
    setPpiLine: (pe, intid, level) => gic.setPpiLine(pe, intid, level),
  });
  machine.addTimed(timers);
  return { gic, timers };
}
