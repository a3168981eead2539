/* memattr probes: each returns the PC of the access it makes (or a value). */
	.text
/* struct {u64 val, pc} probe_ld(u64 va): 64-bit load, val = 0xbad if it faulted */
	.globl	probe_ld
probe_ld:
	mov	x2, x0
	movz	x0, #0xbad
	adr	x1, 1f
1:	ldr	x0, [x2]
	ret

/* struct {u64 val, pc} probe_ld32(u64 va): 32-bit load */
	.globl	probe_ld32
probe_ld32:
	mov	x2, x0
	movz	x0, #0xbad
	adr	x1, 1f
1:	ldr	w0, [x2]
	ret

/* u64 probe_st(u64 va, u64 val): 64-bit store, returns its PC */
	.globl	probe_st
probe_st:
	mov	x2, x0
	adr	x0, 1f
1:	str	x1, [x2]
	ret

/* u64 probe_st16(u64 va, u64 val): 16-bit store, returns its PC */
	.globl	probe_st16
probe_st16:
	mov	x2, x0
	adr	x0, 1f
1:	strh	w1, [x2]
	ret

/* u64 probe_dczva(u64 va): DC ZVA, returns its PC */
	.globl	probe_dczva
probe_dczva:
	mov	x2, x0
	adr	x0, 1f
1:	dc	zva, x2
	ret

/* u64 probe_ldxr(u64 va): LDXR (for misalignment), returns its PC */
	.globl	probe_ldxr
probe_ldxr:
	mov	x2, x0
	adr	x0, 1f
1:	ldxr	x3, [x2]
	clrex
	ret

/* struct {u64 old, status} excl_add(u64 va, u64 inc): one LDXR/STXR attempt */
	.globl	excl_add
excl_add:
	mov	x2, x0
	ldxr	x0, [x2]
	add	x3, x0, x1
	stxr	w4, x3, [x2]
	mov	x1, x4
	ret
