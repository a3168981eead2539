/* domu-hcall: Xen's hypercall ABI from a domU (HVC #0xEA1, number in x16, arguments in x0..x4,
 * result in x0) and PSCI over HVC: good calls work, bad arguments get Xen's error codes. */
#include "check.h"

#define XEN_HYPERCALL_TAG 0xEA1
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_sched_op 29
#define CONSOLEIO_write 0
#define XENVER_version 0
#define SCHEDOP_yield 0
#define SCHEDOP_shutdown 2
#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_INVALID_PARAMETERS -2
#define PSCI_ALREADY_ON -4
#define EFAULT 14
#define ENOSYS 38

static long hcall(u64 nr, u64 a0, u64 a1, u64 a2)
{
	register u64 x0 asm("x0") = a0;
	register u64 x1 asm("x1") = a1;
	register u64 x2 asm("x2") = a2;
	register u64 x16 asm("x16") = nr;
	asm volatile("hvc #0xEA1" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x16)::"memory");
	return (long)x0;
}

/* HVC with an immediate that is neither 0 (SMCCC) nor 0xEA1: Xen injects UNDEFINED. */
static void hvc_bad_imm(void)
{
	u64 at;
	expect_exception(0);
	asm volatile("adr %0, 1f\n1:\thvc #1" : "=r"(at)::"memory");
	CHECK("hvc-bad-imm-undef", exc.count == 1 && exc.el == 1 && exc.vec == 4 && EC(exc.esr) == 0 && exc.elr == at);
}

static u64 smc_psci_version(void)
{
	register u64 x0 asm("x0") = 0x84000000;
	asm volatile("smc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	return x0;
}

static const char msg[] = "hello through console_io\n";

int main(void)
{
	long v = hcall(__HYPERVISOR_xen_version, XENVER_version, 0, 0);
	printf("xen_version: %ld.%ld\n", v >> 16, v & 0xffff);
	CHECK("xen-version-4.17", v == ((4 << 16) | 17));
	CHECK("console-io-write", hcall(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(msg) - 1, (u64)msg) == sizeof(msg) - 1);
	CHECK("console-io-bad-buffer-efault", hcall(__HYPERVISOR_console_io, CONSOLEIO_write, 16, 0x10000000ul) == -EFAULT);
	CHECK("console-io-bad-cmd-enosys", hcall(__HYPERVISOR_console_io, 99, 0, 0) == -ENOSYS);
	CHECK("sched-op-yield", hcall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0) == 0);
	CHECK("sched-op-bad-cmd-enosys", hcall(__HYPERVISOR_sched_op, 77, 0, 0) == -ENOSYS);
	CHECK("sched-op-shutdown-bad-pointer-efault", hcall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, 0x10000000ul, 0) == -EFAULT);
	CHECK("unknown-hypercall-enosys", hcall(1000, 0, 0, 0) == -ENOSYS);
	CHECK("psci-version-1.1", psci_call(0x84000000, 0, 0, 0) == 0x10001);
	CHECK("psci-over-trapped-smc", smc_psci_version() == 0x10001);
	CHECK("actlr-el1-reads-zero", read_sysreg(actlr_el1) == 0);
	hvc_bad_imm();
	CHECK("psci-cpu-on-bad-target", (long)psci_call(PSCI_CPU_ON, 0x55, 0x40080000ul, 0) == PSCI_INVALID_PARAMETERS);
	CHECK("psci-cpu-on-self-already-on", (long)psci_call(PSCI_CPU_ON, 0, 0x40080000ul, 0) == PSCI_ALREADY_ON);
	CHECK("psci-unknown-not-supported", (long)psci_call(0x8400004f, 0, 0, 0) == -1);
	return 0;
}
