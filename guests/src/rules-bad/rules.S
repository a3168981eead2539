/*
 * rules-bad / rules-good: the instructions where translation-table rules are broken
 * (rules-bad) or followed (rules-good). rules-good/rules_good.S includes this file with
 * RULES_GOOD defined. Each rules-bad function starts with the violating instruction, so
 * the rule checker's event PC is the function's symbol (or symbol + a few words, noted).
 */

/* ---- rules-bad: in-place stores to a live descriptor (x0 = descriptor, x1 = new value).
 * The violation is the STR at offset 0 of each function. ---- */
#ifndef RULES_GOOD
	.text
.macro INPLACE name
	.globl	\name
	.type	\name, %function
\name:
	str	x1, [x0]		/* <- live descriptor changed without break-before-make */
	dsb	ish
	isb
	ret
	.size	\name, . - \name
.endm
	INPLACE	rb_oa_change		/* bbm-output-address: page OA A -> B */
	INPLACE	rb_block_to_table	/* bbm-block-to-table: level-2 block -> table */
	INPLACE	rb_table_to_block	/* bbm-table-to-block: level-2 table -> block */
	INPLACE	rb_attr_change		/* bbm-memory-type: AttrIndx Normal -> Device */

/* mmu-enable-conflict (x0 = TTBR0 value): turn the MMU off, point TTBR0 at other tables,
 * turn it on again WITHOUT a TLBI. Runs from an identity-mapped page that both table sets
 * translate the same way. Violation: the MSR SCTLR at offset 24 (the 7th instruction). */
.macro MMU_REENABLE el
	.globl	rb_mmu_enable_el\el
	.type	rb_mmu_enable_el\el, %function
rb_mmu_enable_el\el:
	mrs	x1, sctlr_el\el
	bic	x2, x1, #1
	msr	sctlr_el\el, x2		/* MMU off (identity-mapped code: execution goes on) */
	isb
	msr	ttbr0_el\el, x0		/* MMU off: no TLB use, allowed */
	isb
	msr	sctlr_el\el, x1		/* <- MMU on while the TLB holds entries of the old tables */
	isb
	ret
	.size	rb_mmu_enable_el\el, . - rb_mmu_enable_el\el
.endm
	MMU_REENABLE 1
	MMU_REENABLE 2
#endif

#ifdef RULES_GOOD
	.text
/* mmu-enable-conflict done right: MMU off, new TTBR0, TLBI everything, MMU on. */
.macro MMU_REENABLE_GOOD el, tlbi_all
	.globl	rg_mmu_enable_el\el
	.type	rg_mmu_enable_el\el, %function
rg_mmu_enable_el\el:
	mrs	x1, sctlr_el\el
	bic	x2, x1, #1
	msr	sctlr_el\el, x2
	isb
	msr	ttbr0_el\el, x0
	isb
	tlbi	\tlbi_all
	dsb	ish
	isb
	msr	sctlr_el\el, x1
	isb
	ret
	.size	rg_mmu_enable_el\el, . - rg_mmu_enable_el\el
.endm
	MMU_REENABLE_GOOD 1, vmalle1
	MMU_REENABLE_GOOD 2, alle2

/* ttbr-switch-trampoline: switch TTBR0 with the MMU on from a page that the old and the
 * new tables translate identically (same PA, same 4 KiB page size), then TLBI all. */
.macro TRAMPOLINE el, tlbi_all
	.globl	rg_trampoline_el\el
	.type	rg_trampoline_el\el, %function
rg_trampoline_el\el:
	msr	ttbr0_el\el, x0
	isb
	tlbi	\tlbi_all
	dsb	ish
	isb
	ret
	.size	rg_trampoline_el\el, . - rg_trampoline_el\el
.endm
	TRAMPOLINE 1, vmalle1
	TRAMPOLINE 2, alle2
#endif

/*
 * The code page: one 4 KiB page holding only the functions below. The guest copies it
 * to another physical page (identical bytes) and the second table set (T2) maps this
 * page's VA to the copy, so executing here goes on the same way whichever translation
 * the PE uses.
 */
	.section .text.rules_code_page, "ax"
	.balign	4096
	.globl	rules_code_page
rules_code_page:

/* u64 rules_probe(void): returns a constant, to show the page executes under T1 and T2. */
	.globl	rules_probe
	.type	rules_probe, %function
rules_probe:
	mov	x0, #0x5eed
	ret
	.size	rules_probe, . - rules_probe

#ifndef RULES_GOOD
/* ttbr-switch-live (x0 = TTBR0 value): with the MMU on, switch to tables that translate
 * THIS page to a different PA, no TLBI. Violation: the MSR at offset 0. */
.macro TTBR_LIVE el
	.globl	rb_ttbr_switch_el\el
	.type	rb_ttbr_switch_el\el, %function
rb_ttbr_switch_el\el:
	msr	ttbr0_el\el, x0		/* <- executing code translated differently by old and new tables */
	isb
	ret
	.size	rb_ttbr_switch_el\el, . - rb_ttbr_switch_el\el
.endm
	TTBR_LIVE 1
	TTBR_LIVE 2
#else
/* ttbr-switch-live done right: the same switch with the MMU off (this page is
 * identity-mapped by T1, so execution goes on at the same address), TLBI all while the
 * MMU is off, MMU on: from then on this VA is fetched from the copy. */
.macro TTBR_OFF el, tlbi_all
	.globl	rg_ttbr_switch_el\el
	.type	rg_ttbr_switch_el\el, %function
rg_ttbr_switch_el\el:
	mrs	x1, sctlr_el\el
	bic	x2, x1, #1
	msr	sctlr_el\el, x2
	isb
	msr	ttbr0_el\el, x0
	isb
	tlbi	\tlbi_all
	dsb	ish
	isb
	msr	sctlr_el\el, x1
	isb
	ret
	.size	rg_ttbr_switch_el\el, . - rg_ttbr_switch_el\el
.endm
	TTBR_OFF 1, vmalle1
	TTBR_OFF 2, alle2
#endif

	.balign	4096
	.globl	rules_code_page_end
rules_code_page_end:
