/* traps-el2: HCR_EL2 / CPTR_EL2 / CNTHCTL_EL2 trap controls, checked by
 * running probes at EL1 and looking at what EL2 receives. Boot at EL2 only. */
#include "check.h"

#define P(n) u64 n(u64)
P(t_msr_sctlr); P(t_mrs_sctlr); P(t_msr_ttbr0); P(t_msr_mair); P(t_mrs_tcr);
P(t_mrs_idpfr0); P(t_mrs_idisar0); P(t_mrs_idmmfr0); P(t_mrs_actlr); P(t_msr_actlr);
P(t_smc); P(t_wfi); P(t_wfe); P(t_fp); P(t_simd); P(t_mrs_fpcr); P(t_dc_isw); P(t_tlbi);
P(t_mrs_ctr); P(t_mrs_cntpct); P(t_hvc); P(t_midr); P(t_mpidr); P(t_isr); P(t_unmask);

#define HCR_RW (1ul << 31)
#define HCR_TRVM (1ul << 30)
#define HCR_TVM (1ul << 26)
#define HCR_TTLB (1ul << 25)
#define HCR_TSW (1ul << 22)
#define HCR_TACR (1ul << 21)
#define HCR_TSC (1ul << 19)
#define HCR_TID3 (1ul << 18)
#define HCR_TID2 (1ul << 17)
#define HCR_TWE (1ul << 14)
#define HCR_TWI (1ul << 13)
#define HCR_VSE (1ul << 8)
#define HCR_VI (1ul << 7)
#define HCR_VF (1ul << 6)
#define HCR_AMO (1ul << 5)
#define HCR_IMO (1ul << 4)
#define HCR_FMO (1ul << 3)
#define CPTR_TFP (1ul << 10)
#define ESR_IL (1ul << 25)

static u64 iss_sys(u64 op0, u64 op1, u64 crn, u64 crm, u64 op2, u64 rt, u64 read)
{
	return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | rt << 5 | crm << 1 | read;
}

static u64 hcr_base;

static void set_hcr(u64 bits)
{
	write_sysreg(hcr_el2, hcr_base | bits);
	isb();
}

/* Run probe at EL1 with the given HCR_EL2 bits; expect a trap to EL2. */
static void trap_case(const char *name, u64 hcr, u64 (*probe)(u64), u64 exp_esr)
{
	set_hcr(hcr);
	expect_exception(0);
	u64 pc = run_el1(probe, 0);
	set_hcr(0);
	int ok = exc.count == 1 && exc.el == 2 && exc.vec == 8 && exc.esr == exp_esr && exc.elr == pc;
	if (ok) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s count=%d el=%d vec=%d esr=0x%lx elr=0x%lx (exp esr=0x%lx elr=0x%lx)\n", name,
		       exc.count, exc.el, exc.vec, exc.esr, exc.elr, exp_esr, pc);
	}
}

/* Same but expect no trap at all. */
static void notrap_case(const char *name, u64 hcr, u64 (*probe)(u64))
{
	set_hcr(hcr);
	expect_exception(0);
	run_el1(probe, 0);
	set_hcr(0);
	exc.armed = 0;
	if (exc.count == 0) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s unexpected trap esr=0x%lx el=%d\n", name, exc.esr, exc.el);
	}
}

#define SYS18(op0, op1, crn, crm, op2, rt, rd) ((0x18ul << 26) | ESR_IL | iss_sys(op0, op1, crn, crm, op2, rt, rd))

static u64 el1_fp_under_fpen0(u64 which)
{
	/* runs at EL1: FP use with CPACR_EL1.FPEN=0 traps to EL1 */
	return which ? t_mrs_fpcr(0) : t_fp(0);
}

int main(void)
{
	puts("traps-el2\n");
	if (boot_el != 2) {
		puts("SKIP traps-el2 needs EL2\n");
		return 0;
	}
	hcr_base = HCR_RW;
	set_hcr(0);

	/* virtual memory controls */
	trap_case("tvm-msr-sctlr", HCR_TVM, t_msr_sctlr, SYS18(3, 0, 1, 0, 0, 1, 0));
	trap_case("tvm-msr-ttbr0", HCR_TVM, t_msr_ttbr0, SYS18(3, 0, 2, 0, 0, 3, 0));
	trap_case("tvm-msr-mair", HCR_TVM, t_msr_mair, SYS18(3, 0, 10, 2, 0, 4, 0));
	notrap_case("tvm-mrs-sctlr-not-trapped", HCR_TVM, t_mrs_sctlr);
	trap_case("trvm-mrs-sctlr", HCR_TRVM, t_mrs_sctlr, SYS18(3, 0, 1, 0, 0, 2, 1));
	trap_case("trvm-mrs-tcr", HCR_TRVM, t_mrs_tcr, SYS18(3, 0, 2, 0, 2, 5, 1));
	notrap_case("none-msr-sctlr", 0, t_msr_sctlr);

	/* ID registers */
	trap_case("tid3-pfr0", HCR_TID3, t_mrs_idpfr0, SYS18(3, 0, 0, 4, 0, 6, 1));
	trap_case("tid3-isar0", HCR_TID3, t_mrs_idisar0, SYS18(3, 0, 0, 6, 0, 7, 1));
	trap_case("tid3-mmfr0", HCR_TID3, t_mrs_idmmfr0, SYS18(3, 0, 0, 7, 0, 8, 1));
	notrap_case("tid3-off", 0, t_mrs_idpfr0);
	trap_case("tid2-ctr", HCR_TID2, t_mrs_ctr, SYS18(3, 3, 0, 0, 1, 13, 1));

	/* auxiliary control */
	trap_case("tacr-mrs", HCR_TACR, t_mrs_actlr, SYS18(3, 0, 1, 0, 1, 9, 1));
	trap_case("tacr-msr", HCR_TACR, t_msr_actlr, SYS18(3, 0, 1, 0, 1, 31, 0));

	/* cache / TLB maintenance (SYS instructions, op0 = 1) */
	trap_case("tsw-dc-isw", HCR_TSW, t_dc_isw, SYS18(1, 0, 7, 6, 2, 31, 0));
	trap_case("ttlb-tlbi", HCR_TTLB, t_tlbi, SYS18(1, 0, 8, 7, 0, 31, 0));

	/* SMC, WFI/WFE, HVC */
	trap_case("tsc-smc", HCR_TSC, t_smc, (0x17ul << 26) | ESR_IL | 0x33);
	trap_case("twi-wfi", HCR_TWI, t_wfi, (0x01ul << 26) | ESR_IL | 0x1e00000 | 0);
	/* (HCR_EL2.TWE is not tested: QEMU 7.2 treats WFE as a yield and never
	 * traps it.) */
	expect_exception(0);
	u64 pc = run_el1(t_hvc, 0);
	check_cond("hvc-from-el1", exc.count == 1 && exc.el == 2 && exc.vec == 8 &&
		   exc.esr == ((0x16ul << 26) | ESR_IL | 0x5555) && exc.elr == pc + 4, "");

	/* timer access */
	write_sysreg(cnthctl_el2, 0);
	isb();
	trap_case("cnthctl-cntpct", 0, t_mrs_cntpct, SYS18(3, 3, 14, 0, 1, 14, 1));
	write_sysreg(cnthctl_el2, 3);
	isb();
	notrap_case("cnthctl-cntpct-allowed", 0, t_mrs_cntpct);

	/* FP/SIMD: CPTR_EL2.TFP traps to EL2 (EC 0x07) */
	u64 cptr = read_sysreg(cptr_el2);
	write_sysreg(cptr_el2, cptr | CPTR_TFP);
	isb();
	trap_case("tfp-fmov", 0, t_fp, (0x07ul << 26) | ESR_IL | 0x1e00000);
	trap_case("tfp-simd-mov", 0, t_simd, (0x07ul << 26) | ESR_IL | 0x1e00000);
	trap_case("tfp-mrs-fpcr", 0, t_mrs_fpcr, (0x07ul << 26) | ESR_IL | 0x1e00000);
	/* CPACR_EL1.FPEN=0 at EL1 wins over CPTR_EL2.TFP: trap to EL1 */
	u64 cpacr = read_sysreg(cpacr_el1);
	write_sysreg(cpacr_el1, 0);
	isb();
	for (int which = 0; which < 2; which++) {
		expect_exception(0);
		pc = run_el1(el1_fp_under_fpen0, which);
		char name[40];
		snprintf(name, sizeof(name), "fpen0-%s-to-el1", which ? "fpcr" : "fmov");
		check_cond(name, exc.count == 1 && exc.el == 1 && exc.vec == 4 &&
			   exc.esr == ((0x07ul << 26) | ESR_IL | 0x1e00000) && exc.elr == pc, "");
	}
	write_sysreg(cptr_el2, cptr);
	isb();
	expect_exception(0);
	pc = run_el1(el1_fp_under_fpen0, 0);
	check_cond("fpen0-no-tfp-to-el1", exc.count == 1 && exc.el == 1 && EC(exc.esr) == 0x07 && exc.elr == pc, "");
	write_sysreg(cpacr_el1, cpacr);
	isb();
	/* MRS FPCR, not an FP data-processing instruction: armvisor does not execute FP yet. */
	notrap_case("fp-enabled", 0, t_mrs_fpcr);

	/* VPIDR/VMPIDR: what EL1 sees as MIDR/MPIDR */
	u64 midr = read_sysreg(midr_el1), mpidr = read_sysreg(mpidr_el1);
	CHECK_EQ("vpidr-reset", read_sysreg(vpidr_el2), midr);
	CHECK_EQ("vmpidr-reset", read_sysreg(vmpidr_el2), mpidr);
	write_sysreg(vpidr_el2, 0x410fd034);
	write_sysreg(vmpidr_el2, 0x80000102);
	isb();
	CHECK_EQ("vpidr-midr-el1", run_el1(t_midr, 0), 0x410fd034);
	CHECK_EQ("vmpidr-mpidr-el1", run_el1(t_mpidr, 0), 0x80000102);
	CHECK_EQ("midr-at-el2-real", read_sysreg(midr_el1), midr);
	write_sysreg(vpidr_el2, midr);
	write_sysreg(vmpidr_el2, mpidr);
	isb();

	/* Virtual interrupts */
	static const struct {
		const char *name;
		u64 hcr, sel, isr, vec;
	} vint[] = {
		{ "virq", HCR_IMO | HCR_VI, 2, 0x80, 5 },
		{ "vfiq", HCR_FMO | HCR_VF, 1, 0x40, 6 },
		{ "vserror", HCR_AMO | HCR_VSE, 4, 0x100, 7 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(vint); i++) {
		char name[48];
		set_hcr(vint[i].hcr);
		expect_exception(0);
		u64 isr = run_el1(t_unmask, vint[i].sel);
		u64 hcr_after = read_sysreg(hcr_el2);
		set_hcr(0);
		snprintf(name, sizeof(name), "%s-taken-at-el1", vint[i].name);
		check_cond(name, exc.count == 1 && exc.el == 1 && exc.vec == (int)vint[i].vec, "");
		snprintf(name, sizeof(name), "%s-isr-el1", vint[i].name);
		CHECK_EQ(name, isr & 0x1c0, vint[i].isr);
		if (vint[i].sel == 4) {
			/* taking the virtual SError clears HCR_EL2.VSE */
			snprintf(name, sizeof(name), "%s-ec", vint[i].name);
			CHECK_EQ(name, EC(exc.esr), 0x2f);
			CHECK_EQ("vserror-clears-vse", hcr_after & HCR_VSE, 0);
		} else {
			snprintf(name, sizeof(name), "%s-stays-pending", vint[i].name);
			CHECK(name, (hcr_after & vint[i].hcr) == vint[i].hcr);
		}
	}
	/* VI without IMO: not delivered, ISR_EL1 shows nothing */
	set_hcr(HCR_VI);
	expect_exception(0);
	u64 isr = run_el1(t_unmask, 2);
	set_hcr(0);
	exc.armed = 0;
	CHECK("vi-without-imo-ignored", exc.count == 0 && (isr & 0x80) == 0);
	/* IMO|VI with EL1 IRQs masked: pending in ISR but not taken */
	set_hcr(HCR_IMO | HCR_VI);
	isr = run_el1(t_isr, 0);
	set_hcr(0);
	CHECK_EQ("virq-masked-isr", isr & 0x1c0, 0x80);
	return 0;
}
