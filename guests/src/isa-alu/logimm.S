/*
 * Logical-immediate tables. Each entry is "<op> x0, x0, #bitmask ; ret"
 * (8 bytes), emitted with .inst from N:immr:imms so that every element size
 * and run length is covered, with several rotations each.
 * logimm_enc64/32 hold the matching N:immr:imms (N<<12 | immr<<6 | imms).
 */

/* For each element size: for s in 0..nones-1 emit 4 rotations. */
.macro ENTRY base, n, immr, imms
	.inst	\base | (\n << 22) | ((\immr) << 16) | ((\imms) << 10)
	ret
.endm
.macro ENCW n, immr, imms
	.hword	((\n) << 12) | ((\immr) << 6) | (\imms)
.endm

.macro ESIZE what, base, n, prefix, nones, esize
	.set	s, 0
	.rept	\nones
	\what	\base, \n, 0, (\prefix | s)
	\what	\base, \n, 1 % \esize, (\prefix | s)
	\what	\base, \n, (\esize - 1), (\prefix | s)
	\what	\base, \n, ((s * 5 + 3) % \esize), (\prefix | s)
	.set	s, s + 1
	.endr
.endm

.macro ENC_ENTRY base, n, immr, imms
	ENCW	\n, \immr, \imms
.endm

.macro TABLE64 what, base
	ESIZE	\what, \base, 1, 0x00, 63, 64
	ESIZE	\what, \base, 0, 0x00, 31, 32
	ESIZE	\what, \base, 0, 0x20, 15, 16
	ESIZE	\what, \base, 0, 0x30, 7, 8
	ESIZE	\what, \base, 0, 0x38, 3, 4
	ESIZE	\what, \base, 0, 0x3c, 1, 2
.endm
.macro TABLE32 what, base
	ESIZE	\what, \base, 0, 0x00, 31, 32
	ESIZE	\what, \base, 0, 0x20, 15, 16
	ESIZE	\what, \base, 0, 0x30, 7, 8
	ESIZE	\what, \base, 0, 0x38, 3, 4
	ESIZE	\what, \base, 0, 0x3c, 1, 2
.endm

	.text
	.balign	8
	.globl	logimm_and64, logimm_orr64, logimm_eor64
	.globl	logimm_and32, logimm_orr32, logimm_ands32
logimm_and64:	TABLE64 ENTRY, 0x92000000
logimm_orr64:	TABLE64 ENTRY, 0xb2000000
logimm_eor64:	TABLE64 ENTRY, 0xd2000000
logimm_and32:	TABLE32 ENTRY, 0x12000000
logimm_orr32:	TABLE32 ENTRY, 0x32000000
logimm_ands32:	TABLE32 ENTRY, 0x72000000

/*
 * adr_probe(u64 out[8]): [0]=ADR forward, [1]=literal address of the same
 * label, [2]/[3] backward, [4]=ADRP of a nearby label, [5]=its address,
 * [6]=ADRP of a label in .data (far), [7]=its address.
 */
	.globl	adr_probe
adr_back:
	nop
adr_probe:
	adr	x1, adr_fwd
	ldr	x2, =adr_fwd
	stp	x1, x2, [x0]
	adr	x1, adr_back
	ldr	x2, =adr_back
	stp	x1, x2, [x0, #16]
	adrp	x1, adr_fwd
	ldr	x2, =adr_fwd
	stp	x1, x2, [x0, #32]
	adrp	x1, adr_far
	ldr	x2, =adr_far
	stp	x1, x2, [x0, #48]
	ret
adr_fwd:
	nop
	.ltorg

	.section .rodata
	.balign	4
	.globl	logimm_n64, logimm_n32, logimm_enc64, logimm_enc32
logimm_n64:	.word	(63 + 31 + 15 + 7 + 3 + 1) * 4
logimm_n32:	.word	(31 + 15 + 7 + 3 + 1) * 4
	.balign	2
logimm_enc64:	TABLE64 ENC_ENTRY, 0
logimm_enc32:	TABLE32 ENC_ENTRY, 0

	.bss
	.balign	64
	.space	20000
adr_far:
	.quad	0
