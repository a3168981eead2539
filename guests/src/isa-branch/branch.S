/* isa-branch helpers. All functions follow the AAPCS64. */
	.text

/* u16 bcond_matrix(u16 out[16]): out[nzcv] bit c = B.<c> taken with NZCV=nzcv */
	.globl	bcond_matrix
bcond_matrix:
	mov	x1, #0
1:	lsl	x2, x1, #28
	mov	w3, #0
	.set	idx, 0
	.irp	c, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv
	msr	nzcv, x2
	b.\c	2f
	b	3f
2:	orr	w3, w3, #(1 << idx)
3:
	.set	idx, idx + 1
	.endr
	strh	w3, [x0, x1, lsl #1]
	add	x1, x1, #1
	cmp	x1, #16
	b.ne	1b
	ret

/* Same, but the condition must not change the flags: returns NZCV after. */
	.globl	bcond_keeps_flags
bcond_keeps_flags:
	msr	nzcv, x0
	b.eq	1f
1:	b.hi	2f
2:	cbz	x1, 3f
3:	tbnz	x1, #3, 4f
4:	mrs	x0, nzcv
	ret

/* u64 tbnz_mask(u64 v): bit i set iff TBNZ v,#i taken (and TBZ not taken). */
	.globl	tbnz_mask
tbnz_mask:
	mov	x1, #0		/* TBNZ taken mask */
	mov	x2, #0		/* TBZ taken mask */
	mov	x4, #1
	.set	bit, 0
	.rept	64
	tbnz	x0, #bit, 5f
	b	6f
5:	orr	x1, x1, x4
6:	tbz	x0, #bit, 7f
	b	8f
7:	orr	x2, x2, x4
8:	lsl	x4, x4, #1
	.set	bit, bit + 1
	.endr
	eor	x2, x2, x1	/* must be all ones */
	mvn	x2, x2
	cbz	x2, 9f
	mov	x1, #0xdead	/* inconsistent TBZ/TBNZ */
9:	mov	x0, x1
	ret

/* u64 tbz_w(u64 v): TBZ/TBNZ with W-register syntax on bits 0,15,31 */
	.globl	tb_w
tb_w:
	mov	x1, #0
	tbz	w0, #0, 1f
	orr	x1, x1, #1
1:	tbnz	w0, #15, 2f
	b	3f
2:	orr	x1, x1, #2
3:	tbnz	w0, #31, 4f
	b	5f
4:	orr	x1, x1, #4
5:	mov	x0, x1
	ret

/* u64 cb_probe(u64 v): bit0 CBZ X, bit1 CBNZ X, bit2 CBZ W, bit3 CBNZ W */
	.globl	cb_probe
cb_probe:
	mov	x1, #0
	cbz	x0, 1f
	b	2f
1:	orr	x1, x1, #1
2:	cbnz	x0, 3f
	b	4f
3:	orr	x1, x1, #2
4:	cbz	w0, 5f
	b	6f
5:	orr	x1, x1, #4
6:	cbnz	w0, 7f
	b	8f
7:	orr	x1, x1, #8
8:	mov	x0, x1
	ret

/*
 * link_probe(u64 out[8]):
 *   [0]/[1] x30 after BL / expected, [2]/[3] after BLR, [4]/[5] BLR x30
 *   (target is the old x30, link written after), [6] = RET x5 and BR x6 reached
 */
	.globl	link_probe
link_probe:
	mov	x9, x30
	bl	1f
2:	b	3f
1:	adr	x2, 2b
	stp	x30, x2, [x0]
	ret
3:	adr	x3, 5f
	blr	x3
4:	b	6f
5:	adr	x2, 4b
	stp	x30, x2, [x0, #16]
	ret
6:	adr	x30, 8f
	blr	x30
7:	b	9f
8:	adr	x2, 7b
	stp	x30, x2, [x0, #32]
	ret
9:	mov	x7, #0
	adr	x5, 10f
	ret	x5
	brk	#1
10:	orr	x7, x7, #1
	adr	x6, 11f
	br	x6
	brk	#2
11:	orr	x7, x7, #2
	str	x7, [x0, #48]
	mov	x30, x9
	ret

/* u64 far_branches(void): B/BL across a 2 KiB gap in both directions */
	.globl	far_branches
far_branches:
	mov	x0, #0
	b	2f
1:	orr	x0, x0, #2		/* reached backwards */
	b	3f
	.space	2048, 0		/* zero words: UDF #0 if ever executed */
2:	orr	x0, x0, #1
	b	1b
3:	ret

/* u64 count_loop(u64 n): backwards B.cond / CBNZ / TBZ loops; returns checksum */
	.globl	count_loop
count_loop:
	mov	x1, x0
	mov	x2, #0
1:	add	x2, x2, #3
	subs	x1, x1, #1
	b.ne	1b
	mov	x1, x0
2:	add	x2, x2, x1
	sub	x1, x1, #1
	cbnz	x1, 2b
	mov	x1, #0
3:	add	x1, x1, #1
	add	x2, x2, #1
	tbz	x1, #4, 3b
	mov	x0, x2
	ret
