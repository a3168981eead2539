/* domu-vgic: a domU that drives the virtual GICv3 Xen gives it (GUEST_GICV3_GICD_BASE,
 * GUEST_GICV3_GICR0_BASE) and its virtual timer: identification registers, enables and
 * priorities, the redistributor woken, ICC_* set up (ICV_* underneath), then the EL1 virtual
 * timer (PPI 27) armed, WFI, and the interrupt taken, acknowledged and EOIed; then an SPI made
 * pending through GICD_ISPENDR arrives the same way; and the vpl011's level SPI, raised by
 * unmasking its (always ready) TX interrupt and lowered by masking it in the handler. */
#include "check.h"

#define GICD 0x03001000ul
#define GICR 0x03020000ul
#define SGI (GICR + 0x10000ul)
#define R32(a) (*(volatile u32 *)(a))
#define R64(a) (*(volatile u64 *)(a))
#define R8(a) (*(volatile u8 *)(a))

#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define VTIMER 27
#define SPI 40
#define VPL011_SPI 32
#define PTIMER 30
#define UART_IMSC (0x22000000ul + 0x38)
#define UART_TXIM (1u << 5)

static inline void irq_on(void) { asm volatile("msr daifclr, #3" ::: "memory"); }
static inline void irq_off(void) { asm volatile("msr daifset, #3" ::: "memory"); }

static volatile u32 taken, last_id, timer_ctl_seen;

static int irq_hook(int vec, struct frame *f, int el)
{
	(void)f;
	(void)el;
	if ((vec & 3) != 1)
		return 0;
	for (;;) {
		u32 id = (u32)read_sysreg(ICC_IAR1_EL1) & 0xffffff;
		if (id >= 1020)
			break;
		if (id == VTIMER) {
			timer_ctl_seen = (u32)read_sysreg(cntv_ctl_el0);
			write_sysreg(cntv_ctl_el0, 0); /* disable: the level goes away */
			isb();
		}
		if (id == PTIMER) {
			timer_ctl_seen = (u32)read_sysreg(cntp_ctl_el0);
			write_sysreg(cntp_ctl_el0, 0);
		}
		if (id == VPL011_SPI)
			R32(UART_IMSC) = 0; /* the line drops before the EOI: taken once */
		taken++;
		last_id = id;
		write_sysreg(ICC_EOIR1_EL1, id);
		isb();
	}
	return 1;
}

static void wait_for(u32 n)
{
	for (u32 i = 0; i < 1000 && taken < n; i++)
		asm volatile("wfi" ::: "memory");
}

int main(void)
{
	/* Identification. */
	CHECK_EQ("gicd-pidr2-archrev", (R32(GICD + 0xffe8) >> 4) & 0xf, 3);
	CHECK_EQ("gicd-typer-itlines", R32(GICD + 0x4) & 0x1f, 1);
	CHECK("gicd-ctlr-are", R32(GICD + 0x0) & (1u << 4));
	u64 typer = R64(GICR + 0x8);
	CHECK("gicr-typer-last", typer & (1u << 4));
	CHECK_EQ("gicr-typer-aff", typer >> 32, 0);
	/* An offset this vGIC does not implement reads as zero (and is logged), no crash. */
	CHECK_EQ("gicd-unhandled-raz", R32(GICD + 0x8000), 0);

	/* Wake the redistributor. */
	R32(GICR + 0x14) = 0;
	CHECK_EQ("gicr-waker-awake", R32(GICR + 0x14) & 6, 0);

	/* PPI 27: priority 0xa0, enabled; SPI 40 routed to vCPU 0, enabled. */
	R8(SGI + 0x400 + VTIMER) = 0xa0;
	CHECK_EQ("gicr-ipriority", R8(SGI + 0x400 + VTIMER), 0xa0);
	R32(SGI + 0x100) = 1u << VTIMER;
	CHECK_EQ("gicr-isenabler", R32(SGI + 0x100), 1u << VTIMER);
	R32(GICD + 0x0) = 1u << 1; /* EnableGrp1A */
	CHECK("gicd-ctlr-g1a", R32(GICD + 0x0) & 2);
	R32(GICD + 0x400 + SPI) = 0x80;
	R64(GICD + 0x6000 + 8 * SPI) = 0;
	R32(GICD + 0x100 + 4 * (SPI / 32)) = 1u << (SPI % 32);
	R32(GICD + 0x180 + 4 * (SPI / 32)) = 0;
	CHECK_EQ("gicd-isenabler", R32(GICD + 0x100 + 4 * (SPI / 32)), 1u << (SPI % 32));

	/* The CPU interface (ICV_* under the hypervisor). */
	write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
	isb();
	write_sysreg(ICC_PMR_EL1, 0xff);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
	exc_hook = irq_hook;
	irq_on();

	/* The virtual timer: 1000 ticks ahead, enabled, unmasked. */
	write_sysreg(cntv_tval_el0, 1000);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	wait_for(1);
	CHECK_EQ("vtimer-taken", taken, 1);
	CHECK_EQ("vtimer-intid", last_id, VTIMER);
	CHECK("vtimer-istatus", timer_ctl_seen & 4);

	/* Again, to see the LR reclaimed and reused. */
	write_sysreg(cntv_tval_el0, 500);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	wait_for(2);
	CHECK_EQ("vtimer-again", taken, 2);

	/* An SPI made pending by the guest itself. */
	R32(GICD + 0x200 + 4 * (SPI / 32)) = 1u << (SPI % 32);
	wait_for(3);
	CHECK_EQ("spi-taken", taken, 3);
	CHECK_EQ("spi-intid", last_id, SPI);
	CHECK_EQ("spi-not-pending", R32(GICD + 0x200 + 4 * (SPI / 32)), 0);

	/* The vpl011's TX interrupt: level, high while unmasked. */
	R32(GICD + 0x400 + VPL011_SPI) = 0xa0;
	R32(GICD + 0x100 + 4 * (VPL011_SPI / 32)) = 1u << (VPL011_SPI % 32);
	R32(UART_IMSC) = UART_TXIM;
	wait_for(4);
	CHECK_EQ("vpl011-spi-taken", taken, 4);
	CHECK_EQ("vpl011-spi-intid", last_id, VPL011_SPI);
	/* Nothing is pending now, so a WFI blocks the vCPU (Xen's vcpu_block) until the virtual
	 * timer armed here fires: the next interrupt is the timer, not the vpl011 again. */
	write_sysreg(cntv_tval_el0, 2000);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	wait_for(5);
	CHECK_EQ("vpl011-spi-once", taken, 5);
	CHECK_EQ("vpl011-spi-once-then-vtimer", last_id, VTIMER);

	/* The EL1 physical timer, emulated by the hypervisor (CNTP_* trap). */
	R8(SGI + 0x400 + PTIMER) = 0xa0;
	R32(SGI + 0x100) = 1u << PTIMER;
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntp_cval_el0, read_sysreg(cntpct_el0) + 1000);
	write_sysreg(cntp_ctl_el0, 1);
	isb();
	CHECK_EQ("ptimer-ctl-not-yet", read_sysreg(cntp_ctl_el0), 1);
	u32 tval = (u32)read_sysreg(cntp_tval_el0);
	CHECK("ptimer-tval-counts-down", tval > 0 && tval <= 1000);
	wait_for(6);
	CHECK_EQ("ptimer-taken", taken, 6);
	CHECK_EQ("ptimer-intid", last_id, PTIMER);
	CHECK_EQ("ptimer-istatus", timer_ctl_seen, 5);
	CHECK("ptimer-counter-passed", read_sysreg(cntpct_el0) >= read_sysreg(cntp_cval_el0));
	irq_off();
	return 0;
}
