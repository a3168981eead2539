/* timer: the generic timers and their interrupts on QEMU virt (2 CPUs).
 * CNTFRQ, CNTPCT/CNTVCT and CNTVOFF_EL2, the EL1 physical timer (PPI 14 =
 * INTID 30) and the EL1 virtual timer (PPI 11 = INTID 27) via TVAL and CVAL,
 * the EL2 physical timer (PPI 10 = INTID 26) at EL2, IMASK and ISTATUS,
 * level-sensitive outputs, per-CPU PPIs, WFI woken by a timer, CNTHCTL_EL2
 * and CNTKCTL_EL1 traps. Only timing-independent facts are printed ("fired
 * at or after CVAL"), never counts or latencies. */
#include "check.h"
#include "gic.h"

#define PPI_PHYS 30
#define PPI_VIRT 27
#define PPI_HYP 26
#define CTL_ENABLE 1ul
#define CTL_IMASK 2ul
#define CTL_ISTATUS 4ul
#define WAIT_TICKS 50000 /* 0.8 ms at 62.5 MHz */

struct hit {
	volatile u32 count, intid, after_cval, istatus;
};
static struct hit hits[2];
static volatile int leave_asserted; /* handler leaves the timer firing once */
static volatile u32 cpu1_done;

static u64 cval_of(u32 intid)
{
	switch (intid) {
	case PPI_PHYS: return read_sysreg(cntp_cval_el0);
	case PPI_VIRT: return read_sysreg(cntv_cval_el0);
	default: return read_sysreg(cnthp_cval_el2);
	}
}

static u64 count_of(u32 intid)
{
	isb();
	return intid == PPI_VIRT ? read_sysreg(cntvct_el0) : read_sysreg(cntpct_el0);
}

static u64 ctl_of(u32 intid)
{
	switch (intid) {
	case PPI_PHYS: return read_sysreg(cntp_ctl_el0);
	case PPI_VIRT: return read_sysreg(cntv_ctl_el0);
	default: return read_sysreg(cnthp_ctl_el2);
	}
}

static void set_ctl(u32 intid, u64 v)
{
	switch (intid) {
	case PPI_PHYS: write_sysreg(cntp_ctl_el0, v); break;
	case PPI_VIRT: write_sysreg(cntv_ctl_el0, v); break;
	default: write_sysreg(cnthp_ctl_el2, v); break;
	}
	isb();
}

static int handler(u32 id, int group)
{
	struct hit *h = &hits[cpu_id()];
	h->count++;
	h->intid = id;
	h->after_cval = count_of(id) >= cval_of(id);
	h->istatus = (ctl_of(id) & CTL_ISTATUS) != 0;
	if (leave_asserted) {
		leave_asserted = 0; /* EOI with the output still high: taken again */
		return 0;
	}
	set_ctl(id, CTL_ENABLE | CTL_IMASK); /* drop the level output */
	return 0;
}

static void reset_hit(int cpu)
{
	hits[cpu].count = hits[cpu].intid = hits[cpu].after_cval = hits[cpu].istatus = 0;
}

/* Sleep in WFI with interrupts unmasked until the handler ran `n` times. */
static void wait_irq(int cpu, u32 n)
{
	irq_enable();
	for (u64 i = 0; i < 10000000ul && hits[cpu].count < n; i++)
		wfi();
	irq_disable();
}

static void check_hit(const char *what, u32 intid, u32 n)
{
	char name[64];
	snprintf(name, sizeof name, "%s-taken", what);
	CHECK_EQ(name, hits[0].count, n);
	snprintf(name, sizeof name, "%s-intid", what);
	CHECK_EQ(name, hits[0].intid, intid);
	snprintf(name, sizeof name, "%s-fired-after-cval", what);
	CHECK_EQ(name, hits[0].after_cval, 1);
	snprintf(name, sizeof name, "%s-istatus", what);
	CHECK_EQ(name, hits[0].istatus, 1);
}

static void test_counters(void)
{
	CHECK_EQ("cntfrq", read_sysreg(cntfrq_el0), 62500000);
	u64 a = count_of(PPI_PHYS), b = count_of(PPI_PHYS);
	CHECK("cntpct-monotonic", b >= a);
	u64 off = 0;
	if (current_el() == 2) {
		off = 0x123456789ul;
		write_sysreg(cntvoff_el2, off);
		isb();
	}
	u64 p1 = count_of(PPI_PHYS);
	u64 v = count_of(PPI_VIRT);
	u64 p2 = count_of(PPI_PHYS);
	CHECK("cntvct-is-cntpct-minus-cntvoff", p1 - off <= v && v <= p2 - off);
}

static void test_timer_tval(const char *what, u32 intid)
{
	reset_hit(0);
	gic_config(0, intid, 0x80, 1, 0);
	gic_enable(0, intid);
	switch (intid) {
	case PPI_PHYS: write_sysreg(cntp_tval_el0, WAIT_TICKS); break;
	case PPI_VIRT: write_sysreg(cntv_tval_el0, WAIT_TICKS); break;
	default: write_sysreg(cnthp_tval_el2, WAIT_TICKS); break;
	}
	set_ctl(intid, CTL_ENABLE);
	wait_irq(0, 1);
	check_hit(what, intid, 1);
	s64 tval;
	switch (intid) {
	case PPI_PHYS: tval = (s32)read_sysreg(cntp_tval_el0); break;
	case PPI_VIRT: tval = (s32)read_sysreg(cntv_tval_el0); break;
	default: tval = (s32)read_sysreg(cnthp_tval_el2); break;
	}
	char name[64];
	snprintf(name, sizeof name, "%s-tval-negative-after", what);
	CHECK(name, tval <= 0);
	set_ctl(intid, 0);
	gic_disable(0, intid);
}

static void test_timer_cval(const char *what, u32 intid)
{
	reset_hit(0);
	gic_config(0, intid, 0x80, 1, 0);
	gic_enable(0, intid);
	u64 target = count_of(intid) + WAIT_TICKS;
	switch (intid) {
	case PPI_PHYS: write_sysreg(cntp_cval_el0, target); break;
	case PPI_VIRT: write_sysreg(cntv_cval_el0, target); break;
	default: write_sysreg(cnthp_cval_el2, target); break;
	}
	set_ctl(intid, CTL_ENABLE);
	char name[64];
	snprintf(name, sizeof name, "%s-not-yet", what);
	CHECK_EQ(name, ctl_of(intid) & CTL_ISTATUS, 0);
	wait_irq(0, 1);
	check_hit(what, intid, 1);
	snprintf(name, sizeof name, "%s-count-reached-target", what);
	CHECK(name, count_of(intid) >= target);
	set_ctl(intid, 0);
	gic_disable(0, intid);
}

static void test_imask_and_level(void)
{
	/* IMASK: ISTATUS set, output low (nothing pending at the GIC). */
	reset_hit(0);
	gic_config(0, PPI_PHYS, 0x80, 1, 0);
	write_sysreg(cntp_cval_el0, 0);
	set_ctl(PPI_PHYS, CTL_ENABLE | CTL_IMASK);
	CHECK_EQ("imask-istatus", ctl_of(PPI_PHYS) & CTL_ISTATUS, CTL_ISTATUS);
	CHECK_EQ("imask-output-low", gic_is_pending(0, PPI_PHYS), 0);
	set_ctl(PPI_PHYS, CTL_ENABLE);
	CHECK_EQ("unmasked-output-high", gic_is_pending(0, PPI_PHYS), 1);
	/* WFI with PSTATE.I set still wakes for the pending interrupt. */
	for (u64 i = 0; i < 1000 && !gic_is_pending(0, PPI_PHYS); i++)
		wfi();
	/* Level-sensitive: ICPENDR cannot clear it; an EOI with the timer
	 * still firing makes it pending again. */
	gic_clear_pending(0, PPI_PHYS);
	CHECK_EQ("level-icpendr-keeps-pending", gic_is_pending(0, PPI_PHYS), 1);
	leave_asserted = 1;
	gic_enable(0, PPI_PHYS);
	wait_irq(0, 2);
	CHECK_EQ("level-taken-again-after-eoi", hits[0].count, 2);
	CHECK_EQ("level-low-after-imask", gic_is_pending(0, PPI_PHYS), 0);
	set_ctl(PPI_PHYS, 0);
	gic_disable(0, PPI_PHYS);
}

static void test_cntvoff_jump(void)
{
	/* A virtual timer far in the future fires once CNTVOFF_EL2 moves the
	 * virtual count past it. */
	reset_hit(0);
	gic_config(0, PPI_VIRT, 0x80, 1, 0);
	gic_enable(0, PPI_VIRT);
	u64 off = read_sysreg(cntvoff_el2);
	write_sysreg(cntvoff_el2, 0); /* no wrap-around in CNTVCT + 2^40 */
	isb();
	write_sysreg(cntv_cval_el0, count_of(PPI_VIRT) + (1ul << 40));
	set_ctl(PPI_VIRT, CTL_ENABLE);
	CHECK_EQ("cntvoff-before", ctl_of(PPI_VIRT) & CTL_ISTATUS, 0);
	write_sysreg(cntvoff_el2, -(1ul << 41));
	isb();
	wait_irq(0, 1);
	check_hit("cntvoff-jump", PPI_VIRT, 1);
	set_ctl(PPI_VIRT, 0);
	gic_disable(0, PPI_VIRT);
	write_sysreg(cntvoff_el2, off);
	isb();
}

static u64 el1_read_cntp_ctl(u64 arg)
{
	return read_sysreg(cntp_ctl_el0) | 0x100;
}

static u64 el1_read_cntvct(u64 arg)
{
	return read_sysreg(cntvct_el0) != 0;
}

static void test_cnthctl_traps(void)
{
	write_sysreg(cnthctl_el2, 1); /* EL1PCEN = 0 */
	isb();
	expect_exception(0);
	run_el1(el1_read_cntp_ctl, 0);
	CHECK_EQ("cnthctl-el1pcen-traps", exc.count, 1);
	CHECK_EQ("cnthctl-el1pcen-ec", EC(exc.esr), 0x18);
	CHECK_EQ("cnthctl-el1pcen-to-el2", exc.el, 2);
	write_sysreg(cnthctl_el2, 2); /* EL1PCTEN = 0: CNTVCT is still fine */
	isb();
	expect_exception(0);
	u64 r = run_el1(el1_read_cntvct, 0);
	CHECK_EQ("cnthctl-el1pcten-not-cntvct", exc.count, 0);
	CHECK_EQ("cnthctl-cntvct-read", r, 1);
	exc.armed = 0;
	write_sysreg(cnthctl_el2, 3);
	isb();
	expect_exception(0);
	r = run_el1(el1_read_cntp_ctl, 0);
	CHECK_EQ("cnthctl-enabled-no-trap", exc.count, 0);
	CHECK_EQ("cnthctl-enabled-read", r, 0x100);
	exc.armed = 0;
}

static u64 el0_read_cntvct(u64 arg)
{
	return read_sysreg(cntvct_el0) != 0;
}

static void test_cntkctl(void)
{
	write_sysreg(cntkctl_el1, 0);
	isb();
	expect_exception(0);
	run_el0(el0_read_cntvct, 0);
	CHECK_EQ("cntkctl-el0vcten-traps", exc.count, 1);
	CHECK_EQ("cntkctl-el0vcten-ec", EC(exc.esr), 0x18);
	write_sysreg(cntkctl_el1, 2); /* EL0VCTEN */
	isb();
	expect_exception(0);
	u64 r = run_el0(el0_read_cntvct, 0);
	CHECK_EQ("cntkctl-el0vcten-allows", exc.count, 0);
	CHECK_EQ("cntkctl-el0-read", r, 1);
	exc.armed = 0;
	write_sysreg(cntkctl_el1, 0);
	isb();
}

/* WFE until the counter has advanced: only the event stream can end each
 * WFE while this is the only running CPU (on QEMU WFE just yields). */
static int wfe_until(u64 ticks)
{
	u64 start = count_of(PPI_VIRT);
	for (u64 i = 0; i < 10000000ul && count_of(PPI_VIRT) - start < ticks; i++)
		asm volatile("wfe" ::: "memory");
	return count_of(PPI_VIRT) - start >= ticks;
}

static void test_event_streams(void)
{
	u64 k = read_sysreg(cntkctl_el1);
	write_sysreg(cntkctl_el1, (k & ~0xfful) | (1 << 2) | (4 << 4)); /* EVNTEN, bit 4 0->1 */
	isb();
	CHECK("wfe-cntkctl-event-stream", wfe_until(20000));
	write_sysreg(cntkctl_el1, (k & ~0xfful) | (1 << 2) | (1 << 3) | (6 << 4)); /* 1->0 of bit 6 */
	isb();
	CHECK("wfe-cntkctl-event-stream-evntdir", wfe_until(20000));
	write_sysreg(cntkctl_el1, k);
	isb();
	if (current_el() == 2) {
		u64 h = read_sysreg(cnthctl_el2);
		write_sysreg(cnthctl_el2, (h & ~0xf0ul) | (1 << 2) | (5 << 4));
		isb();
		CHECK("wfe-cnthctl-event-stream", wfe_until(20000));
		write_sysreg(cnthctl_el2, h);
		isb();
	}
}

void secondary_main(u64 ctx)
{
	gic_init_cpu();
	gic_config(1, PPI_PHYS, 0x80, 1, 0);
	gic_enable(1, PPI_PHYS);
	write_sysreg(cntp_tval_el0, WAIT_TICKS);
	set_ctl(PPI_PHYS, CTL_ENABLE);
	wait_irq(1, 1);
	set_ctl(PPI_PHYS, 0);
	cpu1_done = 1;
}

int main(void)
{
	puts("timer\n");
	gic_install_handler();
	gic_handler = handler;
	gic_init_dist();
	gic_init_cpu();
	test_counters();
	test_timer_tval("phys-tval", PPI_PHYS);
	test_timer_cval("phys-cval", PPI_PHYS);
	test_timer_tval("virt-tval", PPI_VIRT);
	test_timer_cval("virt-cval", PPI_VIRT);
	if (current_el() == 2) {
		test_timer_tval("hyp-tval", PPI_HYP);
		test_timer_cval("hyp-cval", PPI_HYP);
		test_cntvoff_jump();
		test_cnthctl_traps();
	} else {
		test_cntkctl();
	}
	test_imask_and_level();
	test_event_streams();

	/* CPU 1's physical timer interrupts CPU 1 only (PPIs are per CPU). */
	reset_hit(0);
	CHECK_EQ("cpu_on-1", psci_call(PSCI_CPU_ON_64, 1, (u64)secondary_entry, 0), 0);
	for (u64 i = 0; i < 100000000ul && !cpu1_done; i++)
		;
	CHECK_EQ("cpu1-timer-taken", hits[1].count, 1);
	CHECK_EQ("cpu1-timer-intid", hits[1].intid, PPI_PHYS);
	CHECK_EQ("cpu1-fired-after-cval", hits[1].after_cval, 1);
	CHECK_EQ("cpu1-ppi-not-on-cpu0", hits[0].count + gic_is_pending(0, PPI_PHYS), 0);
	for (u64 i = 0; i < 100000000ul; i++)
		if (psci_call(PSCI_AFFINITY_INFO_64, 1, 0, 0) == 1)
			break;
	return 0;
}
