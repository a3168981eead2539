/*
 * armvisor guest runtime: entry, per-CPU stacks, exception vectors, EL drops.
 *
 * The image starts with a 64-byte arm64 Linux "Image" header so the same
 * link works as an ELF (entry _start) and as a flat Image (-kernel foo.img),
 * which QEMU loads at RAM base + text_offset = 0x40080000.
 */
#define STACK_SIZE 0x4000
#define FRAME_SIZE (38 * 8)   /* struct frame: x0-x30, elr, spsr, esr, far, hpfar, pad (304) */

	.section .text.head, "ax"
	.globl _head
_head:
	b	_start			/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	__image_size		/* image_size (includes .bss) */
	.quad	0xa			/* flags: LE, 4K pages, anywhere */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic at 0x38 */
	.long	0			/* res5 (PE header offset) */

	.section .text.start, "ax"
	.globl _start
_start:
	mov	x19, x0			/* DTB pointer (Linux boot protocol) */
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cbnz	x1, park		/* only CPU0 boots; others come via PSCI */
	adrp	x2, stacks_end
	add	x2, x2, :lo12:stacks_end
	mov	sp, x2			/* CPU0 owns the top stack */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	adrp	x1, boot_dtb
	str	x19, [x1, :lo12:boot_dtb]
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	adrp	x1, boot_el
	str	w0, [x1, :lo12:boot_el]
	bl	cpu_init
	bl	main
	bl	finish
park:	wfe
	b	park

/* PSCI CPU_ON entry for secondaries: x0 = context id */
	.globl secondary_entry
secondary_entry:
	mov	x19, x0
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	adrp	x2, stacks_end
	add	x2, x2, :lo12:stacks_end
	mov	x3, #STACK_SIZE
	msub	x2, x1, x3, x2		/* top - cpu * STACK_SIZE */
	mov	sp, x2
	bl	cpu_init
	mov	x0, x19
	bl	secondary_main
	ldr	x0, =0x84000002		/* PSCI CPU_OFF */
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	bl	psci_call
3:	wfe
	b	3b

/* Per-CPU architectural setup, valid at EL1 or EL2. Clobbers x0-x2. */
	.globl cpu_init
cpu_init:
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.eq	el2_init
	/* EL1 */
	adrp	x1, el1_vectors
	add	x1, x1, :lo12:el1_vectors
	msr	vbar_el1, x1
	ldr	x1, =0x30d01818		/* RES1 | I | SA0 | SA, MMU/caches/A off */
	msr	sctlr_el1, x1
	mov	x1, #(3 << 20)		/* CPACR_EL1.FPEN = 0b11 */
	msr	cpacr_el1, x1
	isb
	ret
el2_init:
	adrp	x1, el2_vectors
	add	x1, x1, :lo12:el2_vectors
	msr	vbar_el2, x1
	adrp	x1, el1_vectors
	add	x1, x1, :lo12:el1_vectors
	msr	vbar_el1, x1
	ldr	x1, =0x30c51838		/* SCTLR_EL2: RES1 | I | SA, MMU off */
	msr	sctlr_el2, x1
	ldr	x1, =0x30d01818
	msr	sctlr_el1, x1
	mov	x1, #(1 << 31)		/* HCR_EL2.RW: EL1 is AArch64 */
	msr	hcr_el2, x1
	mov	x1, #0x33ff		/* CPTR_EL2: RES1 bits, no traps */
	msr	cptr_el2, x1
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	mov	x1, #3			/* CNTHCTL_EL2: EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x1
	msr	cntvoff_el2, xzr
	msr	hstr_el2, xzr
	isb
	ret

/*
 * run_lower(fn, arg, spsr, stack_top): ERET to fn at the EL/mode in spsr.
 * The lower code gets back here through the exception handler (exit
 * request svc/hvc #0xEEEE, issued automatically when fn returns).
 */
	.globl run_lower
run_lower:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	and	x5, x2, #0xf		/* target M[3:0] */
	adr	x30, exit_via_svc
	cmp	x5, #4			/* EL1t / EL1h -> exit through HVC */
	b.lo	1f
	adr	x30, exit_via_hvc
1:	mrs	x4, CurrentEL
	cmp	x4, #(2 << 2)
	b.eq	2f
	msr	elr_el1, x0
	msr	spsr_el1, x2
	msr	sp_el0, x3
	b	4f
2:	msr	elr_el2, x0
	msr	spsr_el2, x2
	cmp	x5, #5			/* EL1h uses SP_EL1 */
	b.ne	3f
	msr	sp_el1, x3
	b	4f
3:	msr	sp_el0, x3
4:	mov	x0, x1
	isb
	eret

	.globl lower_return
lower_return:
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

	.globl exit_via_svc
exit_via_svc:
	svc	#0xEEEE
	b	exit_via_svc
	.globl exit_via_hvc
exit_via_hvc:
	hvc	#0xEEEE
	b	exit_via_hvc

/* ---------------- exception vectors ---------------- */
.macro VENTRY el, idx
	.balign 0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\idx
	b	vec_common_el\el
.endm

.macro VTABLE el
	.balign 0x800
	.globl el\el\()_vectors
el\el\()_vectors:
	VENTRY \el, 0
	VENTRY \el, 1
	VENTRY \el, 2
	VENTRY \el, 3
	VENTRY \el, 4
	VENTRY \el, 5
	VENTRY \el, 6
	VENTRY \el, 7
	VENTRY \el, 8
	VENTRY \el, 9
	VENTRY \el, 10
	VENTRY \el, 11
	VENTRY \el, 12
	VENTRY \el, 13
	VENTRY \el, 14
	VENTRY \el, 15
.endm

.macro VCOMMON el
vec_common_el\el:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el\el
	stp	x30, x1, [sp, #240]
	mrs	x1, spsr_el\el
	mrs	x2, esr_el\el
	stp	x1, x2, [sp, #256]
	mrs	x1, far_el\el
	.if \el == 2
	mrs	x2, hpfar_el2
	.else
	mov	x2, xzr
	.endif
	stp	x1, x2, [sp, #272]
	mov	x1, sp
	mov	x2, #\el
	bl	exc_dispatch
	ldp	x30, x1, [sp, #240]
	msr	elr_el\el, x1
	ldr	x1, [sp, #256]
	msr	spsr_el\el, x1
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #FRAME_SIZE
	eret
.endm

	.text
	VTABLE 1
	VCOMMON 1
	VTABLE 2
	VCOMMON 2

	.ltorg

	.bss
	.balign 16
	.globl stacks
stacks:
	.space	STACK_SIZE * 8
	.globl stacks_end
stacks_end:
