/*
 * rules-bad: a deliberately bad guest. It changes live translation tables the ways the
 * Arm ARM (DDI0487 K.a D8.17.1 "Using break-before-make when updating translation table
 * entries") makes CONSTRAINED UNPREDICTABLE and QEMU accepts silently. Each mistake is
 * announced by a "PHASE <name>" line printed BEFORE it happens; the mistakes themselves
 * are in rules.S (one function each, violating instruction first) so the rule checker's
 * event PCs can be matched by symbol:
 *
 *   PHASE bbm-output-address   rb_oa_change: valid page descriptor, OA A -> B in place,
 *                              while V -> A is cached (writable, contents differ)
 *   PHASE bbm-block-to-table   rb_block_to_table: live 2 MiB block descriptor replaced
 *                              by a table descriptor in place (same OAs, smaller size)
 *   PHASE bbm-table-to-block   rb_table_to_block: and back (table -> block) in place
 *   PHASE bbm-memory-type      rb_attr_change: AttrIndx Normal WB -> Device-nGnRE in place
 *   PHASE ttbr-switch-live     rb_ttbr_switch_elN: TTBR0_ELx written with the MMU on while
 *                              the new tables map the executing code page to another PA
 *                              (a copy of it: identical bytes, so it keeps working)
 *   PHASE mmu-enable-conflict  rb_mmu_enable_elN: MMU off, TTBR0 -> other tables, MMU on
 *                              without TLBI, while the TLB holds entries of the old
 *                              tables that the new ones translate differently
 *
 * What is read inside a CONSTRAINED UNPREDICTABLE window is not checked (any matching
 * entry, an amalgamation of them or a TLB conflict abort is permitted; a conflict abort
 * is absorbed silently). After each mistake a TLBI of everything (VMALLE1IS / ALLE2IS,
 * guaranteed to remove all entries even when several translate one address: D8.17.3
 * RBLRKC) makes the state defined again, and only then are results checked.
 *
 * rules-good (src/rules-good) builds this same file with RULES_GOOD defined: the same
 * changes done correctly (break-before-make; TTBR switch with the MMU off or through a
 * page both table sets translate identically, with a TLBI of everything), so the rule
 * checker must stay silent on it. It checks the values inside the phases too.
 *
 * Boot at EL1: everything in the EL1&0 regime (ASID 0, global mappings).
 * Boot at EL2: everything in the EL2 regime (TTBR0_EL2, TLBI VAE2IS/ALLE2IS).
 * SCTLR_ELx.C = 0 and Non-cacheable table walks throughout, so turning the MMU off and
 * on needs no cache maintenance.
 */
#include "check.h"
#include "mmu.h"

#ifdef RULES_GOOD
void rg_mmu_enable_el1(u64 ttbr), rg_mmu_enable_el2(u64 ttbr);
void rg_trampoline_el1(u64 ttbr), rg_trampoline_el2(u64 ttbr);
void rg_ttbr_switch_el1(u64 ttbr), rg_ttbr_switch_el2(u64 ttbr);
#else
void rb_oa_change(volatile u64 *d, u64 v);
void rb_block_to_table(volatile u64 *d, u64 v);
void rb_table_to_block(volatile u64 *d, u64 v);
void rb_attr_change(volatile u64 *d, u64 v);
void rb_mmu_enable_el1(u64 ttbr), rb_mmu_enable_el2(u64 ttbr);
void rb_ttbr_switch_el1(u64 ttbr), rb_ttbr_switch_el2(u64 ttbr);
#endif
u64 rules_probe(void);
extern char rules_code_page[], rules_code_page_end[];

#define PG 0x1000ul
#define BLK 0x200000ul
/* test VAs (outside the identity map) */
#define VA_A 0x100000000ul    /* page: A, then B */
#define VA_C 0x100002000ul    /* page: C, Normal then Device */
#define VA_D 0x100003000ul    /* page: D1 in T1, D2 in T2 */
#define VA_B 0x140000000ul    /* 2 MiB: block <-> table onto BLK_PA */
#define BLK_PA 0x50000000ul   /* 2 MiB of RAM nothing else uses */
#define BLK_OFF 0x1000ul

#define M_A 0xaaaa00000000000aul
#define M_B 0xbbbb00000000000bul
#define M_C 0xcccc00000000000cul
#define M_D1 0xdddd0000000000d1ul
#define M_D2 0xdddd0000000000d2ul
#define M_BLK 0xb10c00000000b10cul
#define PROBE 0x5eedul

static u64 pg_a[512] __attribute__((aligned(4096)));
static u64 pg_b[512] __attribute__((aligned(4096)));
static u64 pg_c[512] __attribute__((aligned(4096)));
static u64 pg_d1[512] __attribute__((aligned(4096)));
static u64 pg_d2[512] __attribute__((aligned(4096)));
static u64 code_copy[512] __attribute__((aligned(4096)));

static int R;                 /* regime: 1 = EL1&0, 2 = EL2 */
static struct pt t1, t2;

#define dsb_ish() asm volatile("dsb ish" ::: "memory")

static u64 rd(u64 va)
{
	return *(volatile u64 *)va;
}

static void phase(const char *name)
{
	printf("PHASE %s\n", name);
}

/* ---- regime helpers ---- */

static u64 attr_normal(void)
{
	/* AP[1] is RES1 in the single-privilege EL2 regime (D8.4.1 RMGGZM) */
	return PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF | (R == 2 ? PTE_AP_EL0 : 0);
}

static u64 attr_xn(void)
{
	return R == 2 ? PTE_UXN : (PTE_PXN | PTE_UXN);
}

static void tlbi_all(void)
{
	if (R == 2)
		asm volatile("dsb ishst; tlbi alle2is; dsb ish; isb" ::: "memory");
	else
		asm volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" ::: "memory");
}

static u64 at_read(u64 va)
{
	if (R == 2)
		asm volatile("at s1e2r, %0" ::"r"(va) : "memory");
	else
		asm volatile("at s1e1r, %0" ::"r"(va) : "memory");
	isb();
	return read_sysreg(par_el1);
}

/* PAR_EL1 after a successful AT: F = 0, PA[47:12]. */
static u64 par_pa(u64 par)
{
	return (par & 1) ? ~0ul : par & 0x0000fffffffff000ul;
}

static u64 ttbr_of(struct pt *t)
{
	return (u64)t->root;   /* EL1: ASID 0 */
}

#ifdef RULES_GOOD
/* Break-before-make (D8.17.1 RDDMVT): invalid entry, DSB, broadcast TLBI, DSB, new entry,
 * DSB, then ISB for this PE's own later accesses. all: TLBI everything instead of one VA
 * (a table -> block change can leave entries for every page of the old table). */
static void bbm_update(volatile u64 *d, u64 v, u64 va, int all)
{
	*d = 0;
	dsb_ish();
	if (all && R == 2)
		asm volatile("tlbi alle2is" ::: "memory");
	else if (all)
		asm volatile("tlbi vmalle1is" ::: "memory");
	else if (R == 2)
		asm volatile("tlbi vae2is, %0" ::"r"((va >> 12) & ((1ul << 44) - 1)) : "memory");
	else
		asm volatile("tlbi vae1is, %0" ::"r"((va >> 12) & ((1ul << 44) - 1)) : "memory");
	dsb_ish();
	*d = v;
	dsb_ish();
	isb();
}
#else
/* A read inside a CONSTRAINED UNPREDICTABLE window: the value is not looked at, and a
 * TLB conflict abort (permitted there) is absorbed without a trace in the output. */
static void unchecked_read(u64 va)
{
	expect_exception(0);
	(void)rd(va);
	exc.armed = 0;
}
#endif

/* Identity map of RAM and the UART; the 2 MiB region holding the code page is mapped with
 * 4 KiB pages in both table sets, and the code page itself goes to code_pa. */
static void map_identity(struct pt *t, u64 code_pa)
{
	u64 n = attr_normal();
	u64 cp = (u64)rules_code_page;
	u64 r0 = cp & ~(BLK - 1), r1 = r0 + BLK, end = RAM_BASE + RAM_SIZE;
	pt_init(t, 0, 48);
	if (r0 > RAM_BASE)
		pt_map(t, RAM_BASE, RAM_BASE, r0 - RAM_BASE, n, 0);
	pt_map(t, r0, r0, cp - r0, n, 3);
	pt_map(t, cp, code_pa, PG, n, 3);
	pt_map(t, cp + PG, cp + PG, r1 - cp - PG, n, 3);
	pt_map(t, r1, r1, end - r1, n, 0);
	pt_map(t, UART_BASE, UART_BASE, PG,
	       PTE_ATTRIDX(MT_DEVICE_nGnRE) | PTE_AF | (R == 2 ? PTE_AP_EL0 : 0) | attr_xn(), 3);
}

static void enable_mmu(struct pt *t)
{
	if (R == 2) {
		write_sysreg(mair_el2, MAIR_DEFAULT);
		write_sysreg(tcr_el2, TCR_EL2_RES1 | TCR_T0SZ(16) | TCR_SH0_INNER | TCR_EL2_PS(2));
		write_sysreg(ttbr0_el2, ttbr_of(t));
		isb();
		asm volatile("dsb ishst; tlbi alle2; dsb ish; isb" ::: "memory");
		write_sysreg(sctlr_el2, (read_sysreg(sctlr_el2) | SCTLR_M | SCTLR_I) & ~SCTLR_C);
	} else {
		write_sysreg(mair_el1, MAIR_DEFAULT);
		write_sysreg(tcr_el1, TCR_T0SZ(16) | TCR_SH0_INNER | TCR_EPD1 | TCR_IPS(2));
		write_sysreg(ttbr0_el1, ttbr_of(t));
		isb();
		asm volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
		write_sysreg(sctlr_el1, (read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_I) & ~SCTLR_C);
	}
	isb();
}

static u64 sctlr(void)
{
	return R == 2 ? read_sysreg(sctlr_el2) : read_sysreg(sctlr_el1);
}

/* Copy the code page and make the copy visible to instruction fetch. */
static void copy_code_page(void)
{
	const u64 *src = (const u64 *)rules_code_page;
	for (int i = 0; i < 512; i++)
		code_copy[i] = src[i];
	for (u64 a = (u64)code_copy; a < (u64)code_copy + PG; a += 64)
		asm volatile("dc cvau, %0" ::"r"(a) : "memory");
	asm volatile("dsb ish; ic iallu; dsb ish; isb" ::: "memory");
}

static int code_copy_same(void)
{
	const u64 *src = (const u64 *)rules_code_page;
	for (int i = 0; i < 512; i++)
		if (code_copy[i] != src[i])
			return 0;
	return 1;
}

int main(void)
{
	R = current_el();
	printf("regime EL%d\n", R);

	CHECK("code-page-is-one-page", rules_code_page_end - rules_code_page == (long)PG);
	pg_a[0] = M_A;
	pg_b[0] = M_B;
	pg_c[0] = M_C;
	pg_d1[0] = M_D1;
	pg_d2[0] = M_D2;
	*(volatile u64 *)(BLK_PA + BLK_OFF) = M_BLK;
	copy_code_page();
	CHECK("code-copy-identical", code_copy_same());

	/* T1: identity; A, C, D1 pages; 2 MiB block. T2: identity but the code page -> copy; D2. */
	u64 data = attr_normal() | attr_xn();
	map_identity(&t1, (u64)rules_code_page);
	pt_map(&t1, VA_A, (u64)pg_a, PG, data, 3);
	pt_map(&t1, VA_C, (u64)pg_c, PG, data, 3);
	pt_map(&t1, VA_D, (u64)pg_d1, PG, data, 3);
	pt_map(&t1, VA_B, BLK_PA, BLK, data, 2);
	map_identity(&t2, (u64)code_copy);
	pt_map(&t2, VA_D, (u64)pg_d2, PG, data, 3);

	int lvl = -1;
	volatile u64 *d_a = pt_leaf(&t1, VA_A, NULL);
	volatile u64 *d_c = pt_leaf(&t1, VA_C, NULL);
	volatile u64 *d_blk = pt_leaf(&t1, VA_B, &lvl);
	CHECK("block-is-level2", d_blk && lvl == 2);
	if (!d_a || !d_c || !d_blk)
		return 0;
	u64 block_desc = *d_blk;
	u64 *l3 = pt_alloc();
	for (int i = 0; i < 512; i++)
		l3[i] = (BLK_PA + (u64)i * PG) | data | PTE_VALID | PTE_TABLE;
	u64 table_desc = (u64)l3 | PTE_VALID | PTE_TABLE;

	enable_mmu(&t1);
	CHECK("mmu-on", sctlr() & SCTLR_M);
	CHECK_EQ("probe-under-t1", rules_probe(), PROBE);

	/* ---------------- (a) output address ---------------- */
	phase("bbm-output-address");
	CHECK_EQ("bbm-output-address-before", rd(VA_A), M_A);   /* caches VA_A -> A */
	u64 desc_b = (*d_a & ~PTE_ADDR_MASK) | (u64)pg_b;
#ifdef RULES_GOOD
	bbm_update(d_a, desc_b, VA_A, 0);
	CHECK_EQ("bbm-output-address-new", rd(VA_A), M_B);
#else
	rb_oa_change(d_a, desc_b);
	unchecked_read(VA_A);
#endif
	tlbi_all();
	CHECK_EQ("bbm-output-address-after-tlbi", rd(VA_A), M_B);
	*(volatile u64 *)(VA_A + 8) = 0x5107e;
	dsb_ish();
	CHECK_EQ("bbm-output-address-store-lands-in-b", ((volatile u64 *)pg_b)[1], 0x5107e);

	/* ---------------- (b) block -> table ---------------- */
	phase("bbm-block-to-table");
	CHECK_EQ("bbm-block-to-table-before", rd(VA_B + BLK_OFF), M_BLK);   /* caches the block */
#ifdef RULES_GOOD
	bbm_update(d_blk, table_desc, VA_B, 0);
	CHECK_EQ("bbm-block-to-table-new", rd(VA_B + BLK_OFF), M_BLK);
#else
	rb_block_to_table(d_blk, table_desc);
	unchecked_read(VA_B + BLK_OFF);
#endif
	tlbi_all();
	CHECK_EQ("bbm-block-to-table-after-tlbi", rd(VA_B + BLK_OFF), M_BLK);
	CHECK_EQ("bbm-block-to-table-at-pa", par_pa(at_read(VA_B + BLK_OFF)), BLK_PA + BLK_OFF);

	/* ---------------- (b') table -> block ---------------- */
	phase("bbm-table-to-block");
	CHECK_EQ("bbm-table-to-block-before", rd(VA_B + BLK_OFF), M_BLK);   /* caches a page of the table */
#ifdef RULES_GOOD
	bbm_update(d_blk, block_desc, VA_B, 1);
	CHECK_EQ("bbm-table-to-block-new", rd(VA_B + BLK_OFF), M_BLK);
#else
	rb_table_to_block(d_blk, block_desc);
	unchecked_read(VA_B + BLK_OFF);
#endif
	tlbi_all();
	CHECK_EQ("bbm-table-to-block-after-tlbi", rd(VA_B + BLK_OFF), M_BLK);
	CHECK_EQ("bbm-table-to-block-at-pa", par_pa(at_read(VA_B + BLK_OFF)), BLK_PA + BLK_OFF);

	/* ---------------- (c) memory type ---------------- */
	phase("bbm-memory-type");
	CHECK_EQ("bbm-memory-type-before", rd(VA_C), M_C);   /* caches VA_C as Normal */
	u64 dev = (*d_c & ~PTE_ATTRIDX(7)) | PTE_ATTRIDX(MT_DEVICE_nGnRE);
#ifdef RULES_GOOD
	bbm_update(d_c, dev, VA_C, 0);
	CHECK_EQ("bbm-memory-type-new", rd(VA_C), M_C);
#else
	rb_attr_change(d_c, dev);
	unchecked_read(VA_C);
#endif
	tlbi_all();
	CHECK_EQ("bbm-memory-type-after-tlbi", rd(VA_C), M_C);
	u64 par = at_read(VA_C);
	CHECK_EQ("bbm-memory-type-at-pa", par_pa(par), (u64)pg_c);
	CHECK_EQ("bbm-memory-type-at-attr-device-ngnre", par >> 56, 0x04);

	/* ---------------- (d) TTBR switch, code translated differently ---------------- */
	phase("ttbr-switch-live");
	CHECK_EQ("ttbr-switch-live-before", rd(VA_D), M_D1);
	CHECK_EQ("ttbr-switch-live-code-pa-before", par_pa(at_read((u64)rules_code_page)), (u64)rules_code_page);
#ifdef RULES_GOOD
	(R == 2 ? rg_ttbr_switch_el2 : rg_ttbr_switch_el1)(ttbr_of(&t2));
	CHECK_EQ("ttbr-switch-live-new", rd(VA_D), M_D2);
#else
	(R == 2 ? rb_ttbr_switch_el2 : rb_ttbr_switch_el1)(ttbr_of(&t2));
#endif
	tlbi_all();
	CHECK_EQ("ttbr-switch-live-after-tlbi", rd(VA_D), M_D2);
	CHECK_EQ("ttbr-switch-live-code-pa-copy", par_pa(at_read((u64)rules_code_page)), (u64)code_copy);
	CHECK_EQ("ttbr-switch-live-probe-copy", rules_probe(), PROBE);

	/* ---------------- (e) MMU enabled over conflicting TLB entries ---------------- */
	phase("mmu-enable-conflict");
	CHECK_EQ("mmu-enable-conflict-before", rd(VA_D), M_D2);   /* caches VA_D -> D2 (T2) */
	CHECK_EQ("mmu-enable-conflict-probe-before", rules_probe(), PROBE);   /* code page -> copy */
#ifdef RULES_GOOD
	(R == 2 ? rg_mmu_enable_el2 : rg_mmu_enable_el1)(ttbr_of(&t1));
	CHECK_EQ("mmu-enable-conflict-new", rd(VA_D), M_D1);
#else
	(R == 2 ? rb_mmu_enable_el2 : rb_mmu_enable_el1)(ttbr_of(&t1));
	unchecked_read(VA_D);
#endif
	tlbi_all();
	CHECK("mmu-enable-conflict-mmu-on", sctlr() & SCTLR_M);
	CHECK_EQ("mmu-enable-conflict-after-tlbi", rd(VA_D), M_D1);
	CHECK_EQ("mmu-enable-conflict-code-pa", par_pa(at_read((u64)rules_code_page)), (u64)rules_code_page);
	CHECK_EQ("mmu-enable-conflict-probe", rules_probe(), PROBE);

#ifdef RULES_GOOD
	/* ---------------- TTBR switch with the MMU on, done right ---------------- */
	phase("ttbr-switch-trampoline");
	CHECK_EQ("ttbr-switch-trampoline-before", rd(VA_D), M_D1);
	(R == 2 ? rg_trampoline_el2 : rg_trampoline_el1)(ttbr_of(&t2));
	CHECK_EQ("ttbr-switch-trampoline-new", rd(VA_D), M_D2);
	CHECK_EQ("ttbr-switch-trampoline-code-pa", par_pa(at_read((u64)rules_code_page)), (u64)code_copy);
	CHECK_EQ("ttbr-switch-trampoline-probe", rules_probe(), PROBE);
#endif
	return 0;
}
