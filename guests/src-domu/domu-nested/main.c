/* domu-nested: a domU whose abort handler returns to the faulting access without changing
 * anything (ELR_EL1 left at the access, no hypercall). The stage-2 tables are unchanged, so
 * it would fault there forever: the hypervisor delivers the first abort, and crashes the
 * domain on the second ("nested abort", src/hv/inject.ts). Nothing after the access may print. */
#include "check.h"

#define UNMAPPED_IPA 0x10000000ul

int main(void)
{
	u64 at;
	printf("domu-nested: retrying a read of unmapped IPA %lx\n", UNMAPPED_IPA);
	asm volatile("adr %0, 1f" : "=r"(at));
	expect_exception(at); /* resume at the faulting load itself */
	asm volatile("1:\tldr wzr, [%0]" ::"r"(UNMAPPED_IPA) : "memory");
	CHECK("retried-read-must-not-return", 0);
	return 0;
}
