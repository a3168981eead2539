/* Seed 001 guest (b): sets SCTLR_EL1.M before SCTLR_EL1.C, as FreeBSD did (the guest that got
   the seed's patch reverted). With the MMU off it fills a buffer, then turns the MMU on with the
   caches still off and checks the buffer and builder-written data with Non-cacheable accesses,
   then turns the caches on and checks both again (cacheable). Under the seed's policy the
   MMU-off writes went into the cache (HCR_EL2.DC) and are invisible once M = 1 drops DC. */
#include "../common/mmuoff.h"

#define BUF_B	0x40300000	/* guest RAM the builder only cleared */

	.section .text.start
	.global _start
_start:
	mov	x0, #BUF_B
	mov	x1, #BUF_WORDS
	movl	w2, MUL_NEW
	mov	w3, #1
	bl	fill_pattern
	bl	mmu_setup
	/* M first, C still clear */
	mrs	x0, sctlr_el1
	orr	x0, x0, #SCTLR_M
	bic	x0, x0, #SCTLR_C
	msr	sctlr_el1, x0
	isb
	mov	x0, #BUF_B
	mov	x1, #BUF_WORDS
	movl	w2, MUL_NEW
	mov	w3, #1
	bl	check_pattern
	mov	x20, x0
	adr	x0, data
	mov	x1, #BUF_WORDS
	movl	w2, MUL_OLD
	mov	w3, #5
	bl	check_pattern
	add	x20, x20, x0
	/* then C (and I) */
	mrs	x0, sctlr_el1
	orr	x0, x0, #SCTLR_C
	orr	x0, x0, #SCTLR_I
	msr	sctlr_el1, x0
	isb
	mov	x0, #BUF_B
	mov	x1, #BUF_WORDS
	movl	w2, MUL_NEW
	mov	w3, #1
	bl	check_pattern
	add	x20, x20, x0
	adr	x0, data
	mov	x1, #BUF_WORDS
	movl	w2, MUL_OLD
	mov	w3, #5
	bl	check_pattern
	add	x1, x20, x0
	adr	x0, name
	bl	result
	b	power_off

	.section .rodata
name:	.asciz	"mmuoff-m-before-c"

	.section .data
	.balign	64
data:
	.set	i, 0
	.rept	BUF_WORDS
	.word	(i * MUL_OLD + 5) & 0xffffffff
	.set	i, i + 1
	.endr
