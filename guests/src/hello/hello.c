/* hello: the default demo guest of `armvisor run` (no image given). It says where it runs,
 * does a little real work (primes by sieve, a CRC), and powers off with PSCI SYSTEM_OFF. */
#include "check.h"

static u8 sieve[2000];

static u32 crc32_bytes(const char *s)
{
	u32 c = 0xffffffff;
	for (; *s; s++)
		asm("crc32b %w0, %w0, %w1" : "+r"(c) : "r"((u32)(u8)*s));
	return ~c;
}

int main(void)
{
	u64 midr = read_sysreg(midr_el1);
	u64 mpidr = read_sysreg(mpidr_el1);
	u64 cntfrq = read_sysreg(cntfrq_el0);
	printf("Hello from an AArch64 guest at EL%d\n", current_el());
	printf("  MIDR_EL1   %016lx (implementer %lx, part %03lx)\n", midr, (midr >> 24) & 0xff, (midr >> 4) & 0xfff);
	printf("  MPIDR_EL1  %016lx\n", mpidr);
	printf("  CNTFRQ_EL0 %lu Hz\n", cntfrq);

	unsigned count = 0, last = 0;
	for (unsigned i = 2; i < sizeof(sieve); i++) {
		if (sieve[i])
			continue;
		count++;
		last = i;
		for (unsigned j = i * i; j < sizeof(sieve); j += i)
			sieve[j] = 1;
	}
	printf("  primes below %u: %u (largest %u)\n", (unsigned)sizeof(sieve), count, last);
	CHECK_EQ("primes-below-2000", count, 303);
	CHECK_EQ("crc32-123456789", crc32_bytes("123456789"), 0xcbf43926);
	return 0;
}
