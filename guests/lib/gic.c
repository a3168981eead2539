/* GICv3 helpers for the test guests: see gic.h. */
#include "gic.h"

int (*gic_handler)(u32 intid, int group);
volatile u32 gic_taken[MAX_CPUS];

void gic_init_dist(void)
{
	mmio_w32(GICD_BASE + GICD_CTLR, 0);
	for (u32 n = 1; n < 8; n++) {
		mmio_w32(GICD_BASE + GICD_ICENABLER + 4 * n, 0xffffffff);
		mmio_w32(GICD_BASE + GICD_ICPENDR + 4 * n, 0xffffffff);
		mmio_w32(GICD_BASE + GICD_ICACTIVER + 4 * n, 0xffffffff);
		mmio_w32(GICD_BASE + GICD_IGROUPR + 4 * n, 0xffffffff);
	}
	for (u32 i = 32; i < 256; i += 4)
		mmio_w32(GICD_BASE + GICD_IPRIORITYR + i, 0xa0a0a0a0);
	for (u32 i = 32; i < 256; i++)
		mmio_w64(GICD_BASE + GICD_IROUTER + 8 * i, 0);
	mmio_w32(GICD_BASE + GICD_CTLR, 3); /* EnableGrp0 | EnableGrp1 */
}

void gic_init_cpu(void)
{
	int cpu = cpu_id();
	u64 sgi = GICR_SGI(cpu);
	mmio_w32(GICR_RD(cpu) + GICR_WAKER, 0);
	while (mmio_r32(GICR_RD(cpu) + GICR_WAKER) & 4)
		;
	mmio_w32(sgi + GICD_ICENABLER, 0xffffffff);
	mmio_w32(sgi + GICD_ICPENDR, 0xffffffff);
	mmio_w32(sgi + GICD_ICACTIVER, 0xffffffff);
	mmio_w32(sgi + GICD_IGROUPR, 0xffffffff);
	for (u32 i = 0; i < 32; i += 4)
		mmio_w32(sgi + GICD_IPRIORITYR + i, 0xa0a0a0a0);
	if (current_el() == 2) {
		write_sysreg(hcr_el2, read_sysreg(hcr_el2) | (1ul << 3) | (1ul << 4));
		icc_write(S3_4_C12_C9_5, 0xf); /* ICC_SRE_EL2 */
	}
	icc_write(S3_0_C12_C12_5, 7);      /* ICC_SRE_EL1 */
	icc_write(S3_0_C4_C6_0, 0xff);     /* ICC_PMR_EL1 */
	icc_write(S3_0_C12_C8_3, 0);       /* ICC_BPR0_EL1: minimum */
	icc_write(S3_0_C12_C12_3, 0);      /* ICC_BPR1_EL1: minimum */
	icc_write(S3_0_C12_C12_4, 0);      /* ICC_CTLR_EL1: EOImode 0, CBPR 0 */
	icc_write(S3_0_C12_C12_6, 1);      /* ICC_IGRPEN0_EL1 */
	icc_write(S3_0_C12_C12_7, 1);      /* ICC_IGRPEN1_EL1 */
}

static u64 intid_base(int cpu, u32 intid)
{
	return intid < 32 ? GICR_SGI(cpu) : GICD_BASE;
}

void gic_config(int cpu, u32 intid, u32 prio, int group, int edge)
{
	u64 b = intid_base(cpu, intid);
	u64 g = b + GICD_IGROUPR + 4 * (intid / 32);
	u32 v = mmio_r32(g);
	v = group ? v | (1u << (intid % 32)) : v & ~(1u << (intid % 32));
	mmio_w32(g, v);
	mmio_w8(b + GICD_IPRIORITYR + intid, (u8)prio);
	if (intid >= 16) {
		u64 c = b + GICD_ICFGR + 4 * (intid / 16);
		u32 cv = mmio_r32(c);
		u32 bit = 2u << (2 * (intid % 16));
		mmio_w32(c, edge ? cv | bit : cv & ~bit);
	}
	if (intid >= 32)
		mmio_w64(GICD_BASE + GICD_IROUTER + 8 * intid, (u64)cpu);
}

static void bit_write(int cpu, u32 intid, u32 reg)
{
	mmio_w32(intid_base(cpu, intid) + reg + 4 * (intid / 32), 1u << (intid % 32));
}

static int bit_read(int cpu, u32 intid, u32 reg)
{
	return (mmio_r32(intid_base(cpu, intid) + reg + 4 * (intid / 32)) >> (intid % 32)) & 1;
}

void gic_enable(int cpu, u32 intid) { bit_write(cpu, intid, GICD_ISENABLER); }
void gic_disable(int cpu, u32 intid) { bit_write(cpu, intid, GICD_ICENABLER); }
void gic_set_pending(int cpu, u32 intid) { bit_write(cpu, intid, GICD_ISPENDR); }
void gic_clear_pending(int cpu, u32 intid) { bit_write(cpu, intid, GICD_ICPENDR); }
int gic_is_pending(int cpu, u32 intid) { return bit_read(cpu, intid, GICD_ISPENDR); }
int gic_is_active(int cpu, u32 intid) { return bit_read(cpu, intid, GICD_ISACTIVER); }

void gic_send_sgi1(u64 v)
{
	dsb();
	write_sysreg(S3_0_C12_C11_5, v);
	isb();
}

void gic_send_sgi0(u64 v)
{
	dsb();
	write_sysreg(S3_0_C12_C11_7, v);
	isb();
}

static int gic_exc_hook(int vec, struct frame *f, int el)
{
	int kind = vec & 3; /* 1 = IRQ, 2 = FIQ */
	(void)f;
	(void)el;
	/* Current EL with SP_ELx (5, 6) or a lower EL in AArch64 (9, 10). */
	if (vec < 4 || vec >= 12 || (kind != 1 && kind != 2))
		return 0;
	int group = kind == 1;
	for (;;) {
		u32 id = group ? (u32)read_sysreg(S3_0_C12_C12_0) : (u32)read_sysreg(S3_0_C12_C8_0);
		if (id >= 1020)
			break;
		gic_taken[cpu_id()]++;
		int done = gic_handler ? gic_handler(id, group) : 0;
		if (!done) {
			if (group)
				write_sysreg(S3_0_C12_C12_1, id);
			else
				write_sysreg(S3_0_C12_C8_1, id);
			isb();
		}
	}
	return 1;
}

void gic_install_handler(void)
{
	exc_hook = gic_exc_hook;
}
