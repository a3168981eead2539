/* dom0-check: the hardware domain's view of the machine (src/hv/domain/dom0.ts). Started by the
 * hypervisor as dom0 with the virt board's tree as Xen rewrites it for dom0 (x0 = its DTB), it
 * walks the flattened tree and checks what Xen's construct_dom0 promises: a /hypervisor node, the
 * UART Xen uses hidden, the GIC node at the host addresses (and the vGIC answering there), its
 * RAM 1:1 where it runs, the timer on the host PPIs, a passed-through device (the PL031 RTC)
 * whose MMIO is mapped 1:1 and reachable. Output goes through console_io (-DCONSOLE_IO); the
 * runtime's SYSTEM_OFF then halts the machine ("Hardware Dom0 halted"). */
#include "check.h"

#ifndef DOM0_MEM
#define DOM0_MEM (64ul << 20)
#endif
#ifndef DOM0_BOOTARGS
#define DOM0_BOOTARGS "console=hvc0 dom0-check"
#endif
#define TEXT_OFFSET 0x80000ul
#define RTC_BASE 0x09010000ul
#define GICD_BASE 0x08000000ul
#define GICR_BASE 0x080a0000ul
#define FDT_MAGIC 0xd00dfeedu

extern char __image_start[];

static u32 be32(const void *p)
{
	const u8 *b = p;
	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}
static u64 be64(const void *p) { return ((u64)be32(p) << 32) | be32((const u8 *)p + 4); }

/* What the walk found (depth-1 nodes only, plus /cpus children). */
static struct {
	int hypervisor, hyp_compat_ok, host_uart, gic, gic_regs_ok, memory, timer_ok, rtc, psci_hvc;
	int cpus, chosen_bootargs_ok, pl031_reg_ok;
	u64 mem_base, mem_size;
} f;

static int prefix(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return 0;
	return 1;
}

static void prop(int depth, const char *node, const char *in_cpus_name, const char *name, const u8 *v, u32 len)
{
	if (depth == 1 && strcmp(node, "hypervisor") == 0 && strcmp(name, "compatible") == 0)
		f.hyp_compat_ok = len >= 13 && strcmp((const char *)v, "xen,xen-4.17") == 0;
	if (depth == 1 && strcmp(node, "interrupt-controller") == 0 && strcmp(name, "reg") == 0)
		f.gic_regs_ok = len >= 32 && be64(v) == GICD_BASE && be64(v + 16) == GICR_BASE;
	if (depth == 1 && prefix(node, "memory@") && strcmp(name, "reg") == 0 && len >= 16) {
		f.mem_base = be64(v);
		f.mem_size = be64(v + 8);
	}
	if (depth == 1 && strcmp(node, "timer") == 0 && strcmp(name, "interrupts") == 0) {
		static const u32 want[9] = { 1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08 };
		int ok = len == sizeof(want);
		for (unsigned i = 0; ok && i < 9; i++)
			ok = be32(v + 4 * i) == want[i];
		f.timer_ok = ok;
	}
	if (depth == 1 && strcmp(node, "pl031@9010000") == 0 && strcmp(name, "reg") == 0)
		f.pl031_reg_ok = len == 16 && be64(v) == RTC_BASE && be64(v + 8) == 0x1000;
	if (depth == 1 && strcmp(node, "psci") == 0 && strcmp(name, "method") == 0)
		f.psci_hvc = strcmp((const char *)v, "hvc") == 0;
	if (depth == 1 && strcmp(node, "chosen") == 0 && strcmp(name, "bootargs") == 0)
		f.chosen_bootargs_ok = strcmp((const char *)v, DOM0_BOOTARGS) == 0;
	(void)in_cpus_name;
}

static void node_begin(int depth, const char *name, const char *parent)
{
	if (depth != 1) {
		if (depth == 2 && strcmp(parent, "cpus") == 0 && prefix(name, "cpu@"))
			f.cpus++;
		return;
	}
	if (strcmp(name, "hypervisor") == 0)
		f.hypervisor = 1;
	if (strcmp(name, "pl011@9000000") == 0)
		f.host_uart = 1;
	if (strcmp(name, "interrupt-controller") == 0)
		f.gic = 1;
	if (prefix(name, "memory@"))
		f.memory = 1;
	if (strcmp(name, "pl031@9010000") == 0)
		f.rtc = 1;
}

static int walk(const u8 *fdt)
{
	if (be32(fdt) != FDT_MAGIC)
		return 0;
	const u8 *st = fdt + be32(fdt + 8);
	const char *strs = (const char *)fdt + be32(fdt + 12);
	const char *names[8] = { "" };
	int depth = -1;
	for (const u8 *p = st;;) {
		u32 tok = be32(p);
		p += 4;
		if (tok == 1) { /* FDT_BEGIN_NODE */
			const char *n = (const char *)p;
			depth++;
			if (depth < 8)
				names[depth] = n;
			node_begin(depth, n, depth > 0 ? names[depth - 1] : "");
			p += (strlen(n) + 4) & ~3ul;
		} else if (tok == 2) { /* FDT_END_NODE */
			depth--;
		} else if (tok == 3) { /* FDT_PROP */
			u32 len = be32(p), off = be32(p + 4);
			p += 8;
			prop(depth, depth >= 0 && depth < 8 ? names[depth] : "", "", strs + off, p, len);
			p += (len + 3) & ~3ul;
		} else if (tok == 4) { /* FDT_NOP */
		} else {
			return tok == 9; /* FDT_END */
		}
	}
}

static u32 rd32(u64 a) { return *(volatile u32 *)a; }
static void wr32(u64 a, u32 v) { *(volatile u32 *)a = v; }

int main(void)
{
	CHECK("dom0-dtb-parses", walk((const u8 *)boot_dtb));
	CHECK("dom0-hypervisor-node", f.hypervisor && f.hyp_compat_ok);
	CHECK("dom0-host-uart-hidden", !f.host_uart);
	CHECK("dom0-gic-node-at-host-address", f.gic && f.gic_regs_ok);
	CHECK("dom0-memory-node", f.memory);
	CHECK_EQ("dom0-memory-1to1-base", f.mem_base, (u64)__image_start - TEXT_OFFSET);
	CHECK_EQ("dom0-memory-size", f.mem_size, DOM0_MEM);
	CHECK("dom0-dtb-inside-memory", boot_dtb >= f.mem_base && boot_dtb < f.mem_base + f.mem_size);
	CHECK("dom0-timer-host-ppis-level-low", f.timer_ok);
	CHECK("dom0-psci-hvc", f.psci_hvc);
	CHECK_EQ("dom0-vcpus", f.cpus, 2);
	CHECK("dom0-chosen-bootargs", f.chosen_bootargs_ok);
	CHECK("dom0-rtc-node", f.rtc && f.pl031_reg_ok);
	/* The passed-through PL031: ID registers through the 1:1 stage-2 mapping. */
	CHECK_EQ("dom0-rtc-periphid0", rd32(RTC_BASE + 0xfe0), 0x31);
	CHECK_EQ("dom0-rtc-periphid1", rd32(RTC_BASE + 0xfe4), 0x10);
	CHECK_EQ("dom0-rtc-pcellid0", rd32(RTC_BASE + 0xff0), 0x0d);
	CHECK_EQ("dom0-rtc-pcellid3", rd32(RTC_BASE + 0xffc), 0xb1);
	wr32(RTC_BASE + 0x08, 0x12345678u);
	u32 dr = rd32(RTC_BASE + 0x00);
	CHECK("dom0-rtc-load-then-count", dr >= 0x12345678u && dr <= 0x12345678u + 2);
	/* The vGIC at the hardware addresses: GICD_PIDR2.ArchRev = 3, GICR_TYPER.Last on vCPU1's frame. */
	CHECK_EQ("dom0-vgicd-pidr2-gicv3", (rd32(GICD_BASE + 0xffe8) >> 4) & 0xf, 3);
	CHECK_EQ("dom0-vgicr0-typer-affinity", rd32(GICR_BASE + 0x0c), 0);
#ifdef DOM0_LINGER_MS
	/* dom0's SYSTEM_OFF halts the machine (Xen's "Hardware Dom0 halted"): where domUs run beside
	 * it, give them DOM0_LINGER_MS of the generic timer first (virtual time under armvisor). */
	u64 frq, now, end;
	asm volatile("mrs %0, cntfrq_el0" : "=r"(frq));
	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
	for (end = now + frq / 1000 * DOM0_LINGER_MS; now < end;)
		asm volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
#endif
	return 0;
}
