/* dcache: what software can observe of a write-back data cache (issue 6, seed 001).
 *
 * Runs at EL1 with an identity map (RAM Normal Write-Back). Data written with the MMU and
 * caches on may still sit in a dirty line; a read with the MMU off is Device, bypasses the
 * caches and may see stale memory. The architecture permits both outcomes for an uncleaned
 * line (the line may or may not have been evicted), so those cases print
 *     OBSERVED <case> stale|new
 * after checking that the value is one of the two. What maintenance guarantees is checked
 * with PASS/FAIL: DC CVAC / CIVAC / set-way clean make memory current, DC IVAC drops a stale
 * line, DC ZVA zeroes, code written through the cache runs after DC CVAU + IC IVAU.
 * QEMU has no cache model (every OBSERVED is "new"); armvisor run --dcache shows "stale".
 *
 * The runtime itself must stay coherent across the MMU switches: before each switch-off every
 * line of the image (.text .. .bss, which holds the stacks) except the test buffer is cleaned
 * and invalidated (off.S), so nothing the runtime wrote is left in the cache and nothing stale
 * is found when the MMU comes back on (nothing allocates while it is off). */
#include "check.h"
#include "mmu.h"

#define A 0x1111222233334444ul
#define B 0x5555666677778888ul
#define C 0x9999aaaabbbbccccul
#define D 0xddddeeeeffff0000ul
#define E 0x0123456789abcdeful
#define F 0xfedcba9876543210ul
#define P 0x0f0f0f0f0f0f0f0ful
#define G 0x1357924680acebdful
#define H 0x2468013579bdf0acul
#define MOV_X0_1 0xd2800020u
#define MOV_X0_2 0xd2800040u
#define RET 0xd65f03c0u

/* Test lines (64 bytes apart, alone in their lines) and a code page, away from everything. */
static u8 buf[2 * 4096] __attribute__((aligned(4096)));
#define L(i) ((volatile u64 *)(buf + 64 * (i)))
#define CODE ((volatile u32 *)(buf + 4096))

extern char __image_start[], __bss_end[];
void dcache_mmu_off_el1(u64 lo1, u64 hi1, u64 lo2, u64 hi2);

static struct pt t;

static void mmu_off(void)
{
	dcache_mmu_off_el1((u64)__image_start, (u64)buf, (u64)buf + sizeof(buf), (u64)__bss_end);
}

static void observe(const char *c, u64 v, u64 stale, u64 fresh)
{
	char n[64];
	snprintf(n, sizeof(n), "%s-stale-or-new", c);
	if (v == stale || v == fresh) {
		check_cond(n, 1, "");
		printf("OBSERVED %s %s\n", c, v == stale ? "stale" : "new");
	} else {
		g_fail++;
		printf("FAIL %s got=0x%lx\n", n, v);
	}
}

#define dc(op, p) asm volatile("dc " #op ", %0" ::"r"(p) : "memory")

/* Clean (or clean+invalidate) every data/unified cache line by set/way, level by level up
 * to CLIDR_EL1.LoC, with the geometry CCSIDR_EL1 reports (the loop firmware runs). */
static void dcache_all_setway(int invalidate)
{
	u64 clidr = read_sysreg(clidr_el1);
	int loc = (clidr >> 24) & 7;
	for (int level = 0; level < loc; level++) {
		int ctype = (clidr >> (3 * level)) & 7;
		if (ctype < 2)
			continue; /* no cache, or instruction only */
		write_sysreg(csselr_el1, level << 1);
		isb();
		u64 ccsidr = read_sysreg(ccsidr_el1);
		int lsh = (ccsidr & 7) + 4;
		u32 ways = ((ccsidr >> 3) & 0x3ff) + 1;
		u32 sets = ((ccsidr >> 13) & 0x7fff) + 1;
		int wsh = ways > 1 ? __builtin_clz(ways - 1) : 0;
		for (u32 w = 0; w < ways; w++) {
			for (u32 s = 0; s < sets; s++) {
				u64 op = ((u64)w << wsh) | ((u64)s << lsh) | ((u64)level << 1);
				if (ways == 1)
					op = ((u64)s << lsh) | ((u64)level << 1);
				if (invalidate)
					dc(cisw, op);
				else
					dc(csw, op);
			}
		}
	}
	dsb();
}

typedef u64 (*fn_t)(void);

int main(void)
{
	u64 v;

	/* ---- MMU off: geometry, and memory contents some tests start from ---- */
	u64 ctr = read_sysreg(ctr_el0);
	CHECK("ctr-dminline-64-bytes", (4u << ((ctr >> 16) & 15)) == 64);
	CHECK("clidr-loc-at-least-1", ((read_sysreg(clidr_el1) >> 24) & 7) >= 1);
	CHECK("dczid-zva-allowed", (read_sysreg(dczid_el0) & 16) == 0);
	*L(3) = P;
	*L(5) = F;
	CODE[0] = MOV_X0_1;
	CODE[1] = RET;

	mmu_identity_el1(&t);
	mmu_enable_el1(&t);

	/* ---- MMU and caches on ---- */
	*L(0) = A;
	*L(1) = B;
	dc(cvac, L(1));
	*L(2) = C;
	dc(civac, L(2));
	dsb();
	*L(3) = C;
	dc(ivac, L(3));
	dsb();
	observe("dc-ivac-discards-dirty-line", *L(3), P, C);
	v = *L(4); /* allocate a clean line holding 0 */
	CHECK("read-zero", v == 0);
	asm volatile("dc zva, %0" ::"r"(L(5)) : "memory");
	CHECK("dc-zva-zeroes-cacheable", *L(5) == 0);
	/* code written through the cache */
	CODE[0] = MOV_X0_2;
	asm volatile("dsb ish; ic iallu; dsb ish; isb" ::: "memory");
	observe("code-without-dc-cvau", ((fn_t)CODE)(), 1, 2);
	dc(cvau, CODE);
	asm volatile("dsb ish; ic ivau, %0; dsb ish; isb" ::"r"(CODE) : "memory");
	CHECK("code-after-dc-cvau-ic-ivau", ((fn_t)CODE)() == 2);

	/* ---- MMU off: reads bypass the cache ---- */
	mmu_off();
	observe("mmu-off-read-of-dirty-line", *L(0), 0, A);
	CHECK("dc-cvac-makes-memory-current", *L(1) == B);
	CHECK("dc-civac-makes-memory-current", *L(2) == C);
	observe("mmu-off-read-after-cached-dc-zva", *L(5), F, 0);
	*L(4) = D; /* memory changes under the clean line */

	/* ---- MMU on: a stale clean line, then set/way clean ---- */
	mmu_enable_el1(&t);
	observe("stale-clean-line-after-mmu-off-write", *L(4), 0, D);
	dc(ivac, L(4));
	dsb();
	CHECK("dc-ivac-drops-stale-line", *L(4) == D);
	*L(6) = E;
	dcache_all_setway(0);

	mmu_off();
	CHECK("setway-clean-reaches-new-line", *L(6) == E);
	CHECK("setway-clean-reaches-older-dirty-line", *L(0) == A);

	/* ---- set/way clean+invalidate leaves no line behind ---- */
	mmu_enable_el1(&t);
	*L(7) = G;
	(void)*L(8); /* a clean line */
	dcache_all_setway(1);
	mmu_off();
	CHECK("setway-clean-invalidate-writes-back", *L(7) == G);
	*L(8) = H;
	mmu_enable_el1(&t);
	CHECK("setway-clean-invalidate-leaves-no-stale-line", *L(8) == H);
	return 0;
}
