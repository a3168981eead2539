/* bench: CPU-bound integer loop with a statically known instruction count.
 *
 * Build variants (guests/build.sh):
 *   bench      MMU off, at the boot EL.
 *   bench-mmu  -DBENCH_MMU: the loop runs at EL1 with stage 1 on (lib identity map,
 *              mmu_enable_el1: Normal WB, caches on). Booted at EL2 it drops to EL1
 *              (run_el1, no stage 2) first.
 *   bench-s2   -DBENCH_S2: boot at EL2; EL2 identity-maps RAM (Normal WB) and the UART
 *              (Device-nGnRE) at stage 2, sets HCR_EL2.VM, and the loop runs at EL1 with
 *              its own stage 1 on as in bench-mmu.
 * The timed loop (loop.S) and its instruction count are the same in all three. */
#include "check.h"
#if defined(BENCH_MMU) || defined(BENCH_S2)
#include "mmu.h"
#endif

#define BENCH_PROLOGUE 4
#define BENCH_BODY 20
#define BENCH_EPILOGUE 3
#ifndef BENCH_ITERS
#define BENCH_ITERS 10000000ul
#endif
#define BENCH_EXPECTED 0x297621fd7e4659a1ul /* result on QEMU for the default BENCH_ITERS */

u64 bench_loop(u64 iters, u64 *buf);

static void bench(void)
{
	static u64 buf[10] __attribute__((aligned(16)));
	for (int i = 0; i < 10; i++)
		buf[i] = operand(i + 40);
	u64 r = bench_loop(BENCH_ITERS, buf);
	u64 n = BENCH_PROLOGUE + BENCH_ITERS * BENCH_BODY + BENCH_EPILOGUE;
	printf("BENCH insns=%lu result=%016lx\n", n, r);
	if (BENCH_ITERS == 10000000ul)
		CHECK_EQ("bench-result", r, BENCH_EXPECTED);
}

#if defined(BENCH_MMU) || defined(BENCH_S2)
/* At EL1: stage 1 on (identity), caches on, then the loop. */
static u64 bench_el1_mmu(u64 unused)
{
	struct pt t;
	(void)unused;
	mmu_identity_el1(&t);
	mmu_enable_el1(&t);
	u64 s = read_sysreg(sctlr_el1);
	CHECK("bench-el1-stage1-on", (s & (SCTLR_M | SCTLR_C | SCTLR_I)) == (SCTLR_M | SCTLR_C | SCTLR_I));
	bench();
	return 0;
}
#endif

#ifdef BENCH_S2
#define HCR_RW (1ul << 31)
#define HCR_VM (1ul << 0)
#define VTCR_WALK_WB ((1ul << 8) | (1ul << 10) | (3ul << 12)) /* IRGN0/ORGN0 WB-WA, SH0 inner */

static void bench_s2(void)
{
	struct pt s2;
	pt_init(&s2, 1, 40); /* 40-bit IPA, start level 1 (2 concatenated tables) */
	pt_map(&s2, RAM_BASE, RAM_BASE, RAM_SIZE,
	       S2_MEMATTR(S2_MEMATTR_NORMAL_WB) | S2AP_R | S2AP_W | PTE_SH_INNER | PTE_AF, 1);
	pt_map(&s2, UART_BASE, UART_BASE, 0x1000,
	       S2_MEMATTR(S2_MEMATTR_DEVICE_nGnRE) | S2AP_R | S2AP_W | PTE_AF | S2_XN, 3);
	write_sysreg(vtcr_el2, VTCR_RES1 | VTCR_PS(2) | VTCR_WALK_WB | VTCR_SL0(1) | TCR_T0SZ(24));
	write_sysreg(vttbr_el2, (u64)s2.root | (1ul << 48)); /* VMID 1 */
	write_sysreg(hcr_el2, HCR_RW | HCR_VM);
	isb();
	asm volatile("dsb ishst; tlbi vmalls12e1; dsb ish; isb" ::: "memory");
	CHECK("bench-el2-stage2-on", read_sysreg(hcr_el2) & HCR_VM);
	run_el1(bench_el1_mmu, 0);
	write_sysreg(hcr_el2, HCR_RW);
	isb();
}
#endif

int main(void)
{
#if defined(BENCH_S2)
	if (current_el() != 2) {
		g_fail++;
		printf("FAIL bench-s2-needs-el2 booted at EL%d\n", current_el());
		return 0;
	}
	bench_s2();
#elif defined(BENCH_MMU)
	if (current_el() == 2)
		run_el1(bench_el1_mmu, 0);
	else
		bench_el1_mmu(0);
#else
	bench();
#endif
	return 0;
}
