/* bench: CPU-bound integer loop with a statically known instruction count. */
#include "check.h"

#define BENCH_PROLOGUE 4
#define BENCH_BODY 20
#define BENCH_EPILOGUE 3
#ifndef BENCH_ITERS
#define BENCH_ITERS 10000000ul
#endif
#define BENCH_EXPECTED 0x297621fd7e4659a1ul /* result on QEMU for the default BENCH_ITERS */

u64 bench_loop(u64 iters, u64 *buf);

int main(void)
{
	static u64 buf[10] __attribute__((aligned(16)));
	for (int i = 0; i < 10; i++)
		buf[i] = operand(i + 40);
	u64 r = bench_loop(BENCH_ITERS, buf);
	u64 n = BENCH_PROLOGUE + BENCH_ITERS * BENCH_BODY + BENCH_EPILOGUE;
	printf("BENCH insns=%lu result=%016lx\n", n, r);
	if (BENCH_ITERS == 10000000ul)
		CHECK_EQ("bench-result", r, BENCH_EXPECTED);
	return 0;
}
