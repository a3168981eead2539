/* Seed 001 guest (a): with the MMU off (so every data access is Device, straight to memory),
   check 16 KiB of data that the domain builder wrote into the image. Lines the builder left
   dirty in the cache are invisible here unless the hypervisor cleaned them (xen) or forces
   the guest's accesses cacheable (seed's HCR_EL2.DC). */
#include "../common/mmuoff.h"

	.section .text.start
	.global _start
_start:
	adr	x0, blob
	mov	x1, #BLOB_WORDS
	movl	w2, MUL_OLD
	mov	w3, #7
	bl	check_pattern
	mov	x1, x0
	adr	x0, name
	bl	result
	b	power_off

	.section .rodata
name:	.asciz	"mmuoff-image"

	.section .data
	.balign	64
blob:
	.set	i, 0
	.rept	BLOB_WORDS
	.word	(i * MUL_OLD + 7) & 0xffffffff
	.set	i, i + 1
	.endr
