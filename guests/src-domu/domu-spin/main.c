/* domu-spin: a domU that computes for about 10 ms of virtual time without a single trap.
 * Sharing a pCPU with another domain, it must not starve it: the hypervisor's scheduler tick
 * (the EL2 physical timer) preempts it, so the other domain finishes first. */
#include "check.h"

int main(void)
{
	printf("spin: start\n");
	volatile u64 x = 0;
	for (u64 i = 0; i < 2000000; i++)
		x += i;
	CHECK_EQ("spin-sum", x, 1999999000000ul);
	return 0;
}
