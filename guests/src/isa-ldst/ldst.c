/* isa-ldst: loads/stores of every size, sign extension, addressing modes,
 * pairs, acquire/release and exclusives. All accesses are naturally aligned
 * (MMU off: RAM is Device memory). */
#include "check.h"

static u8 buf[256] __attribute__((aligned(64)));
static u8 buf2[256] __attribute__((aligned(64)));

static void fill(void)
{
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 0x1d + 0x80);
}

void literal_probe(u64 out[4]);

static void sizes_and_sign(void)
{
	u8 *p = buf;
	u64 r;
	fill();
	/* buf[0]=0x80 buf[1]=0x9d buf[2]=0xba buf[3]=0xd7 buf[4]=0xf4 buf[5]=0x11 buf[6]=0x2e buf[7]=0x4b */
	asm volatile("ldrb %w0, [%1]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldrb", r, 0x80);
	asm volatile("ldrh %w0, [%1]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldrh", r, 0x9d80);
	asm volatile("ldr %w0, [%1]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldr-w", r, 0xd7ba9d80);
	asm volatile("ldr %0, [%1]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldr-x", r, 0x4b2e11f4d7ba9d80);
	asm volatile("ldrsb %w0, [%1]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldrsb-w", r, 0xffffff80);
	asm volatile("ldrsb %0, [%1]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldrsb-x", r, 0xffffffffffffff80);
	asm volatile("ldrsb %0, [%1, #7]" : "=r"(r) : "r"(p)); /* 0x7f+... */
	CHECK_EQ("ldrsb-x-pos", r, (u64)(s8)buf[7]);
	asm volatile("ldrsh %w0, [%1]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldrsh-w", r, 0xffff9d80);
	asm volatile("ldrsh %0, [%1]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldrsh-x", r, 0xffffffffffff9d80);
	asm volatile("ldrsw %0, [%1]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldrsw", r, 0xffffffffd7ba9d80);
	asm volatile("ldrsw %0, [%1, #4]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldrsw-pos", r, 0x4b2e11f4);
	asm volatile("ldrsh %0, [%1, #6]" : "=r"(r) : "r"(p));
	CHECK_EQ("ldrsh-x-pos", r, 0x4b2e);

	/* stores of each size, neighbours untouched */
	memset(buf2, 0xee, 32);
	asm volatile("strb %w0, [%1, #1]" ::"r"(0x12345678ul), "r"(buf2) : "memory");
	asm volatile("strh %w0, [%1, #2]" ::"r"(0x9abcdef0ul), "r"(buf2) : "memory");
	asm volatile("str %w0, [%1, #4]" ::"r"(0x1122334455667788ul), "r"(buf2) : "memory");
	asm volatile("str %0, [%1, #8]" ::"r"(0x0102030405060708ul), "r"(buf2) : "memory");
	asm volatile("str xzr, [%0, #16]\n\tstrh wzr, [%0, #24]" ::"r"(buf2) : "memory");
	u64 *q = (u64 *)buf2;
	CHECK_EQ("str-sizes-0", q[0], 0x55667788def078eeul);
	CHECK_EQ("str-sizes-1", q[1], 0x0102030405060708ul);
	CHECK_EQ("str-zr", q[2], 0);
	CHECK_EQ("strh-zr", q[3], 0xeeeeeeeeeeee0000ul);
}

static void addressing(void)
{
	u64 r, base, r2;
	u64 *x = (u64 *)buf;
	fill();
	/* unsigned scaled offset, max for LDRB is 4095 but stay inside buf */
	asm volatile("ldr %0, [%1, #248]" : "=r"(r) : "r"(buf));
	CHECK_EQ("ldr-uimm", r, x[31]);
	asm volatile("ldrh %w0, [%1, #254]" : "=r"(r) : "r"(buf));
	CHECK_EQ("ldrh-uimm", r, buf[254] | (buf[255] << 8));
	/* pre-index: base updated before the access */
	base = (u64)buf;
	asm volatile("ldr %0, [%1, #16]!" : "=r"(r), "+r"(base));
	CHECK_EQ("ldr-pre-val", r, x[2]);
	CHECK_EQ("ldr-pre-wb", base, (u64)buf + 16);
	asm volatile("ldr %0, [%1, #-8]!" : "=r"(r), "+r"(base));
	CHECK_EQ("ldr-pre-neg-val", r, x[1]);
	CHECK_EQ("ldr-pre-neg-wb", base, (u64)buf + 8);
	/* post-index: access at old base, then update */
	asm volatile("ldr %0, [%1], #24" : "=r"(r), "+r"(base));
	CHECK_EQ("ldr-post-val", r, x[1]);
	CHECK_EQ("ldr-post-wb", base, (u64)buf + 32);
	asm volatile("ldrsb %0, [%1], #-1" : "=r"(r), "+r"(base));
	CHECK_EQ("ldrsb-post-val", r, (u64)(s64)(s8)buf[32]);
	CHECK_EQ("ldrsb-post-wb", base, (u64)buf + 31);
	asm volatile("strh %w2, [%1, #-3]!" : "=m"(buf[28]), "+r"(base) : "r"(0xabcdul));
	CHECK_EQ("strh-pre-wb", base, (u64)buf + 28);
	CHECK_EQ("strh-pre-val", buf[28] | (buf[29] << 8), 0xabcd);
	fill();
	/* register offsets */
	u64 idx = 5;
	asm volatile("ldr %0, [%1, %2, lsl #3]" : "=r"(r) : "r"(buf), "r"(idx));
	CHECK_EQ("ldr-reg-lsl3", r, x[5]);
	asm volatile("ldr %0, [%1, %2]" : "=r"(r) : "r"(buf), "r"(idx * 8));
	CHECK_EQ("ldr-reg", r, x[5]);
	u64 widx = 0xffffffff00000003ul; /* UXTW ignores the upper half */
	asm volatile("ldr %w0, [%1, %w2, uxtw #2]" : "=r"(r) : "r"(buf), "r"(widx));
	CHECK_EQ("ldr-reg-uxtw2", r, ((u32 *)buf)[3]);
	u64 negw = 0x12345678fffffffcul; /* SXTW(-4) */
	asm volatile("ldr %0, [%1, %w2, sxtw #3]" : "=r"(r) : "r"(buf + 64), "r"(negw));
	CHECK_EQ("ldr-reg-sxtw3", r, x[8 - 4]);
	asm volatile("ldrsh %0, [%1, %w2, sxtw]" : "=r"(r) : "r"(buf + 64), "r"(negw));
	CHECK_EQ("ldrsh-reg-sxtw", r, (u64)(s64)(s16)(buf[60] | (buf[61] << 8)));
	u64 negx = (u64)-16;
	asm volatile("ldr %0, [%1, %2, sxtx]" : "=r"(r) : "r"(buf + 64), "r"(negx));
	CHECK_EQ("ldr-reg-sxtx", r, x[6]);
	asm volatile("ldrb %w0, [%1, %2, lsl #0]" : "=r"(r) : "r"(buf), "r"(200ul));
	CHECK_EQ("ldrb-reg-lsl0", r, buf[200]);
	asm volatile("ldrsb %0, [%1, %w2, uxtw]" : "=r"(r) : "r"(buf), "r"(0x100000010ul));
	CHECK_EQ("ldrsb-reg-uxtw", r, (u64)(s64)(s8)buf[16]);
	asm volatile("str %w2, [%1, %3, lsl #2]" : "=m"(buf[40]) : "r"(buf), "r"(0xcafef00dul), "r"(10ul));
	CHECK_EQ("str-reg-lsl2", ((u32 *)buf)[10], 0xcafef00d);
	fill();
	/* unscaled LDUR/STUR with negative offsets */
	asm volatile("ldur %0, [%1, #-8]" : "=r"(r) : "r"(buf + 64));
	CHECK_EQ("ldur-neg", r, x[7]);
	asm volatile("ldursw %0, [%1, #-252]" : "=r"(r) : "r"(buf + 256));
	CHECK_EQ("ldursw-neg", r, (u64)(s64)((s32 *)buf)[1]);
	asm volatile("ldurh %w0, [%1, #-2]" : "=r"(r) : "r"(buf + 10));
	CHECK_EQ("ldurh", r, buf[8] | (buf[9] << 8));
	asm volatile("stur %2, [%1, #-256]" : "=m"(buf[0]) : "r"(buf + 256), "r"(0x1122334455667788ul));
	CHECK_EQ("stur-neg", x[0], 0x1122334455667788ul);
	asm volatile("sturb %w2, [%1, #255]" : "=m"(buf[255]) : "r"(buf), "r"(0x99ul));
	CHECK_EQ("sturb", buf[255], 0x99);

	u64 lit[4];
	literal_probe(lit);
	CHECK_EQ("ldr-literal-x", lit[0], 0xfedcba9876543210ul);
	CHECK_EQ("ldr-literal-w", lit[1], 0x87654321);
	CHECK_EQ("ldrsw-literal", lit[2], 0xffffffff87654321ul);
	CHECK_EQ("ldr-literal-back", lit[3], 0x0badc0de12345678ul);

	/* PRFM is a hint: no effect, never faults */
	asm volatile("prfm pldl1keep, [%0]\n\tprfm pstl2strm, [%0, #64]\n\t"
		     "prfm plil3keep, [%0, %1]\n\tprfum pldl1strm, [%0, #-1]" ::"r"(buf), "r"(8ul));
	asm volatile("prfm pldl1keep, [%0]" ::"r"(0xfffffffffff000ul)); /* unmapped */
	CHECK("prfm-nop", 1);
	(void)r2;
}

static void pairs(void)
{
	u64 a, b, base;
	u64 *x = (u64 *)buf;
	u32 *w = (u32 *)buf;
	fill();
	asm volatile("ldp %0, %1, [%2, #16]" : "=&r"(a), "=r"(b) : "r"(buf));
	CHECK("ldp-x", a == x[2] && b == x[3]);
	asm volatile("ldp %w0, %w1, [%2, #-8]" : "=&r"(a), "=r"(b) : "r"(buf + 64));
	CHECK("ldp-w", a == w[14] && b == w[15]);
	asm volatile("ldpsw %0, %1, [%2, #8]" : "=&r"(a), "=r"(b) : "r"(buf));
	CHECK("ldpsw", a == (u64)(s64)(s32)w[2] && b == (u64)(s64)(s32)w[3]);
	base = (u64)buf;
	asm volatile("ldp %0, %1, [%2, #32]!" : "=&r"(a), "=&r"(b), "+r"(base));
	CHECK("ldp-pre", a == x[4] && b == x[5] && base == (u64)buf + 32);
	asm volatile("ldp %0, %1, [%2], #-16" : "=&r"(a), "=&r"(b), "+r"(base));
	CHECK("ldp-post", a == x[4] && b == x[5] && base == (u64)buf + 16);
	asm volatile("ldpsw %0, %1, [%2, #-8]!" : "=&r"(a), "=&r"(b), "+r"(base));
	CHECK("ldpsw-pre", a == (u64)(s64)(s32)w[2] && b == (u64)(s64)(s32)w[3] && base == (u64)buf + 8);
	base = (u64)buf2;
	asm volatile("stp %2, %3, [%1, #16]!" : "=m"(buf2[16]), "+r"(base) : "r"(0x1111ul), "r"(0x2222ul));
	CHECK("stp-pre", ((u64 *)buf2)[2] == 0x1111 && ((u64 *)buf2)[3] == 0x2222 && base == (u64)buf2 + 16);
	asm volatile("stp %w2, %w3, [%1], #8" : "=m"(buf2[16]), "+r"(base) : "r"(0xaaaaaaaa33333333ul), "r"(0x44444444ul));
	CHECK("stp-w-post", ((u64 *)buf2)[2] == 0x4444444433333333ul && base == (u64)buf2 + 24);
	asm volatile("stp xzr, xzr, [%0]" ::"r"(buf2) : "memory");
	CHECK("stp-zr", ((u64 *)buf2)[0] == 0 && ((u64 *)buf2)[1] == 0);
	asm volatile("ldnp %0, %1, [%2, #48]" : "=&r"(a), "=r"(b) : "r"(buf));
	CHECK("ldnp", a == x[6] && b == x[7]);
}

static void acqrel_excl(void)
{
	u64 r, st, a, b;
	u64 *x = (u64 *)buf2;
	x[0] = 0x0123456789abcdeful;
	x[1] = 0xfedcba9876543210ul;
	asm volatile("ldar %0, [%1]" : "=r"(r) : "r"(x) : "memory");
	CHECK_EQ("ldar", r, 0x0123456789abcdeful);
	asm volatile("ldarb %w0, [%1]" : "=r"(r) : "r"(x) : "memory");
	CHECK_EQ("ldarb", r, 0xef);
	asm volatile("ldarh %w0, [%1]" : "=r"(r) : "r"(x) : "memory");
	CHECK_EQ("ldarh", r, 0xcdef);
	asm volatile("stlr %w1, [%0]" ::"r"(x), "r"(0x55555555ul) : "memory");
	CHECK_EQ("stlr-w", x[0], 0x0123456755555555ul);
	asm volatile("stlrb %w1, [%0, #0]" ::"r"(x + 1), "r"(0x77ul) : "memory");
	CHECK_EQ("stlrb", x[1], 0xfedcba9876543277ul);

	/* LDXR/STXR success */
	x[2] = 100;
	asm volatile("ldxr %0, [%2]\n\tadd %0, %0, #1\n\tstxr %w1, %0, [%2]"
		     : "=&r"(r), "=&r"(st) : "r"(&x[2]) : "memory");
	CHECK_EQ("stxr-ok-status", st, 0);
	CHECK_EQ("stxr-ok-mem", x[2], 101);
	/* CLREX in between: STXR must fail and not write */
	asm volatile("ldxr %0, [%2]\n\tclrex\n\tmov %0, #7\n\tstxr %w1, %0, [%2]"
		     : "=&r"(r), "=&r"(st) : "r"(&x[2]) : "memory");
	CHECK_EQ("stxr-clrex-status", st, 1);
	CHECK_EQ("stxr-clrex-mem", x[2], 101);
	/* a second STXR after a successful one fails (monitor back to open) */
	asm volatile("ldxr %0, [%2]\n\tstxr %w1, %0, [%2]\n\tstxr %w1, xzr, [%2]"
		     : "=&r"(r), "=&r"(st) : "r"(&x[2]) : "memory");
	CHECK_EQ("stxr-twice-status", st, 1);
	CHECK_EQ("stxr-twice-mem", x[2], 101);
	/* W, B, H sizes and acquire/release variants */
	x[3] = 0xffffffffffffffff;
	asm volatile("ldaxr %w0, [%2]\n\tadd %w0, %w0, #2\n\tstlxr %w1, %w0, [%2]"
		     : "=&r"(r), "=&r"(st) : "r"(&x[3]) : "memory");
	CHECK("ldaxr-stlxr-w", st == 0 && r == 1 && x[3] == 0xffffffff00000001ul);
	asm volatile("ldxrb %w0, [%2]\n\tstxrb %w1, %w3, [%2]"
		     : "=&r"(r), "=&r"(st) : "r"(&x[3]), "r"(0x1abul) : "memory");
	CHECK("ldxrb-stxrb", st == 0 && r == 1 && x[3] == 0xffffffff000000abul);
	asm volatile("ldaxrh %w0, [%2]\n\tstlxrh %w1, %w3, [%2]"
		     : "=&r"(r), "=&r"(st) : "r"(&x[3]), "r"(0x12345ul) : "memory");
	CHECK("ldaxrh-stlxrh", st == 0 && r == 0xab && x[3] == 0xffffffff00002345ul);
	/* exclusive pairs */
	x[4] = 1;
	x[5] = 2;
	asm volatile("ldxp %0, %1, [%3]\n\tstxp %w2, %1, %0, [%3]"
		     : "=&r"(a), "=&r"(b), "=&r"(st) : "r"(&x[4]) : "memory");
	CHECK("ldxp-stxp", st == 0 && a == 1 && b == 2 && x[4] == 2 && x[5] == 1);
	asm volatile("ldaxp %0, %1, [%3]\n\tclrex\n\tstlxp %w2, xzr, xzr, [%3]"
		     : "=&r"(a), "=&r"(b), "=&r"(st) : "r"(&x[4]) : "memory");
	CHECK("ldaxp-stlxp-fail", st == 1 && x[4] == 2 && x[5] == 1);
	u32 *w = (u32 *)&x[6];
	w[0] = 0x11111111;
	w[1] = 0x22222222;
	asm volatile("ldxp %w0, %w1, [%3]\n\tstxp %w2, %w1, %w0, [%3]"
		     : "=&r"(a), "=&r"(b), "=&r"(st) : "r"(w) : "memory");
	CHECK("ldxp-stxp-w", st == 0 && a == 0x11111111 && b == 0x22222222 && x[6] == 0x1111111122222222ul);
	/* STXR with no LDXR at all (monitor open after the previous one) */
	asm volatile("clrex\n\tstxr %w0, %1, [%2]" : "=&r"(st) : "r"(5ul), "r"(&x[2]) : "memory");
	CHECK_EQ("stxr-open-fails", st, 1);
}

/* Differential sweep: every load form at every aligned offset. */
static void sweep(void)
{
	u64 h = HASH_INIT, r;
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)operand(i + 77);
	for (unsigned off = 0; off < 248; off++) {
		const u8 *p = buf + off;
		asm volatile("ldrb %w0, [%1]" : "=r"(r) : "r"(p));
		h = hmix(h, r);
		asm volatile("ldrsb %0, [%1]" : "=r"(r) : "r"(p));
		h = hmix(h, r);
		asm volatile("ldrsb %w0, [%1]" : "=r"(r) : "r"(p));
		h = hmix(h, r);
		if (!(off & 1)) {
			asm volatile("ldrh %w0, [%1]" : "=r"(r) : "r"(p));
			h = hmix(h, r);
			asm volatile("ldrsh %0, [%1]" : "=r"(r) : "r"(p));
			h = hmix(h, r);
			asm volatile("ldrsh %w0, [%1]" : "=r"(r) : "r"(p));
			h = hmix(h, r);
		}
		if (!(off & 3)) {
			asm volatile("ldr %w0, [%1]" : "=r"(r) : "r"(p));
			h = hmix(h, r);
			asm volatile("ldrsw %0, [%1]" : "=r"(r) : "r"(p));
			h = hmix(h, r);
		}
		if (!(off & 7)) {
			asm volatile("ldr %0, [%1]" : "=r"(r) : "r"(p));
			h = hmix(h, r);
		}
	}
	hash_print("ldst-loads", h);

	/* store sweep: sizes at all aligned offsets into a zeroed buffer */
	memset(buf2, 0, sizeof(buf2));
	for (unsigned i = 0; i < 240; i++) {
		u64 v = operand(i + 300);
		u8 *p = buf2 + i;
		switch (i & 3) {
		case 0: asm volatile("strb %w0, [%1, #3]" ::"r"(v), "r"(p) : "memory"); break;
		case 1: asm volatile("strh %w0, [%1, #1]" ::"r"(v), "r"(p) : "memory"); break;
		case 2: asm volatile("str %w0, [%1, #2]" ::"r"(v), "r"(p) : "memory"); break;
		case 3:
			asm volatile("str %0, [%1, %2]" ::"r"(v), "r"(buf2), "r"((u64)(i & ~7u)) : "memory");
			break;
		}
	}
	h = HASH_INIT;
	for (unsigned i = 0; i < sizeof(buf2) / 8; i++)
		h = hmix(h, ((u64 *)buf2)[i]);
	hash_print("ldst-stores", h);
}

int main(void)
{
	puts("isa-ldst\n");
	sizes_and_sign();
	addressing();
	pairs();
	acqrel_excl();
	sweep();
	return 0;
}
