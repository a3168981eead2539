/* domu-fault: a domU that reads an IPA its domain has no mapping for (and no emulated device
 * answers). The hypervisor cannot handle that access: it crashes this domain with a Xen-style
 * dump, and the other domains keep running. Nothing after the access may print. */
#include "check.h"

#define UNMAPPED_IPA 0x10000000ul /* below GUEST_RAM0_BASE, not a guest device */

int main(void)
{
	printf("domu-fault: reading unmapped IPA %lx\n", UNMAPPED_IPA);
	u32 v = *(volatile u32 *)UNMAPPED_IPA;
	CHECK("unmapped-read-must-not-return", 0);
	printf("read %x\n", v);
	return 0;
}
