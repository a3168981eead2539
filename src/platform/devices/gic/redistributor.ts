// The GICv3 redistributors, GICR_* (IHI 0069 §12.10-12.11): one per PE, each two 64 KiB
// frames — RD_base (control) then SGI_base (the SGI/PPI registers) — laid out contiguously
// from 0x080A_0000 on virt. GICR_TYPER.Last marks the last PE's frames; offsets past it (the
// rest of QEMU's 0xF60000 window) read as zero and ignore writes. No LPIs: PLPIS = 0, so
// PROPBASER/PENDBASER and GICR_CTLR.EnableLPIs are RAZ/WI.
import { GICR, GICR_SGI_FRAME, GICR_STRIDE, GICR_WAKER_CHILDREN_ASLEEP, GICR_WAKER_PROCESSOR_SLEEP } from '../../../arch/gic/regs.js';
import type { MmioDevice } from '../../bus.js';
import type { Gicv3 } from './index.js';
import { GIC_IIDR, idRegister } from './consts.js';
import { isIrqReg, readIrqReg, writeIrqReg } from './irqRegs.js';

/** Bytes per redistributor: RD_base + SGI_base (§12.10). */
export { GICR_STRIDE };

/** GICR_CTLR reads 0x2 (CES) on QEMU 7.2; nothing in it is writable without LPIs. */
const GICR_CTLR_VALUE = 2;

export class GicRedistributors implements MmioDevice {
  readonly name = 'gicv3-redistributors';

  constructor(private readonly gic: Gicv3) {}

  read(off: number, size: number, _peId: number): number {
    const n = Math.floor(off / GICR_STRIDE);
    if (n >= this.gic.cpus.length) return 0;
    const o = off % GICR_STRIDE;
    const c = this.gic.cpus[n];
    if (o >= GICR_SGI_FRAME) return isIrqReg(o - GICR_SGI_FRAME) ? readIrqReg(c.local, 0, o - GICR_SGI_FRAME, size) : 0;
    if (size !== 4) return 0;
    switch (o) {
      case GICR.CTLR:
        return GICR_CTLR_VALUE;
      case GICR.IIDR:
        return GIC_IIDR;
      case GICR.TYPER: {
        // Processor_Number [23:8] and Last [4] (§12.10.37); the affinity is the high word.
        const last = n === this.gic.cpus.length - 1 ? 1 << 4 : 0;
        return ((n << 8) | last) >>> 0;
      }
      case GICR.TYPER + 4: {
        // Affinity_Value = Aff3.Aff2.Aff1.Aff0 of the PE (MPIDR layout, Aff3 moved down).
        const a = this.gic.pes[n].cfg.affinity;
        return ((Math.floor(a / 2 ** 32) << 24) | (a & 0xff_ffff)) >>> 0;
      }
      case GICR.WAKER:
        return c.sleep ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP : 0;
      default:
        return idRegister(o, true);
    }
  }

  write(off: number, size: number, value: number, _peId: number): void {
    const n = Math.floor(off / GICR_STRIDE);
    if (n >= this.gic.cpus.length) return;
    const o = off % GICR_STRIDE;
    const c = this.gic.cpus[n];
    if (o >= GICR_SGI_FRAME) {
      if (isIrqReg(o - GICR_SGI_FRAME) && writeIrqReg(c.local, 0, o - GICR_SGI_FRAME, size, value)) this.gic.update(n);
      return;
    }
    // GICR_WAKER.ProcessorSleep (§12.10.40): the redistributor wakes (ChildrenAsleep = 0) at once.
    if (size === 4 && o === GICR.WAKER) c.sleep = (value & GICR_WAKER_PROCESSOR_SLEEP) !== 0;
  }
}
