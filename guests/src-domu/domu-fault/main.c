/* domu-fault: a domU that cannot take the abort it causes. It points VBAR_EL1 at an IPA its
 * domain does not own, then reads that IPA. The hypervisor injects a data abort (Xen's
 * inject_abt64_exception), the fetch of the vector at VBAR_EL1 + 0x200 is itself a stage-2
 * instruction abort, and the domain is crashed with a Xen-style dump; the other domains keep
 * running. Nothing after the access may print. */
#include "check.h"

#define UNMAPPED_IPA 0x10000000ul /* below GUEST_RAM0_BASE, not a guest device */

int main(void)
{
	printf("domu-fault: VBAR_EL1 = %lx, reading unmapped IPA %lx\n", UNMAPPED_IPA, UNMAPPED_IPA);
	write_sysreg(vbar_el1, UNMAPPED_IPA);
	isb();
	u32 v = *(volatile u32 *)UNMAPPED_IPA;
	CHECK("unmapped-read-must-not-return", 0);
	printf("read %x\n", v);
	return 0;
}
