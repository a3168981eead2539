/*
 * exceptions: synchronous exception entry at EL1 and EL2.
 *   boot at EL1: suite at EL1 ("el1-*") + EL0 tests ("el1-el0-*").
 *   boot at EL2: suite at EL2 ("el2-*"), EL0 with HCR_EL2.TGE=1 ("el2-el0-*"),
 *                EL1 -> EL2 calls ("el2-from-el1-*"), then the whole EL1 suite
 *                again running at EL1 under EL2 ("el1v-*").
 */
#include "check.h"

u64 probe_brk(void), probe_brk0(void), probe_udf0(void), probe_udf_beef(void);
u64 probe_unalloc(void), probe_svc(void), probe_svc_ffff_minus(void), probe_hvc(void);
u64 probe_hvc0(void), probe_mrs_hcr(void), probe_msr_vbar2(void), probe_mrs_scr(void);
u64 probe_mrs_sctlr1(void), probe_mrs_daif(void), probe_wfi(void), probe_eret(void);
u64 probe_msr_spsel(void), probe_tlbi(void), probe_smc(u64 fid), probe_mrs_sp_el0(void);
u64 probe_br(u64 target), probe_sp_align(void), probe_align(u64 addr, u64 kind);
u64 probe_illegal_eret(u64 spsr);
void spsel_probe(u64 out[4]);

static const char *pfx;
static int vec_cur;   /* vector index for "current EL, SPx" synchronous */
static int el_here;

#define ESR_IL (1ul << 25)

static void name_check(const char *what, int ok, const char *fmt, ...)
{
	char name[80], det[96];
	va_list ap;
	snprintf(name, sizeof(name), "%s-%s", pfx, what);
	va_start(ap, fmt);
	vsnprintf(det, sizeof(det), fmt, ap);
	va_end(ap);
	check_cond(name, ok, det);
}

/* Check a recorded synchronous exception in one line. */
static void expect_rec(const char *what, int el, int vec, u64 esr, u64 elr)
{
	int ok = exc.count == 1 && exc.el == el && exc.vec == vec && exc.esr == esr && exc.elr == elr;
	char name[80];
	snprintf(name, sizeof(name), "%s-%s", pfx, what);
	if (ok) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s count=%d el=%d vec=%d esr=0x%lx elr=0x%lx (exp el=%d vec=%d esr=0x%lx elr=0x%lx)\n",
		       name, exc.count, exc.el, exc.vec, exc.esr, exc.elr, el, vec, esr, elr);
	}
}

/* QEMU's PSCI firmware answers any SMC (SMC conduit) / HVC (HVC conduit)
 * with an unknown function id with NOT_SUPPORTED (-1) instead of raising
 * an exception. */
static void smc_unknown_fid(void)
{
	register u64 x0 asm("x0") = 0x12345;
	expect_exception(0);
	asm volatile("smc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	u64 r = x0;
	exc.armed = 0;
	name_check("smc-unknown-fid", exc.count == 0 && r == ~0ul, "count=%d x0=0x%lx", exc.count, r);
}

static void hvc_unknown_fid(void)
{
	register u64 x0 asm("x0") = 0x12345;
	expect_exception(0);
	asm volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	u64 r = x0;
	exc.armed = 0;
	name_check("hvc-unknown-fid", exc.count == 0 && r == ~0ul, "count=%d x0=0x%lx", exc.count, r);
}

/* Like expect_rec, but ignore the instruction syndrome ISS[24:14] (QEMU
 * fills it in for stage-1 aborts taken to EL2, leaves it 0 at EL1). */
static void expect_dabt(const char *what, int el, int vec, u64 esr, u64 elr)
{
	if (exc.count == 1)
		exc.esr &= ~(0x7fful << 14);
	expect_rec(what, el, vec, esr, elr);
}

static void same_el_suite(void)
{
	u64 pc, esr_undef = ESR_IL; /* EC 0, IL 1 */
	int el = el_here, v = vec_cur;

	expect_exception(0);
	pc = probe_brk();
	expect_rec("brk", el, v, (0x3cul << 26) | ESR_IL | 0x1234, pc);
	name_check("brk-daif-masked", exc.daif == 0x3c0, "daif=0x%lx", exc.daif);
	name_check("brk-spsr-mode", (exc.spsr & 0x1f) == (u64)(el * 4 + 1), "spsr=0x%lx", exc.spsr);
	expect_exception(0);
	pc = probe_brk0();
	expect_rec("brk0", el, v, (0x3cul << 26) | ESR_IL, pc);

	expect_exception(0);
	pc = probe_udf0();
	expect_rec("udf0", el, v, esr_undef, pc);
	expect_exception(0);
	pc = probe_udf_beef();
	expect_rec("udf-beef", el, v, esr_undef, pc);
	expect_exception(0);
	pc = probe_unalloc();
	expect_rec("unallocated", el, v, esr_undef, pc);

	expect_exception(0);
	pc = probe_svc();
	expect_rec("svc-same-el", el, v, (0x15ul << 26) | ESR_IL | 0x42, pc + 4);
	expect_exception(0);
	pc = probe_svc_ffff_minus();
	expect_rec("svc-imm-fffe", el, v, (0x15ul << 26) | ESR_IL | 0xfffe, pc + 4);

	if (el == 2) {
		/* HVC at EL2 is an ordinary exception to EL2 (PSCI uses SMC here) */
		expect_exception(0);
		pc = probe_hvc();
		expect_rec("hvc-at-el2", el, v, (0x16ul << 26) | ESR_IL | 0x77, pc + 4);
		smc_unknown_fid();
		expect_exception(0);
		pc = probe_mrs_scr();
		expect_rec("mrs-scr-el3-undef", el, v, esr_undef, pc);
	} else {
		/* EL1: EL2 registers are UNDEFINED whether or not EL2 exists */
		expect_exception(0);
		pc = probe_mrs_hcr();
		expect_rec("mrs-hcr-el2-undef", el, v, esr_undef, pc);
		expect_exception(0);
		pc = probe_msr_vbar2();
		expect_rec("msr-vbar-el2-undef", el, v, esr_undef, pc);
		expect_exception(0);
		pc = probe_mrs_scr();
		expect_rec("mrs-scr-el3-undef", el, v, esr_undef, pc);
		if (boot_el == 1) {
			/* no EL2, no EL3: HVC/SMC with a non-PSCI id are UNDEFINED */
			expect_exception(0);
			pc = probe_smc(0x12345);
			expect_rec("smc-undef", el, v, esr_undef, pc);
			hvc_unknown_fid();
		} else {
			/* EL1 under EL2, HCR_EL2.TSC=0: SMC goes to QEMU's firmware */
			smc_unknown_fid();
		}
	}

	/* MRS SP_EL0 while SPSel==0 */
	expect_exception(0);
	pc = probe_mrs_sp_el0();
	expect_rec("mrs-sp-el0-spsel0-undef", el, 0, esr_undef, pc);

	/* PC alignment fault: BR to an odd address */
	u64 target = (u64)probe_udf0 + 2;
	expect_exception(RESUME_LR);
	probe_br(target);
	expect_rec("pc-align", el, v, (0x22ul << 26) | ESR_IL, target);
	name_check("pc-align-far", exc.far == target, "far=0x%lx exp=0x%lx", exc.far, target);

	/* (SP alignment faults, SCTLR_ELx.SA, are not tested: QEMU does not
	 * implement SP alignment checking.) */

	/* Data alignment faults (DFSC 0x21) */
	static u64 abuf[4] __attribute__((aligned(16)));
	u64 dabt = (0x25ul << 26) | ESR_IL;
	expect_exception(0);
	pc = probe_align((u64)abuf + 4, 0);
	expect_dabt("align-ldr", el, v, dabt | 0x21, pc);
	name_check("align-ldr-far", exc.far == (u64)abuf + 4, "far=0x%lx exp=0x%lx", exc.far, (u64)abuf + 4);
	expect_exception(0);
	pc = probe_align((u64)abuf + 2, 1);
	name_check("align-str-wnr", exc.count == 1 && EC(exc.esr) == 0x25 && (exc.esr & 0x3f) == 0x21 &&
		   (exc.esr & (1 << 6)) && exc.elr == pc && exc.far == (u64)abuf + 2,
		   "esr=0x%lx far=0x%lx", exc.esr, exc.far);
	expect_exception(0);
	pc = probe_align((u64)abuf + 8 + 4, 2);
	name_check("align-ldxr", exc.count == 1 && EC(exc.esr) == 0x25 && (exc.esr & 0x3f) == 0x21 &&
		   !(exc.esr & (1 << 6)) && exc.elr == pc && exc.far == (u64)abuf + 12,
		   "esr=0x%lx far=0x%lx", exc.esr, exc.far);
	expect_exception(0);
	probe_align((u64)abuf + 8, 3);
	exc.armed = 0;
	name_check("aligned-no-fault", exc.count == 0, "count=%d", exc.count);

	/* Illegal exception returns */
	u64 mode_here = el == 2 ? 0x9 : 0x5;
	u64 higher = el == 2 ? 0xd : 0x9; /* EL3h / EL2h */
	expect_exception(0);
	pc = probe_illegal_eret(0xa0000000ul | 0x3c0 | higher);
	expect_rec("illegal-eret-higher-el", el, v, (0x0eul << 26) | ESR_IL, pc);
	name_check("illegal-eret-spsr", exc.spsr == (0xa0000000ul | (1ul << 20) | 0x3c0 | mode_here),
		   "spsr=0x%lx exp=0x%lx", exc.spsr, 0xa0000000ul | (1ul << 20) | 0x3c0 | mode_here);
	expect_exception(0);
	pc = probe_illegal_eret(0x3c0 | 0x1); /* EL0 with M[0]=1: reserved */
	expect_rec("illegal-eret-el0h", el, v, (0x0eul << 26) | ESR_IL, pc);
	expect_exception(0);
	pc = probe_illegal_eret(0x3c0 | 0x2 | (mode_here & 0xc)); /* M[1] set: reserved */
	expect_rec("illegal-eret-m1", el, v, (0x0eul << 26) | ESR_IL, pc);
	/* legal ERET to the same mode: no exception, flags restored */
	expect_exception(0);
	probe_illegal_eret(0x60000000ul | 0x3c0 | mode_here);
	exc.armed = 0;
	name_check("legal-eret", exc.count == 0, "count=%d", exc.count);

	/* DAIF */
	u64 d0 = read_sysreg(daif);
	asm volatile("msr daifclr, #0xf");
	u64 d1 = read_sysreg(daif);
	asm volatile("msr daifset, #0xa"); /* D and I */
	u64 d2 = read_sysreg(daif);
	write_sysreg(daif, 0x140);          /* A and F via MSR DAIF */
	u64 d3 = read_sysreg(daif);
	asm volatile("msr daifset, #0xf");
	name_check("daif-initial", d0 == 0x3c0, "daif=0x%lx", d0);
	name_check("daif-clr", d1 == 0, "daif=0x%lx", d1);
	name_check("daif-set-d-i", d2 == 0x280, "daif=0x%lx", d2);
	name_check("daif-msr", d3 == 0x140, "daif=0x%lx", d3);
	/* exception entry masks everything, SPSR keeps the old DAIF */
	asm volatile("msr daifclr, #0xf");
	expect_exception(0);
	probe_brk();
	asm volatile("msr daifset, #0xf");
	name_check("exc-entry-daif", exc.daif == 0x3c0 && (exc.spsr & 0x3c0) == 0,
		   "daif=0x%lx spsr=0x%lx", exc.daif, exc.spsr);

	/* SPSel */
	static u64 sp[4];
	spsel_probe(sp);
	name_check("spsel-1", sp[0] == 1, "spsel=%ld", sp[0]);
	name_check("spsel-0", sp[1] == 0, "spsel=%ld", sp[1]);
	name_check("spsel-sp-el0-banked", sp[2] == 0x1230, "sp_el0=0x%lx", sp[2]);
	name_check("spsel-sp-elx-kept", sp[3] == 0, "delta=0x%lx", sp[3]);

	/* NZCV is preserved across an exception (in SPSR) */
	u64 f;
	expect_exception(0);
	asm volatile("msr nzcv, %1\n\tbrk #1\n\tmrs %0, nzcv" : "=r"(f) : "r"(0x90000000ul) : "cc");
	name_check("nzcv-across-exception", f == 0x90000000ul && (exc.spsr >> 28) == 9,
		   "nzcv=0x%lx spsr=0x%lx", f, exc.spsr);
}

/* ---- EL0 code (no printing here) ---- */
static u64 el0_call(u64 fn) { return ((u64(*)(void))fn)(); }
static u64 el0_ret_arg(u64 x) { return x + 1; }

static void el0_suite(void)
{
	u64 pc;
	int el = el_here; /* exceptions from EL0 are taken here */
	const char *saved = pfx;
	char p2[24];
	snprintf(p2, sizeof(p2), "%s-el0", saved);
	pfx = p2;
	u64 esr_undef = ESR_IL;

	expect_exception(0);
	pc = run_el0(el0_call, (u64)probe_svc);
	expect_rec("svc", el, 8, (0x15ul << 26) | ESR_IL | 0x42, pc + 4);
	name_check("svc-spsr", (exc.spsr & 0x3cf) == 0x3c0, "spsr=0x%lx", exc.spsr);
	expect_exception(0);
	pc = run_el0(el0_call, (u64)probe_brk);
	expect_rec("brk", el, 8, (0x3cul << 26) | ESR_IL | 0x1234, pc);
	expect_exception(0);
	pc = run_el0(el0_call, (u64)probe_udf0);
	expect_rec("udf", el, 8, esr_undef, pc);
	expect_exception(0);
	pc = run_el0(el0_call, (u64)probe_hvc);
	expect_rec("hvc-undef", el, 8, esr_undef, pc);
	expect_exception(0);
	pc = run_el0(el0_call, (u64)probe_eret);
	expect_rec("eret-undef", el, 8, esr_undef, pc);
	expect_exception(0);
	pc = run_el0(el0_call, (u64)probe_msr_spsel);
	expect_rec("msr-spsel-undef", el, 8, esr_undef, pc);
	expect_exception(0);
	pc = run_el0(el0_call, (u64)probe_mrs_sctlr1);
	expect_rec("mrs-sctlr-el1-undef", el, 8, esr_undef, pc);
	expect_exception(0);
	pc = run_el0(el0_call, (u64)probe_tlbi);
	expect_rec("tlbi-undef", el, 8, esr_undef, pc);
	if (el == 1) {
		/* SCTLR_EL1.UMA=0: MRS DAIF at EL0 traps to EL1 (EC 0x18) */
		expect_exception(0);
		pc = run_el0(el0_call, (u64)probe_mrs_daif);
		expect_rec("mrs-daif-uma0", el, 8, (0x18ul << 26) | ESR_IL | 0x32d025, pc);
		/* SCTLR_EL1.nTWI=0: WFI at EL0 traps to EL1 (EC 0x01, TI=0) */
		expect_exception(0);
		pc = run_el0(el0_call, (u64)probe_wfi);
		name_check("wfi-trap", exc.count == 1 && EC(exc.esr) == 0x01 && (exc.esr & 3) == 0 &&
			   exc.elr == pc && exc.el == 1 && exc.vec == 8,
			   "esr=0x%lx elr=0x%lx", exc.esr, exc.elr);
	}
	/* Return value passes back */
	u64 r = run_el0(el0_ret_arg, 0x1233);
	name_check("run-el0-ret", r == 0x1234, "r=0x%lx", r);
	pfx = saved;
}

/* ---- EL1 code run from EL2 ---- */
static u64 el1_hvc(u64 x) { (void)x; return probe_hvc(); }
static u64 el1_hvc0(u64 x) { (void)x; return probe_hvc0(); }
static u64 el1_suite_entry(u64 x);
static u64 el1_ret_arg(u64 x) { return x + 1; }

static void el2_from_el1(void)
{
	u64 pc;
	expect_exception(0);
	pc = run_el1(el1_hvc, 0);
	expect_rec("from-el1-hvc", 2, 8, (0x16ul << 26) | ESR_IL | 0x77, pc + 4);
	name_check("from-el1-hvc-spsr", (exc.spsr & 0x3cf) == 0x3c5, "spsr=0x%lx", exc.spsr);
	expect_exception(0);
	pc = run_el1(el1_hvc0, 0);
	expect_rec("from-el1-hvc0", 2, 8, (0x16ul << 26) | ESR_IL, pc + 4);
	u64 r = run_el1(el1_ret_arg, 0x4242);
	name_check("run-el1-ret", r == 0x4243, "r=0x%lx", r);
}

static void run_suite(const char *p, int el)
{
	pfx = p;
	el_here = el;
	vec_cur = 4;
	same_el_suite();
	el0_suite();
}

static u64 el1_suite_entry(u64 x)
{
	(void)x;
	run_suite("el1v", 1);
	return 0x600d;
}

int main(void)
{
	puts("exceptions\n");
	if (boot_el == 1) {
		run_suite("el1", 1);
	} else {
		/* EL2 itself */
		pfx = "el2";
		el_here = 2;
		vec_cur = 4;
		same_el_suite();
		/* EL0 under EL2 with TGE=1: EL0 exceptions go to EL2 */
		u64 hcr = read_sysreg(hcr_el2);
		write_sysreg(hcr_el2, hcr | (1ul << 27));
		isb();
		el0_suite();
		write_sysreg(hcr_el2, hcr);
		isb();
		pfx = "el2";
		el2_from_el1();
		/* everything again from EL1 under EL2 */
		u64 r = run_el1(el1_suite_entry, 0);
		CHECK_EQ("el1v-suite-returned", r, 0x600d);
	}
	return 0;
}
