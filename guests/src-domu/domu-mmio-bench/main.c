/* domu-mmio-bench: 100000 writes to the vpl011's IMSC register, each a stage-2 data abort the
 * hypervisor emulates (decode the ISS, dispatch to the vpl011, skip the instruction, ERET):
 * bench/traps.ts times the round trips. The guest also times its loop with the virtual counter
 * (BENCH mmio-ticks): under QEMU (the real-Xen peer) that counter follows host time, so the
 * peer's figure is free of its boot time; under armvisor it is virtual time, and the bench uses
 * host time instead. */
#include "check.h"

#define ROUND_TRIPS 100000
#define VPL011_IMSC (UART_BASE + 0x38)

int main(void)
{
	volatile u32 *imsc = (volatile u32 *)VPL011_IMSC;
	isb();
	u64 t0 = read_sysreg(cntvct_el0);
	for (u32 i = 0; i < ROUND_TRIPS; i++)
		*imsc = i & 0x7ff;
	isb();
	u64 t1 = read_sysreg(cntvct_el0);
	CHECK_EQ("imsc-last", *imsc, (ROUND_TRIPS - 1) & 0x7ff);
	printf("BENCH mmio-round-trips=%u\n", ROUND_TRIPS);
	printf("BENCH mmio-ticks=%lu cntfrq=%lu\n", t1 - t0, read_sysreg(cntfrq_el0));
	return 0;
}
