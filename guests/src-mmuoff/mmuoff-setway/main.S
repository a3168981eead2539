/* Seed 001 guest (c): set/way maintenance, as early Linux and UEFI used it. With the MMU off
   it overwrites builder-written data, cleans+invalidates the data cache by set/way and turns
   the MMU and caches on (one SCTLR write), then checks the data (cacheable). With the caches
   on it writes a second buffer, cleans by set/way, turns MMU and caches off and checks that
   buffer from memory. Stale dirty lines of the builder written back by the set/way clean
   corrupt the first check; a set/way operation the hypervisor traps and then ignores would
   corrupt the second. */
#include "../common/mmuoff.h"

	.section .text.start
	.global _start
_start:
	adr	x0, buf_x
	mov	x1, #BUF_WORDS
	movl	w2, MUL_NEW
	mov	w3, #3
	bl	fill_pattern
	bl	flush_setway
	bl	mmu_setup
	mrs	x0, sctlr_el1
	orr	x0, x0, #SCTLR_M
	orr	x0, x0, #SCTLR_C
	orr	x0, x0, #SCTLR_I
	msr	sctlr_el1, x0
	isb
	adr	x0, buf_x
	mov	x1, #BUF_WORDS
	movl	w2, MUL_NEW
	mov	w3, #3
	bl	check_pattern
	mov	x20, x0
	/* caches on: write Y, clean by set/way, MMU and caches off, read Y from memory */
	adr	x0, buf_y
	mov	x1, #BUF_WORDS
	movl	w2, MUL_NEW2
	mov	w3, #9
	bl	fill_pattern
	bl	flush_setway
	mrs	x0, sctlr_el1
	bic	x0, x0, #SCTLR_M
	bic	x0, x0, #SCTLR_C
	msr	sctlr_el1, x0
	isb
	adr	x0, buf_y
	mov	x1, #BUF_WORDS
	movl	w2, MUL_NEW2
	mov	w3, #9
	bl	check_pattern
	add	x1, x20, x0
	adr	x0, name
	bl	result
	b	power_off

/* DC CISW over every set and way of level 1 (CLIDR_EL1: one level, LoC = 1), as
   __flush_dcache_all: CCSIDR_EL1 gives log2(line bytes) - 4, ways - 1, sets - 1. */
flush_setway:
	msr	csselr_el1, xzr
	isb
	mrs	x0, ccsidr_el1
	and	x1, x0, #7
	add	x1, x1, #4
	ubfx	x2, x0, #3, #10
	ubfx	x3, x0, #13, #15
	clz	w4, w2
	mov	x5, x2
1:	mov	x6, x3
2:	lslv	x7, x5, x4
	lslv	x8, x6, x1
	orr	x7, x7, x8
	dc	cisw, x7
	subs	x6, x6, #1
	b.ge	2b
	subs	x5, x5, #1
	b.ge	1b
	dsb	sy
	isb
	ret

	.section .rodata
name:	.asciz	"mmuoff-setway"

	.section .data
	.balign	64
buf_x:
	.set	i, 0
	.rept	BUF_WORDS
	.word	(i * MUL_OLD + 3) & 0xffffffff
	.set	i, i + 1
	.endr
buf_y:
	.set	i, 0
	.rept	BUF_WORDS
	.word	(i * MUL_OLD + 9) & 0xffffffff
	.set	i, i + 1
	.endr
