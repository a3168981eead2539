/* PSCI calls. QEMU virt picks the conduit from the highest EL it models:
 * started at EL2 (virtualization=on) -> SMC, started at EL1 -> HVC. */
#include "lib.h"

u64 psci_call(u64 fid, u64 a1, u64 a2, u64 a3)
{
	int smc = current_el() == 2; /* before binding register variables */
	register u64 x0 asm("x0") = fid;
	register u64 x1 asm("x1") = a1;
	register u64 x2 asm("x2") = a2;
	register u64 x3 asm("x3") = a3;
	if (smc)
		asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory", "x4", "x5",
			     "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
			     "x16", "x17");
	else
		asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory", "x4", "x5",
			     "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
			     "x16", "x17");
	return x0;
}

void psci_system_off(void)
{
	if (current_el() == 0) {
		/* Ask our own handler one level up to do it. */
		asm volatile("svc #0xFFFF");
	} else if (current_el() < boot_el) {
		asm volatile("hvc #0xFFFF");
	} else {
		psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	}
	for (;;)
		asm volatile("wfi");
}
