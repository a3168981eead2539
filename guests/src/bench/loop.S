/*
 * u64 bench_loop(u64 iters, u64 *buf): executes exactly
 *     BENCH_PROLOGUE + iters * BENCH_BODY + BENCH_EPILOGUE
 * instructions (iters >= 1), counted from the first instruction through the
 * final RET inclusive. Both paths of the TBZ are 3 instructions long.
 * buf: 80 bytes, 16-byte aligned.
 */
	.text
	.globl	bench_loop
bench_loop:
	mov	x2, #1				/* P1 */
	mov	x3, #2				/* P2 */
	ldr	x4, =0x9e3779b97f4a7c15		/* P3 */
	mov	x6, #0				/* P4 */
1:	ldr	x5, [x1, x6]			/* B1 */
	add	x2, x2, x5			/* B2 */
	eor	x3, x3, x2, ror #13		/* B3 */
	mul	x7, x3, x4			/* B4 */
	add	x2, x2, x7, lsr #7		/* B5 */
	str	x2, [x1, x6]			/* B6 */
	add	x6, x6, #8			/* B7 */
	and	x6, x6, #0x3f			/* B8 */
	cmp	x5, x3				/* B9 */
	csel	x10, x5, x3, lo			/* B10 */
	add	x2, x2, x10			/* B11 */
	tbz	x2, #3, 2f			/* B12 */
	sub	x3, x3, #1			/* B13 (path A) */
	b	3f				/* B14 (path A) */
2:	orr	x3, x3, x6			/* B13 (path B) */
	nop					/* B14 (path B) */
3:	ldp	x8, x9, [x1, #64]		/* B15 */
	add	x8, x8, x3			/* B16 */
	eor	x9, x9, x2			/* B17 */
	stp	x8, x9, [x1, #64]		/* B18 */
	subs	x0, x0, #1			/* B19 */
	b.ne	1b				/* B20 */
	eor	x0, x2, x3			/* E1 */
	eor	x0, x0, x8			/* E2 */
	ret					/* E3 */
	.ltorg
