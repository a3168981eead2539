/* mmu-el2 probes (run at EL2). The fault-probing helpers return the address
 * of their access so the expected ELR is exact; fixed registers keep the
 * instruction syndrome known (ldr x0 / str x1). */
	.text
/* struct {u64 val, pc} el2_ld(u64 va): val = 0xbad if the load faulted */
	.globl	el2_ld
el2_ld:
	mov	x2, x0
	movz	x0, #0xbad
	adr	x1, 1f
1:	ldr	x0, [x2]
	ret

/* u64 el2_st(u64 va, u64 val): returns the PC of the store */
	.globl	el2_st
el2_st:
	mov	x2, x0
	adr	x0, 1f
1:	str	x1, [x2]
	ret

/* u64 el2_exec(u64 target): blr target; 0xbad if it faulted (the handler
 * resumes at x30, i.e. right after the blr) */
	.globl	el2_exec
el2_exec:
	stp	x29, x30, [sp, #-16]!
	mov	x1, x0
	movz	x0, #0xbad
	blr	x1
	ldp	x29, x30, [sp], #16
	ret

/* void dc_civac_range(u64 start, u64 len): clean+invalidate to PoC, in steps of the
 * smallest data cache line (CTR_EL0.DminLine). */
	.globl	dc_civac_range
dc_civac_range:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x4, #4
	lsl	x4, x4, x3		/* line size in bytes */
	sub	x5, x4, #1
	add	x1, x0, x1
	bic	x0, x0, x5
1:	dc	civac, x0
	add	x0, x0, x4
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret

/* One page of position-independent code, mapped at several aliases. */
	.section .text.mmuel2_exec, "ax"
	.balign	4096
	.globl	exec_page
exec_page:
	movz	x0, #0x600d
	ret
	.balign	4096
