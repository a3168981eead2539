/*
 * memattr: memory attributes with the EL1&0 stage-1 MMU on (boot at EL1).
 * Device-nGnRnE / Device-nGnRE / Normal-NC / Normal-WB mappings of separate
 * scratch pages: unaligned accesses (alignment fault on Device only), DC ZVA
 * (zeroes one DCZID block on Normal memory, alignment fault on Device),
 * LDXR/STXR on Normal WB, AT -> PAR_EL1.ATTR/SH for each MAIR index, other
 * MAIR encodings, and PAR with SCTLR_EL1.C=0.
 */
#include "check.h"
#include "mmu.h"

struct pr {
	u64 val, pc;
};
struct pr probe_ld(u64 va);
struct pr probe_ld32(u64 va);
u64 probe_st(u64 va, u64 val);
u64 probe_st16(u64 va, u64 val);
u64 probe_dczva(u64 va);
u64 probe_ldxr(u64 va);
struct pr excl_add(u64 va, u64 inc);

#define PG 0x1000ul
#define SCR 0x5fe00000ul               /* scratch RAM, not identity-mapped */
#define P(i) (SCR + (u64)(i) * PG)
#define TW 0x200000000ul
#define VA(i) (TW + (u64)(i) * PG)
#define FILL 0xa5a5a5a5a5a5a5a5ul
#define EC_DABT_CUR 0x25ul
#define WNR (1ul << 6)
#define CM (1ul << 8)

/* one page per memory type, each reached only through its own mapping */
enum { I_DEV_nGnRnE, I_DEV_nGnRE, I_NC, I_WB, I_IDX4, N_PAGES };
static const char *const tname[] = {"dev-ngnrne", "dev-ngnre", "nc", "wb", "idx4"};
static const int tidx[] = {MT_DEVICE_nGnRnE, MT_DEVICE_nGnRE, MT_NORMAL_NC, MT_NORMAL, 4};
static const u64 tattr[] = {0x00, 0x04, 0x44, 0xff};

static struct pt T;
static u64 sctlr_base;

static void name_fmt(char *buf, size_t n, const char *what, int t)
{
	snprintf(buf, n, "%s-%s", what, tname[t]);
}

static void pass_fail(const char *name, int ok, const char *fmt, ...)
{
	if (ok) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		char det[160];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(det, sizeof(det), fmt, ap);
		va_end(ap);
		g_fail++;
		printf("FAIL %s %s\n", name, det);
	}
}

/* Check the recorded data abort; returns 0 (without printing) when no
 * exception was taken at all, so the caller can report a deviation. */
static int chk_dabt(const char *name, u64 iss, u64 far, u64 elr)
{
	u64 esr = (EC_DABT_CUR << 26) | (1ul << 25) | iss;
	if (exc.count == 0) {
		exc.armed = 0;
		return 0;
	}
	pass_fail(name, exc.count == 1 && exc.el == 1 && exc.vec == 4 && exc.esr == esr && exc.far == far && exc.elr == elr,
	          "count=%d el=%d vec=%d esr=0x%lx far=0x%lx elr=0x%lx (exp esr=0x%lx far=0x%lx elr=0x%lx)",
	          exc.count, exc.el, exc.vec, exc.esr, exc.far, exc.elr, esr, far, elr);
	return 1;
}

static void deviation(const char *name, const char *what)
{
	printf("DEVIATION %s %s\n", name, what);
}

static void build(void)
{
	pt_init(&T, 0, 48);
	pt_map(&T, RAM_BASE, RAM_BASE, SCR - RAM_BASE, PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF, 0);
	pt_map(&T, UART_BASE, UART_BASE, PG, PTE_ATTRIDX(MT_DEVICE_nGnRE) | PTE_AF | PTE_PXN | PTE_UXN, 3);
	for (int t = 0; t < N_PAGES; t++)
		pt_map(&T, VA(t), P(t), PG, PTE_ATTRIDX(tidx[t]) | PTE_SH_INNER | PTE_AF | PTE_PXN | PTE_UXN, 3);
	/* Normal WB, non-shareable and outer-shareable views of the WB page (AT only) */
	pt_map(&T, VA(8), P(I_WB), PG, PTE_ATTRIDX(MT_NORMAL) | PTE_AF, 3);
	pt_map(&T, VA(9), P(I_WB), PG, PTE_ATTRIDX(MT_NORMAL) | PTE_SH_OUTER | PTE_AF, 3);
	/* read-only view of the WB page (DC ZVA permission fault); VA(11) stays unmapped */
	pt_map(&T, VA(10), P(I_WB), PG, PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_AP_RO, 3);
	/* contents, written with the MMU off (VA == PA, nothing cached yet) */
	for (int t = 0; t < N_PAGES; t++)
		for (int i = 0; i < 256; i++)
			*(volatile u64 *)(P(t) + i * 8) = (0x0706050403020100ul + 0x0808080808080808ul * (u64)i) ^ ((u64)t << 60);
}

static u64 word_at(int t, int i)
{
	return (0x0706050403020100ul + 0x0808080808080808ul * (u64)i) ^ ((u64)t << 60);
}

static void mmu_on(void)
{
	write_sysreg(mair_el1, MAIR_DEFAULT);
	write_sysreg(tcr_el1, TCR_T0SZ(16) | TCR_WALK0 | TCR_EPD1 | TCR_IPS(2));
	write_sysreg(ttbr0_el1, (u64)T.root);
	isb();
	tlbi_all_el1();
	sctlr_base = read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I;
	write_sysreg(sctlr_el1, sctlr_base);
	isb();
}

/* ---- unaligned accesses (SCTLR_EL1.A = 0) ---- */
static void t_unaligned(void)
{
	char name[64];
	for (int t = 0; t < 4; t++) {
		u64 va = VA(t) + 0x21; /* bytes 0x21..0x28 */
		u64 exp = (word_at(t, 4) >> 8) | (word_at(t, 5) << 56);
		int device = t <= I_DEV_nGnRE;

		name_fmt(name, sizeof(name), "aligned-ld", t);
		expect_exception(0);
		struct pr r = probe_ld(VA(t) + 0x20);
		int n = exc.count;
		exc.armed = 0;
		pass_fail(name, n == 0 && r.val == word_at(t, 4), "faults=%d val=0x%lx", n, r.val);

		name_fmt(name, sizeof(name), "unaligned-ld", t);
		expect_exception(0);
		r = probe_ld(va);
		if (device) {
			if (!chk_dabt(name, FSC_ALIGN, va, r.pc))
				deviation(name, "no alignment fault (Device memory, MMU on)");
		} else {
			n = exc.count;
			exc.armed = 0;
			pass_fail(name, n == 0 && r.val == exp, "faults=%d val=0x%lx exp=0x%lx", n, r.val, exp);
		}

		name_fmt(name, sizeof(name), "unaligned-ld32", t);
		expect_exception(0);
		r = probe_ld32(VA(t) + 0x3e);
		if (device) {
			if (!chk_dabt(name, FSC_ALIGN, VA(t) + 0x3e, r.pc))
				deviation(name, "no alignment fault (Device memory, MMU on)");
		} else {
			n = exc.count;
			exc.armed = 0;
			u64 e32 = ((word_at(t, 7) >> 48) | (word_at(t, 8) << 16)) & 0xffffffff;
			pass_fail(name, n == 0 && r.val == e32, "faults=%d val=0x%lx exp=0x%lx", n, r.val, e32);
		}

		name_fmt(name, sizeof(name), "unaligned-st", t);
		expect_exception(0);
		u64 pc = probe_st(va + 0x40, 0x1122334455667788ul); /* bytes 0x61..0x68 */
		if (device) {
			if (!chk_dabt(name, WNR | FSC_ALIGN, va + 0x40, pc))
				deviation(name, "no alignment fault (Device memory, MMU on)");
		} else {
			n = exc.count;
			exc.armed = 0;
			u64 w0 = probe_ld(VA(t) + 0x60).val, w1 = probe_ld(VA(t) + 0x68).val;
			u64 e0 = (word_at(t, 12) & 0xff) | 0x2233445566778800ul;
			u64 e1 = (word_at(t, 13) & ~0xfful) | 0x11;
			pass_fail(name, n == 0 && w0 == e0 && w1 == e1, "faults=%d w0=0x%lx w1=0x%lx", n, w0, w1);
		}

		name_fmt(name, sizeof(name), "unaligned-st16", t);
		expect_exception(0);
		pc = probe_st16(VA(t) + 0x87, 0xbeef);
		if (device) {
			if (!chk_dabt(name, WNR | FSC_ALIGN, VA(t) + 0x87, pc))
				deviation(name, "no alignment fault (Device memory, MMU on)");
		} else {
			n = exc.count;
			exc.armed = 0;
			u64 w0 = probe_ld(VA(t) + 0x80).val, w1 = probe_ld(VA(t) + 0x88).val;
			u64 e0 = (word_at(t, 16) & 0x00fffffffffffffful) | 0xef00000000000000ul;
			u64 e1 = (word_at(t, 17) & ~0xfful) | 0xbe;
			pass_fail(name, n == 0 && w0 == e0 && w1 == e1, "faults=%d w0=0x%lx w1=0x%lx", n, w0, w1);
		}
	}
}

/* ---- DC ZVA ---- */
static void t_dczva(void)
{
	u64 dczid = read_sysreg(dczid_el0);
	u64 blk = 4ul << (dczid & 0xf);
	char name[64];
	CHECK("dczid-dzp-clear", (dczid & 0x10) == 0);
	if (dczid & 0x10)
		return;
	CHECK("dczid-block-size", blk >= 16 && blk <= 0x400);
	if (blk > 0x400)
		return;
	for (int t = 0; t < 4; t++) {
		u64 off = 0x400;           /* block aligned */
		u64 arg = VA(t) + off + 8; /* any address inside the block */
		int device = t <= I_DEV_nGnRE;
		if (!device) {
			/* fill [off - blk, off + 2 * blk) with a pattern first */
			for (u64 a = off - blk; a < off + 2 * blk; a += 8)
				probe_st(VA(t) + a, FILL);
		}
		name_fmt(name, sizeof(name), "dczva", t);
		expect_exception(0);
		u64 pc = probe_dczva(arg);
		if (device) {
			/* Alignment fault; DC ZVA is not a cache maintenance instruction
			 * for ESR.CM (CM=0), it is a write (WnR=1), FAR = the register
			 * argument; memory is not modified. */
			if (chk_dabt(name, WNR | FSC_ALIGN, arg, pc)) {
				u64 w = probe_ld(VA(t) + off).val;
				name_fmt(name, sizeof(name), "dczva-untouched", t);
				pass_fail(name, w == word_at(t, (int)(off / 8)), "w=0x%lx", w);
			} else {
				u64 w = probe_ld(VA(t) + off).val;
				deviation(name, w == 0 ? "no alignment fault (DC ZVA to Device memory zeroed it)"
				                       : "no alignment fault (DC ZVA to Device memory)");
			}
		} else {
			int n = exc.count;
			exc.armed = 0;
			int bad = 0;
			for (u64 a = off - blk; a < off + 2 * blk; a += 8) {
				u64 w = probe_ld(VA(t) + a).val;
				u64 e = (a >= off && a < off + blk) ? 0 : FILL;
				if (w != e)
					bad++;
			}
			pass_fail(name, n == 0 && bad == 0, "faults=%d bad-words=%d", n, bad);
		}
	}
}

/* DC ZVA behaves as stores: permission / translation faults with WnR=1,
 * CM=0 and FAR = the register argument (not the block address). */
static void t_dczva_faults(void)
{
	u64 arg = VA(10) + 0x4c8;
	expect_exception(0);
	u64 pc = probe_dczva(arg);
	if (!chk_dabt("dczva-readonly", WNR | FSC_PERM(3), arg, pc))
		pass_fail("dczva-readonly", 0, "no fault");
	pass_fail("dczva-readonly-untouched", probe_ld(VA(I_WB) + 0x4c0).val == word_at(I_WB, 0x4c0 / 8), "modified");
	arg = VA(11) + 0x13;
	expect_exception(0);
	pc = probe_dczva(arg);
	if (!chk_dabt("dczva-unmapped", WNR | FSC_TRANS(3), arg, pc))
		pass_fail("dczva-unmapped", 0, "no fault");
}

/* ---- exclusives ---- */
static void t_exclusive(void)
{
	u64 va = VA(I_WB) + 0x100;
	u64 start = probe_ld(va).val;
	u64 fails = 0;
	struct pr r = {0, 1};
	for (int i = 0; i < 4 && r.pc != 0; i++) {
		r = excl_add(va, 5);
		fails += r.pc != 0;
	}
	u64 now = probe_ld(va).val;
	/* a STXR may fail spuriously; it must succeed eventually and only once */
	pass_fail("ldxr-stxr-wb", r.pc == 0 && r.val == start && now == start + 5, "status=%lu old=0x%lx now=0x%lx",
	          r.pc, r.val, now);
	expect_exception(0);
	u64 pc = probe_ldxr(va + 4);
	if (!chk_dabt("ldxr-misaligned-wb", FSC_ALIGN, va + 4, pc))
		pass_fail("ldxr-misaligned-wb", 0, "no fault");
}

/* ---- AT / PAR attributes ---- */
static void t_par(void)
{
	char name[64];
	for (int t = 0; t < 4; t++) {
		u64 par = mmu_at_s1e1r(VA(t) + 0x123);
		u64 sh = PAR_SH(par);
		int normal_wb = t == I_WB;
		name_fmt(name, sizeof(name), "par-attr", t);
		pass_fail(name, !(par & PAR_F) && PAR_ATTR(par) == tattr[t] && PAR_PA(par) == P(t), "par=0x%lx", par);
		/* SH: Device and Normal Non-cacheable memory is always Outer
		 * Shareable, so PAR may report 0b10 instead of the descriptor's 0b11. */
		name_fmt(name, sizeof(name), "par-sh", t);
		pass_fail(name, normal_wb ? sh == 3 : (sh == 3 || sh == 2), "sh=%lu", sh);
	}
	u64 p8 = mmu_at_s1e1r(VA(8)), p9 = mmu_at_s1e1r(VA(9));
	pass_fail("par-sh-wb-non", (p8 & PAR_OK_MASK) == ((0xfful << 56) | P(I_WB)), "par=0x%lx", p8);
	pass_fail("par-sh-wb-outer", (p9 & PAR_OK_MASK) == ((0xfful << 56) | P(I_WB) | (2ul << 7)), "par=0x%lx", p9);
	pass_fail("par-uart", PAR_ATTR(mmu_at_s1e1r(UART_BASE)) == 0x04, "attr");

	/* MAIR index 4 with other encodings (MAIR may be cached in the TLB: TLBI) */
	static const u8 enc[] = {0x08, 0x0c, 0xbb, 0xee, 0x4f, 0xf4};
	for (unsigned k = 0; k < ARRAY_SIZE(enc); k++) {
		write_sysreg(mair_el1, MAIR_DEFAULT | ((u64)enc[k] << 32));
		isb();
		tlbi_all_el1();
		u64 par = mmu_at_s1e1r(VA(I_IDX4));
		snprintf(name, sizeof(name), "par-mair-%02x", enc[k]);
		pass_fail(name, !(par & PAR_F) && PAR_ATTR(par) == enc[k], "par=0x%lx", par);
	}
	/* the data still reads through the changed index (Normal WB here) */
	pass_fail("mair-idx4-read", probe_ld(VA(I_IDX4) + 8).val == word_at(I_IDX4, 1), "val");
	write_sysreg(mair_el1, MAIR_DEFAULT);
	isb();
	tlbi_all_el1();

	/* SCTLR_EL1.C = 0: Normal data accesses are Non-cacheable. PAR.ATTR may
	 * report the descriptor's attribute or the resulting one (0x44). */
	write_sysreg(sctlr_el1, sctlr_base & ~SCTLR_C);
	isb();
	tlbi_all_el1();
	u64 pwb = mmu_at_s1e1r(VA(I_WB)), pdev = mmu_at_s1e1r(VA(I_DEV_nGnRnE)), pnc = mmu_at_s1e1r(VA(I_NC));
	u64 v = probe_ld(VA(I_WB) + 0x10).val;
	write_sysreg(sctlr_el1, sctlr_base);
	isb();
	tlbi_all_el1();
	pass_fail("c0-par-wb", !(pwb & PAR_F) && (PAR_ATTR(pwb) == 0xff || PAR_ATTR(pwb) == 0x44) && PAR_PA(pwb) == P(I_WB),
	          "par=0x%lx", pwb);
	pass_fail("c0-par-dev", !(pdev & PAR_F) && PAR_ATTR(pdev) == 0x00, "par=0x%lx", pdev);
	pass_fail("c0-par-nc", !(pnc & PAR_F) && PAR_ATTR(pnc) == 0x44, "par=0x%lx", pnc);
	pass_fail("c0-read-wb", v == word_at(I_WB, 2), "val=0x%lx", v);
}

int main(void)
{
	build();
	mmu_on();
	CHECK("mmu-enabled", (read_sysreg(sctlr_el1) & SCTLR_M) != 0);
	t_par();
	t_unaligned();
	t_dczva();
	t_dczva_faults();
	t_exclusive();
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~(SCTLR_M | SCTLR_C));
	isb();
	tlbi_all_el1();
	return 0;
}
