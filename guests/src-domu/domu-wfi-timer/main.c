/* domu-wfi-timer: a domU that sleeps on its virtual timer. Its CNTVCT starts near 0 (Xen sets
 * CNTVOFF_EL2 to the counter at domain creation); it arms CNTV and executes WFI with nothing
 * else pending — Xen blocks the vCPU, and the software timer standing in for CNTV while the
 * vCPU is off its pCPU wakes it — and checks the wake-up came after the deadline. Then the same
 * with SCHEDOP_block (which also unmasks IRQs, as Xen's local_event_delivery_enable does), and
 * finally one long sleep (100 ms) during which the vCPU must not consume any time slice. */
#include "check.h"

#define GICR 0x03020000ul
#define SGI (GICR + 0x10000ul)
#define R32(a) (*(volatile u32 *)(a))
#define R8(a) (*(volatile u8 *)(a))

#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define VTIMER 27
#define FREQ 62500000ul
#define SLEEP_TICKS 50000ul
#define LONG_TICKS (FREQ / 10)

static volatile u32 taken;
static volatile u64 irq_at;

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
			irq_at = read_sysreg(cntvct_el0);
			write_sysreg(cntv_ctl_el0, 0);
			isb();
		}
		taken++;
		write_sysreg(ICC_EOIR1_EL1, id);
		isb();
	}
	return 1;
}

static u64 hypercall3(u64 nr, u64 a0, u64 a1, u64 a2)
{
	register u64 x0 asm("x0") = a0;
	register u64 x1 asm("x1") = a1;
	register u64 x2 asm("x2") = a2;
	register u64 x16 asm("x16") = nr;
	asm volatile("hvc #0xea1" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x16) : "memory");
	return x0;
}
#define hypercall2(nr, a0, a1) hypercall3(nr, a0, a1, 0)

/* public/vcpu.h */
#define VCPUOP_is_up 3
#define VCPUOP_register_runstate_memory_area 5
#define EINVAL 22
#define ENOENT 2
struct vcpu_runstate_info {
	s32 state;
	u64 state_entry_time;
	u64 time[4]; /* running, runnable, blocked, offline (ns) */
};
static struct vcpu_runstate_info runstate;
static u64 runstate_area;

static void arm_vtimer(u64 cval)
{
	write_sysreg(cntv_cval_el0, cval);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
}

int main(void)
{
	u64 vct = read_sysreg(cntvct_el0);
	u64 pct = read_sysreg(cntpct_el0);
	/* CNTVOFF_EL2 = the counter when the domain was created: the guest's time starts near 0. */
	CHECK("cntvoff-nonzero", pct > vct);
	CHECK("cntvct-starts-near-0", vct < FREQ / 100);

	R32(GICR + 0x14) = 0;
	R8(SGI + 0x400 + VTIMER) = 0xa0;
	R32(SGI + 0x100) = 1u << VTIMER;
	write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
	isb();
	write_sysreg(ICC_PMR_EL1, 0xff);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
	exc_hook = irq_hook;

	/* WFI with IRQs unmasked: blocked until the deadline. */
	asm volatile("msr daifclr, #2" ::: "memory");
	u64 deadline = read_sysreg(cntvct_el0) + SLEEP_TICKS;
	arm_vtimer(deadline);
	u32 wfis = 0;
	while (taken < 1) {
		asm volatile("wfi" ::: "memory");
		wfis++;
	}
	CHECK_EQ("wfi-vtimer-taken", taken, 1);
	CHECK("wfi-woke-after-deadline", irq_at >= deadline);
	CHECK("wfi-woke-once", wfis == 1);

	/* SCHEDOP_block with IRQs masked: Xen unmasks them and blocks until the timer. */
	asm volatile("msr daifset, #2" ::: "memory");
	deadline = read_sysreg(cntvct_el0) + SLEEP_TICKS;
	arm_vtimer(deadline);
	CHECK_EQ("schedop-block-ret", hypercall2(29, 1, 0), 0);
	CHECK_EQ("schedop-block-taken", taken, 2);
	CHECK("schedop-block-after-deadline", irq_at >= deadline);
	CHECK_EQ("schedop-block-unmasked-irqs", read_sysreg(daif) & 0x80, 0);

	/* vcpu_op on Arm: only the runstate area (and vcpu_info) exist; is_up is -EINVAL. */
	CHECK_EQ("vcpuop-is-up-einval", hypercall3(24, VCPUOP_is_up, 0, 0), (u64)-EINVAL);
	runstate_area = (u64)&runstate;
	CHECK_EQ("vcpuop-runstate-bad-vcpu", hypercall3(24, VCPUOP_register_runstate_memory_area, 7, (u64)&runstate_area), (u64)-ENOENT);
	CHECK_EQ("vcpuop-runstate-register", hypercall3(24, VCPUOP_register_runstate_memory_area, 0, (u64)&runstate_area), 0);
	CHECK_EQ("runstate-running", runstate.state, 0);
	u64 blocked_before = runstate.time[2];

	/* A long sleep: 100 ms of virtual time in WFI. */
	deadline = read_sysreg(cntvct_el0) + LONG_TICKS;
	arm_vtimer(deadline);
	while (taken < 3)
		asm volatile("wfi" ::: "memory");
	CHECK("long-sleep-after-deadline", irq_at >= deadline);
	printf("slept %lu ticks\n", irq_at - (deadline - LONG_TICKS));
	/* The runstate area, updated when the vCPU was switched back in: ~100 ms more blocked
	 * (from the WFI trap to the switch back in, a little after the deadline). */
	CHECK("runstate-blocked-100ms", runstate.time[2] - blocked_before >= 99000000ul);
	CHECK_EQ("runstate-running-again", runstate.state, 0);
	asm volatile("msr daifset, #2" ::: "memory");
	return 0;
}
