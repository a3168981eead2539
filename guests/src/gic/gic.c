/* gic: the GICv3 on QEMU virt with 4 CPUs. Discovery registers, SGIs between
 * CPUs (targeted, broadcast, group filtering), priorities and preemption
 * (binary point), edge vs level, EOImode 1, PMR and group-enable masking,
 * Group 0 as FIQ, SPI routing by IROUTER, the PL011 TX interrupt as SPI 33,
 * and a LDAXR/STLXR spinlock shared by all 4 CPUs. Nothing printed depends on
 * timing: secondaries record, CPU 0 checks and prints. */
#include "check.h"
#include "gic.h"

#define NCPU 4
#define UART 0x09000000ul
#define UART_IMSC 0x038
#define UART_MIS 0x040
#define UART_ICR 0x044
#define UART_TXIM (1u << 5)

static volatile u32 alive[NCPU];
static volatile u32 go_home;
static volatile u32 sgi_count[NCPU][16];
static volatile u32 spi_count[NCPU];
static spinlock_t lock;
static volatile u64 locked_counter;
static volatile u32 lock_done[NCPU];
#define LOCK_ROUNDS 500

/* Order log for CPU 0's own interrupts: "<intid>" entries, and markers. */
static volatile u32 order[32];
static volatile u32 n_order;
static volatile u64 seen_rpr[32];
static void note(u32 v) { if (n_order < 32) order[n_order++] = v; }
#define EXIT_MARK 0x1000 /* note(EXIT_MARK | id) when a handler leaves */

static volatile int mode; /* what CPU 0's handler does (per test) */
static volatile u32 level_hits, edge_hits, uart_mis_seen, eoimode_hits;

static void lock_acquire(spinlock_t *l)
{
	u32 tmp, st;
	asm volatile("	sevl\n"
		     "1:	wfe\n"
		     "2:	ldaxr	%w0, [%2]\n"
		     "	cbnz	%w0, 1b\n"
		     "	stxr	%w1, %w3, [%2]\n"
		     "	cbnz	%w1, 2b\n"
		     : "=&r"(tmp), "=&r"(st)
		     : "r"(&l->v), "r"(1)
		     : "memory");
}

static void lock_release(spinlock_t *l)
{
	u32 tmp, st;
	/* STLXR (not STLR) on purpose: exclusive store-release. */
	asm volatile("1:	ldxr	%w0, [%2]\n"
		     "	stlxr	%w1, wzr, [%2]\n"
		     "	cbnz	%w1, 1b\n"
		     "	sev\n"
		     : "=&r"(tmp), "=&r"(st)
		     : "r"(&l->v)
		     : "memory");
}

static void lock_loop(int id)
{
	for (int i = 0; i < LOCK_ROUNDS; i++) {
		lock_acquire(&lock);
		u64 v = locked_counter; /* plain load/store: only the lock makes this safe */
		barrier();
		locked_counter = v + 1;
		lock_release(&lock);
	}
	lock_done[id] = 1;
}

static int secondary_handler(u32 id, int group)
{
	int cpu = cpu_id();
	if (id < 16) {
		sgi_count[cpu][id]++;
		/* Ping-pong: CPU 1 answers SGI 1 with SGI 6 to CPU 0. */
		if (cpu == 1 && id == 1)
			gic_send_sgi1(sgi1r_targets(6, 1));
	} else {
		spi_count[cpu]++;
	}
	return 0;
}

static int cpu0_handler(u32 id, int group);

static int handler(u32 id, int group)
{
	if (cpu_id() == 0)
		return cpu0_handler(id, group);
	return secondary_handler(id, group);
}

void secondary_main(u64 ctx)
{
	int id = cpu_id();
	gic_init_cpu();
	for (u32 i = 0; i < 16; i++) {
		gic_config(id, i, 0x80, 1, 1);
		gic_enable(id, i);
	}
	/* SGI 5 is Group 0 on CPU 1: an SGI1R for it must not reach it. */
	if (id == 1)
		gic_config(id, 5, 0x80, 0, 1);
	irq_enable();
	alive[id] = 1;
	lock_loop(id);
	while (!go_home)
		wfi();
	irq_disable();
}

static void wait_for(volatile u32 *p, u32 v)
{
	for (u64 i = 0; i < 50000000ul && *p < v; i++)
		;
}

static void discovery(void)
{
	u32 ctlr = mmio_r32(GICD_BASE + GICD_CTLR);
	CHECK_EQ("gicd-ctlr-are-ds", ctlr & 0x50, 0x50);
	u32 typer = mmio_r32(GICD_BASE + GICD_TYPER);
	CHECK_EQ("gicd-typer-itlines", typer & 0x1f, 7);
	CHECK_EQ("gicd-typer-idbits", (typer >> 19) & 0x1f, 15);
	CHECK_EQ("gicd-typer-no-security", (typer >> 10) & 1, 0);
	CHECK_EQ("gicd-iidr", mmio_r32(GICD_BASE + GICD_IIDR), 0x43b);
	CHECK_EQ("gicd-pidr2-archrev", (mmio_r32(GICD_BASE + GICD_PIDR2) >> 4) & 0xf, 3);
	CHECK_EQ("gicr-pidr2-archrev", (mmio_r32(GICR_RD(0) + GICR_PIDR2) >> 4) & 0xf, 3);
	CHECK_EQ("gicr-iidr", mmio_r32(GICR_RD(0) + GICR_IIDR), 0x43b);
	for (int c = 0; c < NCPU; c++) {
		u64 t = mmio_r64(GICR_RD(c) + GICR_TYPER);
		checkf_eq((t >> 8) & 0xffff, (u64)c, "gicr%d-typer-procnum", c);
		checkf_eq(t >> 32, (u64)c, "gicr%d-typer-affinity", c);
		checkf_eq((t >> 4) & 1, c == NCPU - 1, "gicr%d-typer-last", c);
	}
	/* CPU 3's redistributor is still asleep (nothing woke it: CPU 3 runs
	 * only later); wake and put it back to sleep. */
	CHECK_EQ("gicr-waker-reset", mmio_r32(GICR_RD(3) + GICR_WAKER) & 6, 6);
	mmio_w32(GICR_RD(3) + GICR_WAKER, 0);
	CHECK_EQ("gicr-waker-awake", mmio_r32(GICR_RD(3) + GICR_WAKER) & 6, 0);
	mmio_w32(GICR_RD(3) + GICR_WAKER, 2);
	CHECK_EQ("gicr-waker-asleep", mmio_r32(GICR_RD(3) + GICR_WAKER) & 6, 6);

	CHECK_EQ("icc-sre", icc_read(S3_0_C12_C12_5) & 7, 7);
	if (current_el() == 2)
		CHECK_EQ("icc-sre-el2", icc_read(S3_4_C12_C9_5) & 0xf, 0xf);
	u64 ictlr = icc_read(S3_0_C12_C12_4);
	CHECK_EQ("icc-ctlr-pribits", (ictlr >> 8) & 7, 4);
	CHECK_EQ("icc-ctlr-idbits", (ictlr >> 11) & 7, 1);
	icc_write(S3_0_C4_C6_0, 0xff);
	CHECK_EQ("icc-pmr-5-bits", icc_read(S3_0_C4_C6_0), 0xf8);
	icc_write(S3_0_C12_C8_3, 0);
	CHECK_EQ("icc-bpr0-min", icc_read(S3_0_C12_C8_3), 2);
	icc_write(S3_0_C12_C12_3, 0);
	CHECK_EQ("icc-bpr1-min", icc_read(S3_0_C12_C12_3), 3);
	CHECK_EQ("icc-rpr-idle", icc_read(S3_0_C12_C11_3), 0xff);
	CHECK_EQ("icc-iar1-nothing", icc_read(S3_0_C12_C12_0), INTID_SPURIOUS);
	CHECK_EQ("icc-hppir1-nothing", icc_read(S3_0_C12_C12_2), INTID_SPURIOUS);

	/* Register semantics. */
	u64 sgi0 = GICR_SGI(0);
	CHECK_EQ("gicr-icfgr0-sgis-edge", mmio_r32(sgi0 + GICD_ICFGR), 0xaaaaaaaa);
	mmio_w32(sgi0 + GICD_ICFGR, 0);
	CHECK_EQ("gicr-icfgr0-ro", mmio_r32(sgi0 + GICD_ICFGR), 0xaaaaaaaa);
	mmio_w32(GICD_BASE + GICD_ICFGR + 8, 0xffffffff);
	CHECK_EQ("gicd-icfgr2-odd-bits", mmio_r32(GICD_BASE + GICD_ICFGR + 8), 0xaaaaaaaa);
	mmio_w32(GICD_BASE + GICD_ICFGR + 8, 0);
	mmio_w32(GICD_BASE + GICD_ISENABLER, 0xffffffff);
	CHECK_EQ("gicd-isenabler0-raz-with-are", mmio_r32(GICD_BASE + GICD_ISENABLER), 0);
	mmio_w32(GICD_BASE + GICD_IPRIORITYR + 40, 0x11223344);
	mmio_w8(GICD_BASE + GICD_IPRIORITYR + 42, 0x5a);
	CHECK_EQ("gicd-ipriorityr-byte", mmio_r32(GICD_BASE + GICD_IPRIORITYR + 40), 0x115a3344);
	CHECK_EQ("gicd-ipriorityr-byte-read", mmio_r8(GICD_BASE + GICD_IPRIORITYR + 41), 0x33);
	mmio_w32(GICD_BASE + GICD_IPRIORITYR + 40, 0xa0a0a0a0);
	mmio_w64(GICD_BASE + GICD_IROUTER + 8 * 40, 0x0000000100020003ul);
	CHECK_EQ("gicd-irouter-aff", mmio_r64(GICD_BASE + GICD_IROUTER + 8 * 40), 0x0000000100020003ul);
	mmio_w64(GICD_BASE + GICD_IROUTER + 8 * 40, 0);
	mmio_w32(GICD_BASE + 0x2000, 0xffffffff);
	CHECK_EQ("gicd-reserved-raz-wi", mmio_r32(GICD_BASE + 0x2000), 0);
	mmio_w32(sgi0 + GICD_ISPENDR, 1u << 3);
	CHECK_EQ("gicr-ispendr-sgi", mmio_r32(sgi0 + GICD_ISPENDR) & (1u << 3), 1u << 3);
	mmio_w32(sgi0 + GICD_ICPENDR, 1u << 3);
	CHECK_EQ("gicr-icpendr-sgi", mmio_r32(sgi0 + GICD_ISPENDR) & (1u << 3), 0);
}

/* ---- CPU 0's handler and the single-CPU tests ---- */

static int cpu0_handler(u32 id, int group)
{
	note(group ? id : 0x100 | id);
	if (n_order <= 32)
		seen_rpr[n_order - 1] = icc_read(S3_0_C12_C11_3);
	switch (mode) {
	case 1: /* preemption: SGI 8 (0xa0) raises SGI 9 (0x40) with IRQs on */
		if (id == 8) {
			irq_enable();
			gic_send_sgi1(sgi1r_targets(9, 1));
			irq_disable();
		}
		if (id == 10) { /* SGI 10 (0x40) raises SGI 11 (0x80): no preemption */
			irq_enable();
			gic_send_sgi1(sgi1r_targets(11, 1));
			irq_disable();
		}
		if (id == 12) { /* SGI 12 (0xa0) raises SGI 13 (0x90) */
			irq_enable();
			gic_send_sgi1(sgi1r_targets(13, 1));
			irq_disable();
		}
		break;
	case 2: /* level SPI 33 (UART TX): first time leave the source asserted */
		if (id == 33) {
			level_hits++;
			uart_mis_seen = mmio_r32(UART + UART_MIS);
			if (level_hits >= 2)
				mmio_w32(UART + UART_IMSC, 0);
		}
		break;
	case 3: /* edge SPI 41: pend again while active */
		if (id == 41) {
			edge_hits++;
			if (edge_hits == 1) {
				gic_set_pending(0, 41);
				seen_rpr[0] = (gic_is_pending(0, 41) << 1) | gic_is_active(0, 41);
			}
		}
		break;
	case 4: /* EOImode 1: priority drop only; DIR later */
		if (id == 7) {
			eoimode_hits++;
			write_sysreg(S3_0_C12_C12_1, id);
			isb();
			return 1;
		}
		break;
	}
	note(EXIT_MARK | id);
	return 0;
}

static void reset_log(void)
{
	n_order = 0;
	for (int i = 0; i < 32; i++)
		order[i] = 0;
}

static void print_order(const char *name, const u32 *exp, u32 n)
{
	int ok = n_order == n;
	for (u32 i = 0; ok && i < n; i++)
		ok = order[i] == exp[i];
	if (ok) {
		CHECK(name, 1);
		return;
	}
	char buf[160];
	int k = snprintf(buf, sizeof buf, "got");
	for (u32 i = 0; i < n_order && k < 140; i++)
		k += snprintf(buf + k, sizeof buf - k, " %x", order[i]);
	check_cond(name, 0, buf);
}

static void test_priorities(void)
{
	for (u32 i = 0; i < 16; i++)
		gic_config(0, i, 0xa0, 1, 1);
	mmio_w8(GICR_SGI(0) + GICD_IPRIORITYR + 9, 0x40);
	mmio_w8(GICR_SGI(0) + GICD_IPRIORITYR + 10, 0x40);
	mmio_w8(GICR_SGI(0) + GICD_IPRIORITYR + 11, 0x80);
	mmio_w8(GICR_SGI(0) + GICD_IPRIORITYR + 13, 0x90);
	for (u32 i = 0; i < 16; i++)
		gic_enable(0, i);
	mode = 1;

	/* A higher-priority interrupt preempts a running handler. */
	reset_log();
	gic_send_sgi1(sgi1r_targets(8, 1));
	irq_enable();
	irq_disable();
	static const u32 pre[] = {8, 9, EXIT_MARK | 9, EXIT_MARK | 8};
	print_order("preempt-higher-priority", pre, 4);
	CHECK_EQ("preempt-rpr-outer", seen_rpr[0], 0xa0);
	CHECK_EQ("preempt-rpr-inner", seen_rpr[1], 0x40);

	/* A lower-priority one waits for the EOI. */
	reset_log();
	gic_send_sgi1(sgi1r_targets(10, 1));
	irq_enable();
	irq_disable();
	static const u32 nopre[] = {10, EXIT_MARK | 10, 11, EXIT_MARK | 11};
	print_order("no-preempt-lower-priority", nopre, 4);

	/* Binary point: with BPR1 = 7 the group priority is bit 7 only, so
	 * 0x90 does not preempt 0xa0; with the minimum BPR1 it does. */
	icc_write(S3_0_C12_C12_3, 7);
	CHECK_EQ("bpr1-7", icc_read(S3_0_C12_C12_3), 7);
	reset_log();
	gic_send_sgi1(sgi1r_targets(12, 1));
	irq_enable();
	irq_disable();
	static const u32 bp7[] = {12, EXIT_MARK | 12, 13, EXIT_MARK | 13};
	print_order("binary-point-7-no-preempt", bp7, 4);
	icc_write(S3_0_C12_C12_3, 0);
	reset_log();
	gic_send_sgi1(sgi1r_targets(12, 1));
	irq_enable();
	irq_disable();
	static const u32 bp3[] = {12, 13, EXIT_MARK | 13, EXIT_MARK | 12};
	print_order("binary-point-min-preempt", bp3, 4);

	/* Several pending: highest priority first, then the lower INTID. */
	mode = 0;
	reset_log();
	mmio_w8(GICR_SGI(0) + GICD_IPRIORITYR + 14, 0x60);
	mmio_w8(GICR_SGI(0) + GICD_IPRIORITYR + 15, 0x50);
	gic_send_sgi1(sgi1r_targets(14, 1));
	gic_send_sgi1(sgi1r_targets(3, 1));
	gic_send_sgi1(sgi1r_targets(2, 1));
	gic_send_sgi1(sgi1r_targets(15, 1));
	CHECK_EQ("hppir1-highest", icc_read(S3_0_C12_C12_2), 15);
	irq_enable();
	irq_disable();
	static const u32 ord[] = {15, EXIT_MARK | 15, 14, EXIT_MARK | 14, 2, EXIT_MARK | 2, 3, EXIT_MARK | 3};
	print_order("pending-order", ord, 8);

	/* PMR: priority must be strictly below it. */
	reset_log();
	icc_write(S3_0_C4_C6_0, 0xa0);
	gic_send_sgi1(sgi1r_targets(4, 1)); /* priority 0xa0 */
	irq_enable();
	irq_disable();
	CHECK_EQ("pmr-masks-equal-priority", n_order, 0);
	CHECK_EQ("pmr-hppir1-still-shows", icc_read(S3_0_C12_C12_2), 4);
	CHECK_EQ("pmr-iar1-spurious", icc_read(S3_0_C12_C12_0), INTID_SPURIOUS);
	icc_write(S3_0_C4_C6_0, 0xa8);
	irq_enable();
	irq_disable();
	CHECK("pmr-raised-delivers", n_order == 2 && order[0] == 4);
	icc_write(S3_0_C4_C6_0, 0xff);

	/* IGRPEN1 = 0 and GICD_CTLR.EnableGrp1 = 0 both hold Group 1 back. */
	reset_log();
	icc_write(S3_0_C12_C12_7, 0);
	gic_send_sgi1(sgi1r_targets(5, 1));
	irq_enable();
	irq_disable();
	CHECK_EQ("igrpen1-off-masks", n_order, 0);
	CHECK_EQ("igrpen1-off-hppir1", icc_read(S3_0_C12_C12_2), INTID_SPURIOUS);
	mmio_w32(GICD_BASE + GICD_CTLR, 1);
	icc_write(S3_0_C12_C12_7, 1);
	irq_enable();
	irq_disable();
	CHECK_EQ("gicd-grp1-off-masks", n_order, 0);
	mmio_w32(GICD_BASE + GICD_CTLR, 3);
	irq_enable();
	irq_disable();
	CHECK("grp1-on-delivers", n_order == 2 && order[0] == 5);

	/* Group 0 is signalled as FIQ and acknowledged through IAR0. */
	reset_log();
	gic_config(0, 6, 0x80, 0, 1);
	gic_send_sgi1(sgi1r_targets(6, 1)); /* wrong group: dropped */
	CHECK_EQ("sgi1r-ignores-group0-sgi", gic_is_pending(0, 6), 0);
	gic_send_sgi0(sgi1r_targets(6, 1));
	CHECK_EQ("sgi0r-pends-group0", gic_is_pending(0, 6), 1);
	CHECK_EQ("hppir0", icc_read(S3_0_C12_C8_2), 6);
	CHECK_EQ("hppir1-not-group0", icc_read(S3_0_C12_C12_2), INTID_SPURIOUS);
	irq_enable();
	irq_disable();
	CHECK("group0-as-fiq", n_order == 2 && order[0] == (0x100 | 6));
	gic_config(0, 6, 0xa0, 1, 1);
}

static void test_eoimode(void)
{
	mode = 4;
	reset_log();
	eoimode_hits = 0;
	icc_write(S3_0_C12_C12_4, 2); /* EOImode = 1 */
	CHECK_EQ("ctlr-eoimode", icc_read(S3_0_C12_C12_4) & 3, 2);
	gic_send_sgi1(sgi1r_targets(7, 1));
	irq_enable();
	irq_disable();
	CHECK_EQ("eoimode-taken", eoimode_hits, 1);
	CHECK_EQ("eoimode-rpr-dropped", icc_read(S3_0_C12_C11_3), 0xff);
	CHECK_EQ("eoimode-still-active", gic_is_active(0, 7), 1);
	gic_send_sgi1(sgi1r_targets(7, 1));
	irq_enable();
	irq_disable();
	CHECK_EQ("eoimode-active-blocks", eoimode_hits, 1);
	CHECK_EQ("eoimode-pending-and-active", gic_is_pending(0, 7) * 2 + gic_is_active(0, 7), 3);
	write_sysreg(S3_0_C12_C11_1, 7); /* ICC_DIR_EL1 */
	isb();
	CHECK_EQ("dir-deactivates", gic_is_pending(0, 7) * 2 + gic_is_active(0, 7), 2);
	irq_enable();
	irq_disable();
	CHECK_EQ("dir-then-taken", eoimode_hits, 2);
	write_sysreg(S3_0_C12_C11_1, 7);
	isb();
	CHECK_EQ("dir-final", gic_is_active(0, 7), 0);
	icc_write(S3_0_C12_C12_4, 0);
	mode = 0;
}

static void test_edge_level(void)
{
	/* Edge SPI 41, made pending by software; pended again while active it
	 * is taken a second time after the EOI. */
	mode = 3;
	edge_hits = 0;
	gic_config(0, 41, 0x80, 1, 1);
	gic_enable(0, 41);
	gic_set_pending(0, 41);
	irq_enable();
	irq_disable();
	CHECK_EQ("edge-spi-twice", edge_hits, 2);
	CHECK_EQ("edge-active-and-pending-in-handler", seen_rpr[0], 3);
	CHECK_EQ("edge-spi-idle", gic_is_pending(0, 41) * 2 + gic_is_active(0, 41), 0);

	/* Level: the PL011's TX interrupt (SPI 33) stays pending while the
	 * UART asserts it; ICPENDR cannot clear it; the handler that does not
	 * clear the source sees it again after the EOI. No output may be
	 * printed while the UART interrupt is unmasked. */
	mode = 2;
	level_hits = 0;
	gic_config(0, 33, 0x80, 1, 0);
	mmio_w32(UART + UART_ICR, 0x7ff);
	mmio_w32(UART + UART_IMSC, UART_TXIM);
	u32 before = gic_is_pending(0, 33);
	uart_putc('.');
	uart_putc('\n');
	u32 after = gic_is_pending(0, 33);
	gic_clear_pending(0, 33);
	u32 after_icpendr = gic_is_pending(0, 33);
	gic_enable(0, 33);
	irq_enable();
	irq_disable();
	u32 after_handler = gic_is_pending(0, 33);
	CHECK_EQ("uart-tx-not-pending-before", before, 0);
	CHECK_EQ("uart-tx-level-pending", after, 1);
	CHECK_EQ("level-icpendr-keeps-pending", after_icpendr, 1);
	CHECK_EQ("uart-tx-spi33-taken-twice", level_hits, 2);
	CHECK_EQ("uart-mis-tx", uart_mis_seen & UART_TXIM, UART_TXIM);
	CHECK_EQ("level-released", after_handler, 0);
	gic_disable(0, 33);
	mode = 0;
}

static void test_sgis_between_cpus(void)
{
	for (int c = 1; c < NCPU; c++)
		wait_for(&alive[c], 1);
	for (int c = 1; c < NCPU; c++)
		checkf_eq(alive[c], 1, "cpu%d-alive", c);
	reset_log();
	gic_config(0, 6, 0x80, 1, 1);
	gic_enable(0, 6);
	gic_send_sgi1(sgi1r_targets(1, 1u << 1));              /* CPU 1 only */
	gic_send_sgi1(sgi1r_targets(2, (1u << 2) | (1u << 3))); /* CPUs 2, 3 */
	gic_send_sgi1(sgi1r_broadcast(3));                      /* all but me */
	gic_send_sgi1(sgi1r_targets(5, 1u << 1));               /* Group 0 there */
	wait_for(&sgi_count[1][1], 1);
	wait_for(&sgi_count[2][2], 1);
	wait_for(&sgi_count[3][2], 1);
	for (int c = 1; c < NCPU; c++)
		wait_for(&sgi_count[c][3], 1);
	irq_enable();
	for (u64 i = 0; i < 50000000ul && n_order < 2; i++)
		wfi();
	irq_disable();
	static const u32 exp[NCPU][4] = {
		/* SGIs 1, 2, 3, 5 */
		{0, 0, 0, 0}, {1, 0, 1, 0}, {0, 1, 1, 0}, {0, 1, 1, 0},
	};
	static const u32 ids[4] = {1, 2, 3, 5};
	for (int c = 1; c < NCPU; c++)
		for (int k = 0; k < 4; k++)
			checkf_eq(sgi_count[c][ids[k]], exp[c][k], "sgi%u-on-cpu%d", ids[k], c);
	CHECK_EQ("sgi-broadcast-not-self", order[0] == 3, 0);
	CHECK("ping-pong-sgi6-from-cpu1", n_order == 2 && order[0] == 6);
	CHECK_EQ("sgi5-group0-not-pending-on-cpu1", gic_is_pending(1, 5), 0);

	/* An SPI routed by IROUTER to CPU 2. */
	gic_config(2, 50, 0x80, 1, 1);
	gic_enable(2, 50);
	gic_set_pending(2, 50);
	wait_for(&spi_count[2], 1);
	CHECK_EQ("spi50-routed-to-cpu2", spi_count[2], 1);
	CHECK_EQ("spi50-not-cpu0-or-1", spi_count[0] + spi_count[1] + spi_count[3], 0);
}

int main(void)
{
	puts("gic\n");
	print_lock_enabled = 1;
	gic_install_handler();
	gic_handler = handler;
	gic_init_dist();
	discovery();
	gic_init_cpu();
	for (int c = 1; c < NCPU; c++) {
		u64 r = psci_call(PSCI_CPU_ON_64, (u64)c, (u64)secondary_entry, 0x100 + c);
		checkf_eq(r, 0, "cpu_on-%d", c);
	}
	test_priorities();
	test_eoimode();
	test_edge_level();
	test_sgis_between_cpus();
	lock_loop(0);
	for (int c = 0; c < NCPU; c++)
		wait_for(&lock_done[c], 1);
	CHECK_EQ("spinlock-ldaxr-stlxr-4cpus", locked_counter, (u64)NCPU * LOCK_ROUNDS);
	go_home = 1;
	dsb();
	gic_send_sgi1(sgi1r_broadcast(0)); /* wake them from WFI */
	for (int c = 1; c < NCPU; c++) {
		for (u64 i = 0; i < 100000000ul; i++)
			if (psci_call(PSCI_AFFINITY_INFO_64, (u64)c, 0, 0) == 1)
				break;
	}
	return 0;
}
