/* dom0-rtc-irq: a physical device interrupt delivered to the hardware domain (src/hv/irq.ts).
 * dom0 owns the virt board's PL031 RTC (0x09010000, SPI 2 = INTID 34): it programs its vGIC at
 * the host addresses, makes the RTC match (MR written equal to DR sets RIS; IMSC unmasks the
 * line), takes virtual INTID 34, clears the device and EOIs. The hypervisor injected it with a
 * HW = 1 list register, so that EOI deactivates the physical SPI: a second match must arrive
 * the same way (it could not if the physical interrupt had stayed active). Masked, a match
 * raises nothing. Waits are bounded polls, so a lost interrupt is a FAIL, not a hang.
 * Also built as the domU guest domu-rtc-irq (src-domu/: the RTC passed through at the same IPA,
 * docs/virt-rtc-passthrough.dts), with the vGIC at Xen's guest addresses. */
#include "check.h"

#ifndef GICD
#define GICD 0x08000000ul /* dom0's vGIC sits at the host GIC's addresses */
#define GICR 0x080a0000ul
#endif
#define RTC 0x09010000ul
#define RTC_DR 0x00
#define RTC_MR 0x04
#define RTC_LR 0x08
#define RTC_IMSC 0x10
#define RTC_RIS 0x14
#define RTC_MIS 0x18
#define RTC_ICR 0x1c
#define RTC_SPI 34
#define R32(a) (*(volatile u32 *)(a))
#define R64(a) (*(volatile u64 *)(a))
#define R8(a) (*(volatile u8 *)(a))

#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

static volatile u32 taken, last_id, mis_seen;

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
		if (id == RTC_SPI) {
			mis_seen = R32(RTC + RTC_MIS);
			R32(RTC + RTC_ICR) = 1; /* the line drops before the EOI */
		}
		taken++;
		last_id = id;
		write_sysreg(ICC_EOIR1_EL1, id);
		isb();
	}
	return 1;
}

static void wait_for(u32 n)
{
	for (u32 i = 0; i < 100000 && taken < n; i++)
		asm volatile("nop" ::: "memory");
}

static void rtc_match(void) { R32(RTC + RTC_MR) = R32(RTC + RTC_DR); }

int main(void)
{
	/* The vGIC: redistributor awake, distributor Group 1 on, SPI 34 to vCPU 0, enabled. */
	R32(GICR + 0x14) = 0;
	R32(GICD + 0x0) = (1u << 4) | (1u << 1);
	R8(GICD + 0x400 + RTC_SPI) = 0xa0;
	R64(GICD + 0x6000 + 8 * RTC_SPI) = 0;
	R32(GICD + 0x100 + 4 * (RTC_SPI / 32)) = 1u << (RTC_SPI % 32);
	CHECK_EQ("rtc-spi-enabled", R32(GICD + 0x100 + 4 * (RTC_SPI / 32)) & (1u << (RTC_SPI % 32)), 1u << (RTC_SPI % 32));
	write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
	isb();
	write_sysreg(ICC_PMR_EL1, 0xff);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
	exc_hook = irq_hook;
	asm volatile("msr daifclr, #3" ::: "memory");

	/* Masked at the device: a match sets RIS only. */
	R32(RTC + RTC_LR) = 1000;
	R32(RTC + RTC_IMSC) = 0;
	rtc_match();
	CHECK_EQ("rtc-ris-on-match", R32(RTC + RTC_RIS), 1);
	wait_for(1);
	CHECK_EQ("rtc-masked-no-irq", taken, 0);
	R32(RTC + RTC_ICR) = 1;

	/* Unmasked: the physical SPI reaches dom0 as virtual INTID 34. */
	R32(RTC + RTC_IMSC) = 1;
	rtc_match();
	wait_for(1);
	CHECK_EQ("rtc-irq-taken", taken, 1);
	CHECK_EQ("rtc-irq-intid", last_id, RTC_SPI);
	CHECK_EQ("rtc-irq-mis-in-handler", mis_seen, 1);
	CHECK_EQ("rtc-ris-cleared", R32(RTC + RTC_RIS), 0);

	/* Again: only possible if the guest's EOI deactivated the physical interrupt. */
	rtc_match();
	wait_for(2);
	CHECK_EQ("rtc-irq-again", taken, 2);
	CHECK_EQ("rtc-irq-again-intid", last_id, RTC_SPI);
	asm volatile("msr daifset, #3" ::: "memory");
	return 0;
}
