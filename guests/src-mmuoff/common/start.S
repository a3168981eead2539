#include "../common/mmuoff.h"

/* Words [0, n) of a table of pattern (mul, add): used by the guests' .data blobs. */

	.section .text
	.global uart_puts, uart_hex, check_pattern, fill_pattern, power_off, mmu_setup, result

/* uart_puts(x0 = string): 32-bit stores to the vpl011's DR (it is always ready). */
uart_puts:
	mov	x9, #UART_DR
1:	ldrb	w1, [x0], #1
	cbz	w1, 2f
	str	w1, [x9]
	b	1b
2:	ret

/* uart_hex(x0): 8 hex digits. */
uart_hex:
	mov	x9, #UART_DR
	mov	x2, #28
1:	lsr	x1, x0, x2
	and	w1, w1, #0xf
	cmp	w1, #10
	add	w3, w1, #'0'
	add	w1, w1, #('a' - 10)
	csel	w1, w3, w1, lo
	str	w1, [x9]
	subs	x2, x2, #4
	b.pl	1b
	ret

/* fill_pattern(x0 = buf, x1 = words, w2 = mul, w3 = add): buf[i] = i * mul + add. */
fill_pattern:
	mov	x4, #0
1:	madd	w5, w4, w2, w3
	str	w5, [x0, x4, lsl #2]
	add	x4, x4, #1
	cmp	x4, x1
	b.lo	1b
	ret

/* check_pattern(x0 = buf, x1 = words, w2 = mul, w3 = add) -> x0 = words that differ. */
check_pattern:
	mov	x4, #0
	mov	x6, #0
1:	madd	w5, w4, w2, w3
	ldr	w7, [x0, x4, lsl #2]
	cmp	w7, w5
	cinc	x6, x6, ne
	add	x4, x4, #1
	cmp	x4, x1
	b.lo	1b
	mov	x0, x6
	ret

/* mmu_setup: identity map with 1 GB blocks from a static level-1 table (in the image's
   data, written by the domain builder; table walks see the caches as well as memory).
   MAIR attr0 = Device-nGnRE, attr1 = Normal Write-Back; TCR: T0SZ = 25 (39-bit VA, start at
   level 1), WB walks, inner shareable, 4 KB granule, TTBR1 walks off, IPS = 40 bits. */
mmu_setup:
	mov	x0, #0xff04
	msr	mair_el1, x0
	movz	x0, #(25 | (1 << 8) | (1 << 10) | (3 << 12))
	movk	x0, #(1 << (23 - 16)), lsl #16
	movk	x0, #2, lsl #32
	msr	tcr_el1, x0
	adr	x0, l1_table
	msr	ttbr0_el1, x0
	isb
	ret

/* result(x0 = name, x1 = bad words): "PASS name" or "FAIL name <bad words in hex>". */
result:
	mov	x28, x30
	mov	x27, x0
	mov	x26, x1
	cbnz	x26, 1f
	say	s_pass
	mov	x0, x27
	bl	uart_puts
	say	s_nl
	mov	x30, x28
	ret
1:	say	s_fail
	mov	x0, x27
	bl	uart_puts
	say	s_sp
	mov	x0, x26
	bl	uart_hex
	say	s_nl
	mov	x30, x28
	ret

power_off:
	movl	x0, PSCI_SYSTEM_OFF
	hvc	#0
	b	.

	.section .rodata
s_pass:	.asciz	"PASS "
s_fail:	.asciz	"FAIL "
s_sp:	.asciz	" "
s_nl:	.asciz	"\n"

	.section .data
	.balign	4096
l1_table:
	.quad	0x0000000000000401	/* 0-1 GB: Device-nGnRE (the vpl011), AF */
	.quad	0x0000000040000705	/* 1-2 GB: Normal WB, inner shareable, AF (guest RAM) */
	.fill	510, 8, 0
