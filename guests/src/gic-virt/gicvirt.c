/* gic-virt (EL2 boot only): the GICv3 virtualization interface. EL2 (this
 * program) programs ICH_HCR/VMCR and list registers and runs code at EL1
 * under HCR_EL2.IMO/FMO; that code acknowledges and EOIs virtual interrupts
 * through the ICC_* names (which then reach ICV_*). Covered: ICH_VTR/ELRSR/
 * VMCR reset values, a virtual IRQ injected through an LR, acknowledged and
 * EOIed at EL1, the EOI maintenance interrupt (PPI 25) taken at EL2 with
 * MISR/EISR, virtual priority order, ICV_PMR/BPR/CTLR/RPR/IGRPEN views in
 * VMCR, EOIcount, a HW-linked LR whose virtual EOI deactivates the physical
 * SPI, virtual Group 0 as a virtual FIQ with EOImode 1 and ICV_DIR, ICH_HCR
 * traps (TALL1, TC) and the SGI1R trap under IMO. */
#include "check.h"
#include "gic.h"

#define LR_PENDING (1ul << 62)
#define LR_ACTIVE (1ul << 63)
#define LR_HW (1ul << 61)
#define LR_GROUP1 (1ul << 60)
#define LR_EOI (1ul << 41)
#define LR_PRIO(p) ((u64)(p) << 48)
#define LR_PINTID(p) ((u64)(p) << 32)
#define MAINT_INTID 25

#define ich_hcr S3_4_C12_C11_0
#define ich_vtr S3_4_C12_C11_1
#define ich_misr S3_4_C12_C11_2
#define ich_eisr S3_4_C12_C11_3
#define ich_elrsr S3_4_C12_C11_5
#define ich_vmcr S3_4_C12_C11_7
#define ich_lr0 S3_4_C12_C12_0
#define ich_lr1 S3_4_C12_C12_1
#define ich_lr2 S3_4_C12_C12_2
#define ich_lr3 S3_4_C12_C12_3
#define ich_ap1r0 S3_4_C12_C9_0
/* One more expansion level so the names above reach the asm string. */
#define RD(r) read_sysreg(r)
#define WR(r, v) write_sysreg(r, v)

/* What EL1 saw. */
static volatile u32 vseen[8];
static volatile u32 n_vseen;
static volatile u32 vfiq_seen;
static volatile int el1_mode;
/* What EL2 saw. */
static volatile u32 maint_count;
static volatile u64 maint_misr, maint_eisr;
static volatile u32 phys_spi_seen;

static int handler(u32 id, int group)
{
	if (current_el() == 1) {
		if (!group)
			vfiq_seen = id;
		else if (n_vseen < 8)
			vseen[n_vseen++] = id;
		if (el1_mode == 1 && !group) {
			/* EOImode 1 in the guest: drop only, deactivate later. */
			write_sysreg(S3_0_C12_C8_1, id);
			isb();
			return 1;
		}
		return 0;
	}
	/* EL2: the maintenance interrupt, or a physical SPI to forward. */
	if (id == MAINT_INTID) {
		maint_count++;
		maint_misr = RD(ich_misr);
		maint_eisr = RD(ich_eisr);
		WR(ich_lr0, 0); /* consume the EOI: the cause goes away */
		isb();
		return 0;
	}
	if (id == 60) {
		phys_spi_seen++;
		/* ICC_CTLR_EL1.EOImode = 1 here: drop priority, leave it active,
		 * and hand it to the guest through a HW list register. */
		write_sysreg(S3_0_C12_C12_1, id);
		isb();
		WR(ich_lr1, LR_PENDING | LR_HW | LR_GROUP1 | LR_PRIO(0x80) | LR_PINTID(60) | 60);
		isb();
		return 1;
	}
	return 0;
}

/* ---- EL1 code ---- */

static u64 el1_wait_virqs(u64 n)
{
	irq_enable();
	for (u64 i = 0; i < 1000000ul && n_vseen < n; i++)
		wfi();
	irq_disable();
	return n_vseen;
}

static u64 el1_wait_vfiq(u64 arg)
{
	irq_enable();
	for (u64 i = 0; i < 1000000ul && !vfiq_seen; i++)
		wfi();
	irq_disable();
	return vfiq_seen;
}

static u64 el1_views(u64 arg)
{
	u64 r = 0;
	r |= read_sysreg(S3_0_C4_C6_0) & 0xff;            /* ICV_PMR */
	r |= (read_sysreg(S3_0_C12_C12_3) & 7) << 8;      /* ICV_BPR1 */
	r |= (read_sysreg(S3_0_C12_C8_3) & 7) << 12;      /* ICV_BPR0 */
	r |= (read_sysreg(S3_0_C12_C11_3) & 0xff) << 16;  /* ICV_RPR */
	r |= (read_sysreg(S3_0_C12_C12_7) & 1) << 24;     /* ICV_IGRPEN1 */
	r |= (read_sysreg(S3_0_C12_C12_4) & 0xffff) << 32; /* ICV_CTLR */
	write_sysreg(S3_0_C4_C6_0, 0xc0);
	write_sysreg(S3_0_C12_C12_3, 4);
	isb();
	return r;
}

static u64 el1_eoi_unknown(u64 arg)
{
	write_sysreg(S3_0_C12_C9_0, 1ul << 10); /* ICV_AP1R0: priority 0x50 active */
	isb();
	write_sysreg(S3_0_C12_C12_1, 99);        /* ICV_EOIR1 of an INTID no LR holds */
	isb();
	return read_sysreg(S3_0_C12_C11_3);      /* ICV_RPR after the drop */
}

static u64 el1_read_iar1(u64 arg)
{
	return read_sysreg(S3_0_C12_C12_0) + 0x10000;
}

static u64 el1_read_pmr(u64 arg)
{
	return read_sysreg(S3_0_C4_C6_0) + 0x10000;
}

static u64 el1_send_sgi(u64 arg)
{
	write_sysreg(S3_0_C12_C11_5, sgi1r_targets(1, 1));
	isb();
	return 7;
}

static u64 el1_dir(u64 id)
{
	write_sysreg(S3_0_C12_C11_1, id); /* ICV_DIR */
	isb();
	return 0;
}

static void reset_vseen(void)
{
	n_vseen = 0;
	for (int i = 0; i < 8; i++)
		vseen[i] = 0;
}

int main(void)
{
	puts("gic-virt\n");
	if (current_el() != 2) {
		puts("needs EL2\n");
		return 0;
	}
	gic_install_handler();
	gic_handler = handler;
	gic_init_dist();
	gic_init_cpu(); /* also HCR_EL2.IMO/FMO */
	gic_config(0, MAINT_INTID, 0x80, 1, 0);
	gic_enable(0, MAINT_INTID);

	u64 vtr = RD(ich_vtr);
	CHECK_EQ("ich-vtr-listregs", vtr & 0x1f, 3);
	CHECK_EQ("ich-vtr-prebits", (vtr >> 26) & 7, 4);
	CHECK_EQ("ich-vtr-pribits", (vtr >> 29) & 7, 4);
	CHECK_EQ("ich-elrsr-all-empty", RD(ich_elrsr), 0xf);
	u64 vmcr = RD(ich_vmcr);
	CHECK_EQ("ich-vmcr-vbpr0", (vmcr >> 21) & 7, 2);
	CHECK_EQ("ich-vmcr-vbpr1", (vmcr >> 18) & 7, 3);
	CHECK_EQ("ich-misr-idle", RD(ich_misr), 0);

	/* The guest's view: VENG1, VPMR = 0xf8; then En. */
	WR(ich_vmcr, (0xf8ul << 24) | 2);
	WR(ich_hcr, 1);
	isb();

	/* 1. Inject vINTID 42 with an EOI maintenance request. */
	WR(ich_lr0, LR_PENDING | LR_GROUP1 | LR_EOI | LR_PRIO(0xa0) | 42);
	isb();
	CHECK_EQ("elrsr-lr0-used", RD(ich_elrsr) & 1, 0);
	u64 n = run_el1(el1_wait_virqs, 1);
	CHECK_EQ("virq-taken-at-el1", n, 1);
	CHECK_EQ("virq-intid", vseen[0], 42);
	CHECK_EQ("maintenance-taken-at-el2", maint_count, 1);
	CHECK_EQ("maintenance-misr-eoi", maint_misr & 1, 1);
	CHECK_EQ("maintenance-eisr-lr0", maint_eisr, 1);
	CHECK_EQ("lr0-consumed", RD(ich_lr0), 0);
	CHECK_EQ("elrsr-after", RD(ich_elrsr), 0xf);
	CHECK_EQ("maintenance-deasserted", gic_is_pending(0, MAINT_INTID), 0);

	/* 2. Two LRs: the higher virtual priority is acknowledged first; an LR
	 * without the EOI bit leaves no maintenance interrupt. */
	reset_vseen();
	WR(ich_lr2, LR_PENDING | LR_GROUP1 | LR_PRIO(0x80) | 43);
	WR(ich_lr3, LR_PENDING | LR_GROUP1 | LR_PRIO(0x40) | 44);
	isb();
	n = run_el1(el1_wait_virqs, 2);
	CHECK("virq-priority-order", n == 2 && vseen[0] == 44 && vseen[1] == 43);
	CHECK_EQ("lrs-invalid-after-eoi", (RD(ich_lr2) | RD(ich_lr3)) >> 62, 0);
	CHECK_EQ("no-maintenance-without-eoi-bit", maint_count, 1);
	WR(ich_lr2, 0);
	WR(ich_lr3, 0);

	/* 3. The ICV_* registers are views of ICH_VMCR_EL2. */
	u64 v = run_el1(el1_views, 0);
	CHECK_EQ("icv-pmr", v & 0xff, 0xf8);
	CHECK_EQ("icv-bpr1", (v >> 8) & 7, 3);
	CHECK_EQ("icv-bpr0", (v >> 12) & 7, 2);
	CHECK_EQ("icv-rpr-idle", (v >> 16) & 0xff, 0xff);
	CHECK_EQ("icv-igrpen1", (v >> 24) & 1, 1);
	CHECK_EQ("icv-ctlr-pribits", (v >> 40) & 7, 4);
	vmcr = RD(ich_vmcr);
	CHECK_EQ("vmcr-vpmr-written", vmcr >> 24, 0xc0);
	CHECK_EQ("vmcr-vbpr1-written", (vmcr >> 18) & 7, 4);
	WR(ich_vmcr, (0xf8ul << 24) | 2);
	isb();

	/* 4. EOI of an INTID in no LR: priority dropped, EOIcount incremented. */
	u64 rpr = run_el1(el1_eoi_unknown, 0);
	CHECK_EQ("eoi-unknown-drops-priority", rpr, 0xff);
	CHECK_EQ("eoicount", RD(ich_hcr) >> 27, 1);
	WR(ich_hcr, 1 | 4); /* LRENPIE with EOIcount 0 */
	isb();
	CHECK_EQ("misr-lrenp-clear", RD(ich_misr) & 4, 0);
	WR(ich_hcr, 1);
	isb();

	/* 5. Traps: ICH_HCR_EL2.TALL1 and TC; SGI1R under IMO. */
	WR(ich_hcr, 1 | (1 << 12));
	isb();
	expect_exception(0);
	run_el1(el1_read_iar1, 0);
	CHECK_EQ("tall1-traps-iar1", exc.count == 1 && exc.el == 2 && EC(exc.esr) == 0x18, 1);
	WR(ich_hcr, 1 | (1 << 10));
	isb();
	expect_exception(0);
	run_el1(el1_read_pmr, 0);
	CHECK_EQ("tc-traps-pmr", exc.count == 1 && exc.el == 2 && EC(exc.esr) == 0x18, 1);
	WR(ich_hcr, 1);
	isb();
	expect_exception(0);
	run_el1(el1_read_pmr, 0);
	CHECK_EQ("no-trap-without-tc", exc.count, 0);
	exc.armed = 0;
	expect_exception(0);
	run_el1(el1_send_sgi, 0);
	CHECK_EQ("sgi1r-traps-under-imo", exc.count == 1 && exc.el == 2 && EC(exc.esr) == 0x18, 1);
	CHECK_EQ("sgi1r-trap-not-sent", gic_is_pending(0, 1), 0);

	/* 6. Virtual Group 0 is a virtual FIQ; guest EOImode 1: EOI drops the
	 * priority only, ICV_DIR deactivates. */
	WR(ich_vmcr, (0xf8ul << 24) | 3 | (1 << 9)); /* VENG0, VENG1, VEOIM */
	WR(ich_lr2, LR_PENDING | LR_PRIO(0x90) | 7);
	isb();
	el1_mode = 1;
	u64 f = run_el1(el1_wait_vfiq, 0);
	CHECK_EQ("vfiq-group0", f, 7);
	CHECK_EQ("veoim-still-active", RD(ich_lr2) >> 62, 2);
	run_el1(el1_dir, 7);
	CHECK_EQ("icv-dir-deactivates", RD(ich_lr2) >> 62, 0);
	el1_mode = 0;
	WR(ich_lr2, 0);
	WR(ich_vmcr, (0xf8ul << 24) | 2);
	isb();

	/* 7. A HW-linked LR: physical SPI 60 taken at EL2 (EOImode 1: priority
	 * drop only), forwarded as vINTID 60; the guest's EOI deactivates it. */
	icc_write(S3_0_C12_C12_4, 2);
	gic_config(0, 60, 0x80, 1, 1);
	gic_enable(0, 60);
	gic_set_pending(0, 60);
	irq_enable();
	irq_disable();
	CHECK_EQ("phys-spi-at-el2", phys_spi_seen, 1);
	CHECK_EQ("phys-spi-still-active", gic_is_active(0, 60), 1);
	reset_vseen();
	n = run_el1(el1_wait_virqs, 1);
	CHECK("hw-virq-taken", n == 1 && vseen[0] == 60);
	CHECK_EQ("hw-lr-invalid", RD(ich_lr1) >> 62, 0);
	CHECK_EQ("hw-lr-deactivated-physical", gic_is_active(0, 60), 0);
	icc_write(S3_0_C12_C12_4, 0);
	WR(ich_lr1, 0);
	WR(ich_hcr, 0);
	isb();
	return 0;
}
