/* domu-sgi: SGIs between the two vCPUs of one domU (Xen's vgic_v3_emulate_sgi1r). vCPU1 is
 * started with PSCI CPU_ON, enables SGIs 3 and 5 in its own redistributor, and waits in WFI
 * with nothing pending — under Xen that blocks the vCPU. vCPU0 lets time pass, then writes
 * ICC_SGI1R_EL1 (trapped to the hypervisor): SGI 3 by TargetList (Aff0 = 1), then SGI 5 to
 * "all but self" (IRM = 1). vCPU1 must take each one, after it was sent, and vCPU0 none; an
 * SGI to a vCPU that does not exist is dropped. Then vCPU1 spins instead of waiting, and a third
 * SGI must interrupt it promptly (the hypervisor kicks the pCPU it runs on). */
#include "check.h"

#define GICD 0x03001000ul
#define GICR(n) (0x03020000ul + (u64)(n) * 0x20000ul)
#define SGI(n) (GICR(n) + 0x10000ul)
#define R32(a) (*(volatile u32 *)(a))
#define R8(a) (*(volatile u8 *)(a))

#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

#define SGI_LIST 3
#define SGI_OTHERS 5
#define DELAY_TICKS 20000ul

static volatile u32 ready, taken[2], last_id[2], ids1[4];
static volatile u64 sent_at, woke_at, third_at;

static u32 load_acquire(volatile u32 *p)
{
	u32 v;
	asm volatile("ldar %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static int irq_hook(int vec, struct frame *f, int el)
{
	(void)f;
	(void)el;
	if ((vec & 3) != 1)
		return 0;
	int me = cpu_id();
	for (;;) {
		u32 id = (u32)read_sysreg(ICC_IAR1_EL1) & 0xffffff;
		if (id >= 1020)
			break;
		if (me == 1 && taken[1] == 0)
			woke_at = read_sysreg(cntvct_el0);
		if (me == 1 && taken[1] == 2)
			third_at = read_sysreg(cntvct_el0);
		last_id[me] = id;
		if (me == 1 && taken[1] < 4)
			ids1[taken[1]] = id;
		taken[me]++;
		write_sysreg(ICC_EOIR1_EL1, id);
		isb();
	}
	return 1;
}

/* This vCPU's redistributor awake, SGIs 3 and 5 enabled, the CPU interface on. */
static void gic_cpu_up(int me)
{
	R32(GICR(me) + 0x14) = 0;
	R8(SGI(me) + 0x400 + SGI_LIST) = 0x80;
	R8(SGI(me) + 0x400 + SGI_OTHERS) = 0x80;
	R32(SGI(me) + 0x100) = (1u << SGI_LIST) | (1u << SGI_OTHERS);
	write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
	isb();
	write_sysreg(ICC_PMR_EL1, 0xff);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
}

void secondary_main(u64 ctx)
{
	(void)ctx;
	gic_cpu_up(1);
	asm volatile("msr daifclr, #2" ::: "memory");
	asm volatile("stlr %w0, [%1]" ::"r"(1u), "r"(&ready) : "memory");
	/* Nothing pending: each WFI blocks until vCPU0's SGI arrives. */
	while (taken[1] < 2)
		asm volatile("wfi" ::: "memory");
	/* Now running, not waiting: the third SGI must interrupt this loop (Xen's vcpu_kick of a
	 * running vCPU sends its pCPU an event-check SGI, so the guest exits and gets the LR). */
	asm volatile("stlr %w0, [%1]" ::"r"(3u), "r"(&ready) : "memory");
	while (taken[1] < 3)
		;
	asm volatile("msr daifset, #2" ::: "memory");
	asm volatile("stlr %w0, [%1]" ::"r"(2u), "r"(&ready) : "memory");
}

int main(void)
{
	exc_hook = irq_hook;
	gic_cpu_up(0);
	asm volatile("msr daifclr, #2" ::: "memory");
	CHECK_EQ("cpu-on-vcpu1", psci_call(PSCI_CPU_ON_64, 1, (u64)secondary_entry, 0), 0);
	while (load_acquire(&ready) != 1)
		;
	/* Let vCPU1 sit in WFI for a while before the SGI. */
	u64 t0 = read_sysreg(cntvct_el0);
	while (read_sysreg(cntvct_el0) - t0 < DELAY_TICKS)
		;
	sent_at = read_sysreg(cntvct_el0);
	write_sysreg(ICC_SGI1R_EL1, (u64)SGI_LIST << 24 | 1u << 1); /* TargetList: Aff0 = 1 */
	isb();
	while (taken[1] < 1)
		;
	CHECK_EQ("sgi-list-taken", taken[1], 1);
	CHECK_EQ("sgi-list-intid", last_id[1], SGI_LIST);
	CHECK("sgi-woke-after-send", woke_at >= sent_at);
	CHECK("sgi-slept-through-delay", woke_at - t0 >= DELAY_TICKS);

	/* An SGI to Aff0 = 5: no such vCPU, dropped (logged by the hypervisor). */
	write_sysreg(ICC_SGI1R_EL1, (u64)SGI_LIST << 24 | 1u << 5);
	isb();

	/* IRM = 1: every vCPU but the sender. */
	write_sysreg(ICC_SGI1R_EL1, (u64)SGI_OTHERS << 24 | 1ul << 40);
	isb();
	while (load_acquire(&ready) != 3)
		;
	CHECK_EQ("sgi-others-taken", taken[1], 2);
	CHECK_EQ("sgi-others-intid", ids1[1], SGI_OTHERS);
	CHECK_EQ("sgi-bad-target-dropped", taken[1], 2);
	sent_at = read_sysreg(cntvct_el0);
	write_sysreg(ICC_SGI1R_EL1, (u64)SGI_LIST << 24 | 1u << 1);
	isb();
	while (load_acquire(&ready) != 2)
		;
	CHECK_EQ("sgi-to-running-taken", taken[1], 3);
	CHECK_EQ("sgi-to-running-intid", ids1[2], SGI_LIST);
	/* How long the running vCPU took to see it (the test bounds it when each vCPU has a pCPU). */
	/* Signed: PEs read the counter at their own point of a machine round (≤ 1 quantum apart). */
	printf("sgi to running vCPU after %ld ticks\n", (s64)(third_at - sent_at));
	CHECK_EQ("sgi-not-to-self", taken[0], 0);
	/* vCPU1 turns itself off: AFFINITY_INFO reports OFF eventually. */
	u64 off = 0;
	for (int i = 0; i < 100000 && off != 1; i++)
		off = psci_call(PSCI_AFFINITY_INFO_64, 1, 0, 0);
	CHECK_EQ("vcpu1-off", off, 1);
	asm volatile("msr daifset, #2" ::: "memory");
	return 0;
}
