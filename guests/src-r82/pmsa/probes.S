/* pmsa probes: each returns what the checks need to know the exact ELR/FAR.
 * struct pr { u64 val, pc } ld(u64 va): val = 0xbad if the load faulted. */
	.text
	.globl	p_ld
p_ld:
	mov	x2, x0
	movz	x0, #0xbad
	adr	x1, 1f
1:	ldr	x0, [x2]
	ret

/* u64 p_st(u64 va, u64 val): returns the PC of the store */
	.globl	p_st
p_st:
	mov	x2, x0
	adr	x0, 1f
1:	str	x1, [x2]
	ret

/* struct pr p_ldu(u64 va): unaligned-capable 4-byte load (ldr w0) */
	.globl	p_ldw
p_ldw:
	mov	x2, x0
	movz	x0, #0xbad
	adr	x1, 1f
1:	ldr	w0, [x2]
	ret

/* u64 p_exec(u64 target): blr target; 0xbad if it faulted (resume at x30) */
	.globl	p_exec
p_exec:
	stp	x29, x30, [sp, #-16]!
	mov	x1, x0
	movz	x0, #0xbad
	blr	x1
	ldp	x29, x30, [sp], #16
	ret

/* EL0 / EL1 bodies for run_el0 / run_el1: load from arg, return the value (0xbad on fault) */
	.globl	lower_ld
lower_ld:
	mov	x2, x0
	movz	x0, #0xbad
	ldr	x0, [x2]
	ret
