/* domu-mmio-bench: 100000 writes to the vpl011's IMSC register, each a stage-2 data abort the
 * hypervisor emulates (decode the ISS, dispatch to the vpl011, skip the instruction, ERET):
 * bench/traps.ts times the round trips. */
#include "check.h"

#define ROUND_TRIPS 100000
#define VPL011_IMSC (UART_BASE + 0x38)

int main(void)
{
	volatile u32 *imsc = (volatile u32 *)VPL011_IMSC;
	for (u32 i = 0; i < ROUND_TRIPS; i++)
		*imsc = i & 0x7ff;
	CHECK_EQ("imsc-last", *imsc, (ROUND_TRIPS - 1) & 0x7ff);
	printf("BENCH mmio-round-trips=%u\n", ROUND_TRIPS);
	return 0;
}
