/*
 * stage2: EL2 builds stage-2 tables (VTCR_EL2 T0SZ=24 -> 40-bit IPA, SL0=1 -> the walk
 * starts at level 1 with two concatenated level-1 tables, 4 KiB granule, WB inner-
 * shareable walks, PS = 40 bits; VTTBR_EL2 with a VMID in bits [63:48]; HCR_EL2.VM=1,
 * RW=1) and runs EL1 code under them (run_el1). Boot at EL2 only.
 *
 * RAM is mapped IPA = PA except a few scratch pages; a test window of IPAs at 8 GiB
 * maps scratch pages with various stage-2 attributes. Checks:
 *  - stage-2 translation faults at levels 0 (IPA beyond 40 bits), 1, 2, 3 on EL1
 *    loads/stores: EC 0x24 to EL2, DFSC, FAR = VA, HPFAR = IPA page, ELR, and the
 *    instruction syndrome (ISV SAS SSE SRT SF AR WnR) for the single-register forms,
 *    ISV = 0 (ISS[23:14] RES0) for pairs, writeback forms and exclusives;
 *  - S2AP read-only / write-only / no-access and AF = 0 pages; S2 XN (bit 54) on a page
 *    and on a 2 MiB block -> EC 0x20; fetch from an unmapped IPA;
 *  - EL1 stage 1 on (tables EL1 builds itself, IPA = PA): stage-1 faults stay at EL1;
 *    stage-2 faults on the final IPA; S1PTW = 1 when the stage-1 walk hits an IPA
 *    unmapped at stage 2 (load, store, fetch, AT S1E1R at EL1);
 *  - AT S12E1R/W and S1E1R/W from EL2 -> PAR_EL1 (S, PTW, FST; PA/ATTR/SH);
 *  - MMIO emulation from the syndrome (a fake PL011 page left unmapped at stage 2);
 *  - two VMIDs mapping one IPA to different pages, switched without TLBI;
 *  - TLBI IPAS2E1IS + VMALLE1IS and TLBI VMALLS12E1 after break-before-make.
 *
 * Architecture notes (Arm ARM DDI0487):
 *  - ESR_EL2.ISV: 1 only for stage-2 aborts on single-register loads/stores without
 *    writeback (exclusives excluded); 0 for a stage-2 abort on a stage-1 walk.
 *  - ESR_EL2.WnR for a stage-2 fault on a stage-1 walk: the pseudocode keeps the
 *    FaultRecord of the original access (AArch64.S2Translate is passed the stage-1
 *    fault record, whose 'write' comes from NoFault(accdesc)), so a translation fault
 *    on the walk reports WnR = 1 for a store and 0 for a load; AT instructions always
 *    report WnR = 1 (with CM = 1).
 *  - HPFAR_EL2 is written for stage-2 translation / access-flag / address-size faults
 *    and for any stage-2 fault on a stage-1 walk; it is UNKNOWN for a stage-2
 *    permission fault on the final IPA, so it is not checked there.
 *  - AT S1E1* executed at EL2 reports a stage-2 fault on the stage-1 walk in PAR
 *    (S = 1, PTW = 1); executed at EL1 it is a Data Abort to EL2 (AArch64.AT).
 *  - PAR.SH is 0b10 for Device and Normal Non-cacheable results (PAREncodeShareability);
 *    QEMU 7.2 reports the descriptor value: masked, summarised in one line.
 */
#include "check.h"
#include "mmu.h"

#define P_(n) u64 n(u64)
P_(p_ldrb); P_(p_ldrh); P_(p_ldrsb_x); P_(p_ldrsh_w); P_(p_ldrsh_x); P_(p_ldr_w); P_(p_ldrsw);
P_(p_ldr_x); P_(p_ldar_x); P_(p_ldarb); P_(p_ldar_w); P_(p_strb); P_(p_strh); P_(p_str_w);
P_(p_str_x); P_(p_str_xzr); P_(p_stlr_x); P_(p_stlrb); P_(p_ldr_imm); P_(p_ldur_w); P_(p_ldr_reg);
P_(p_sturh); P_(p_ldp); P_(p_stp); P_(p_ldpsw); P_(p_ldr_post); P_(p_ldr_pre); P_(p_str_post);
P_(p_strb_pre); P_(p_ldxr); P_(p_ldaxr_w); P_(p_at_s1e1r);
P_(el1_ld); P_(el1_st_mark); P_(el1_exec); P_(emu_puts); P_(emu_ids); P_(emu_signed);
void dc_civac(u64 addr);
extern char exec_page[];

#define PG 0x1000ul
#define SCR 0x5fe00000ul                 /* last 2 MiB of RAM: mapped with pages at stage 2 */
#define P(i) (SCR + (u64)(i) * PG)
#define MARK(i) (0x52a6e00000000000ul | (u64)(i))
#define H_T P(20)                        /* hole at stage 2: EL1's stage-1 table points here */
#define H_D P(21)                        /* hole at stage 2: an EL1 stage-1 leaf points here */
#define TWI 0x200000000ul                /* IPA test window (level-1 entry 8 of table 0) */
#define SLOT(i) (TWI + (u64)(i) * PG)
#define IPA_XNBLK (TWI + 0x200000)       /* 2 MiB block onto RAM_BASE, S2 XN */
#define IPA_L2 (TWI + 0x400000)          /* empty level-2 entry */
#define IPA_XBLK (TWI + 0x600000)        /* 2 MiB block onto RAM_BASE, executable */
#define IPA_L1 0x100000000ul             /* empty level-1 entry */
#define IPA_UP 0x8000001000ul            /* upper half: second concatenated table */
#define IPA_TOP 0xfffffff000ul           /* last page of the 40-bit IPA space */
#define IPA_OOR 0x10000000000ul          /* 1 << 40: outside the IPA space */
#define EMU_IPA 0x0a000000ul             /* emulated UART page, unmapped at stage 2 */
#define VW 0x300000000ul                 /* EL1 stage-1 test VAs */
#define VWP(i) (VW + (u64)(i) * PG)
#define VW_PTW (VW + 0x200000)           /* stage-1 level-3 table at H_T */
#define VW_L2 (VW + 0x400000)            /* empty stage-1 level-2 entry */

#define HCR_RW (1ul << 31)
#define HCR_VM (1ul << 0)
#define VTCR_IRGN0_WB (1ul << 8)
#define VTCR_ORGN0_WB (1ul << 10)
#define VTCR_SH0_INNER (3ul << 12)
#define VTCR_TG0_4K (0ul << 14)
#define VTCR_VALUE (VTCR_RES1 | VTCR_PS(2) | VTCR_TG0_4K | VTCR_SH0_INNER | VTCR_ORGN0_WB | \
		    VTCR_IRGN0_WB | VTCR_SL0(1) | TCR_T0SZ(24))
#define VMID(n) ((u64)(n) << 48)

#define S2N (S2_MEMATTR(S2_MEMATTR_NORMAL_WB) | S2AP_R | S2AP_W | PTE_SH_INNER | PTE_AF)
#define S2_RW (S2AP_R | S2AP_W)
#define N1 (PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF)

#define EC_IABT_LOW 0x20ul
#define EC_DABT_LOW 0x24ul
#define EC_DABT_CUR 0x25ul
#define ESR_IL (1ul << 25)
#define ISV (1ul << 24)
#define SAS(n) ((u64)(n) << 22)
#define SSE (1ul << 21)
#define SRT(n) ((u64)(n) << 16)
#define SF (1ul << 15)
#define AR (1ul << 14)
#define CM (1ul << 8)
#define S1PTW (1ul << 7)
#define WNR (1ul << 6)
#define NO_HPFAR 1ul                     /* HPFAR not checked (UNKNOWN) */
#define HPFAR_OF(ipa) (((ipa) >> 12) << 4)

static struct pt S2A, S2B, S1;
static u64 vttbr_a, vttbr_b;
static u64 sctlr1_base;

/* ---- checks ---- */
/* Exactly one exception to EL2 from EL1 (vector 8) with this ESR/FAR/ELR/HPFAR.
 * far2: a second acceptable FAR (for a pair whose two halves both fault). */
static void chk2(const char *name, u64 ec, u64 iss, u64 far, u64 far2, u64 elr, u64 hpfar)
{
	u64 exp = (ec << 26) | ESR_IL | iss;
	int ok = exc.count == 1 && exc.el == 2 && exc.vec == 8 && exc.esr == exp &&
	         (exc.far == far || exc.far == far2) && exc.elr == elr && (hpfar == NO_HPFAR || exc.hpfar == hpfar);
	if (ok) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s count=%d el=%d vec=%d esr=0x%lx far=0x%lx elr=0x%lx hpfar=0x%lx"
		       " (exp esr=0x%lx far=0x%lx elr=0x%lx hpfar=0x%lx)\n",
		       name, exc.count, exc.el, exc.vec, exc.esr, exc.far, exc.elr, exc.hpfar, exp, far, elr, hpfar);
	}
}

/* Run probe(addr) at EL1, expect one stage-2 data abort on addr (IPA ipa). */
static void s2_dabt(const char *name, u64 (*probe)(u64), u64 addr, u64 far, u64 ipa, u64 iss, int hp)
{
	expect_exception(0);
	run_el1(probe, addr);
	chk2(name, EC_DABT_LOW, iss, far, far, (u64)probe + 4, hp ? HPFAR_OF(ipa) : NO_HPFAR);
}

static void el1_read_ok(const char *name, u64 addr, u64 exp)
{
	expect_exception(0);
	u64 v = run_el1(el1_ld, addr);
	int n = exc.count;
	exc.armed = 0;
	if (n == 0 && v == exp) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s exceptions=%d esr=0x%lx far=0x%lx val=0x%lx exp=0x%lx\n", name, n, exc.esr, exc.far, v,
		       exp);
	}
}

static void el1_write_ok(const char *name, u64 addr)
{
	expect_exception(0);
	run_el1(el1_st_mark, addr);
	int n = exc.count;
	exc.armed = 0;
	check_cond(name, n == 0, "write faulted");
	if (n)
		printf("  esr=0x%lx far=0x%lx\n", exc.esr, exc.far);
}

static void el1_exec_ok(const char *name, u64 target)
{
	expect_exception(RESUME_LR);
	u64 v = run_el1(el1_exec, target);
	int n = exc.count;
	exc.armed = 0;
	if (n == 0 && v == 0x600d) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s exceptions=%d esr=0x%lx far=0x%lx v=0x%lx\n", name, n, exc.esr, exc.far, v);
	}
}

static void el1_exec_fault(const char *name, u64 target, u64 iss, u64 hpfar)
{
	expect_exception(RESUME_LR);
	u64 v = run_el1(el1_exec, target);
	chk2(name, EC_IABT_LOW, iss, target, target, target, hpfar);
	if (v != 0xbad)
		printf("  (%s returned 0x%lx)\n", name, v);
}

#define PAR_OK(pa, attr, sh) (((u64)(attr) << 56) | (pa) | ((u64)(sh) << 7))
#define PAR_FAULT(fst) (((u64)(fst) << 1) | 1)
#define PAR_S2 (1ul << 9)
#define PAR_PTW (1ul << 8)

static void chk_par(const char *name, u64 par, u64 exp)
{
	u64 mask = (exp & PAR_F) ? PAR_FAULT_MASK : PAR_OK_MASK;
	if ((par & mask) == exp) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s par=0x%lx masked=0x%lx exp=0x%lx\n", name, par, par & mask, exp);
	}
}

static int sh_total, sh_bad;
static void chk_par_osh(const char *name, u64 par, u64 exp)
{
	sh_total++;
	if (PAR_SH(par) != 2 && !(par & PAR_F))
		sh_bad++;
	chk_par(name, par & ~(3ul << 7), exp & ~(3ul << 7));
}

#define AT_FN(fn, op)                                                        \
	static u64 fn(u64 va)                                                \
	{                                                                    \
		asm volatile("at " #op ", %0\n\tisb" ::"r"(va) : "memory"); \
		return read_sysreg(par_el1);                                 \
	}
AT_FN(at_s12e1r, s12e1r)
AT_FN(at_s12e1w, s12e1w)
AT_FN(at_s1e1r, s1e1r)
AT_FN(at_s1e1w, s1e1w)

/* ---- stage-2 tables ---- */
/* Descriptor update as seen by a walker that may use the caches (VTCR_EL2 asks for
 * write-back walks while EL2 itself runs with its MMU off, i.e. non-cacheable). */
static void s2_set(u64 *d, u64 v)
{
	*(volatile u64 *)d = v;
	dc_civac((u64)d);
}

static void s2_page(struct pt *t, u64 ipa, u64 pa, u64 attrs)
{
	pt_map(t, ipa, pa, PG, attrs, 3);
}

static void build_s2(struct pt *t, u64 slot0_pa)
{
	pt_init(t, 1, 40); /* root = 2 concatenated level-1 tables */
	pt_map(t, RAM_BASE, RAM_BASE, SCR - RAM_BASE, S2N, 0);
	pt_map(t, SCR, SCR, 0x200000, S2N, 3);
	*pt_entry(t, H_T, 3) = 0;
	*pt_entry(t, H_D, 3) = 0;
	pt_map(t, UART_BASE, UART_BASE, PG, S2_MEMATTR(S2_MEMATTR_DEVICE_nGnRE) | S2_RW | PTE_AF | S2_XN, 3);
	s2_page(t, SLOT(0), slot0_pa, S2N);
	s2_page(t, SLOT(1), P(0), S2N & ~S2AP_W);            /* read-only */
	s2_page(t, SLOT(2), P(0), S2N & ~S2AP_R);            /* write-only */
	s2_page(t, SLOT(3), P(0), S2N & ~S2_RW);             /* no access */
	s2_page(t, SLOT(4), (u64)exec_page, S2N);
	s2_page(t, SLOT(5), (u64)exec_page, S2N | S2_XN);
	/* SLOT(6): not mapped */
	s2_page(t, SLOT(7), P(1), S2N & ~PTE_AF);
	s2_page(t, SLOT(8), P(2), S2N);
	s2_page(t, SLOT(9), P(0), S2_MEMATTR(S2_MEMATTR_DEVICE_nGnRE) | S2_RW | PTE_AF);
	s2_page(t, SLOT(10), P(0), S2_MEMATTR(S2_MEMATTR_NORMAL_NC) | S2_RW | PTE_SH_INNER | PTE_AF);
	pt_map(t, IPA_XNBLK, RAM_BASE, 0x200000, S2N | S2_XN, 2);
	pt_map(t, IPA_XBLK, RAM_BASE, 0x200000, S2N, 2);
	s2_page(t, IPA_UP, P(3), S2N);
	s2_page(t, IPA_TOP, P(4), S2N);
}

static void s2_tlbi_all(void)
{
	asm volatile("dsb ishst; tlbi alle1is; dsb ish; isb" ::: "memory");
}

static void set_vttbr(u64 v)
{
	write_sysreg(vttbr_el2, v);
	isb();
}

static void setup(void)
{
	for (int j = 0; j < 24; j++) {
		for (int i = 0; i < 512; i++)
			((volatile u64 *)P(j))[i] = 0;
		*(volatile u64 *)P(j) = MARK(j);
	}
	build_s2(&S2A, P(0));
	build_s2(&S2B, P(8));
	vttbr_a = (u64)S2A.root | VMID(1);
	vttbr_b = (u64)S2B.root | VMID(2);
	sctlr1_base = read_sysreg(sctlr_el1);
	write_sysreg(vtcr_el2, VTCR_VALUE);
	write_sysreg(vttbr_el2, vttbr_a);
	isb();
	s2_tlbi_all();
	write_sysreg(hcr_el2, HCR_RW | HCR_VM);
	isb();
	CHECK_EQ("setup-vtcr-readback", read_sysreg(vtcr_el2) & 0xfffff, VTCR_VALUE & 0xfffff);
	CHECK_EQ("setup-vttbr-readback", read_sysreg(vttbr_el2), vttbr_a);
	CHECK_EQ("setup-concatenated-root-aligned", (u64)S2A.root & 0x1fff, 0);
}

/* ---- groups ---- */
static void t_basic(void)
{
	el1_read_ok("s2-read-identity-ram", P(5), MARK(5));
	el1_read_ok("s2-read-ipa-window", SLOT(0) + 0, MARK(0));
	el1_read_ok("s2-read-upper-half-concatenated", IPA_UP, MARK(3));
	el1_read_ok("s2-read-top-of-ipa-space", IPA_TOP, MARK(4));
	el1_write_ok("s2-write-ipa-window", SLOT(0) + 16);
	CHECK_EQ("s2-write-landed-in-pa", *(volatile u64 *)(P(0) + 16), 0x5151);
	el1_exec_ok("s2-exec-page-alias", SLOT(4));
	el1_exec_ok("s2-exec-block-alias", IPA_XBLK + ((u64)exec_page - RAM_BASE));
}

#define LD_X10 (ISV | SAS(3) | SRT(10) | SF)
static void t_levels(void)
{
	s2_dabt("s2-xlat-l3", p_ldr_x, SLOT(6) + 0x38, SLOT(6) + 0x38, SLOT(6), LD_X10 | FSC_TRANS(3), 1);
	s2_dabt("s2-xlat-l2", p_ldr_x, IPA_L2 + 0x5008, IPA_L2 + 0x5008, IPA_L2 + 0x5000, LD_X10 | FSC_TRANS(2), 1);
	s2_dabt("s2-xlat-l1", p_ldr_x, IPA_L1 + 0x123450, IPA_L1 + 0x123450, IPA_L1 + 0x123000,
		LD_X10 | FSC_TRANS(1), 1);
	s2_dabt("s2-xlat-l1-upper-table", p_ldr_x, 0xc000000000ul, 0xc000000000ul, 0xc000000000ul,
		LD_X10 | FSC_TRANS(1), 1);
	s2_dabt("s2-xlat-ipa-out-of-range", p_ldr_x, IPA_OOR + 0x40, IPA_OOR + 0x40, IPA_OOR, LD_X10 | FSC_TRANS(0), 1);
	s2_dabt("s2-af-l3", p_ldr_x, SLOT(7) + 8, SLOT(7) + 8, SLOT(7), LD_X10 | FSC_ACCESS(3), 1);
}

struct synd {
	const char *name;
	u64 (*probe)(u64);
	u64 off, iss;
	u64 off2; /* second acceptable FAR offset (pairs) */
};

static void t_syndrome(void)
{
	static const struct synd s[] = {
		{"isv-ldrb", p_ldrb, 0, ISV | SAS(0) | SRT(3), 0},
		{"isv-ldrh", p_ldrh, 0, ISV | SAS(1) | SRT(4), 0},
		{"isv-ldrsb-x", p_ldrsb_x, 0, ISV | SAS(0) | SSE | SRT(5) | SF, 0},
		{"isv-ldrsh-w", p_ldrsh_w, 0, ISV | SAS(1) | SSE | SRT(6), 0},
		{"isv-ldrsh-x", p_ldrsh_x, 0, ISV | SAS(1) | SSE | SRT(7) | SF, 0},
		{"isv-ldr-w", p_ldr_w, 0, ISV | SAS(2) | SRT(8), 0},
		{"isv-ldrsw", p_ldrsw, 0, ISV | SAS(2) | SSE | SRT(9) | SF, 0},
		{"isv-ldr-x", p_ldr_x, 0, ISV | SAS(3) | SRT(10) | SF, 0},
		{"isv-ldar-x", p_ldar_x, 0, ISV | SAS(3) | SRT(11) | SF | AR, 0},
		{"isv-ldarb", p_ldarb, 0, ISV | SAS(0) | SRT(12) | AR, 0},
		{"isv-ldar-w", p_ldar_w, 0, ISV | SAS(2) | SRT(13) | AR, 0},
		{"isv-strb", p_strb, 0, ISV | SAS(0) | SRT(14) | WNR, 0},
		{"isv-strh", p_strh, 0, ISV | SAS(1) | SRT(15) | WNR, 0},
		{"isv-str-w", p_str_w, 0, ISV | SAS(2) | SRT(16) | WNR, 0},
		{"isv-str-x", p_str_x, 0, ISV | SAS(3) | SRT(17) | SF | WNR, 0},
		{"isv-str-xzr", p_str_xzr, 0, ISV | SAS(3) | SRT(31) | SF | WNR, 0},
		{"isv-stlr-x", p_stlr_x, 0, ISV | SAS(3) | SRT(19) | SF | AR | WNR, 0},
		{"isv-stlrb", p_stlrb, 0, ISV | SAS(0) | SRT(20) | AR | WNR, 0},
		{"isv-ldr-imm-offset", p_ldr_imm, 8, ISV | SAS(3) | SRT(21) | SF, 8},
		{"isv-ldur-w", p_ldur_w, 12, ISV | SAS(2) | SRT(22), 12},
		{"isv-ldr-reg-offset", p_ldr_reg, 16, ISV | SAS(3) | SRT(23) | SF, 16},
		{"isv-sturh", p_sturh, 2, ISV | SAS(1) | SRT(25) | WNR, 2},
		{"isv0-ldp", p_ldp, 0, 0, 8},
		{"isv0-stp", p_stp, 0, WNR, 8},
		{"isv0-ldpsw", p_ldpsw, 0, 0, 4},
		{"isv0-ldr-post-index", p_ldr_post, 0, 0, 0},
		{"isv0-ldr-pre-index", p_ldr_pre, 8, 0, 8},
		{"isv0-str-post-index", p_str_post, 0, WNR, 0},
		{"isv0-strb-pre-index", p_strb_pre, 1, WNR, 1},
	};
	u64 base = SLOT(6) + 0x100;
	for (unsigned i = 0; i < ARRAY_SIZE(s); i++) {
		expect_exception(0);
		run_el1(s[i].probe, base);
		chk2(s[i].name, EC_DABT_LOW, s[i].iss | FSC_TRANS(3), base + s[i].off, base + s[i].off2,
		     (u64)s[i].probe + 4, HPFAR_OF(SLOT(6)));
	}
}

static void t_s2_perm(void)
{
	el1_read_ok("s2ap-ro-read", SLOT(1), MARK(0));
	s2_dabt("s2ap-ro-write", p_str_x, SLOT(1) + 0x20, SLOT(1) + 0x20, 0,
		ISV | SAS(3) | SRT(17) | SF | WNR | FSC_PERM(3), 0);
	el1_write_ok("s2ap-wo-write", SLOT(2) + 24);
	CHECK_EQ("s2ap-wo-write-landed", *(volatile u64 *)(P(0) + 24), 0x5151);
	s2_dabt("s2ap-wo-read", p_ldr_w, SLOT(2) + 0x30, SLOT(2) + 0x30, 0, ISV | SAS(2) | SRT(8) | FSC_PERM(3), 0);
	s2_dabt("s2ap-none-read", p_ldrb, SLOT(3) + 0x7, SLOT(3) + 0x7, 0, ISV | SAS(0) | SRT(3) | FSC_PERM(3), 0);
	s2_dabt("s2ap-none-write", p_strh, SLOT(3) + 0x2, SLOT(3) + 0x2, 0,
		ISV | SAS(1) | SRT(15) | WNR | FSC_PERM(3), 0);
	/* stage-2 execute-never */
	el1_exec_fault("s2-xn-page", SLOT(5), FSC_PERM(3), NO_HPFAR);
	el1_exec_fault("s2-xn-block", IPA_XNBLK + ((u64)exec_page - RAM_BASE), FSC_PERM(2), NO_HPFAR);
	el1_read_ok("s2-xn-page-readable", SLOT(5), *(volatile u64 *)(u64)exec_page);
	el1_exec_fault("s2-exec-unmapped", SLOT(6) + 0x40, FSC_TRANS(3), HPFAR_OF(SLOT(6)));
	el1_exec_fault("s2-exec-af", SLOT(7), FSC_ACCESS(3), HPFAR_OF(SLOT(7)));
}

/* ---- EL1 stage 1 on (EL1 builds its own tables; IPA = PA for RAM) ---- */
static u64 el1_setup_s1(u64 unused)
{
	extern char __bss_start[], __bss_end[];
	(void)unused;
	mmu_identity_el1(&S1);
	pt_map(&S1, VWP(0), P(0), PG, N1, 3);
	pt_map(&S1, VWP(1), H_D, PG, N1, 3);              /* IPA unmapped at stage 2 */
	pt_map(&S1, VWP(2), SLOT(1), PG, N1, 3);          /* stage-2 read-only */
	pt_map(&S1, VWP(3), IPA_UP, PG, N1, 3);
	pt_map(&S1, VWP(4), SLOT(4), PG, N1, 3);          /* code */
	pt_map(&S1, VWP(5), SLOT(9), PG, N1, 3);          /* stage-2 Device-nGnRE */
	pt_map(&S1, VWP(6), SLOT(10), PG, N1, 3);         /* stage-2 Normal-NC */
	pt_map(&S1, VWP(7), SLOT(5), PG, N1, 3);          /* stage-2 XN */
	*pt_entry(&S1, VW_PTW, 2) = H_T | PTE_VALID | PTE_TABLE;
	/* the tables were written with stage 1 off (non-cacheable); the walks are WB */
	for (u64 a = (u64)__bss_start & ~63ul; a < (u64)__bss_end; a += 64)
		asm volatile("dc civac, %0" ::"r"(a) : "memory");
	dsb();
	mmu_enable_el1(&S1);
	return read_sysreg(sctlr_el1);
}

static void t_s1_on(void)
{
	u64 s = run_el1(el1_setup_s1, 0);
	CHECK("s1-enabled-by-el1", (s & SCTLR_M) != 0);
	el1_read_ok("s1s2-read", VWP(0) + 8, 0);
	el1_read_ok("s1s2-read-marker", VWP(0), MARK(0));
	el1_read_ok("s1s2-read-identity", P(6), MARK(6));
	el1_read_ok("s1s2-read-upper-half", VWP(3), MARK(3));
	el1_exec_ok("s1s2-exec", VWP(4));

	/* a stage-1 fault is taken to EL1, not EL2 */
	expect_exception(0);
	run_el1(p_ldr_x, VW_L2 + 0x18);
	check_cond("s1-fault-taken-to-el1",
		   exc.count == 1 && exc.el == 1 && exc.vec == 4 &&
		           exc.esr == ((EC_DABT_CUR << 26) | ESR_IL | FSC_TRANS(2)) && exc.far == VW_L2 + 0x18 &&
		           exc.elr == (u64)p_ldr_x + 4,
		   "");
	if (exc.el != 1 || exc.esr != ((EC_DABT_CUR << 26) | ESR_IL | FSC_TRANS(2)))
		printf("  el=%d esr=0x%lx far=0x%lx\n", exc.el, exc.esr, exc.far);

	/* stage-2 faults on the final IPA: FAR = VA, HPFAR = IPA */
	s2_dabt("s1s2-xlat-final-ipa", p_ldr_x, VWP(1) + 0x48, VWP(1) + 0x48, H_D, LD_X10 | FSC_TRANS(3), 1);
	s2_dabt("s1s2-perm-final-ipa", p_str_w, VWP(2) + 0x4, VWP(2) + 0x4, 0,
		ISV | SAS(2) | SRT(16) | WNR | FSC_PERM(3), 0);
	s2_dabt("s1s2-ldxr-isv0", p_ldxr, VWP(1) + 0x10, VWP(1) + 0x10, H_D, FSC_TRANS(3), 1);
	s2_dabt("s1s2-ldaxr-isv0", p_ldaxr_w, VWP(1) + 0x20, VWP(1) + 0x20, H_D, FSC_TRANS(3), 1);
	el1_exec_fault("s1s2-xn-via-s1", VWP(7), FSC_PERM(3), NO_HPFAR);

	/* the stage-1 walk itself faults at stage 2: S1PTW = 1, ISV = 0, HPFAR = table IPA */
	s2_dabt("s1ptw-load", p_ldr_x, VW_PTW + 0x5678, VW_PTW + 0x5678, H_T, S1PTW | FSC_TRANS(3), 1);
	s2_dabt("s1ptw-store-wnr", p_str_x, VW_PTW + 0x10, VW_PTW + 0x10, H_T, S1PTW | WNR | FSC_TRANS(3), 1);
	el1_exec_fault("s1ptw-fetch", VW_PTW + 0x3000, S1PTW | FSC_TRANS(3), HPFAR_OF(H_T));
	s2_dabt("s1ptw-at-s1e1r-at-el1", p_at_s1e1r, VW_PTW + 0x20, VW_PTW + 0x20, H_T,
		CM | S1PTW | WNR | FSC_TRANS(3), 1);
}

static void t_at(void)
{
	/* EL1's stage 1 is still on (SCTLR_EL1.M = 1, its TTBR0/TCR/MAIR) */
	chk_par("at-s1e1r-gives-ipa", at_s1e1r(VWP(1) + 0x10), PAR_OK(H_D, 0xff, 3));
	chk_par("at-s12e1r-ok", at_s12e1r(VWP(0) + 0x18), PAR_OK(P(0), 0xff, 3));
	chk_par("at-s12e1r-upper-half", at_s12e1r(VWP(3)), PAR_OK(P(3), 0xff, 3));
	chk_par("at-s12e1r-s2-fault", at_s12e1r(VWP(1)), PAR_FAULT(FSC_TRANS(3)) | PAR_S2);
	chk_par("at-s12e1r-s2-ro", at_s12e1r(VWP(2)), PAR_OK(P(0), 0xff, 3));
	chk_par("at-s12e1w-s2-ro", at_s12e1w(VWP(2)), PAR_FAULT(FSC_PERM(3)) | PAR_S2);
	chk_par("at-s1e1w-s2-ro-stage1-only", at_s1e1w(VWP(2)), PAR_OK(SLOT(1), 0xff, 3));
	chk_par("at-s12e1r-s1ptw", at_s12e1r(VW_PTW), PAR_FAULT(FSC_TRANS(3)) | PAR_S2 | PAR_PTW);
	chk_par("at-s1e1r-s1ptw-at-el2", at_s1e1r(VW_PTW + 0x1000), PAR_FAULT(FSC_TRANS(3)) | PAR_S2 | PAR_PTW);
	chk_par("at-s12e1r-s1-fault", at_s12e1r(VW_L2), PAR_FAULT(FSC_TRANS(2)));
	chk_par("at-s1e1r-s1-fault", at_s1e1r(VW_L2), PAR_FAULT(FSC_TRANS(2)));
	chk_par_osh("at-s12e1r-s2-device", at_s12e1r(VWP(5)), PAR_OK(P(0), 0x04, 2));
	chk_par_osh("at-s12e1r-s2-normal-nc", at_s12e1r(VWP(6)), PAR_OK(P(0), 0x44, 2));

	/* EL1 stage 1 off again: VA = IPA, data attributes Device-nGnRnE */
	write_sysreg(sctlr_el1, sctlr1_base);
	isb();
	asm volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
	chk_par_osh("at-s12e1r-s1-off", at_s12e1r(SLOT(0) + 0x230), PAR_OK(P(0), 0x00, 2));
	chk_par_osh("at-s12e1r-s1-off-upper-half", at_s12e1r(IPA_UP), PAR_OK(P(3), 0x00, 2));
	chk_par("at-s12e1r-s1-off-unmapped", at_s12e1r(SLOT(6)), PAR_FAULT(FSC_TRANS(3)) | PAR_S2);
	chk_par("at-s12e1w-s1-off-ro", at_s12e1w(SLOT(1)), PAR_FAULT(FSC_PERM(3)) | PAR_S2);
	chk_par("at-s12e1r-s1-off-af", at_s12e1r(SLOT(7)), PAR_FAULT(FSC_ACCESS(3)) | PAR_S2);
	chk_par("at-s12e1r-s1-off-l1", at_s12e1r(IPA_L1), PAR_FAULT(FSC_TRANS(1)) | PAR_S2);
}

/* ---- MMIO emulation ---- */
struct mmio_rec {
	u8 wnr, sas, sse, srt, sf, ar;
	u16 off;
};
static struct mmio_rec mlog[256];
static int mlog_n, mmio_bad, fr_reads;
static char emu_out[96];
static int emu_out_n;
static const char emu_line[] = "emu-uart: hello from EL1 through a trapped MMIO page\n";

static u64 emu_read(u64 off)
{
	switch (off) {
	case 0x18: /* FR: report TXFF on every other poll */
		return (fr_reads++ & 1) ? 0x90 : 0x20;
	case 0xfe0: return 0x11;
	case 0xfe4: return 0x10;
	case 0x100: return 0x8081;
	default: return 0;
	}
}

static int mmio_hook(int vec, struct frame *f, int el)
{
	if (el != 2 || vec != 8 || EC(f->esr) != EC_DABT_LOW)
		return 0;
	u64 iss = ISS(f->esr);
	u64 ipa = ((f->hpfar >> 4) << 12) | (f->far & 0xfff);
	if ((ipa & ~0xffful) != EMU_IPA || (iss & 0x3f) != FSC_TRANS(2))
		return 0;
	if (!(iss & ISV)) {
		mmio_bad++;
		return 0; /* -> unexpected exception */
	}
	struct mmio_rec r = {(iss >> 6) & 1, (iss >> 22) & 3, (iss >> 21) & 1, (iss >> 16) & 31, (iss >> 15) & 1,
	                     (iss >> 14) & 1, ipa & 0xfff};
	if (mlog_n < (int)ARRAY_SIZE(mlog))
		mlog[mlog_n++] = r;
	int bits = 8 << r.sas;
	u64 mask = bits == 64 ? ~0ul : (1ul << bits) - 1;
	if (r.wnr) {
		u64 v = (r.srt == 31 ? 0 : f->x[r.srt]) & mask;
		if (r.off == 0) {
			uart_putc((char)v);
			if (emu_out_n < (int)sizeof(emu_out) - 1)
				emu_out[emu_out_n++] = (char)v;
		}
	} else {
		u64 v = emu_read(r.off) & mask;
		if (r.sse && bits < 64 && (v >> (bits - 1)) & 1)
			v |= ~mask;
		if (!r.sf)
			v &= 0xffffffffu;
		if (r.srt != 31)
			f->x[r.srt] = v;
	}
	f->elr += 4;
	return 1;
}

static void t_mmio(void)
{
	static u64 out[1];
	exc_hook = mmio_hook;
	u64 n = run_el1(emu_puts, (u64)emu_line);
	int nlog = mlog_n;
	u64 ids = run_el1(emu_ids, 0);
	u64 sh = run_el1(emu_signed, (u64)out);
	exc_hook = NULL;

	u64 len = strlen(emu_line);
	int dr = 0, dr_bad = 0, fr = 0, fr_bad = 0;
	for (int i = 0; i < nlog; i++) {
		struct mmio_rec r = mlog[i];
		if (r.off == 0) {
			dr++;
			dr_bad += !(r.wnr == 1 && r.sas == 0 && r.sse == 0 && r.srt == 3 && r.sf == 0 && r.ar == 0);
		} else if (r.off == 0x18) {
			fr++;
			fr_bad += !(r.wnr == 0 && r.sas == 2 && r.sse == 0 && r.srt == 4 && r.sf == 0 && r.ar == 0);
		}
	}
	emu_out[emu_out_n] = 0;
	CHECK_EQ("mmio-puts-count", n, len);
	CHECK("mmio-line-matches", strcmp(emu_out, emu_line) == 0);
	CHECK_EQ("mmio-no-isv0", mmio_bad, 0);
	checkf_eq(dr * 0x10000 + dr_bad, len * 0x10000, "mmio-dr-strb-syndrome");
	checkf_eq(fr * 0x10000 + fr_bad, 2 * len * 0x10000, "mmio-fr-ldr-w-syndrome");
	CHECK_EQ("mmio-periphid-ldr-w-ldrb", ids, 0x1011);
	CHECK_EQ("mmio-ldrsb-x-sign-extended", out[0], 0xffffffffffffff81ul);
	CHECK_EQ("mmio-ldrsh-w-zero-upper", sh, 0xffff8081ul);
	struct mmio_rec r = mlog[mlog_n - 2]; /* the LDRSB */
	CHECK("mmio-ldrsb-decode", r.off == 0x100 && r.sas == 0 && r.sse == 1 && r.srt == 8 && r.sf == 1);
	r = mlog[mlog_n - 1];
	CHECK("mmio-ldrsh-decode", r.off == 0x100 && r.sas == 1 && r.sse == 1 && r.srt == 9 && r.sf == 0);
}

/* ---- VMIDs ---- */
static void t_vmid(void)
{
	u64 v[5];
	set_vttbr(vttbr_a);
	v[0] = run_el1(el1_ld, SLOT(0));
	set_vttbr(vttbr_b); /* no TLBI: the entries are tagged with the VMID */
	v[1] = run_el1(el1_ld, SLOT(0));
	set_vttbr(vttbr_a);
	v[2] = run_el1(el1_ld, SLOT(0));
	set_vttbr(vttbr_b);
	v[3] = run_el1(el1_ld, SLOT(0));
	run_el1(el1_st_mark, SLOT(0) + 32);
	set_vttbr(vttbr_a);
	v[4] = run_el1(el1_ld, SLOT(0) + 32);
	CHECK("vmid1-sees-page-a", v[0] == MARK(0) && v[2] == MARK(0));
	CHECK("vmid2-sees-page-b", v[1] == MARK(8) && v[3] == MARK(8));
	CHECK("vmid2-write-not-in-vmid1", v[4] == 0 && *(volatile u64 *)(P(8) + 32) == 0x5151);
	if (!(v[0] == MARK(0) && v[1] == MARK(8) && v[2] == MARK(0) && v[3] == MARK(8)))
		printf("  v=%lx %lx %lx %lx\n", v[0], v[1], v[2], v[3]);
}

/* ---- stage-2 TLB maintenance after break-before-make ---- */
static void t_s2_tlbi(void)
{
	for (int k = 0; k < 2; k++) {
		u64 ipa = SLOT(8);
		int lvl = -1;
		u64 *d = pt_leaf(&S2A, ipa, &lvl);
		u64 old = *d;
		u64 v0 = run_el1(el1_ld, ipa);
		s2_set(d, 0);
		if (k == 0)
			asm volatile("dsb ishst; tlbi ipas2e1is, %0; dsb ish; tlbi vmalle1is; dsb ish; isb"
			             ::"r"(ipa >> 12) : "memory");
		else
			asm volatile("dsb ishst; tlbi vmalls12e1; dsb ish; isb" ::: "memory");
		expect_exception(0);
		run_el1(p_ldr_x, ipa);
		int n = exc.count;
		exc.armed = 0;
		u64 esr = exc.esr, hp = exc.hpfar;
		s2_set(d, (old & ~PTE_ADDR_MASK) | P(4));
		asm volatile("dsb ish; isb" ::: "memory");
		u64 v1 = run_el1(el1_ld, ipa);
		s2_set(d, 0); /* put the old mapping back, again with break-before-make */
		asm volatile("dsb ishst; tlbi vmalls12e1; dsb ish; isb" ::: "memory");
		s2_set(d, old);
		asm volatile("dsb ish; isb" ::: "memory");
		int ok = lvl == 3 && v0 == MARK(2) && n == 1 && hp == HPFAR_OF(ipa) &&
		         esr == ((EC_DABT_LOW << 26) | ESR_IL | LD_X10 | FSC_TRANS(3)) && v1 == MARK(4);
		const char *name = k == 0 ? "s2-tlbi-ipas2e1is-vmalle1is-bbm" : "s2-tlbi-vmalls12e1-bbm";
		if (ok) {
			g_pass++;
			printf("PASS %s\n", name);
		} else {
			g_fail++;
			printf("FAIL %s lvl=%d v0=0x%lx faults=%d esr=0x%lx hpfar=0x%lx v1=0x%lx\n", name, lvl, v0, n, esr,
			       hp, v1);
		}
	}
}

static void t_sh_summary(void)
{
	if (sh_bad == 0) {
		g_pass++;
		printf("PASS par-sh-device-nc-outer\n");
	} else {
		printf("DEVIATION par-sh-device-nc-outer %d of %d AT results for Device/Normal-NC memory had PAR.SH != 0b10\n",
		       sh_bad, sh_total);
	}
}

int main(void)
{
	puts("stage2\n");
	if (current_el() != 2) {
		puts("SKIP stage2 needs EL2\n");
		return 0;
	}
	setup();
	t_basic();
	t_levels();
	t_syndrome();
	t_s2_perm();
	t_s1_on();
	t_at();
	t_mmio();
	t_vmid();
	t_s2_tlbi();
	t_sh_summary();
	write_sysreg(hcr_el2, HCR_RW);
	isb();
	return 0;
}
