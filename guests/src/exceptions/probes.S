/*
 * Exception probes. Each "probe" returns in x0 the address of the
 * instruction that is expected to raise the exception (the caller arms the
 * expectation first; the handler resumes after it).
 */
	.text
.macro PROBE name, insn:vararg
	.globl	\name
\name:
	adr	x0, 1f
1:	\insn
	ret
.endm

	PROBE	probe_brk, brk #0x1234
	PROBE	probe_brk0, brk #0
	PROBE	probe_udf0, .inst 0x00000000
	PROBE	probe_udf_beef, .inst 0x0000beef
	PROBE	probe_unalloc, .inst 0x07000000
	PROBE	probe_svc, svc #0x42
	PROBE	probe_svc_ffff_minus, svc #0xfffe
	PROBE	probe_hvc, hvc #0x77
	PROBE	probe_hvc0, hvc #0
	PROBE	probe_mrs_hcr, mrs x1, hcr_el2
	PROBE	probe_msr_vbar2, msr vbar_el2, xzr
	PROBE	probe_mrs_scr, mrs x1, scr_el3
	PROBE	probe_mrs_sctlr1, mrs x1, sctlr_el1
	PROBE	probe_mrs_daif, mrs x1, daif
	PROBE	probe_wfi, wfi
	PROBE	probe_eret, eret
	PROBE	probe_msr_spsel, msr spsel, #1
	PROBE	probe_tlbi, tlbi vmalle1

/* probe_smc(x0 = function id): SMC #0 with a non-PSCI function id */
	.globl	probe_smc
probe_smc:
	mov	x1, x0
	adr	x0, 1f
	mov	x2, x0
	mov	x0, x1
1:	smc	#0x5a
	mov	x0, x2
	ret

/* probe_mrs_sp_el0: MRS SP_EL0 while SPSel == 0 is UNDEFINED */
	.globl	probe_mrs_sp_el0
probe_mrs_sp_el0:
	msr	spsel, #0
	adr	x0, 1f
1:	mrs	x1, sp_el0
	msr	spsel, #1
	ret

/* probe_br(target): BR to target; with an odd target the handler must
 * resume at x30 (RESUME_LR). */
	.globl	probe_br
probe_br:
	br	x0

/*
 * probe_sp_align(): with SPSel=0, point SP_EL0 at a 16n+8 address and load
 * through SP. Returns the address of the load. The current SP_ELx is left
 * alone so the handler runs on a good stack.
 */
	.globl	probe_sp_align
probe_sp_align:
	mov	x9, sp
	msr	spsel, #0
	mov	x10, sp
	sub	x11, x9, #1024
	and	x11, x11, #~15
	add	x11, x11, #8
	mov	sp, x11
	adr	x0, 1f
1:	ldr	x1, [sp]
	mov	sp, x10
	msr	spsel, #1
	ret

/* spsel_probe(u64 out[4]): SPSel reads and SP banking */
	.globl	spsel_probe
spsel_probe:
	mrs	x1, spsel
	str	x1, [x0]
	mov	x9, sp
	msr	spsel, #0
	mrs	x1, spsel
	str	x1, [x0, #8]
	mov	x10, sp			/* SP_EL0 */
	mov	x11, #0x1230
	mov	sp, x11
	msr	spsel, #1
	mrs	x1, sp_el0		/* legal again now */
	str	x1, [x0, #16]
	msr	sp_el0, x10
	mov	x1, sp
	sub	x1, x1, x9		/* SP_ELx unchanged -> 0 */
	str	x1, [x0, #24]
	ret

/*
 * probe_align(addr, kind): data access at addr. kind 0: LDR X with SCTLR.A=1,
 * 1: STR W with SCTLR.A=1, 2: LDXR X (alignment always checked),
 * 3: LDR X with A=0 at an 8-byte aligned address (no fault).
 */
	.globl	probe_align
probe_align:
	mov	x14, x30
	mrs	x9, CurrentEL
	cmp	x9, #8
	b.eq	10f
	mrs	x10, sctlr_el1
	orr	x11, x10, #2
	cmp	x1, #2
	csel	x11, x10, x11, hs
	msr	sctlr_el1, x11
	isb
	bl	do_access
	msr	sctlr_el1, x10
	isb
	b	30f
10:	mrs	x10, sctlr_el2
	orr	x11, x10, #2
	cmp	x1, #2
	csel	x11, x10, x11, hs
	msr	sctlr_el2, x11
	isb
	bl	do_access
	msr	sctlr_el2, x10
	isb
30:	mov	x0, x12
	ret	x14

/* x0 = addr, x1 = kind; x12 = address of the access instruction */
do_access:
	cmp	x1, #1
	b.eq	22f
	cmp	x1, #2
	b.eq	23f
	adr	x12, 24f
24:	ldr	x2, [x0]
	ret
22:	adr	x12, 25f
25:	str	w2, [x0]
	ret
23:	adr	x12, 26f
26:	ldxr	x2, [x0]
	clrex
	ret

/*
 * probe_illegal_eret(spsr): ERET to the next instruction with the given SPSR.
 * If the return is illegal, PSTATE.IL gets set and that instruction takes an
 * Illegal Execution State exception. Returns the address of the target.
 */
	.globl	probe_illegal_eret
probe_illegal_eret:
	adr	x1, 1f
	mrs	x9, CurrentEL
	cmp	x9, #8
	b.eq	2f
	msr	elr_el1, x1
	msr	spsr_el1, x0
	b	3f
2:	msr	elr_el2, x1
	msr	spsr_el2, x0
3:	mov	x0, x1
	isb
	eret
1:	nop
	ret
