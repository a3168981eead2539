/* domu-abort: a domU touching memory and devices it does not own takes the synchronous abort
 * Xen injects (arch/arm/traps.c inject_abt64_exception) into its own EL1 vectors, checks the
 * syndrome in its handler and carries on:
 *   ESR_EL1: EC 0x25 (data abort, same EL) / 0x21 (instruction abort, same EL) from EL1,
 *            0x24 / 0x20 from EL0; IL 1; ISS 0 (no ISV/WnR/FnV/EA, DFSC 0b000000)
 *   FAR_EL1: the faulting address; ELR_EL1: the faulting instruction; PSTATE: EL1h, DAIF masked.
 * The same guest runs on real Xen 4.17 under QEMU (test/hv/realXen.test.ts compares the lines). */
#include "check.h"

#define UNOWNED_IPA 0x10000000ul /* below GUEST_RAM0_BASE: no RAM, no device */
/* Host RAM that belongs to the other domain of the test configuration (domU2's bank; the test
 * checks this against the hypervisor's allocation). Not in this domain's p2m. */
#define OTHER_DOMAIN_PA 0x5e000100ul
#define GUEST_GICD_BASE 0x03001000ul /* the emulated vGIC distributor */

#define DABT_CUR 0x25
#define IABT_CUR 0x21
#define DABT_LOW 0x24
#define DAIF_ALL 0x3c0
#define SPSR_EL1H 0x5

static int abort_ok(int ec, u64 far, u64 elr)
{
	return exc.count == 1 && exc.el == 1 && exc.vec == 4 && EC(exc.esr) == (u64)ec && IL(exc.esr) == 1 &&
	       ISS(exc.esr) == 0 && exc.far == far && exc.elr == elr && exc.daif == DAIF_ALL &&
	       (exc.spsr & 0xf) == SPSR_EL1H;
}

static void report(const char *name, int ok)
{
	printf("ABT %s esr=%lx far=%lx vec=%d\n", name, (u64)exc.esr, (u64)exc.far, exc.vec);
	check_cond(name, ok, "injected abort syndrome");
}

static void data_read(const char *name, u64 addr)
{
	u64 at, v = 0;
	expect_exception(0);
	asm volatile("adr %0, 1f\n1:\tldr %w1, [%2]" : "=&r"(at), "=&r"(v) : "r"(addr) : "memory");
	report(name, abort_ok(DABT_CUR, addr, at));
}

static void data_write(const char *name, u64 addr)
{
	u64 at;
	expect_exception(0);
	asm volatile("adr %0, 1f\n1:\tstr %w1, [%2]" : "=&r"(at) : "r"(0x5a5a5a5au), "r"(addr) : "memory");
	report(name, abort_ok(DABT_CUR, addr, at));
}

/* A load pair on the vGIC distributor: a registered MMIO range, but no valid syndrome (ISV 0),
 * so the access cannot be emulated (Xen: try_handle_mmio → IO_ABORT). */
static void mmio_no_isv(void)
{
	u64 at, a, b;
	expect_exception(0);
	asm volatile("adr %0, 1f\n1:\tldp %w1, %w2, [%3]" : "=&r"(at), "=&r"(a), "=&r"(b) : "r"(GUEST_GICD_BASE) : "memory");
	report("abort-gicd-ldp-no-isv", abort_ok(DABT_CUR, GUEST_GICD_BASE, at));
}

/* The vpl011 (Xen 4.17's vpl011_mmio_read/write) refuses what it does not emulate: an unknown
 * register (here CR and PeriphID0) or a 64-bit access. The handler returns 0 and Xen injects
 * the same abort as for an unowned IPA. */
static void vpl011_refused(void)
{
	u64 at, v;
	expect_exception(0);
	asm volatile("adr %0, 1f\n1:\tstr wzr, [%1]" : "=&r"(at) : "r"(UART_BASE + 0x30) : "memory");
	report("abort-vpl011-write-cr", abort_ok(DABT_CUR, UART_BASE + 0x30, at));
	expect_exception(0);
	asm volatile("adr %0, 1f\n1:\tldr %w1, [%2]" : "=&r"(at), "=&r"(v) : "r"(UART_BASE + 0xfe0) : "memory");
	report("abort-vpl011-read-periphid", abort_ok(DABT_CUR, UART_BASE + 0xfe0, at));
	expect_exception(0);
	asm volatile("adr %0, 1f\n1:\tldr %1, [%2]" : "=&r"(at), "=&r"(v) : "r"(UART_BASE + 0x18) : "memory");
	report("abort-vpl011-read64-fr", abort_ok(DABT_CUR, UART_BASE + 0x18, at));
}

/* Branch to an unowned IPA: a stage-2 instruction abort; the handler returns through x30. */
static void fetch_unowned(void)
{
	expect_exception(RESUME_LR);
	((void (*)(void))UNOWNED_IPA)();
	report("abort-fetch-unowned-ipa", abort_ok(IABT_CUR, UNOWNED_IPA, UNOWNED_IPA));
}

static u64 el0_read(u64 addr)
{
	return *(volatile u32 *)addr;
}

/* From EL0 the abort is "from a lower EL" and uses the lower-EL AArch64 vector (0x400). */
static void el0_read_unowned(void)
{
	expect_exception(0);
	run_el0(el0_read, UNOWNED_IPA);
	printf("ABT abort-el0-read esr=%lx far=%lx vec=%d\n", (u64)exc.esr, (u64)exc.far, exc.vec);
	CHECK("abort-el0-read", exc.count == 1 && exc.el == 1 && exc.vec == 8 && EC(exc.esr) == DABT_LOW &&
					ISS(exc.esr) == 0 && exc.far == UNOWNED_IPA && (exc.spsr & 0xf) == 0);
}

int main(void)
{
	data_read("abort-read-unowned-ipa", UNOWNED_IPA);
	data_write("abort-write-unowned-ipa", UNOWNED_IPA + 0x1000);
	data_read("abort-read-other-domain-pa", OTHER_DOMAIN_PA);
	mmio_no_isv();
	vpl011_refused();
	fetch_unowned();
	el0_read_unowned();
	/* After all of that the domain still works: its own RAM and its vpl011. */
	volatile u64 x = 41;
	x++;
	CHECK_EQ("carries-on", x, 42);
	return 0;
}
