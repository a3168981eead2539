/*
 * stale-tlb: a TLB entry persists until it is invalidated.
 *
 * Boot at EL1: the stage-1 suite (s1-*) runs at EL1.
 * Boot at EL2: VTTBR_EL2.VMID = 0, HCR_EL2.VM = 0, the same stage-1 suite runs at
 *   EL1 (run_el1), then the stage-2 suite (s2-*) runs: EL2 owns a stage-2 table and
 *   EL1 (stage 1 on, then off) reads through it.
 *
 * Every case has the same shape:
 *   1. point the test translation at page A (break-before-make + TLBI, so it is clean),
 *      read it: A's marker (PASS <case>-before); the TLB may now cache V -> A;
 *   2. rewrite the leaf descriptor IN PLACE to point at page B (no break-before-make,
 *      no TLBI; DSB ISH + ISB so the write is complete and visible to the walker);
 *   3. optionally do something that is NOT an architected invalidation of V (the
 *      "perturbation"), read V: the architecture permits A's marker (the stale entry was
 *      still used) or B's (the entry had gone, or was never cached, and a new walk
 *      happened). Either is a PASS (<case>-stale-or-new); which one it was is printed as
 *      "OBSERVED <case> stale|new";
 *   4. do the architected invalidation (+ DSB ISH; ISB), read V: B's marker (<case>-fixed).
 *   Cases without step 3 check that one TLBI alone is enough.
 *
 * The test pages are mapped READ-ONLY at the stage under test. The Arm ARM (DDI0487 K.a
 * D8.17.1, rule RWHZWS) requires break-before-make for an output-address change only if
 * one of the translations is writable or the contents differ AND multiple threads of
 * execution use the tables; here one PE uses them, so the in-place change only leaves a
 * possibly stale entry. (D8.17.1 also permits a TLB conflict abort, or an "amalgamation"
 * of entries, when a TLB holds two entries for one address; a TLB that only fills on a
 * miss never holds two here, since after the first read V always hits.)
 *
 * The golden expected/stale-tlb.elN.txt is QEMU's run. QEMU's softmmu TLB is tagged by
 * neither ASID nor VMID and is flushed whole by many operations (TLBI ASIDE1, any SCTLR
 * write, a TTBR write that changes the ASID, TLBI VMALLE1), so several OBSERVED lines
 * say "new" there. expected/stale-tlb.elN.armvisor.txt is identical except that every
 * OBSERVED line shows what the strictest permitted TLB shows: one that caches every
 * translation it uses (combined stage 1+2 entries AND stage-2-only entries) and drops an
 * entry only on a TLBI that is architecturally required to remove it (or on capacity,
 * which a handful of entries never reaches). The reason for each case is in the comment
 * above its perturbation below; on that TLB every OBSERVED line says "stale".
 */
#include "check.h"
#include "mmu.h"

#define PG 0x1000ul
#define MARK_A 0xa11ce0000000000aul
#define MARK_B 0xb0b000000000000bul
/* stage 1 test VA (not in the identity map) and the ASIDs */
#define V 0x100000000ul
#define ASID_V 1ul
#define ASID_OTHER 2ul
/* stage 2 suite: EL1 VA -> IPA -> PA */
#define VS 0x200000000ul
#define IPA 0x100000000ul
#define VMID_S1 0ul
#define VMID_S2 1ul

static u64 page_a[512] __attribute__((aligned(4096)));
static u64 page_b[512] __attribute__((aligned(4096)));

#define dsb_ish() asm volatile("dsb ish" ::: "memory")
#define tlbi(op, x) asm volatile("tlbi " #op ", %0" ::"r"((u64)(x)) : "memory")
#define tlbi0(op) asm volatile("tlbi " #op ::: "memory")

/* TLBI VAE1/VALE1 operand: ASID in [63:48], VA[55:12] in [43:0]. */
static u64 va_op(u64 va, u64 asid)
{
	return asid << 48 | ((va >> 12) & ((1ul << 44) - 1));
}

static u64 rd(u64 va)
{
	return *(volatile u64 *)va;
}

static void observe(const char *c, u64 v)
{
	char n[64];
	snprintf(n, sizeof(n), "%s-stale-or-new", c);
	if (v == MARK_A || v == MARK_B) {
		check_cond(n, 1, "");
		printf("OBSERVED %s %s\n", c, v == MARK_A ? "stale" : "new");
	} else {
		g_fail++;
		printf("FAIL %s got=0x%lx (neither page A's nor page B's marker)\n", n, v);
	}
}

/* ================= stage 1 (EL1&0 regime, runs at EL1) ================= */

static struct pt s1t;
static volatile u64 *s1d;     /* live leaf descriptor of V */
static u64 s1_desc_a, s1_desc_b;

static void s1_enable(u64 root, u64 asid)
{
	/* Table walks Non-cacheable and SCTLR_EL1.C = 0: every access (CPU stores to the
	 * tables, walks, data) is Non-cacheable, so turning the MMU off and on again in
	 * s1-mmu-off-on needs no cache maintenance. */
	write_sysreg(mair_el1, MAIR_DEFAULT);
	write_sysreg(tcr_el1, TCR_T0SZ(16) | TCR_SH0_INNER | TCR_EPD1 | TCR_IPS(2));
	write_sysreg(ttbr0_el1, root | asid << 48);
	isb();
	asm volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
	write_sysreg(sctlr_el1, (read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_I) & ~SCTLR_C);
	isb();
}

/* V -> A, cleanly: break, TLBI, make. */
static void s1_set_a(void)
{
	*s1d = 0;
	dsb_ish();
	tlbi(vae1, va_op(V, ASID_V));
	dsb_ish();
	*s1d = s1_desc_a;
	dsb_ish();
	isb();
}

static void s1_to_b_in_place(void)
{
	*s1d = s1_desc_b;
	dsb_ish();
	isb();
}

static void sync_tlbi(void)
{
	dsb_ish();
	isb();
}

/* ---- perturbations: none of them is required to remove the entry for V ---- */

/* Nothing at all: an unlocked entry is never required to disappear by itself
 * (D8.16: "no guarantee that an unlocked TLB entry remains", but nothing removes it). */
static void p_nothing(void)
{
}

/* TLBI VAE1 of another page (V + 4 KiB, same ASID): only entries for that page are
 * required to go (D8.17.5 "VA"). Strict TLB: stale. */
static void p_tlbi_other_page(void)
{
	tlbi(vae1, va_op(V + PG, ASID_V));
	sync_tlbi();
}

/* TLBI VAE1 of V with the wrong ASID: V is nG under ASID 1, and VAE1 removes only
 * global entries and non-global entries of the ASID given. Strict TLB: stale.
 * (QEMU ignores the ASID and flushes the page.) */
static void p_tlbi_va_other_asid(void)
{
	tlbi(vae1, va_op(V, ASID_OTHER));
	sync_tlbi();
}

/* TLBI ASIDE1 of another ASID: removes only non-global entries of ASID 2.
 * Strict TLB: stale. (QEMU flushes every EL1&0 entry.) */
static void p_aside1_other(void)
{
	tlbi(aside1, ASID_OTHER << 48);
	sync_tlbi();
}

/* Switch TTBR0_EL1.ASID to 2 and back to 1 (same tables): entries are tagged with their
 * ASID and survive a switch, that is what ASIDs are for. Strict TLB: stale.
 * (QEMU flushes its TLB on every ASID change.) */
static void p_asid_switch(void)
{
	u64 t = read_sysreg(ttbr0_el1) & ~(0xfffful << 48);
	write_sysreg(ttbr0_el1, t | ASID_OTHER << 48);
	isb();
	write_sysreg(ttbr0_el1, t | ASID_V << 48);
	isb();
}

/* SCTLR_EL1.M 1 -> 0 -> 1 without TLBI. D8.16 rule RNDCMB: "When a translation stage
 * is disabled and then re-enabled, TLB entries are not corrupted", and D8.17.6: TLB
 * maintenance is not affected by SCTLR_EL1.M; nothing invalidates on the way. Strict TLB:
 * stale. (QEMU flushes its whole TLB on any SCTLR write.) No memory access happens
 * between the two writes (the code is identity-mapped). */
static void p_mmu_off_on(void)
{
	u64 s = read_sysreg(sctlr_el1);
	asm volatile("msr sctlr_el1, %0; isb; msr sctlr_el1, %1; isb" ::"r"(s & ~SCTLR_M), "r"(s) : "memory");
}

/* ---- architected invalidations of V ---- */
static void f_vae1(void)
{
	tlbi(vae1, va_op(V, ASID_V));
	sync_tlbi();
}
static void f_aside1(void)
{
	tlbi(aside1, ASID_V << 48);
	sync_tlbi();
}
static void f_vaae1(void)
{
	tlbi(vaae1, va_op(V, 0));
	sync_tlbi();
}
static void f_vale1(void)
{
	/* V's leaf is a level-3 page descriptor: VALE1 removes it. */
	tlbi(vale1, va_op(V, ASID_V));
	sync_tlbi();
}
static void f_vmalle1(void)
{
	tlbi0(vmalle1);
	sync_tlbi();
}

static void s1_case(const char *name, void (*perturb)(void), void (*fix)(void))
{
	s1_set_a();
	checkf_eq(rd(V), MARK_A, "%s-before", name);
	s1_to_b_in_place();
	if (perturb) {
		perturb();
		observe(name, rd(V));
	}
	fix();
	checkf_eq(rd(V), MARK_B, "%s-fixed", name);
}

static u64 s1_suite(u64 unused)
{
	(void)unused;
	int lvl = -1;
	mmu_identity_el1(&s1t);
	/* V: Normal WB, read-only, never executable, non-global (ASID 1). */
	pt_map(&s1t, V, (u64)page_a, PG,
	       PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_AP_RO | PTE_NG | PTE_PXN | PTE_UXN, 3);
	s1d = pt_leaf(&s1t, V, &lvl);
	CHECK("s1-leaf-is-level3", s1d && lvl == 3);
	if (!s1d)
		return 0;
	s1_desc_a = *s1d;
	s1_desc_b = (s1_desc_a & ~PTE_ADDR_MASK) | (u64)page_b;
	s1_enable((u64)s1t.root, ASID_V);
	CHECK("s1-mmu-on", read_sysreg(sctlr_el1) & SCTLR_M);

	s1_case("s1-no-tlbi", p_nothing, f_vae1);
	s1_case("s1-tlbi-other-page", p_tlbi_other_page, f_vae1);
	s1_case("s1-tlbi-va-other-asid", p_tlbi_va_other_asid, f_vae1);
	s1_case("s1-aside1-other-asid", p_aside1_other, f_aside1);
	s1_case("s1-asid-switch", p_asid_switch, f_vae1);
	s1_case("s1-mmu-off-on", p_mmu_off_on, f_vae1);
	/* single TLBIs that are required to remove V's entry */
	s1_case("s1-vae1", NULL, f_vae1);
	s1_case("s1-vaae1", NULL, f_vaae1);
	s1_case("s1-vale1", NULL, f_vale1);
	s1_case("s1-aside1", NULL, f_aside1);
	s1_case("s1-vmalle1", NULL, f_vmalle1);
	return 0;
}

/* ================= stage 2 (EL2 owns it, EL1 reads) ================= */

#define HCR_RW (1ul << 31)
#define HCR_VM (1ul << 0)
#define VTCR_SH0_INNER (3ul << 12)

static struct pt s2t, s1u;
static volatile u64 *s2d;     /* live stage-2 leaf descriptor of IPA */
static u64 s2_desc_a, s2_desc_b;

static u64 el1_read(u64 va)
{
	return *(volatile u64 *)va;
}

static u64 rd1(u64 va)
{
	return run_el1(el1_read, va);
}

/* TLBI IPAS2E1 operand: IPA[47:12] in [35:0]. */
static u64 ipa_op(u64 ipa)
{
	return (ipa >> 12) & ((1ul << 36) - 1);
}

/* The complete stage-2 invalidation of one IPA (D8.17.6.1): IPAS2E1, DSB, VMALLE1. */
static void s2_full_inval(void)
{
	tlbi(ipas2e1, ipa_op(IPA));
	dsb_ish();
	tlbi0(vmalle1);
	sync_tlbi();
}

static void s2_set_a(void)
{
	*s2d = 0;
	dsb_ish();
	s2_full_inval();
	*s2d = s2_desc_a;
	dsb_ish();
	isb();
}

/* Nothing: as for stage 1. Strict TLB: stale. */
static void q_nothing(void)
{
}

/* TLBI IPAS2E1 alone: "The instruction is not required to invalidate TLB entries that
 * combine stage 1 and stage 2 translation table entries" (D8.17.5, IPAS2). EL1 reads VS
 * with stage 1 on, so the entry used is a combined VS -> PA one. Strict TLB: stale.
 * (QEMU 7.2 keeps combined entries in the EL1&0 TLB, which IPAS2E1 does not touch:
 * stale as well.) */
static void q_ipas2e1(void)
{
	tlbi(ipas2e1, ipa_op(IPA));
	sync_tlbi();
}

/* TLBI VMALLE1 alone: removes the stage-1 and combined entries of the current VMID,
 * but not stage-2-only entries (D8.17.5: VMALL "stage 1"). The re-walked stage 1 gives
 * the same IPA, whose stage-2-only entry (IPA -> A) a TLB is permitted to hold and use.
 * Strict TLB (it also caches the stage-2 translation it used): stale.
 * (QEMU 7.2 does not cache stage 2 separately: new.) */
static void q_vmalle1(void)
{
	tlbi0(vmalle1);
	sync_tlbi();
}

static void q_fix_vmalle1(void)
{
	q_vmalle1();
}

static void q_fix_full(void)
{
	s2_full_inval();
}

static void q_fix_vmalls12e1(void)
{
	tlbi0(vmalls12e1);
	sync_tlbi();
}

static void s2_case(const char *name, u64 va, void (*perturb)(void), void (*fix)(void))
{
	s2_set_a();
	checkf_eq(rd1(va), MARK_A, "%s-before", name);
	*s2d = s2_desc_b;     /* in place, no TLBI */
	dsb_ish();
	isb();
	if (perturb) {
		perturb();
		observe(name, rd1(va));
	}
	fix();
	checkf_eq(rd1(va), MARK_B, "%s-fixed", name);
}

static void s2_suite(void)
{
	int lvl = -1;
	u64 s2n = S2_MEMATTR(S2_MEMATTR_NORMAL_WB) | PTE_SH_INNER | PTE_AF;
	pt_init(&s2t, 1, 40);
	pt_map(&s2t, RAM_BASE, RAM_BASE, RAM_SIZE, s2n | S2AP_R | S2AP_W, 1);
	pt_map(&s2t, UART_BASE, UART_BASE, PG, S2_MEMATTR(S2_MEMATTR_DEVICE_nGnRE) | PTE_AF | S2AP_R | S2AP_W | S2_XN, 3);
	/* the test IPA: read-only at stage 2, never executable */
	pt_map(&s2t, IPA, (u64)page_a, PG, s2n | S2AP_R | S2_XN, 3);
	s2d = pt_leaf(&s2t, IPA, &lvl);
	CHECK("s2-leaf-is-level3", s2d && lvl == 3);
	if (!s2d)
		return;
	s2_desc_a = *s2d;
	s2_desc_b = (s2_desc_a & ~PTE_ADDR_MASK) | (u64)page_b;

	/* EL1 stage 1: identity (IPA = VA) plus VS -> IPA, read-only, global */
	mmu_identity_el1(&s1u);
	pt_map(&s1u, VS, IPA, PG, PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_AP_RO | PTE_PXN | PTE_UXN, 3);

	/* VTCR_EL2: T0SZ 24 (40-bit IPA), start level 1, Non-cacheable walks, 4 KiB, PS 40 bits */
	write_sysreg(vtcr_el2, VTCR_RES1 | VTCR_PS(2) | VTCR_SH0_INNER | VTCR_SL0(1) | TCR_T0SZ(24));
	write_sysreg(vttbr_el2, (u64)s2t.root | VMID_S2 << 48);
	write_sysreg(mair_el1, MAIR_DEFAULT);
	write_sysreg(tcr_el1, TCR_T0SZ(16) | TCR_SH0_INNER | TCR_EPD1 | TCR_IPS(2));
	write_sysreg(ttbr0_el1, (u64)s1u.root);
	write_sysreg(sctlr_el1, (read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_I) & ~SCTLR_C);
	write_sysreg(hcr_el2, HCR_RW | HCR_VM);
	isb();
	asm volatile("dsb ishst; tlbi vmalls12e1; dsb ish; isb" ::: "memory");

	/* stage 1 on at EL1: the entry used for VS combines both stages */
	s2_case("s2-no-tlbi", VS, q_nothing, q_fix_full);
	s2_case("s2-ipas2e1-only", VS, q_ipas2e1, q_fix_vmalle1);
	s2_case("s2-vmalle1-only", VS, q_vmalle1, q_fix_full);
	s2_case("s2-ipas2e1-vmalle1", VS, NULL, q_fix_full);
	s2_case("s2-vmalls12e1", VS, NULL, q_fix_vmalls12e1);

	/* stage 1 off at EL1 (VA = IPA). D8.17.6.1: "For an EL1&0 translation regime with
	 * stage 2 translation enabled, software is required to use the entire invalidation
	 * sequences, even if stage 1 translation is disabled": IPAS2E1 alone still need not
	 * remove what the TLB cached for the access. Strict TLB (it caches the translation it
	 * used, stage 1 being the flat map): stale. (QEMU 7.2 keeps it in the EL1&0 TLB,
	 * which IPAS2E1 does not flush: stale as well.) */
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~SCTLR_M);
	isb();
	s2_case("s2-s1off-ipas2e1-only", IPA, q_ipas2e1, q_fix_vmalle1);
	s2_case("s2-s1off-ipas2e1-vmalle1", IPA, NULL, q_fix_full);

	write_sysreg(hcr_el2, HCR_RW);
	isb();
}

int main(void)
{
	page_a[0] = MARK_A;
	page_b[0] = MARK_B;
	dsb();
	if (current_el() == 2) {
		/* EL1&0 entries are tagged with the VMID even with stage 2 off: give it a known
		 * value (D8.17.6 RTLJCY). */
		write_sysreg(vttbr_el2, VMID_S1 << 48);
		write_sysreg(hcr_el2, HCR_RW);
		isb();
		asm volatile("tlbi vmalls12e1; dsb ish; isb" ::: "memory");
		run_el1(s1_suite, 0);
		s2_suite();
	} else {
		s1_suite(0);
	}
	return 0;
}
