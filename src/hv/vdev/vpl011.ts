// vpl011 (xen/arch/arm/vpl011.c) with the in-Xen backend of dom0less domUs: the SBSA UART
// subset at GUEST_PL011_BASE. Transmit is always ready (FR.TXFE, never TXFF/BUSY); bytes
// collect in an output buffer flushed to the hypervisor console as "DOM<n>: …" lines on '\n'
// or when SBSA_UART_OUT_BUF_SIZE is reached. No input yet: FR.RXFE is always set.
// IMSC/RIS/MIS/ICR are kept; the SPI (GUEST_VPL011_SPI, level) is high while RIS & IMSC is
// non-zero (vpl011_update_interrupt_status) — with TX always ready, unmasking TXIM raises it.
import type { Xen } from '../xen.js';
import type { Domain, MmioHandler, Vcpu } from '../domain/domain.js';
import { GUEST_PL011_BASE, GUEST_PL011_SIZE, GUEST_VPL011_SPI } from '../domain/guestFdt.js';
import { FR as FR_BITS, INT, UART } from '../../platform/devices/pl011.js';

// The PL011's register map and bits are the machine's device model's (one source of truth).
const { DR, RSR_ECR: RSR, FR, IMSC, RIS, MIS, ICR } = UART;
const FR_RXFE = FR_BITS.RXFE;
const FR_TXFE = FR_BITS.TXFE;
/** RIS.TXI: the transmit FIFO is below its level (always, here). */
const TXI = INT.TX;
export const SBSA_UART_OUT_BUF_SIZE = 128;
/** The registers vpl011_mmio_read knows (ICR among them: it refuses reads without a message). */
const READABLE = new Set<number>([DR, RSR, FR, IMSC, RIS, MIS, ICR]);

export class Vpl011 implements MmioHandler {
  readonly name = 'vpl011';
  readonly base = GUEST_PL011_BASE;
  readonly size = GUEST_PL011_SIZE;
  private out = '';
  imsc = 0;
  ris = TXI;

  constructor(
    private readonly xen: Xen,
    private readonly d: Domain,
  ) {}

  // Xen 4.17's vpl011_mmio_read/write (checked against the Debian 4.17.7 binary under QEMU,
  // test/hv/realXen.test.ts): DR, RSR, FR, RIS, MIS and IMSC read at up to 32 bits, ICR is
  // write-only; DR, RSR, IMSC and ICR write at up to 32 bits, FR/RIS/MIS writes are ignored.
  // Anything else, and a 64-bit access, is refused (handler returns 0: the guest gets a data
  // abort) with Xen's log line.

  read(v: Vcpu, offset: number, size: number, reg = 0): bigint | null {
    return this.xen.call('vpl011Mmio', () => {
      if (READABLE.has(offset) && size > 4) return this.refuse(v, `bad read width ${Math.log2(size)} r${reg}`, offset);
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
        case ICR:
          return null; // write-only: refused without a message, as Xen
        default:
          return this.refuse(v, `unhandled read r${reg}`, offset);
      }
    });
  }

  write(v: Vcpu, offset: number, size: number, value: bigint, reg = 0): boolean {
    return this.xen.call('vpl011Mmio', () => {
      if (offset === FR || offset === RIS || offset === MIS) return true; // read-only: WI
      const known = offset === DR || offset === RSR || offset === IMSC || offset === ICR;
      if (!known) return this.refuse(v, `unhandled write r${reg}`, offset) ?? false;
      if (size > 4) return this.refuse(v, `bad write width ${Math.log2(size)} r${reg}`, offset) ?? false;
      switch (offset) {
        case DR:
          this.putChar(Number(value & 0xffn));
          break;
        case IMSC:
          this.imsc = Number(value & 0x7ffn);
          this.updateInterruptStatus();
          break;
        case ICR:
          this.ris &= ~Number(value & 0x7ffn) | TXI;
          this.updateInterruptStatus();
          break;
      }
      return true;
    });
  }

  /** Xen's gprintk for a refused access ("d1v0 vpl011: unhandled read r5 offset 0x000fe0"). */
  private refuse(v: Vcpu, what: string, offset: number): null {
    this.xen.printk(`d${this.d.id}v${v.id} vpl011: ${what} offset ${hex08(offset)}`);
    return null;
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

/** C's %#08x: "0x" and six digits, but a bare 00000000 for zero (the # flag adds no 0x to 0). */
function hex08(n: number): string {
  return n === 0 ? '00000000' : `0x${n.toString(16).padStart(6, '0')}`;
}
