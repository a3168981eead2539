/* EL1 probes for traps-el2. Each returns in x0 the address of the
 * instruction expected to trap (fixed Rt registers, so the ISS is known). */
	.text
.macro PROBE name, insn:vararg
	.globl	\name
\name:
	adr	x0, 1f
1:	\insn
	ret
.endm
/* read a register, then write the same value back (the write is probed) */
.macro PROBE_RW name, reg, sysreg
	.globl	\name
\name:
	mrs	\reg, \sysreg
	adr	x0, 1f
1:	msr	\sysreg, \reg
	ret
.endm

	PROBE_RW	t_msr_sctlr, x1, sctlr_el1
	PROBE	t_mrs_sctlr, mrs x2, sctlr_el1
	PROBE_RW	t_msr_ttbr0, x3, ttbr0_el1
	PROBE_RW	t_msr_mair, x4, mair_el1
	PROBE	t_mrs_tcr, mrs x5, tcr_el1
	PROBE	t_mrs_idpfr0, mrs x6, id_aa64pfr0_el1
	PROBE	t_mrs_idisar0, mrs x7, id_aa64isar0_el1
	PROBE	t_mrs_idmmfr0, mrs x8, id_aa64mmfr0_el1
	PROBE	t_mrs_actlr, mrs x9, actlr_el1
	PROBE	t_msr_actlr, msr actlr_el1, xzr
	PROBE	t_smc, smc #0x33
	PROBE	t_wfi, wfi
	PROBE	t_wfe, wfe
	PROBE	t_fp, .inst 0x9e670020	/* fmov d0, x1 */
	PROBE	t_simd, .inst 0x4ea11c20	/* mov v0.16b, v1.16b */
	PROBE	t_mrs_fpcr, mrs x11, fpcr
	PROBE	t_dc_isw, dc isw, xzr
	PROBE	t_tlbi, tlbi vmalle1
	PROBE	t_mrs_ctr, mrs x13, ctr_el0
	PROBE	t_mrs_cntpct, mrs x14, cntpct_el0
	PROBE	t_hvc, hvc #0x5555

	.globl	t_midr
t_midr:	mrs	x0, midr_el1
	ret
	.globl	t_mpidr
t_mpidr:
	mrs	x0, mpidr_el1
	ret
	.globl	t_isr
t_isr:	mrs	x0, isr_el1
	ret

/* Unmask one interrupt class briefly. x0 = DAIF bits to clear (daifclr
 * immediate selector: 2 = I, 1 = F, 4 = A). Returns ISR_EL1 sampled before. */
	.globl	t_unmask
t_unmask:
	mrs	x1, isr_el1
	cmp	x0, #2
	b.eq	1f
	cmp	x0, #1
	b.eq	2f
	msr	daifclr, #4
	b	3f
1:	msr	daifclr, #2
	b	3f
2:	msr	daifclr, #1
3:	isb
	nop
	nop
	nop
	msr	daifset, #7
	mov	x0, x1
	ret
