/* dcache_mmu_off_el1(lo1, hi1, lo2, hi2): DC CIVAC every line of [lo1, hi1) and [lo2, hi2),
 * then turn the EL1 MMU and data cache off. No memory access between the maintenance and
 * the SCTLR write, so no line of the runtime (stack, .bss) can be dirtied again in between:
 * with the MMU off, its data accesses are Device and bypass the caches (Arm ARM D8.2.10). */
	.text
	.globl	dcache_mmu_off_el1
dcache_mmu_off_el1:
	mrs	x4, ctr_el0
	ubfx	x4, x4, #16, #4		/* DminLine: log2(words) */
	mov	x5, #4
	lsl	x5, x5, x4		/* line size in bytes */
	sub	x6, x5, #1
	bic	x0, x0, x6
1:	cmp	x0, x1
	b.hs	2f
	dc	civac, x0
	add	x0, x0, x5
	b	1b
2:	bic	x2, x2, x6
3:	cmp	x2, x3
	b.hs	4f
	dc	civac, x2
	add	x2, x2, x5
	b	3b
4:	dsb	sy
	mrs	x7, sctlr_el1
	mov	x8, #5			/* M (bit 0), C (bit 2) */
	bic	x7, x7, x8
	msr	sctlr_el1, x7
	isb
	dsb	ishst
	tlbi	vmalle1
	dsb	ish
	isb
	ret
