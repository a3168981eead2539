/* Literal loads (PC-relative) and pair/exclusive helpers. */
	.text
	.globl	literal_probe
/* literal_probe(u64 out[4]): LDR X lit, LDR W lit, LDRSW lit, LDR X backward lit */
lit_back:
	.quad	0x0badc0de12345678
literal_probe:
	ldr	x1, lit_x
	ldr	w2, lit_w
	ldrsw	x3, lit_w
	ldr	x4, lit_back
	stp	x1, x2, [x0]
	stp	x3, x4, [x0, #16]
	prfm	pldl1keep, lit_x	/* literal prefetch: no-op */
	ret
	.balign	8
lit_x:	.quad	0xfedcba9876543210
lit_w:	.word	0x87654321
	.word	0
