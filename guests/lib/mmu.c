/* Guest-side page-table builder: see mmu.h. */
#include "mmu.h"

/* 64 KiB aligned: a concatenated stage-2 root of n tables must be aligned to n * 4 KiB (n <= 16). */
static u64 pool[PT_POOL_PAGES][512] __attribute__((aligned(65536)));
static int pool_used;

void pt_pool_reset(void)
{
	pool_used = 0;
}

u64 *pt_alloc_n(int n)
{
	int first = (pool_used + n - 1) / n * n;
	if (first + n > PT_POOL_PAGES) {
		printf("FAIL pt-pool exhausted\n");
		g_fail++;
		finish();
	}
	pool_used = first + n;
	u64 *p = pool[first];
	memset(p, 0, (size_t)n * 4096);
	return p;
}

u64 *pt_alloc(void)
{
	return pt_alloc_n(1);
}

static int level_shift(int level)
{
	return 12 + 9 * (3 - level);
}

static u64 index_at(const struct pt *t, u64 va, int level)
{
	int shift = level_shift(level);
	int bits = level == t->start_level ? t->ia_bits - shift : 9;
	return (va >> shift) & ((1ul << bits) - 1);
}

void pt_init(struct pt *t, int start_level, int ia_bits)
{
	int bits = ia_bits - level_shift(start_level);
	int pages = bits > 9 ? 1 << (bits - 9) : 1;
	t->root = pt_alloc_n(pages);
	t->start_level = start_level;
	t->ia_bits = ia_bits;
}

u64 *pt_entry(struct pt *t, u64 va, int level)
{
	u64 *table = t->root;
	for (int l = t->start_level;; l++) {
		u64 *d = &table[index_at(t, va, l)];
		if (l == level)
			return d;
		if (!(*d & PTE_VALID)) {
			u64 *next = pt_alloc();
			*d = (u64)next | PTE_VALID | PTE_TABLE;
		} else if (!(*d & PTE_TABLE)) {
			return NULL; /* a block is in the way */
		}
		table = (u64 *)(*d & PTE_ADDR_MASK);
	}
}

u64 *pt_leaf(struct pt *t, u64 va, int *level)
{
	u64 *table = t->root;
	for (int l = t->start_level; l <= 3; l++) {
		u64 *d = &table[index_at(t, va, l)];
		if (!(*d & PTE_VALID))
			return NULL;
		if (l == 3 || !(*d & PTE_TABLE)) {
			if (level)
				*level = l;
			return d;
		}
		table = (u64 *)(*d & PTE_ADDR_MASK);
	}
	return NULL;
}

void pt_map(struct pt *t, u64 va, u64 pa, u64 size, u64 leaf, int min_leaf_level)
{
	while (size) {
		int level = t->start_level < 1 ? 1 : t->start_level;
		for (; level < 3; level++) {
			u64 bsz = 1ul << level_shift(level);
			if (level >= min_leaf_level && ((va | pa) & (bsz - 1)) == 0 && size >= bsz)
				break;
		}
		u64 bsz = 1ul << level_shift(level);
		u64 *d = pt_entry(t, va, level);
		if (!d) {
			printf("FAIL pt-map block in the way at 0x%lx\n", va);
			g_fail++;
			return;
		}
		*d = (pa & PTE_ADDR_MASK) | leaf | PTE_VALID | (level == 3 ? PTE_TABLE : 0);
		va += bsz;
		pa += bsz;
		size -= bsz;
	}
}

void mmu_identity_el1(struct pt *t)
{
	pt_init(t, 0, 48);
	pt_map(t, RAM_BASE, RAM_BASE, RAM_SIZE, PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF, 0);
	pt_map(t, UART_BASE, UART_BASE, 0x1000, PTE_ATTRIDX(MT_DEVICE_nGnRE) | PTE_AF | PTE_PXN | PTE_UXN, 3);
}

void mmu_identity_el2(struct pt *t)
{
	pt_init(t, 0, 48);
	pt_map(t, RAM_BASE, RAM_BASE, RAM_SIZE, PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_EL2_RES1, 0);
	pt_map(t, UART_BASE, UART_BASE, 0x1000,
	       PTE_ATTRIDX(MT_DEVICE_nGnRE) | PTE_AF | PTE_UXN | PTE_EL2_RES1, 3);
}

void tlbi_all_el1(void)
{
	asm volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
}

void tlbi_all_el2(void)
{
	asm volatile("dsb ishst; tlbi alle2; dsb ish; isb" ::: "memory");
}

void mmu_enable_el1(struct pt *t)
{
	write_sysreg(mair_el1, MAIR_DEFAULT);
	write_sysreg(tcr_el1, TCR_T0SZ(64 - t->ia_bits) | TCR_WALK0 | TCR_EPD1 | TCR_IPS(2));
	write_sysreg(ttbr0_el1, (u64)t->root);
	isb();
	tlbi_all_el1();
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
}

void mmu_disable_el1(void)
{
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~(SCTLR_M | SCTLR_C));
	isb();
	tlbi_all_el1();
}

void mmu_enable_el2(struct pt *t)
{
	write_sysreg(mair_el2, MAIR_DEFAULT);
	write_sysreg(tcr_el2, TCR_EL2_RES1 | TCR_T0SZ(64 - t->ia_bits) | TCR_WALK0 | TCR_EL2_PS(2));
	write_sysreg(ttbr0_el2, (u64)t->root);
	isb();
	tlbi_all_el2();
	write_sysreg(sctlr_el2, read_sysreg(sctlr_el2) | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
}

void mmu_disable_el2(void)
{
	write_sysreg(sctlr_el2, read_sysreg(sctlr_el2) & ~(SCTLR_M | SCTLR_C));
	isb();
	tlbi_all_el2();
}

int mmu_pa_bits(void)
{
	static const int bits[] = {32, 36, 40, 42, 44, 48, 52};
	u64 r = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	return r < 7 ? bits[r] : 48;
}
