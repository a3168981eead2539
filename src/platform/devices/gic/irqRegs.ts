// The per-interrupt register blocks shared by the distributor and the redistributor's SGI
// frame: the same offsets, one covering INTIDs 32+ and the other 0-31 (IHI 0069 §12.9 GICD_*
// and §12.11 GICR_* SGI_base). With affinity routing (ARE = 1) the distributor's words for
// INTIDs 0-31 are RAZ/WI (§12.9: "when affinity routing is enabled ... RES0"): `first` marks
// where an IrqState's writable INTIDs begin.
//
// Access sizes (§12.1.3): IPRIORITYR is byte-accessible, the rest are 32-bit registers; a byte
// or halfword access to those is RAZ/WI here (what QEMU 7.2 does), never a fault.
import type { IrqState } from './irqState.js';
import { GICD } from '../../../arch/gic/regs.js';

/** The bit-per-interrupt banks, at the same offsets in the distributor and each SGI frame. */
export const IRQ_REG = GICD;

/** End (exclusive) of each bitmap block: 32 words for the distributor (1024 INTIDs). */
const BITMAP_WORDS = 32;

/** Whether `off` falls in the per-interrupt blocks (so the caller can try its own registers first). */
export function isIrqReg(off: number): boolean {
  return (
    (off >= IRQ_REG.IGROUPR && off < IRQ_REG.ICACTIVER + 4 * BITMAP_WORDS) ||
    (off >= IRQ_REG.IPRIORITYR && off < 0x800) ||
    (off >= IRQ_REG.ICFGR && off < 0xe00)
  );
}

export function readIrqReg(s: IrqState, first: number, off: number, size: number): number {
  if (off >= IRQ_REG.IPRIORITYR && off < 0x800) {
    let v = 0;
    for (let k = 0; k < size; k++) {
      const i = off - IRQ_REG.IPRIORITYR + k;
      if (i >= first && i < s.size) v |= s.priority[i] << (8 * k);
    }
    return v >>> 0;
  }
  if (size !== 4) return 0;
  if (off >= IRQ_REG.ICFGR && off < IRQ_REG.IGRPMODR) {
    const n = (off - IRQ_REG.ICFGR) >> 2;
    return n * 16 < first ? 0 : s.cfgWord(n);
  }
  if (off >= IRQ_REG.IGRPMODR) return 0; // IGRPMODR, NSACR: RAZ/WI with GICD_CTLR.DS = 1 (§12.9.15)
  const block = off & ~0x7f;
  const base = ((off & 0x7f) >> 2) * 32;
  if (base < first) return 0;
  switch (block) {
    case IRQ_REG.IGROUPR:
      return s.bits(s.group, base);
    case IRQ_REG.ISENABLER:
    case IRQ_REG.ICENABLER:
      return s.bits(s.enabled, base);
    case IRQ_REG.ISPENDR:
    case IRQ_REG.ICPENDR:
      return s.pendingBits(base);
    case IRQ_REG.ISACTIVER:
    case IRQ_REG.ICACTIVER:
      return s.bits(s.active, base);
    default:
      return 0;
  }
}

/** Returns true when the write may have changed which interrupt is pending for some PE. */
export function writeIrqReg(s: IrqState, first: number, off: number, size: number, value: number): boolean {
  if (off >= IRQ_REG.IPRIORITYR && off < 0x800) {
    for (let k = 0; k < size; k++) {
      const i = off - IRQ_REG.IPRIORITYR + k;
      if (i >= first && i < s.size) s.priority[i] = (value >>> (8 * k)) & 0xff;
    }
    return true;
  }
  if (size !== 4) return false;
  if (off >= IRQ_REG.ICFGR && off < IRQ_REG.IGRPMODR) {
    // SGIs are always edge-triggered (ICFGR0 reads 0xAAAAAAAA, RO): `first` is 16 at least there.
    s.setCfgWord((off - IRQ_REG.ICFGR) >> 2, value, Math.max(first, 16));
    return true;
  }
  if (off >= IRQ_REG.IGRPMODR) return false;
  const block = off & ~0x7f;
  const base = ((off & 0x7f) >> 2) * 32;
  if (base < first) return false;
  switch (block) {
    case IRQ_REG.IGROUPR:
      for (let b = 0; b < 32; b++) if (base + b < s.size) s.group[base + b] = (value >>> b) & 1;
      return true;
    case IRQ_REG.ISENABLER:
      s.forBits(value, base, (i) => (s.enabled[i] = 1));
      return true;
    case IRQ_REG.ICENABLER:
      s.forBits(value, base, (i) => (s.enabled[i] = 0));
      return true;
    case IRQ_REG.ISPENDR:
      s.forBits(value, base, (i) => (s.latch[i] = 1));
      return true;
    case IRQ_REG.ICPENDR:
      // Clears the latch only: a level interrupt whose line is asserted stays pending (§4.1.1).
      s.forBits(value, base, (i) => (s.latch[i] = 0));
      return true;
    case IRQ_REG.ISACTIVER:
      s.forBits(value, base, (i) => (s.active[i] = 1));
      return true;
    case IRQ_REG.ICACTIVER:
      s.forBits(value, base, (i) => (s.active[i] = 0));
      return true;
    default:
      return false;
  }
}
