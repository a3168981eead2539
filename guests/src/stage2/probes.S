/* stage2 guest: code that runs at EL1 under EL2's stage-2 translation.
 *
 * Syndrome probes: "mov x1, #16" then the access, so the faulting instruction is
 * always at <probe> + 4 and its registers (the SRT the syndrome must name) are fixed.
 * x0 = the address to access. */
	.text
.macro PR name, insn:vararg
	.globl	\name
\name:
	mov	x1, #16
	\insn
	ret
.endm

	/* single-register loads and stores: ISV = 1 for a stage-2 abort */
	PR	p_ldrb, ldrb w3, [x0]
	PR	p_ldrh, ldrh w4, [x0]
	PR	p_ldrsb_x, ldrsb x5, [x0]
	PR	p_ldrsh_w, ldrsh w6, [x0]
	PR	p_ldrsh_x, ldrsh x7, [x0]
	PR	p_ldr_w, ldr w8, [x0]
	PR	p_ldrsw, ldrsw x9, [x0]
	PR	p_ldr_x, ldr x10, [x0]
	PR	p_ldar_x, ldar x11, [x0]
	PR	p_ldarb, ldarb w12, [x0]
	PR	p_ldar_w, ldar w13, [x0]
	PR	p_strb, strb w14, [x0]
	PR	p_strh, strh w15, [x0]
	PR	p_str_w, str w16, [x0]
	PR	p_str_x, str x17, [x0]
	PR	p_str_xzr, str xzr, [x0]
	PR	p_stlr_x, stlr x19, [x0]
	PR	p_stlrb, stlrb w20, [x0]
	PR	p_ldr_imm, ldr x21, [x0, #8]
	PR	p_ldur_w, ldur w22, [x0, #12]
	PR	p_ldr_reg, ldr x23, [x0, x1]
	PR	p_sturh, sturh w25, [x0, #2]
	/* no instruction syndrome (ISV = 0): pairs, writeback, exclusives */
	PR	p_ldp, ldp x2, x3, [x0]
	PR	p_stp, stp x2, x3, [x0]
	PR	p_ldpsw, ldpsw x2, x3, [x0]
	PR	p_ldr_post, ldr x3, [x0], #8
	PR	p_ldr_pre, ldr x3, [x0, #8]!
	PR	p_str_post, str x3, [x0], #8
	PR	p_strb_pre, strb w3, [x0, #1]!
	PR	p_ldxr, ldxr x4, [x0]
	PR	p_ldaxr_w, ldaxr w5, [x0]
	/* address translation instruction at EL1 */
	PR	p_at_s1e1r, at s1e1r, x0

/* u64 el1_ld(u64 addr): plain 64-bit load */
	.globl	el1_ld
el1_ld:
	ldr	x0, [x0]
	ret

/* u64 el1_st_mark(u64 addr): store 0x5151 */
	.globl	el1_st_mark
el1_st_mark:
	mov	x1, #0x5151
	str	x1, [x0]
	mov	x0, #1
	ret

/* u64 el1_exec(u64 target): blr target; 0xbad if it faulted (resume at x30) */
	.globl	el1_exec
el1_exec:
	stp	x29, x30, [sp, #-16]!
	mov	x1, x0
	movz	x0, #0xbad
	blr	x1
	ldp	x29, x30, [sp], #16
	ret

/* ---- the EL1 side of the emulated UART (a PL011-like page at IPA 0x0a000000) ---- */
#define EMU_BASE_HI 0x0a00

/* u64 emu_puts(const char *s): polls FR.TXFF (LDR W), writes DR (STRB);
 * returns the number of characters written. */
	.globl	emu_puts
emu_puts:
	movz	x1, #EMU_BASE_HI, lsl #16
	mov	x2, x0
	mov	x5, #0
1:	ldrb	w3, [x2], #1		/* the string is in RAM (mapped): no fault */
	cbz	w3, 3f
2:	ldr	w4, [x1, #0x18]		/* FR */
	tbnz	w4, #5, 2b		/* TXFF */
	strb	w3, [x1]		/* DR */
	add	x5, x5, #1
	b	1b
3:	mov	x0, x5
	ret

/* u64 emu_ids(void): PeriphID0 (LDR W) | PeriphID1 (LDRB) << 8 */
	.globl	emu_ids
emu_ids:
	movz	x1, #EMU_BASE_HI, lsl #16
	mov	x6, #-1			/* the 32-bit load must clear the upper half */
	ldr	w6, [x1, #0xfe0]
	ldrb	w7, [x1, #0xfe4]
	orr	x0, x6, x7, lsl #8
	ret

/* u64 emu_signed(u64 *out): LDRSB X and LDRSH W of the test register at 0x100;
 * out[0] = the LDRSB result, returns the LDRSH result */
	.globl	emu_signed
emu_signed:
	movz	x1, #EMU_BASE_HI, lsl #16
	ldrsb	x8, [x1, #0x100]
	mov	x9, #-1
	ldrsh	w9, [x1, #0x100]
	str	x8, [x0]
	mov	x0, x9
	ret

/* void dc_civac(u64 addr) */
	.globl	dc_civac
dc_civac:
	dc	civac, x0
	dsb	sy
	ret

/* One page of position-independent code, mapped at several IPAs. */
	.section .text.stage2_exec, "ax"
	.balign	4096
	.globl	exec_page
exec_page:
	movz	x0, #0x600d
	ret
	.balign	4096
