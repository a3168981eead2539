// GICv3 constants shared by the distributor, redistributors and CPU interface (IHI 0069).

/**
 * INTIDs implemented by default, as QEMU virt: SGIs 0-15, PPIs 16-31, SPIs 32-255
 * (GICD_TYPER.ITLinesNumber = 7). A board may ask for more (Gicv3's `nrIrqs`).
 */
export const GIC_NUM_IRQ = 256;
/** The largest INTID count: SPIs end at 1019 (§2.2.1); ITLinesNumber counts blocks of 32. */
export const GIC_MAX_NUM_IRQ = 1020;
/** The spurious INTID (§2.2.1): nothing to acknowledge. */
export const INTID_SPURIOUS = 1023;
/** GICD_CTLR enables (DS = 1 layout, §12.9.4). */
export const CTLR_EN_GRP0 = 1;
export const CTLR_EN_GRP1 = 2;
/** Priority bits implemented by the CPU interface (ICC_CTLR_EL1.PRIbits + 1), as QEMU's Cortex-A57. */
export const PRI_BITS = 5;
/** GICD_IIDR / GICR_IIDR: what QEMU 7.2 reports (Arm's JEP106 code 0x43B). */
export const GIC_IIDR = 0x43b;

/**
 * The ID register block at 0xFFD0-0xFFFC of the distributor and each RD frame (§12.1.1,
 * PIDR2.ArchRev = 3 for GICv3); the byte values QEMU 7.2 returns, indexed by (offset − 0xFFD0) / 4.
 * Only PIDR0 (the part number) tells the two apart: 0x92 distributor, 0x93 redistributor.
 */
const ID_REGS = [0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1];
const PIDR0 = 0xffe0;

export function idRegister(off: number, redistributor = false): number {
  if (off < 0xffd0 || off > 0xfffc || off & 3) return 0;
  if (off === PIDR0 && redistributor) return 0x93;
  return ID_REGS[(off - 0xffd0) >> 2];
}
