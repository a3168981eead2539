// The hypervisor console: a ring of every line (Xen's conring, what `xl dmesg` shows) and the
// physical PL011 driven through MMIO. Where the UART is depends on the phase: its PA while the
// MMU is off, the FIX_CONSOLE fixmap slot once paging is on (Xen's early printk), an ioremap'd
// mapping once VMAP works (the dtuart driver). Every byte is a store through the EL2 regime.
import type { Cpu } from './arch/cpu.js';

/** PL011 data register offset. */
const UARTDR = 0x000;

export class Console {
  /** Every line, as printed (without the trailing newline). */
  readonly ring: string[] = [];
  /** VA of the UART's register page (plus the UART's offset in it), or null before it is known. */
  private uartVa: number | null = null;

  /** `cpu` gives the CPU printing now: every CPU reaches the UART through its own EL2 regime. */
  constructor(private readonly cpu: () => Cpu) {}

  /** Point the console at the UART's registers at `va`; earlier lines are flushed there. */
  setUart(va: number, flushRing: boolean): void {
    this.uartVa = va;
    if (flushRing) for (const l of this.ring) this.emit(l + '\n');
  }

  get uart(): number | null {
    return this.uartVa;
  }

  /** One raw line (Xen's early_print style, no prefix). */
  raw(line: string): void {
    this.ring.push(line);
    this.emit(line + '\n');
  }

  /** printk: one `(XEN) ` line per line of `msg`. */
  printk(msg: string): void {
    for (const l of msg.split('\n')) this.raw(`(XEN) ${l}`);
  }

  private emit(s: string): void {
    if (this.uartVa === null) return;
    const va = this.uartVa;
    const cpu = this.cpu();
    for (let i = 0; i < s.length; i++) cpu.write32(va + UARTDR, s.charCodeAt(i) & 0xff);
  }
}
