/* Shared by the seed 001 guests: constants and the stage-1 set-up (no stack anywhere: every
   routine is a leaf or keeps its return address in a register, so nothing depends on data
   written before a cache-state change except what a test checks on purpose). */
#define UART_DR		0x22000000	/* the vpl011 (GUEST_PL011_BASE) */
#define PSCI_SYSTEM_OFF	0x84000008
#define SCTLR_M		(1 << 0)
#define SCTLR_C		(1 << 2)
#define SCTLR_I		(1 << 12)
/* Patterns: word i of a buffer is i * MUL + ADD (mod 2^32). */
#define MUL_OLD		0x9e3779b1
#define MUL_NEW		0x85ebca6b
#define MUL_NEW2	0xc2b2ae35
#define BUF_WORDS	1024		/* 4 KiB buffers */
#define BLOB_WORDS	4096		/* 16 KiB of builder-written data */

/* x\reg = 32-bit constant */
.macro movl reg, val
	movz	\reg, #((\val) & 0xffff)
	movk	\reg, #(((\val) >> 16) & 0xffff), lsl #16
.endm

/* Print the NUL-terminated string at \label (clobbers x0-x3, x9; keeps x30 in x28). */
.macro say label
	adr	x0, \label
	bl	uart_puts
.endm
