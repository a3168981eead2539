/* domu-rtc-irq: dom0-rtc-irq as a dom0less domU that owns the virt board's PL031 through
 * docs/virt-rtc-passthrough.dts (MMIO at the same IPA, SPI 34 routed by the host node's
 * interrupts); its vGIC is at Xen's guest addresses, its output on the vpl011. */
#define GICD 0x03001000ul /* GUEST_GICV3_GICD_BASE */
#define GICR 0x03020000ul /* GUEST_GICV3_GICR0_BASE */
#include "../../src-dom0/dom0-rtc-irq/main.c"
