/* domu-flood: a domU that never ends and never stops trapping: a tight loop of hypercalls
 * (xen_version, and console_io writes of zero bytes). Sharing one pCPU with another domain, it
 * must not starve it: the other domain runs to its end while this one is still flooding. */
#include "check.h"

#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18

static long hcall(u64 nr, u64 a0, u64 a1, u64 a2)
{
	register u64 x0 asm("x0") = a0;
	register u64 x1 asm("x1") = a1;
	register u64 x2 asm("x2") = a2;
	register u64 x16 asm("x16") = nr;
	asm volatile("hvc #0xEA1" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x16)::"memory");
	return (long)x0;
}

static char buf[1];

int main(void)
{
	printf("flood: start\n");
	for (u64 i = 0;; i++) {
		hcall(__HYPERVISOR_xen_version, 0, 0, 0);
		hcall(__HYPERVISOR_console_io, 0, 0, (u64)buf);
		if ((i & 0xffff) == 0)
			printf("flood: %lu\n", i);
	}
	return 0;
}
