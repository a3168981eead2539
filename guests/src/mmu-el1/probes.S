/* mmu-el1 probes. Fault-probing helpers return the address of the access
 * they make so the expected ELR is known exactly. */
	.text
/* struct {u64 val, pc} probe_ld(u64 va): val = 0xbad if the load faulted */
	.globl	probe_ld
probe_ld:
	mov	x2, x0
	movz	x0, #0xbad
	adr	x1, 1f
1:	ldr	x0, [x2]
	ret

/* u64 probe_st(u64 va, u64 val): returns the PC of the store */
	.globl	probe_st
probe_st:
	mov	x2, x0
	adr	x0, 1f
1:	str	x1, [x2]
	ret

/* u64 probe_exec(u64 target): blr target; 0xbad if it faulted (resume at x30) */
	.globl	probe_exec
probe_exec:
	stp	x29, x30, [sp, #-16]!
	mov	x1, x0
	movz	x0, #0xbad
	blr	x1
	ldp	x29, x30, [sp], #16
	ret

/* A page of code that is mapped at several aliases with different permissions. */
	.section .text.mmu_exec_page, "ax"
	.balign	4096
	.globl	exec_page
exec_page:
	movz	x0, #0x600d
	ret
	.balign	4096

/* EL0 code page, reached through an EL0-executable alias (position independent).
 * Every routine ends with svc #0xEEEE (the run_lower exit request). */
	.section .text.mmu_el0_page, "ax"
	.balign	4096
	.globl	el0_page, el0_ld, el0_ld_insn, el0_st, el0_st_insn, el0_exec
el0_page:
el0_ld:				/* x0 = va -> loaded value or 0xbad */
	mov	x1, x0
	movz	x0, #0xbad
el0_ld_insn:
	ldr	x0, [x1]
	svc	#0xEEEE
el0_st:				/* x0 = va: store va to [va], returns 1 */
el0_st_insn:
	str	x0, [x0]
	mov	x0, #1
	svc	#0xEEEE
el0_exec:			/* x0 = target: blr, 0xbad if it faulted */
	mov	x1, x0
	movz	x0, #0xbad
	blr	x1
	svc	#0xEEEE
	.balign	4096

/*
 * "hix": runs from a TTBR1 (high half) alias with its own vector table, so it
 * can switch off or replace the TTBR0 translation (EPD0, T0SZ, WXN) while it
 * runs. x0 = struct hix (low address, read before and written after):
 *   0 tcr, 8 ttbr0, 16 sctlr, 24 target, 32 op (0 load, 1 exec)
 *   40 val, 48 vec (0 = no exception, else vector index + 1), 56 esr, 64 far, 72 elr
 * Only caller-saved registers are used; no stack.
 */
	.section .text.mmu_hix_page, "ax"
	.balign	4096
	.globl	hix_page, hix_entry, hix_ld_insn
hix_page:
hix_vectors:
	.irp	i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
	.balign	0x80
	mov	x13, #\i
	b	hix_handler
	.endr
	.balign	0x80
hix_handler:
	mrs	x14, esr_el1
	mrs	x15, far_el1
	mrs	x16, elr_el1
	adr	x6, hix_resume
	msr	elr_el1, x6
	eret

hix_entry:
	mov	x7, x0
	mov	x8, x30
	ldp	x2, x3, [x7, #0]
	ldp	x4, x5, [x7, #16]
	ldr	x6, [x7, #32]
	mrs	x9, tcr_el1
	mrs	x10, ttbr0_el1
	mrs	x11, sctlr_el1
	mrs	x12, vbar_el1
	mov	x13, #0
	mov	x14, #0
	mov	x15, #0
	mov	x16, #0
	movz	x17, #0xbad
	adr	x1, hix_vectors
	msr	vbar_el1, x1
	isb
	msr	tcr_el1, x2
	msr	ttbr0_el1, x3
	msr	sctlr_el1, x4
	isb
	dsb	ishst
	tlbi	vmalle1
	dsb	ish
	isb
	cbnz	x6, 1f
hix_ld_insn:
	ldr	x17, [x5]
	b	hix_resume
1:	blr	x5
	mov	x17, x0
hix_resume:
	msr	tcr_el1, x9
	msr	ttbr0_el1, x10
	msr	sctlr_el1, x11
	isb
	dsb	ishst
	tlbi	vmalle1
	dsb	ish
	isb
	msr	vbar_el1, x12
	isb
	stp	x17, x13, [x7, #40]
	stp	x14, x15, [x7, #56]
	str	x16, [x7, #72]
	mov	x30, x8
	ret
	.balign	4096
