// PL031 real-time clock (ARM PrimeCell RTC, DDI 0224) at QEMU virt's 0x0901_0000: the
// registers QEMU 7.2's hw/rtc/pl031.c implements. It is on the board so that a hardware
// domain (dom0) has a device besides the UART and the GIC to be given 1:1 (Xen's handle_node
// maps every host node's MMIO into dom0).
//
// Deterministic (DESIGN.md §2): DR counts whole seconds of the machine's virtual time from 0
// plus the last LR write — QEMU starts from the host's wall clock instead, so a guest can
// compare only what does not depend on the epoch (ID registers, LR → DR, the match interrupt
// state). RIS is set, as QEMU does, when MR is written equal to DR (no match fires later as
// time passes); the interrupt line (onIrq, the board's SPI) is RIS & IMSC (QEMU's pl031_update).
import type { MmioDevice } from '../bus.js';

/** Register offsets (DDI 0224 §3.2). */
const RTC = { DR: 0x00, MR: 0x04, LR: 0x08, CR: 0x0c, IMSC: 0x10, RIS: 0x14, MIS: 0x18, ICR: 0x1c } as const;
/** PeriphID0..3, PCellID0..3 at 0xFE0..0xFFC (QEMU's pl031_id). */
const PL031_ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
const ID_BASE = 0xfe0;

export class Pl031 implements MmioDevice {
  readonly name = 'pl031';
  private mr = 0;
  private imsc = 0;
  private ris = 0;
  private lr = 0;
  /** LR value minus the virtual seconds at the time it was written (QEMU's tick_offset). */
  private tickOffset = 0;
  /** The interrupt output (the board wires it to the GIC's SPI). */
  onIrq: (level: boolean) => void = () => undefined;

  /** `nowNs(pe)`: the machine's virtual time as seen by the accessing PE. */
  constructor(private readonly nowNs: (peId: number) => number) {}

  private seconds(peId: number): number {
    return Math.floor(this.nowNs(peId) / 1e9);
  }

  read(offset: number, size: number, peId: number): number {
    if (offset >= ID_BASE && offset < ID_BASE + 4 * PL031_ID.length && offset % 4 === 0) return PL031_ID[(offset - ID_BASE) / 4];
    switch (offset) {
      case RTC.DR:
        return (this.tickOffset + this.seconds(peId)) >>> 0;
      case RTC.MR:
        return this.mr;
      case RTC.LR:
        return this.lr;
      case RTC.CR:
        return 1; // the RTC is permanently enabled (QEMU)
      case RTC.IMSC:
        return this.imsc;
      case RTC.RIS:
        return this.ris;
      case RTC.MIS:
        return this.ris & this.imsc;
      default:
        return 0;
    }
  }

  write(offset: number, size: number, value: number, peId: number): void {
    switch (offset) {
      case RTC.LR:
        this.lr = value >>> 0;
        this.tickOffset = this.lr - this.seconds(peId);
        break;
      case RTC.MR:
        this.mr = value >>> 0;
        if (this.mr === (this.tickOffset + this.seconds(peId)) >>> 0) this.ris |= 1;
        break;
      case RTC.IMSC:
        this.imsc = value & 1;
        break;
      case RTC.ICR:
        this.ris &= ~value & 1;
        break;
      default:
        break; // CR: always enabled; DR, RIS, MIS read-only
    }
    this.onIrq((this.ris & this.imsc) !== 0);
  }
}
