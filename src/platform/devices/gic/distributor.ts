// The GICv3 distributor, GICD_* (IHI 0069 §12.9), a 64 KiB frame at 0x0800_0000 on virt.
// Single Security state (DS = 1, RAO/WI) and affinity routing (ARE = 1, RAO/WI): the GICv2
// compatibility registers (ITARGETSR, SGIR, CPENDSGIR/SPENDSGIR) and the words for INTIDs
// 0-31 are RAZ/WI (§12.9). Reserved offsets and wrong-size accesses read 0 and ignore writes.
import { GICD } from '../../../arch/gic/regs.js';
import type { MmioDevice } from '../../bus.js';
import type { Gicv3 } from './index.js';
import { GIC_IIDR, idRegister } from './consts.js';
import { isIrqReg, readIrqReg, writeIrqReg } from './irqRegs.js';

/** GICD_CTLR read-only bits: ARE (4) and DS (6) read as one (QEMU 7.2 without EL3: 0x50). */
const CTLR_RAO = (1 << 4) | (1 << 6);
/**
 * GICD_TYPER (§12.9.38): ITLinesNumber = nrIrqs / 32 − 1 (7 for virt's 256 INTIDs), IDbits = 15
 * (16-bit INTIDs), A3V, No1N; no LPIs, no message-based SPIs, no Security extension. QEMU 7.2
 * also sets LPIS (it has an ITS); this machine has no LPIs, so it does not.
 */
export function gicdTyper(nrIrqs: number): number {
  return (nrIrqs / 32 - 1) | (15 << 19) | (1 << 24) | (1 << 25);
}

export class GicDistributor implements MmioDevice {
  readonly name = 'gicv3-distributor';

  constructor(private readonly gic: Gicv3) {}

  read(off: number, size: number, _peId: number): number {
    if (isIrqReg(off)) return readIrqReg(this.gic.spis, 32, off, size);
    if (size !== 4) return 0;
    if (off >= GICD.IROUTER && off < GICD.IROUTER + 8 * 1024) {
      const n = (off - GICD.IROUTER) >> 3;
      if (n < 32 || n >= this.gic.nrIrqs) return 0;
      return off & 4 ? this.gic.routeHi[n] : this.gic.routeLo[n];
    }
    switch (off) {
      case GICD.CTLR:
        return CTLR_RAO | this.gic.ctlr;
      case GICD.TYPER:
        return gicdTyper(this.gic.nrIrqs);
      case GICD.IIDR:
        return GIC_IIDR;
      default:
        return idRegister(off);
    }
  }

  write(off: number, size: number, value: number, _peId: number): void {
    if (isIrqReg(off)) {
      if (writeIrqReg(this.gic.spis, 32, off, size, value)) this.gic.updateAll();
      return;
    }
    if (size !== 4) return;
    if (off >= GICD.IROUTER && off < GICD.IROUTER + 8 * 1024) {
      const n = (off - GICD.IROUTER) >> 3;
      if (n < 32 || n >= this.gic.nrIrqs) return;
      if (off & 4) this.gic.setRoute(n, this.gic.routeLo[n], value);
      else this.gic.setRoute(n, value, this.gic.routeHi[n]);
      this.gic.updateAll();
      return;
    }
    if (off === GICD.CTLR) {
      // Only the group enables are writable with DS = 1; RWP never reads 1 (writes take effect at once).
      this.gic.ctlr = value & 3;
      this.gic.updateAll();
    }
  }
}
