/* PMSAv8-64 on the r82 board (Armv8-R AArch64): self-checking, each check asserting the
 * architected outcome (or, where the sources leave it open, the choice documented in
 * docs/ARCHITECTURE.md "PMSA": MPU no-match/overlap faults are Permission faults, level 0).
 *
 *   el2-*   the EL2 MPU at EL2: PRSELR + PRBAR/PRLAR, the numbered aliases, PRENR, the
 *           background region, no-match and overlap faults, AP read-only, XN, 64-byte
 *           boundaries (data and instruction fetch inside one page), Device alignment, MPU off.
 *   el1-*   the same suite at EL1 on the EL1 MPU (VTCR_EL2.MSA = 0, HCR_EL2.VM = 0), plus EL0.
 *   s2-*    HCR_EL2.VM = 1: the EL2 MPU checks EL1 accesses as stage 2 (IPA = PA), faults
 *           to EL2 with HPFAR_EL2.
 *   vmsa-*  VTCR_EL2.MSA = 1: EL1 with its VMSAv8-64 MMU under the EL2 MPU as stage 2
 *           (skipped, with the ID/RES0 checks instead, when the board has no EL1 VMSA). */
#include "check.h"

struct pr {
	u64 val, pc;
};
struct pr p_ld(u64 va);
struct pr p_ldw(u64 va);
u64 p_st(u64 va, u64 val);
u64 p_exec(u64 target);
u64 lower_ld(u64 va);
extern char __bss_end[];

#define UART 0x9c090000ul
#define T 0x01000000ul /* test area: RAM outside the image */
#define MAIR_VAL 0x440004ffull /* 0: Normal WB, 1: Device-nGnRE, 2: Device-nGnRnE, 3: Normal NC */
#define ATTR_NORMAL 0
#define ATTR_DEVICE 1
#define PRLAR_EN 1
#define AP_RW_PRIV 0
#define AP_RW_ALL 1
#define AP_RO_PRIV 2
#define AP_RO_ALL 3
#define XN 2
#define SH_INNER 3
#define SCTLR_M (1ul << 0)
#define SCTLR_A (1ul << 1)
#define SCTLR_BR (1ul << 17)
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define FSC_PERM0 0x0c
#define FSC_ALIGN 0x21
#define WNR (1u << 6)
#define S1PTW (1u << 7)
#define ISV (1u << 24)
#define ISS_SYNDROME 0x01ffc000ul /* ISV..AR: ISS[24:14] */

static int EL; /* the EL (and so the MPU) the suite runs on: 1 or 2 */
static unsigned nregions;

/* ---- the MPU registers of the suite's EL (generic S3_<op1>_... spellings) ---- */
#define ELREG(el2, el1) (EL == 2 ? read_sysreg(el2) : read_sysreg(el1))
#define ELWR(el2, el1, v)                                                      \
	do {                                                                   \
		if (EL == 2)                                                   \
			write_sysreg(el2, v);                                  \
		else                                                           \
			write_sysreg(el1, v);                                  \
	} while (0)
#define MPUIR() ELREG(S3_4_C0_C0_4, S3_0_C0_C0_4)
#define PRSELR() ELREG(S3_4_C6_C2_1, S3_0_C6_C2_1)
#define SET_PRSELR(v) ELWR(S3_4_C6_C2_1, S3_0_C6_C2_1, v)
#define PRBAR() ELREG(S3_4_C6_C8_0, S3_0_C6_C8_0)
#define SET_PRBAR(v) ELWR(S3_4_C6_C8_0, S3_0_C6_C8_0, v)
#define PRLAR() ELREG(S3_4_C6_C8_1, S3_0_C6_C8_1)
#define SET_PRLAR(v) ELWR(S3_4_C6_C8_1, S3_0_C6_C8_1, v)
#define PRENR() ELREG(S3_4_C6_C1_1, S3_0_C6_C1_1)
#define SET_PRENR(v) ELWR(S3_4_C6_C1_1, S3_0_C6_C1_1, v)
/* PRBAR3/PRLAR3: CRm = 8 + 3/2 = 9, op2 = 4 (+1) */
#define SET_PRBAR3(v) ELWR(S3_4_C6_C9_4, S3_0_C6_C9_4, v)
#define SET_PRLAR3(v) ELWR(S3_4_C6_C9_5, S3_0_C6_C9_5, v)
#define PRBAR3() ELREG(S3_4_C6_C9_4, S3_0_C6_C9_4)
/* PRBAR15/PRLAR15: CRm = 15, op2 = 4 (+1) */
#define SET_PRBAR15(v) ELWR(S3_4_C6_C15_4, S3_0_C6_C15_4, v)
#define SET_PRLAR15(v) ELWR(S3_4_C6_C15_5, S3_0_C6_C15_5, v)
#define SCTLR() ELREG(sctlr_el2, sctlr_el1)
#define SET_SCTLR(v) ELWR(sctlr_el2, sctlr_el1, v)
#define SET_MAIR(v) ELWR(mair_el2, mair_el1, v)

static u64 prbar(u64 base, int sh, int ap, int xn)
{
	return (base & ~63ul) | (sh << 4) | (ap << 2) | xn;
}
static u64 prlar(u64 limit, int attr, int en)
{
	return (limit & ~63ul) | (attr << 1) | en;
}

static void region(unsigned n, u64 base, u64 last, int ap, int xn, int attr)
{
	SET_PRSELR(n);
	isb();
	SET_PRBAR(prbar(base, SH_INNER, ap, xn));
	SET_PRLAR(prlar(last, attr, PRLAR_EN));
	isb();
}

static void region_off(unsigned n)
{
	SET_PRSELR(n);
	isb();
	SET_PRLAR(PRLAR() & ~1ul);
	isb();
}

static void sctlr_set(u64 set, u64 clr)
{
	SET_SCTLR((SCTLR() | set) & ~clr);
	isb();
}

/* ---- reporting ---- */
static void result(const char *name, int ok, const char *fmt, ...)
{
	if (ok) {
		g_pass++;
		printf("PASS %s-%s\n", EL == 2 ? "el2" : "el1", name);
		return;
	}
	char buf[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	g_fail++;
	printf("FAIL %s-%s %s\n", EL == 2 ? "el2" : "el1", name, buf);
}

/* One exception, taken to the suite's EL from itself, with this ESR (ISS[24:14] ignored for
 * stage-1 aborts, whose instruction syndrome is optional), FAR and ELR. */
static void chk(const char *name, u32 ec, u32 iss, u64 far, u64 elr, int extra)
{
	u64 exp = ((u64)ec << 26) | (1u << 25) | iss;
	u64 esr = exc.esr & ~ISS_SYNDROME;
	int ok = exc.count == 1 && exc.el == EL && esr == exp && exc.far == far && exc.elr == elr && extra;
	exc.armed = 0;
	result(name, ok, "count=%d el=%d esr=0x%lx far=0x%lx elr=0x%lx want esr=0x%lx far=0x%lx elr=0x%lx", exc.count,
	       exc.el, exc.esr, exc.far, exc.elr, exp, far, elr);
}

static void ld_fault(const char *name, u64 va, u32 fsc)
{
	expect_exception(0);
	struct pr r = p_ld(va);
	chk(name, EC_DABT_CUR, fsc, va, r.pc, r.val == 0xbad);
}

static void st_fault(const char *name, u64 va, u32 fsc)
{
	expect_exception(0);
	u64 pc = p_st(va, 0x5a5a);
	chk(name, EC_DABT_CUR, WNR | fsc, va, pc, 1);
}

static void exec_fault(const char *name, u64 va, u32 fsc)
{
	expect_exception(RESUME_LR);
	u64 v = p_exec(va);
	chk(name, EC_IABT_CUR, fsc, va, va, v == 0xbad);
}

static void ld_ok(const char *name, u64 va, u64 want)
{
	expect_exception(0);
	struct pr r = p_ld(va);
	int n = exc.count;
	exc.armed = 0;
	result(name, n == 0 && r.val == want, "exceptions=%d esr=0x%lx val=0x%lx want 0x%lx", n, exc.esr, r.val, want);
}

static void st_ok(const char *name, u64 va, u64 val)
{
	expect_exception(0);
	p_st(va, val);
	int n = exc.count;
	exc.armed = 0;
	result(name, n == 0, "exceptions=%d esr=0x%lx far=0x%lx", n, exc.esr, exc.far);
}

static void exec_ok(const char *name, u64 va)
{
	expect_exception(RESUME_LR);
	u64 v = p_exec(va);
	int n = exc.count;
	exc.armed = 0;
	result(name, n == 0 && v == 0x600d, "exceptions=%d esr=0x%lx far=0x%lx v=0x%lx", n, exc.esr, exc.far, v);
}

static void sync_code(u64 va, u64 len)
{
	for (u64 a = va & ~63ul; a < va + len; a += 64)
		asm volatile("dc cvau, %0; dsb ish; ic ivau, %0" ::"r"(a) : "memory");
	asm volatile("dsb ish; isb" ::: "memory");
}

/* movz x0, #0x600d; ret */
static void put_good(u64 va)
{
	*(volatile u32 *)va = 0xd28c01a0;
	*(volatile u32 *)(va + 4) = 0xd65f03c0;
	sync_code(va, 8);
}

/* The image (code, data, stacks) and the UART: regions 0 and 1. `ap` is AP_RW_PRIV at EL2,
 * AP_RW_ALL at EL1 (so that EL0 may run the same code). */
static void base_regions(int ap)
{
	region(0, 0, ((u64)__bss_end + 63) & ~63ul, ap, 0, ATTR_NORMAL);
	region(1, UART, UART + 0xfff, ap, XN, ATTR_DEVICE);
}

/* ---- the suite, on the MPU of the current EL ---- */
static void suite(void)
{
	EL = current_el();
	nregions = MPUIR() & 0xff;
	printf("INFO el%d mpuir=%u\n", EL, nregions);
	result("mpuir", nregions >= 16 && nregions <= 255 && (MPUIR() >> 8) == 0, "MPUIR=0x%lx", MPUIR());

	/* Plant values while the MPU is still off (default memory map). */
	sctlr_set(0, SCTLR_M | SCTLR_BR | SCTLR_A);
	for (u64 i = 0; i < 0x2000; i += 8)
		*(volatile u64 *)(T + i) = 0x1111000000000000ul | i;
	ld_ok("mpu-off-default-map", T + 0x100, 0x1111000000000100ul);

	SET_MAIR(MAIR_VAL);
	for (unsigned n = 0; n < nregions; n++)
		region_off(n);
	CHECK_EQ(EL == 2 ? "el2-prenr-all-off" : "el1-prenr-all-off", PRENR(), 0);
	base_regions(EL == 2 ? AP_RW_PRIV : AP_RW_ALL);
	sctlr_set(SCTLR_M, 0);

	/* PRSELR selects; RES0 bits read as zero. */
	SET_PRSELR(5);
	isb();
	SET_PRBAR(0xffff0000ffffffffull);
	SET_PRLAR(0xffff0000ffffffeeull); /* EN = 0: bit 0 clear */
	SET_PRSELR(6);
	isb();
	SET_PRBAR(0x1234540);
	SET_PRSELR(5);
	isb();
	u64 b5 = PRBAR(), l5 = PRLAR();
	result("prselr-readback", b5 == 0x0000ffffffffull && l5 == 0x0000ffffffceull, "PRBAR5=0x%lx PRLAR5=0x%lx", b5, l5);
	region_off(5);

	/* Numbered aliases: PRBAR3 reaches region PRSELR[7:4]:3 (here 0x13 = 19 with 32+
	 * regions, 3 with 16); PRBAR15 reaches :15. */
	unsigned hi = nregions > 31 ? 0x10 : 0;
	SET_PRSELR(hi | 7);
	isb();
	SET_PRBAR3(prbar(T + 0x3c0, SH_INNER, AP_RO_ALL, XN));
	SET_PRLAR3(prlar(T + 0x3c0, ATTR_NORMAL, 0));
	SET_PRBAR15(prbar(T + 0xfc0, 0, AP_RW_PRIV, 0));
	SET_PRLAR15(prlar(T + 0xfc0, ATTR_DEVICE, 0));
	u64 via_alias = PRBAR3();
	SET_PRSELR(hi | 3);
	isb();
	u64 b3 = PRBAR(), l3 = PRLAR();
	SET_PRSELR(hi | 15);
	isb();
	u64 b15 = PRBAR(), l15 = PRLAR();
	result("alias-prbar3", b3 == prbar(T + 0x3c0, SH_INNER, AP_RO_ALL, XN) && l3 == prlar(T + 0x3c0, ATTR_NORMAL, 0) && via_alias == b3,
	       "PRBAR=0x%lx PRLAR=0x%lx alias=0x%lx", b3, l3, via_alias);
	result("alias-prbar15", b15 == prbar(T + 0xfc0, 0, AP_RW_PRIV, 0) && l15 == prlar(T + 0xfc0, ATTR_DEVICE, 0), "PRBAR=0x%lx PRLAR=0x%lx", b15, l15);

	/* PRENR bit n is PRLAR<n>.EN (regions 0..31). */
	SET_PRSELR(4);
	isb();
	SET_PRBAR(prbar(T, SH_INNER, AP_RW_PRIV, 0));
	SET_PRLAR(prlar(T + 0xfff, ATTR_NORMAL, 0));
	isb();
	u64 before = PRENR();
	SET_PRENR(before | (1u << 4));
	isb();
	SET_PRSELR(4);
	isb();
	u64 en4 = PRLAR() & 1;
	ld_ok("prenr-enables", T + 0x10, 0x1111000000000010ul);
	SET_PRENR(before);
	isb();
	SET_PRSELR(4);
	isb();
	result("prenr-aliases-en", before == 3 && en4 == 1 && (PRLAR() & 1) == 0, "PRENR=0x%lx EN4=%lu EN4after=%lu", before, en4,
	       PRLAR() & 1);
	ld_fault("prenr-disables", T + 0x10, FSC_PERM0);

	/* No region, background region, MPU off. */
	ld_fault("no-region", T + 0x1000, FSC_PERM0);
	st_fault("no-region-store", T + 0x1000, FSC_PERM0);
	sctlr_set(SCTLR_BR, 0);
	ld_ok("background", T + 0x1000, 0x1111000000001000ul);
	put_good(T + 0x1800);
	exec_ok("background-exec", T + 0x1800);
	sctlr_set(0, SCTLR_BR);
	ld_fault("background-off", T + 0x1000, FSC_PERM0);

	/* 64-byte granularity at both ends of a region. */
	region(4, T + 0x40, T + 0x7f, AP_RW_PRIV, XN, ATTR_NORMAL);
	ld_ok("limit-inclusive", T + 0x78, 0x1111000000000078ul);
	ld_ok("base-inclusive", T + 0x40, 0x1111000000000040ul);
	ld_fault("below-base", T + 0x38, FSC_PERM0);
	ld_fault("above-limit", T + 0x80, FSC_PERM0);

	/* Overlapping enabled regions fault, whatever their permissions. */
	region(4, T, T + 0xfff, AP_RW_PRIV, XN, ATTR_NORMAL);
	region(6, T + 0x800, T + 0x8ff, AP_RW_PRIV, XN, ATTR_NORMAL);
	ld_ok("overlap-outside", T + 0x100, 0x1111000000000100ul);
	ld_fault("overlap", T + 0x800, FSC_PERM0);
	ld_fault("overlap-end", T + 0x8f8, FSC_PERM0);
	ld_ok("overlap-after", T + 0x900, 0x1111000000000900ul);
	st_ok("rw-store", T + 0x9f8, 0x11110000000009f8ul);
	region_off(6);
	ld_ok("overlap-resolved", T + 0x800, 0x1111000000000800ul);

	/* A whole-page region enters the fast path; an MPU write must take it out again. */
	ld_ok("fast-path-fill", T + 0x200, 0x1111000000000200ul);
	region_off(4);
	ld_fault("fast-path-dropped", T + 0x200, FSC_PERM0);

	/* AP: read-only. */
	region(4, T, T + 0xfff, AP_RO_PRIV, XN, ATTR_NORMAL);
	ld_ok("ap-ro-read", T + 0x300, 0x1111000000000300ul);
	st_fault("ap-ro-write", T + 0x300, FSC_PERM0);

	/* XN, and execute permission at 64-byte precision inside one page. */
	region(4, T, T + 0xfff, AP_RW_PRIV, 0, ATTR_NORMAL);
	put_good(T + 0x400);
	exec_ok("exec", T + 0x400);
	region(4, T, T + 0xfff, AP_RW_PRIV, XN, ATTR_NORMAL);
	exec_fault("xn", T + 0x400, FSC_PERM0);
	/* T+0x440: "b .+64" into T+0x480; region 4 executable up to T+0x47f, region 6 from T+0x480. */
	region(4, T, T + 0x47f, AP_RW_PRIV, 0, ATTR_NORMAL);
	region(6, T + 0x480, T + 0xfff, AP_RW_PRIV, XN, ATTR_NORMAL);
	*(volatile u32 *)(T + 0x440) = 0x14000010; /* b #+64 */
	put_good(T + 0x480);
	sync_code(T + 0x440, 4);
	expect_exception(RESUME_LR);
	u64 v = p_exec(T + 0x440);
	chk("xn-64b-boundary", EC_IABT_CUR, FSC_PERM0, T + 0x480, T + 0x480, v == 0xbad);
	region(6, T + 0x480, T + 0xfff, AP_RW_PRIV, 0, ATTR_NORMAL);
	exec_ok("exec-64b-boundary", T + 0x440);
	region_off(6);

	/* Attributes through MAIR: Device memory takes an alignment fault on an unaligned access. */
	region(4, T, T + 0xfff, AP_RW_PRIV, XN, ATTR_NORMAL);
	expect_exception(0);
	struct pr r = p_ldw(T + 0x501);
	exc.armed = 0;
	result("normal-unaligned", exc.count == 0 && r.val == 0x5, /* bytes 05 00 00 00 of 0x1111000000000500 */ "exceptions=%d val=0x%lx", exc.count, r.val);
	region(4, T, T + 0xfff, AP_RW_PRIV, XN, ATTR_DEVICE);
	expect_exception(0);
	r = p_ldw(T + 0x501);
	chk("device-unaligned", EC_DABT_CUR, FSC_ALIGN, T + 0x501, r.pc, r.val == 0xbad);
	region_off(4);

	sctlr_set(0, SCTLR_M);
	ld_ok("mpu-off-again", T + 0x1000, 0x1111000000001000ul);
}

/* ---- EL0 under the EL1 MPU (called at EL1 after the suite) ---- */
static void el0_checks(void)
{
	sctlr_set(SCTLR_M, SCTLR_BR);
	region(4, T, T + 0xfff, AP_RW_PRIV, XN, ATTR_NORMAL);
	region(6, T + 0x1000, T + 0x1fff, AP_RO_ALL, XN, ATTR_NORMAL);
	expect_exception(0);
	u64 v = run_el0(lower_ld, T + 0x20);
	int ok = exc.count == 1 && exc.el == 1 && EC(exc.esr) == EC_DABT_LOW && (exc.esr & 0x3f) == FSC_PERM0 && exc.far == T + 0x20 && v == 0xbad;
	exc.armed = 0;
	result("el0-ap-priv-only", ok, "count=%d esr=0x%lx far=0x%lx v=0x%lx", exc.count, exc.esr, exc.far, v);
	v = run_el0(lower_ld, T + 0x1020);
	result("el0-ap-ro-all", v == 0x1111000000001020ul, "v=0x%lx", v);
	/* The background region never serves EL0. */
	region_off(6);
	sctlr_set(SCTLR_BR, 0);
	ld_ok("background-el1", T + 0x1f00, 0x1111000000001f00ul);
	expect_exception(0);
	v = run_el0(lower_ld, T + 0x1f00);
	ok = exc.count == 1 && exc.el == 1 && EC(exc.esr) == EC_DABT_LOW && (exc.esr & 0x3f) == FSC_PERM0 && v == 0xbad;
	exc.armed = 0;
	result("el0-no-background", ok, "count=%d esr=0x%lx v=0x%lx", exc.count, exc.esr, v);
	sctlr_set(0, SCTLR_BR | SCTLR_M);
	region_off(4);
}

static u64 el1_body(u64 arg)
{
	suite();
	el0_checks();
	return 0x5;
}

/* ---- EL1 under the EL2 MPU as stage 2 (HCR_EL2.VM = 1) ---- */
static void s2result(const char *name, int ok, u64 esr, u64 far, u64 hpfar)
{
	if (ok) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s esr=0x%lx far=0x%lx hpfar=0x%lx count=%d el=%d\n", name, esr, far, hpfar, exc.count, exc.el);
	}
}

/* An EL1 load of `va` (run_el1) that must take a stage-2 abort to EL2 for IPA `ipa`. */
static void s2_ld_fault(const char *name, u64 va, u64 ipa, u32 fsc, int s1ptw)
{
	expect_exception(0);
	u64 v = run_el1(lower_ld, va);
	u64 esr = exc.esr;
	int ok = exc.count == 1 && exc.el == 2 && exc.vec == 8 && EC(esr) == EC_DABT_LOW && (esr & 0x3f) == fsc &&
		 !!(esr & S1PTW) == s1ptw && exc.far == va && exc.hpfar == ((ipa >> 12) << 4) && v == 0xbad &&
		 (s1ptw || (esr & ISV)); /* a stage-2 abort on LDR reports its syndrome (ISV = 1) */
	exc.armed = 0;
	s2result(name, ok, esr, exc.far, exc.hpfar);
}

static void s2_ld_ok(const char *name, u64 va, u64 want)
{
	expect_exception(0);
	u64 v = run_el1(lower_ld, va);
	int n = exc.count;
	exc.armed = 0;
	s2result(name, n == 0 && v == want, exc.esr, exc.far, v);
}

static u64 el1_exec(u64 target)
{
	return p_exec(target);
}

/* EL1 MPU for the stage-2 checks: the image, the UART and [T, T+0x6000) for EL1. */
static u64 el1_mpu_on(u64 arg)
{
	EL = 1;
	SET_MAIR(MAIR_VAL);
	base_regions(AP_RW_ALL);
	region(4, T, T + 0x5fff, AP_RW_PRIV, XN, ATTR_NORMAL);
	sctlr_set(SCTLR_M, SCTLR_BR);
	return 0;
}

static u64 el1_mpu_off(u64 arg)
{
	EL = 1;
	sctlr_set(0, SCTLR_M);
	region_off(4);
	return 0;
}

static void stage2_checks(const char *pfx)
{
	char name[64];
#define N(s) (snprintf(name, sizeof(name), "%s-%s", pfx, s), name)
	/* EL2 MPU: image and UART usable by EL1 (AP_RW_ALL), guest RAM windows. */
	EL = 2;
	base_regions(AP_RW_ALL);
	region(4, T, T + 0xfff, AP_RW_ALL, 0, ATTR_NORMAL);
	region(6, T + 0x1000, T + 0x1fff, AP_RO_ALL, XN, ATTR_NORMAL);
	region(7, T + 0x3000, T + 0x3fff, AP_RW_PRIV, XN, ATTR_NORMAL);
	region(8, T + 0x4000, T + 0x403f, AP_RW_ALL, XN, ATTR_NORMAL);
	put_good(T + 0x600);
	*(volatile u64 *)(T + 0x4038) = 0x4038abcul;
	write_sysreg(hcr_el2, read_sysreg(hcr_el2) | 1); /* VM */
	isb();
	s2_ld_ok(N("ok"), T + 0x100, 0x1111000000000100ul);
	s2_ld_ok(N("ro-read"), T + 0x1100, 0x1111000000001100ul);
	s2_ld_fault(N("no-region"), T + 0x2000, T + 0x2000, FSC_PERM0, 0);
	s2_ld_fault(N("el2-only"), T + 0x3008, T + 0x3008, FSC_PERM0, 0);
	s2_ld_ok(N("limit-inclusive"), T + 0x4038, 0x4038abcul);
	s2_ld_fault(N("above-limit"), T + 0x4040, T + 0x4040, FSC_PERM0, 0);
	/* Stage-2 XN on an EL1 fetch: instruction abort from the lower EL, HPFAR. */
	expect_exception(RESUME_LR);
	u64 v = run_el1(el1_exec, T + 0x600);
	s2result(N("exec"), exc.count == 0 && v == 0x600d, exc.esr, exc.far, v);
	exc.armed = 0;
	region(4, T, T + 0xfff, AP_RW_ALL, XN, ATTR_NORMAL);
	expect_exception(RESUME_LR);
	v = run_el1(el1_exec, T + 0x600);
	int ok = v == 0xbad && exc.count == 1 && exc.el == 2 && exc.vec == 8 && EC(exc.esr) == EC_IABT_LOW && (exc.esr & 0x3f) == FSC_PERM0 &&
		 exc.far == T + 0x600 && exc.hpfar == (((T + 0x600) >> 12) << 4);
	s2result(N("xn"), ok, exc.esr, exc.far, exc.hpfar);
	exc.armed = 0;
	region(4, T, T + 0xfff, AP_RW_ALL, 0, ATTR_NORMAL);

	/* Both MPUs on: stage 1 (EL1 MPU) is checked first and faults to EL1; what it allows,
	 * stage 2 (EL2 MPU) may still refuse, to EL2. */
	run_el1(el1_mpu_on, 0);
	EL = 2;
	s2_ld_ok(N("both-ok"), T + 0x100, 0x1111000000000100ul);
	s2_ld_fault(N("s1-allows-s2-refuses"), T + 0x2008, T + 0x2008, FSC_PERM0, 0);
	expect_exception(0);
	v = run_el1(lower_ld, T + 0x7008);
	ok = v == 0xbad && exc.count == 1 && exc.el == 1 && EC(exc.esr) == EC_DABT_CUR && (exc.esr & 0x3f) == FSC_PERM0 &&
	     exc.far == T + 0x7008;
	s2result(N("s1-fault-first"), ok, exc.esr, exc.far, exc.hpfar);
	exc.armed = 0;
	run_el1(el1_mpu_off, 0);
	EL = 2;
#undef N
}

/* ---- EL1&0 stage 1 = VMSAv8-64 (VTCR_EL2.MSA = 1) under the EL2 MPU ---- */
#define TBL (T + 0x8000)  /* TTBR0_EL1 level-1 table: identity 1 GiB blocks */
#define TBL1 (T + 0x9000) /* TTBR1_EL1 level-1 table: VA HIGH + PA, 1 GiB block at PA 0 */
#define HIGH 0xffffff8000000000ul
#define ID_MSA(v) (((v) >> 48) & 0xf)
#define ID_MSA_FRAC(v) (((v) >> 52) & 0xf)

static u64 el1_mmu_on(u64 arg)
{
	write_sysreg(mair_el1, MAIR_VAL);
	/* TxSZ = 25 (39-bit VAs, start at level 1), WB WA inner/outer, ISH, 4K granules, IPS 40 bits. */
	write_sysreg(tcr_el1, 25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (25ul << 16) | (1ul << 24) | (1ul << 26) |
				      (3ul << 28) | (2ul << 30) | (2ul << 32));
	write_sysreg(ttbr0_el1, TBL);
	write_sysreg(ttbr1_el1, TBL1);
	isb();
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 1);
	isb();
	return 0;
}

static u64 el1_mmu_off(u64 arg)
{
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~1ul);
	isb();
	return 0;
}

static void vmsa_checks(void)
{
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	CHECK_EQ("id-msa", ID_MSA(mmfr0), 0xf);
	write_sysreg(vtcr_el2, 1ul << 31);
	isb();
	u64 msa = read_sysreg(vtcr_el2) >> 31 & 1;
	if (ID_MSA_FRAC(mmfr0) == 1) {
		/* No EL1 VMSA: PMSA only, VTCR_EL2.MSA is RES0 and the 4 KB granule is absent. */
		CHECK_EQ("vmsa-absent-msa-res0", msa, 0);
		CHECK_EQ("vmsa-absent-tgran4", (mmfr0 >> 28) & 0xf, 0xf);
		return;
	}
	CHECK_EQ("id-msa-frac-vmsa", ID_MSA_FRAC(mmfr0), 2);
	CHECK_EQ("vmsa-msa-set", msa, 1);
	/* Identity map: [0, 1 GiB) Normal, [2, 3 GiB) Device (UART at 0x9c090000). */
	EL = 2;
	region(9, TBL, TBL + 0xfff, AP_RW_ALL, XN, ATTR_NORMAL);
	region(10, TBL1, TBL1 + 0xfff, AP_RW_ALL, XN, ATTR_NORMAL);
	for (int i = 0; i < 512; i++) {
		((volatile u64 *)TBL)[i] = 0;
		((volatile u64 *)TBL1)[i] = 0;
	}
	((volatile u64 *)TBL1)[0] = 0x0ul | (1ul << 10) | (3ul << 8) | (ATTR_NORMAL << 2) | 1;
	((volatile u64 *)TBL)[0] = 0x0ul | (1ul << 10) | (3ul << 8) | (ATTR_NORMAL << 2) | 1;
	((volatile u64 *)TBL)[2] = 0x80000000ul | (1ul << 54) | (1ul << 53) | (1ul << 10) | (ATTR_DEVICE << 2) | 1;
	dsb();
	run_el1(el1_mmu_on, 0);
	s2_ld_ok("vmsa-s1-and-s2-ok", T + 0x100, 0x1111000000000100ul);
	s2_ld_fault("vmsa-s2-no-region", T + 0x2000, T + 0x2000, FSC_PERM0, 0);
	/* The walk reads the table through stage 2: without a region for it, an S1PTW fault
	 * (the TTBR1 table only, so that the code's own fetches still walk). */
	s2_ld_ok("vmsa-ttbr1-alias", HIGH + T + 0x108, 0x1111000000000108ul);
	region_off(10);
	s2_ld_fault("vmsa-s2-walk-s1ptw", HIGH + T + 0x108, TBL1, FSC_PERM0, 1);
	region(10, TBL1, TBL1 + 0xfff, AP_RW_ALL, XN, ATTR_NORMAL);
	s2_ld_ok("vmsa-walk-restored", HIGH + T + 0x108, 0x1111000000000108ul);
	run_el1(el1_mmu_off, 0);
	write_sysreg(vtcr_el2, 0);
	isb();
}

int main(void)
{
	printf("pmsa: MIDR 0x%lx ID_AA64MMFR0 0x%lx\n", read_sysreg(midr_el1), read_sysreg(id_aa64mmfr0_el1));
	CHECK_EQ("midr-cortex-r82-part", (read_sysreg(midr_el1) >> 4) & 0xfff, 0xd15);
	CHECK_EQ("boot-el2", current_el(), 2);
	/* The EL2 MPU suite at EL2. */
	suite();
	/* The EL1 MPU suite at EL1 (EL1&0 PMSA, no stage 2), with the EL2 MPU on for EL2 itself. */
	EL = 2;
	base_regions(AP_RW_PRIV);
	sctlr_set(SCTLR_M, SCTLR_BR);
	write_sysreg(vtcr_el2, 0);
	isb();
	u64 r = run_el1(el1_body, 0);
	CHECK_EQ("el1-suite-returned", r, 5);
	/* EL2 MPU as stage 2 for EL1 (EL1 MPU off; IPA = PA). */
	stage2_checks("s2");
	vmsa_checks();
	write_sysreg(hcr_el2, read_sysreg(hcr_el2) & ~1ul);
	isb();
	EL = 2;
	sctlr_set(0, SCTLR_M);
	return 0;
}
