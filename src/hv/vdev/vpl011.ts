// vpl011 (xen/arch/arm/vpl011.c) with the in-Xen backend of dom0less domUs: the SBSA UART
// subset at GUEST_PL011_BASE. Transmit is always ready (FR.TXFE, never TXFF/BUSY); bytes
// collect in an output buffer flushed to the hypervisor console as "DOM<n>: …" lines on '\n'
// or when SBSA_UART_OUT_BUF_SIZE is reached. No input yet: FR.RXFE is always set.
// IMSC/RIS/MIS/ICR are kept; the SPI (GUEST_VPL011_SPI, level) is high while RIS & IMSC is
// non-zero (vpl011_update_interrupt_status) — with TX always ready, unmasking TXIM raises it.
import type { Xen } from '../xen.js';
import type { Domain, MmioHandler, Vcpu } from '../domain/domain.js';
import { GUEST_PL011_BASE, GUEST_PL011_SIZE, GUEST_VPL011_SPI } from '../domain/guestFdt.js';

const DR = 0x00;
const RSR = 0x04;
const FR = 0x18;
const IMSC = 0x38;
const RIS = 0x3c;
const MIS = 0x40;
const ICR = 0x44;
const FR_RXFE = 1 << 4;
const FR_TXFE = 1 << 7;
/** RIS.TXI: the transmit FIFO is below its level (always, here). */
const TXI = 1 << 5;
export const SBSA_UART_OUT_BUF_SIZE = 128;

export class Vpl011 implements MmioHandler {
  readonly name = 'vpl011';
  readonly base = GUEST_PL011_BASE;
  readonly size = GUEST_PL011_SIZE;
  private out = '';
  imsc = 0;
  ris = TXI;
  /** Registers the guest touched that this subset ignores (RAZ/WI), for the log. */
  readonly ignored = new Set<number>();

  constructor(
    private readonly xen: Xen,
    private readonly d: Domain,
  ) {}

  read(_v: Vcpu, offset: number): bigint {
    return this.xen.call('vpl011Mmio', () => {
      switch (offset) {
        case DR:
          return 0n; // no input
        case RSR:
          return 0n;
        case FR:
          return BigInt(FR_TXFE | FR_RXFE);
        case IMSC:
          return BigInt(this.imsc);
        case RIS:
          return BigInt(this.ris);
        case MIS:
          return BigInt(this.ris & this.imsc);
        default:
          this.ignored.add(offset);
          return 0n;
      }
    });
  }

  write(_v: Vcpu, offset: number, _size: number, value: bigint): void {
    this.xen.call('vpl011Mmio', () => {
      const b = Number(value & 0xffn);
      switch (offset) {
        case DR:
          this.putChar(b);
          return;
        case IMSC:
          this.imsc = Number(value & 0x7ffn);
          this.updateInterruptStatus();
          return;
        case ICR:
          this.ris &= ~Number(value & 0x7ffn) | TXI;
          this.updateInterruptStatus();
          return;
        default:
          this.ignored.add(offset); // CR, IBRD, FBRD, LCR_H, IFLS, DMACR…: WI
      }
    });
  }

  /** vpl011_update_interrupt_status: the SPI's level follows RIS & IMSC (to vCPU 0's view). */
  private updateInterruptStatus(): void {
    this.d.vgic?.setLevel(0, GUEST_VPL011_SPI, (this.ris & this.imsc) !== 0);
  }

  /** vpl011_write_data_xen: buffer, flush a line as "DOM<n>: …". */
  private putChar(b: number): void {
    if (b === 0x0a) {
      this.flush();
      return;
    }
    if (b === 0x0d) return;
    this.out += String.fromCharCode(b);
    if (this.out.length >= SBSA_UART_OUT_BUF_SIZE - 1) this.flush();
  }

  flush(): void {
    if (!this.out.length && this.d.state !== 'running') return;
    this.xen.printk(`DOM${this.d.id}: ${this.out}`);
    this.out = '';
  }

  /** Output still buffered (printed when the domain dies, so nothing is lost). */
  get pending(): string {
    return this.out;
  }
}
