// PL011 UART (Arm PrimeCell UART r1p5, DDI 0183), as QEMU's hw/char/pl011.c models it:
// transmission completes instantly (TX FIFO always empty), received bytes wait in a 16-entry
// FIFO (1 entry when LCR_H.FEN = 0), and the interrupt line is RIS & IMSC. That is all the
// Linux amba-pl011 driver, Xen's pl011 driver and our test guests rely on.
//
// Receive side and determinism: the host's input is kept in a backlog outside the UART and
// moved into the FIFO whenever there is room — as if the sender used flow control — so no
// byte is ever lost to an overrun and a run with the same input is the same run. The backlog
// may be filled lazily (`onRxInterest`): the first time the guest shows interest in receiving
// (reads DR or unmasks an RX interrupt), which keeps guests that never read from waiting for
// an input stream that never ends.
import type { MmioDevice } from '../bus.js';

/** Register offsets (DDI 0183 §3.2, Table 3-1). */
export const UART = {
  DR: 0x000,
  RSR_ECR: 0x004,
  FR: 0x018,
  ILPR: 0x020,
  IBRD: 0x024,
  FBRD: 0x028,
  LCR_H: 0x02c,
  CR: 0x030,
  IFLS: 0x034,
  IMSC: 0x038,
  RIS: 0x03c,
  MIS: 0x040,
  ICR: 0x044,
  DMACR: 0x048,
} as const;

/** UARTFR bits (§3.3.3). */
export const FR = { CTS: 1 << 0, BUSY: 1 << 3, RXFE: 1 << 4, TXFF: 1 << 5, RXFF: 1 << 6, TXFE: 1 << 7 } as const;

/** Interrupt bits shared by RIS/MIS/IMSC/ICR (§3.3.10-3.3.14). */
export const INT = { RX: 1 << 4, TX: 1 << 5, RT: 1 << 6, FE: 1 << 7, PE: 1 << 8, BE: 1 << 9, OE: 1 << 10 } as const;
const INT_ALL = 0x7ff;

const LCRH_FEN = 1 << 4;
const FIFO_DEPTH = 16;

/** PeriphID0-3 then PCellID0-3 at 0xFE0..0xFFC: an Arm PL011 r1p5 (QEMU's pl011_id_arm). */
const ID_BYTES = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export interface Pl011Options {
  /** Where transmitted bytes go (the console). */
  tx: (byte: number) => void;
  /** Called once, the first time the guest shows interest in received data. */
  onRxInterest?: () => void;
}

export class Pl011 implements MmioDevice {
  readonly name = 'pl011';
  /** Current level of the UARTINTR output (RIS & IMSC != 0). */
  irqLevel = false;
  /** Told every time `irqLevel` changes (the GIC wires itself here). */
  onIrq: ((level: boolean) => void) | null = null;

  private readonly backlog: number[] = [];
  private backlogHead = 0;
  private readonly fifo: number[] = [];
  private rxInterest = false;

  // Registers, at their reset values (§3.3, and QEMU's pl011_reset).
  private rsr = 0;
  private ilpr = 0;
  private ibrd = 0;
  private fbrd = 0;
  private lcrh = 0;
  private cr = 0x300; // TXE | RXE
  private ifls = 0x12; // both FIFO levels at 1/2
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;

  constructor(private readonly opts: Pl011Options) {}

  /** Queue host input for the guest (bytes reach the FIFO as room appears). */
  pushInput(bytes: Iterable<number>): void {
    for (const b of bytes) this.backlog.push(b & 0xff);
    this.refill();
  }

  /** Bytes not yet read by the guest (FIFO + backlog). */
  get pendingInput(): number {
    return this.fifo.length + this.backlog.length - this.backlogHead;
  }

  read(offset: number, _size: number, _peId: number): number {
    if (offset >= 0xfe0 && offset < 0x1000) return ID_BYTES[(offset - 0xfe0) >> 2];
    switch (offset) {
      case UART.DR:
        return this.readDr();
      case UART.RSR_ECR:
        return this.rsr;
      case UART.FR:
        return this.flags();
      case UART.ILPR:
        return this.ilpr;
      case UART.IBRD:
        return this.ibrd;
      case UART.FBRD:
        return this.fbrd;
      case UART.LCR_H:
        return this.lcrh;
      case UART.CR:
        return this.cr;
      case UART.IFLS:
        return this.ifls;
      case UART.IMSC:
        return this.imsc;
      case UART.RIS:
        return this.ris;
      case UART.MIS:
        return this.ris & this.imsc;
      case UART.DMACR:
        return this.dmacr;
      default:
        // Reserved and test registers read as zero (QEMU logs a guest error and returns 0).
        return 0;
    }
  }

  write(offset: number, _size: number, value: number, _peId: number): void {
    switch (offset) {
      case UART.DR:
        // Only the data byte is sent. The TX FIFO drains at once, so it is below its trigger
        // level straight away: TXRIS is raised on every write, as in QEMU (§3.4.2).
        this.opts.tx(value & 0xff);
        this.ris |= INT.TX;
        break;
      case UART.RSR_ECR:
        this.rsr = 0; // any write clears the error flags (§3.3.2)
        break;
      case UART.ILPR:
        this.ilpr = value & 0xff;
        break;
      case UART.IBRD:
        this.ibrd = value & 0xffff;
        break;
      case UART.FBRD:
        this.fbrd = value & 0x3f;
        break;
      case UART.LCR_H:
        // Switching the FIFOs off leaves a one-character holding register (QEMU resets the
        // read count when FEN changes; we keep the bytes — nothing is lost, only delayed).
        this.lcrh = value & 0xff;
        this.refill();
        break;
      case UART.CR:
        this.cr = value & 0xffff;
        break;
      case UART.IFLS:
        this.ifls = value & 0x3f;
        break;
      case UART.IMSC:
        this.imsc = value & INT_ALL;
        if (this.imsc & (INT.RX | INT.RT)) this.noteRxInterest();
        break;
      case UART.ICR:
        this.ris &= ~value;
        break;
      case UART.DMACR:
        this.dmacr = value & 0x7;
        break;
      default:
        break; // read-only (FR, RIS, MIS, IDs) and reserved: ignored
    }
    this.update();
  }

  private flags(): number {
    let fr = FR.TXFE; // TX always empty, never busy, never full
    if (this.fifo.length === 0) fr |= FR.RXFE;
    if (this.fifo.length >= this.depth()) fr |= FR.RXFF;
    return fr;
  }

  private depth(): number {
    return this.lcrh & LCRH_FEN ? FIFO_DEPTH : 1;
  }

  private readDr(): number {
    this.noteRxInterest();
    const c = this.fifo.shift();
    if (c === undefined) return 0;
    this.refill();
    // RXRIS stays set while data remains (trigger level 1, as QEMU models it).
    if (this.fifo.length === 0) this.ris &= ~INT.RX;
    this.update();
    return c;
  }

  private noteRxInterest(): void {
    if (this.rxInterest) return;
    this.rxInterest = true;
    this.opts.onRxInterest?.();
  }

  /** Move backlog into the FIFO while there is room; raise RXRIS when data is waiting. */
  private refill(): void {
    const depth = this.depth();
    while (this.fifo.length < depth && this.backlogHead < this.backlog.length) {
      this.fifo.push(this.backlog[this.backlogHead++]);
    }
    if (this.backlogHead > 4096 && this.backlogHead * 2 > this.backlog.length) {
      this.backlog.splice(0, this.backlogHead);
      this.backlogHead = 0;
    }
    if (this.fifo.length > 0) this.ris |= INT.RX;
    this.update();
  }

  private update(): void {
    const level = (this.ris & this.imsc) !== 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.onIrq?.(level);
    }
  }
}
