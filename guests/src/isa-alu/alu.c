/* isa-alu: A64 data-processing instructions, known answers + differential sweeps. */
#include "check.h"
#include "ops.h"

typedef u64 (*opfn)(u64 a, u64 b, u64 c, u64 fin, u64 *fout);

#define DEFINE_OP(name, insn)                                                          \
	static NOINLINE u64 op_##name(u64 a, u64 b, u64 c, u64 fi, u64 *fo)            \
	{                                                                              \
		u64 r, f;                                                              \
		asm volatile("msr nzcv, %[fi]\n\t" insn "\n\tmrs %[f], nzcv"           \
			     : [r] "=&r"(r), [f] "=&r"(f)                              \
			     : [a] "r"(a), [b] "r"(b), [c] "r"(c), [fi] "r"(fi)        \
			     : "cc");                                                  \
		*fo = f;                                                               \
		return r;                                                              \
	}
#define DEFINE_RMW(name, insn)                                                         \
	static NOINLINE u64 op_##name(u64 a, u64 b, u64 c, u64 fi, u64 *fo)            \
	{                                                                              \
		u64 r = a, f;                                                          \
		(void)c;                                                               \
		asm volatile("msr nzcv, %[fi]\n\t" insn "\n\tmrs %[f], nzcv"           \
			     : [r] "+&r"(r), [f] "=&r"(f)                              \
			     : [b] "r"(b), [fi] "r"(fi)                                \
			     : "cc");                                                  \
		*fo = f;                                                               \
		return r;                                                              \
	}

OPS_ADDSUB(DEFINE_OP)
OPS_LOGIC(DEFINE_OP)
OPS_SHIFT(DEFINE_OP)
OPS_BITFIELD(DEFINE_OP)
OPS_MULDIV(DEFINE_OP)
OPS_COND(DEFINE_OP)
OPS_BITS(DEFINE_OP)
OPS_RMW(DEFINE_RMW)

struct opdesc {
	const char *name;
	opfn fn;
};
#define TABLE_ENTRY(name, insn) { #name, op_##name },
static const struct opdesc ops[] = {
	OPS_ADDSUB(TABLE_ENTRY) OPS_LOGIC(TABLE_ENTRY) OPS_SHIFT(TABLE_ENTRY)
	OPS_BITFIELD(TABLE_ENTRY) OPS_MULDIV(TABLE_ENTRY) OPS_COND(TABLE_ENTRY)
	OPS_BITS(TABLE_ENTRY) OPS_RMW(TABLE_ENTRY)
};

static opfn find_op(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(ops[i].name, name))
			return ops[i].fn;
	printf("FAIL no-such-op %s\n", name);
	g_fail++;
	return 0;
}

#define F(n, z, c, v) (((u64)(n) << 31) | ((u64)(z) << 30) | ((u64)(c) << 29) | ((u64)(v) << 28))
#define ANYF 0xdead /* don't check flags */

struct kat {
	const char *name, *op;
	u64 a, b, c, fin, r, fout;
};

/* Known answers. fout = ANYF: flags not checked (they must equal fin for
 * non-flag-setting ops anyway, which is what most entries spell out). */
static const struct kat kats[] = {
	/* ADDS/SUBS flags at 64 bits */
	{ "adds64-ovf", "adds_x", 0x7fffffffffffffff, 1, 0, 0, 0x8000000000000000, F(1, 0, 0, 1) },
	{ "adds64-carry-zero", "adds_x", ~0ul, 1, 0, 0, 0, F(0, 1, 1, 0) },
	{ "adds64-neg-ovf", "adds_x", 0x8000000000000000, 0x8000000000000000, 0, 0, 0, F(0, 1, 1, 1) },
	{ "adds64-plain", "adds_x", 2, 3, 0, F(1, 1, 1, 1), 5, F(0, 0, 0, 0) },
	{ "subs64-borrow", "subs_x", 0, 1, 0, 0, ~0ul, F(1, 0, 0, 0) },
	{ "subs64-equal", "subs_x", 5, 5, 0, 0, 0, F(0, 1, 1, 0) },
	{ "subs64-ovf", "subs_x", 0x8000000000000000, 1, 0, 0, 0x7fffffffffffffff, F(0, 0, 1, 1) },
	{ "subs64-ovf2", "subs_x", 0x7fffffffffffffff, ~0ul, 0, 0, 0x8000000000000000, F(1, 0, 0, 1) },
	/* and at 32 bits: upper half of inputs ignored, result zero-extended */
	{ "adds32-ovf", "adds_w", 0x7fffffff, 1, 0, 0, 0x80000000, F(1, 0, 0, 1) },
	{ "adds32-carry", "adds_w", 0xffffffff00000001, 0xffffffff, 0, 0, 0, F(0, 1, 1, 0) },
	{ "subs32-borrow", "subs_w", 0x100000000, 1, 0, 0, 0xffffffff, F(1, 0, 0, 0) },
	{ "subs32-ovf", "subs_w", 0x80000000, 1, 0, 0, 0x7fffffff, F(0, 0, 1, 1) },
	{ "add32-zext", "add_w", 0xffffffffffffffff, 2, 0, 0, 1, ANYF },
	/* ADC/SBC with carry in */
	{ "adc64-cin", "adc_x", 1, 1, 0, F(0, 0, 1, 0), 3, F(0, 0, 1, 0) },
	{ "adcs64-wrap", "adcs_x", ~0ul, 0, 0, F(0, 0, 1, 0), 0, F(0, 1, 1, 0) },
	{ "adcs64-ovf", "adcs_x", 0x7fffffffffffffff, 0, 0, F(0, 0, 1, 0), 0x8000000000000000, F(1, 0, 0, 1) },
	{ "adcs32-cin0", "adcs_w", 0xffffffff, 0, 0, 0, 0xffffffff, F(1, 0, 0, 0) },
	{ "sbc64-nocarry", "sbc_x", 5, 3, 0, 0, 1, ANYF },
	{ "sbc64-carry", "sbc_x", 5, 3, 0, F(0, 0, 1, 0), 2, ANYF },
	{ "sbcs32-borrow", "sbcs_w", 0, 0, 0, 0, 0xffffffff, F(1, 0, 0, 0) },
	{ "sbcs64-zero", "sbcs_x", 7, 6, 0, 0, 0, F(0, 1, 1, 0) },
	{ "ngc64", "ngc_x", 0, 5, 0, 0, (u64)-6, ANYF },
	{ "negs32-min", "negs_w", 0, 0x80000000, 0, 0, 0x80000000, F(1, 0, 0, 1) },
	{ "negs32-zero", "negs_w", 0, 0, 0, 0, 0, F(0, 1, 1, 0) },
	/* shifted / extended register */
	{ "add-lsl17", "add_x_lsl17", 1, 3, 0, 0, 1 + (3ul << 17), ANYF },
	{ "add-uxtb", "add_x_uxtb", 0x1000, 0x1ff, 0, 0, 0x10ff, ANYF },
	{ "add-uxth2", "add_x_uxth2", 0, 0xffff8001, 0, 0, 0x8001ul << 2, ANYF },
	{ "adds-uxtw4", "adds_x_uxtw4", 0, 0xf0000000ffffffff, 0, 0, 0xffffffff0, F(0, 0, 0, 0) },
	{ "sub-sxtb1", "sub_x_sxtb1", 0, 0x80, 0, 0, 0x100, ANYF },
	{ "add-sxtw3", "add_x_sxtw3", 0, 0x80000000, 0, 0, 0xfffffffc00000000, ANYF },
	{ "add32-sxtb", "add_w_sxtb", 0x100, 0xff, 0, 0, 0xff, ANYF },
	{ "subs-sxth", "subs_x_sxth", 0, 0x8000, 0, 0, 0x8000, F(0, 0, 0, 0) },
	{ "adds-imm12", "adds_x_imm12", 0, 0, 0, 0, 0xabc000, F(0, 0, 0, 0) },
	{ "cmp32-imm", "cmp_w_imm", 0xfff000, 0, 0, 0, 0, F(0, 1, 1, 0) },
	{ "cmn64-imm", "cmn_x_imm", ~0ul, 0, 0, 0, 0, F(0, 1, 1, 0) },
	/* logical */
	{ "ands64-neg", "ands_x", 0x8000000000000001, ~0ul, 0, F(0, 0, 1, 1), 0x8000000000000001, F(1, 0, 0, 0) },
	{ "ands32-zero", "ands_w_ror31", 0xffffffff00000000, ~0ul, 0, 0, 0, F(0, 1, 0, 0) },
	{ "eor-ror13", "eor_x_ror13", 0, 1, 0, 0, 1ul << 51, ANYF },
	{ "bic-lsr3", "bic_x_lsr3", ~0ul, ~0ul, 0, 0, 0xe000000000000000, ANYF },
	{ "orn32", "orn_w_asr5", 0, 0x80000000, 0, 0, 0x03ffffff, ANYF },
	{ "eon-lsl60", "eon_x_lsl60", 0, 0xf, 0, 0, 0x0fffffffffffffff, ANYF },
	{ "bics64-asr63", "bics_x_asr63", 0x1234, 0x8000000000000000, 0, 0, 0, F(0, 1, 0, 0) },
	{ "mvn32", "mvn_w", 0, 0x0000ffff, 0, 0, 0xffff0000, ANYF },
	/* shifts: amounts are taken modulo the register size */
	{ "lslv64-mod", "lslv_x", 1, 65, 0, 0, 2, ANYF },
	{ "lsrv32-mod", "lsrv_w", 0x80000000, 33, 0, 0, 0x40000000, ANYF },
	{ "asrv64", "asrv_x", 0x8000000000000000, 63, 0, 0, ~0ul, ANYF },
	{ "asrv32", "asrv_w", 0x80000000, 4, 0, 0, 0xf8000000, ANYF },
	{ "rorv64", "rorv_x", 1, 1, 0, 0, 0x8000000000000000, ANYF },
	{ "rorv32", "rorv_w", 0x12345678, 8, 0, 0, 0x78123456, ANYF },
	/* bitfield */
	{ "ubfx64", "ubfx_x", 0xfffe000000000000 | (0x1abcdul << 33), 0, 0, 0, 0x1abcd, ANYF },
	{ "sbfx64", "sbfx_x", 0x8000000000000000, 0, 0, 0, 0xc000000000000000, ANYF },
	{ "sbfx32", "sbfx_w", 0x1ff00, 0, 0, 0, 0xffffffff, ANYF },
	{ "ubfiz64", "ubfiz_x", 0x3fff, 0, 0, 0, 0xfffc000000000000, ANYF },
	{ "sbfiz32", "sbfiz_w", 2, 0, 0, 0, 0xc0000000, ANYF },
	{ "sxtb64", "sxtb_x", 0x80, 0, 0, 0, 0xffffffffffffff80, ANYF },
	{ "sxth32", "sxth_w", 0x12348000, 0, 0, 0, 0xffff8000, ANYF },
	{ "sxtw64", "sxtw_x", 0x80000000, 0, 0, 0, 0xffffffff80000000, ANYF },
	{ "uxtb32", "uxtb_w", 0xfff, 0, 0, 0, 0xff, ANYF },
	{ "bfi64", "bfi_x", ~0ul, 0, 0, 0, 0xf0000000000fffff, ANYF },
	{ "bfxil32", "bfxil_w", 0, 0xffffff80, 0, 0, 0x1ffffff, ANYF },
	{ "extr64", "extr_x", 0x1, 0x8000000000000000, 0, 0, 0x0000000000000003ul << 40, ANYF },
	{ "extr32", "extr_w", 0x1, 0x80000000, 0, 0, 0x3, ANYF },
	/* move wide */
	{ "movz", "movz_x32", 0, 0, 0, 0, 0x0000123400000000, ANYF },
	{ "movn", "movn_x16", 0, 0, 0, 0, 0xffffffffedcbffff, ANYF },
	{ "movn32", "movn_w0", 0, 0, 0, 0, 0xffffffff, ANYF },
	{ "movk0", "movk_x0", 0x1111222233334444, 0, 0, 0, 0x111122223333beef, ANYF },
	{ "movk48", "movk_x48", 0x1111222233334444, 0, 0, 0, 0x8001222233334444, ANYF },
	{ "movk32", "movk_w16", 0xffffffff00001111, 0, 0, 0, 0xcafe1111, ANYF },
	/* conditional */
	{ "ccmp-taken", "ccmp_x_eq", 5, 5, 0, F(0, 1, 0, 0), 0, F(0, 1, 1, 0) },
	{ "ccmp-nottaken", "ccmp_x_eq", 5, 5, 0, 0, 0, F(0, 1, 0, 1) },
	{ "ccmp-imm", "ccmp_x_imm_hi", 31, 0, 0, F(0, 0, 1, 0), 0, F(0, 1, 1, 0) },
	{ "ccmn-vs", "ccmn_x_vs", 1, ~0ul, 0, F(0, 0, 0, 1), 0, F(0, 1, 1, 0) },
	{ "ccmp-al", "ccmp_x_al", 1, 2, 0, 0, 0, F(1, 0, 0, 0) },
	{ "csel-ne", "csel_x_ne", 1, 2, 0, F(0, 1, 0, 0), 2, F(0, 1, 0, 0) },
	{ "csel-nv", "csel_x_nv", 1, 2, 0, 0, 1, ANYF },
	{ "csinc-cs", "csinc_x_cs", 1, 7, 0, 0, 8, ANYF },
	{ "csinv-mi", "csinv_x_mi", 1, 7, 0, 0, ~7ul, ANYF },
	{ "csneg-pl", "csneg_x_pl", 1, 7, 0, F(1, 0, 0, 0), (u64)-7, ANYF },
	{ "csneg32-vc", "csneg_w_vc", 1, 7, 0, F(0, 0, 0, 1), 0xfffffff9, ANYF },
	{ "cset-cc", "cset_x_cc", 0, 0, 0, 0, 1, ANYF },
	{ "csetm32-hi", "csetm_w_hi", 0, 0, 0, F(0, 0, 1, 0), 0xffffffff, ANYF },
	{ "cinc-ge", "cinc_x_ge", 9, 0, 0, F(1, 0, 0, 1), 10, ANYF },
	{ "cneg32-lt", "cneg_w_lt", 9, 0, 0, F(1, 0, 0, 0), 0xfffffff7, ANYF },
	/* multiply / divide */
	{ "mul64-wrap", "mul_x", 0x100000001, 0x100000001, 0, 0, 0x200000001, ANYF },
	{ "madd64", "madd_x", 3, 4, 5, 0, 17, ANYF },
	{ "msub64", "msub_x", 3, 4, 5, 0, (u64)-7, ANYF },
	{ "madd32", "madd_w", 0x10000, 0x10000, 7, 0, 7, ANYF },
	{ "smaddl", "smaddl", 0xffffffff, 2, 1, 0, (u64)-1, ANYF },
	{ "umaddl", "umaddl", 0xffffffff, 2, 1, 0, 0x1ffffffff, ANYF },
	{ "smsubl", "smsubl", 0x80000000, 2, 0, 0, 0x100000000, ANYF },
	{ "umsubl", "umsubl", 0x80000000, 2, 0, 0, 0xffffffff00000000, ANYF },
	{ "smull", "smull", 0x80000000, 0x80000000, 0, 0, 0x4000000000000000, ANYF },
	{ "umull", "umull", 0xffffffff, 0xffffffff, 0, 0, 0xfffffffe00000001, ANYF },
	{ "smulh-neg", "smulh", (u64)-2, 3, 0, 0, ~0ul, ANYF },
	{ "smulh-min", "smulh", 0x8000000000000000, 0x8000000000000000, 0, 0, 0x4000000000000000, ANYF },
	{ "umulh-max", "umulh", ~0ul, ~0ul, 0, 0, 0xfffffffffffffffe, ANYF },
	{ "sdiv64-by0", "sdiv_x", 1234, 0, 0, 0, 0, ANYF },
	{ "udiv64-by0", "udiv_x", 1234, 0, 0, 0, 0, ANYF },
	{ "sdiv64-min-m1", "sdiv_x", 0x8000000000000000, ~0ul, 0, 0, 0x8000000000000000, ANYF },
	{ "sdiv32-min-m1", "sdiv_w", 0x80000000, 0xffffffff, 0, 0, 0x80000000, ANYF },
	{ "sdiv64-trunc", "sdiv_x", (u64)-7, 2, 0, 0, (u64)-3, ANYF },
	{ "sdiv32-trunc", "sdiv_w", 7, 0xfffffffe, 0, 0, 0xfffffffd, ANYF },
	{ "udiv64", "udiv_x", ~0ul, 3, 0, 0, 0x5555555555555555, ANYF },
	{ "udiv32", "udiv_w", 0xffffffff00000064, 7, 0, 0, 14, ANYF },
	{ "udiv32-by0", "udiv_w", 5, 0x100000000, 0, 0, 0, ANYF },
	/* bit manipulation */
	{ "clz64-0", "clz_x", 0, 0, 0, 0, 64, ANYF },
	{ "clz32-0", "clz_w", 0xffffffff00000000, 0, 0, 0, 32, ANYF },
	{ "clz64-1", "clz_x", 1, 0, 0, 0, 63, ANYF },
	{ "cls64-0", "cls_x", 0, 0, 0, 0, 63, ANYF },
	{ "cls64-m1", "cls_x", ~0ul, 0, 0, 0, 63, ANYF },
	{ "cls32-min", "cls_w", 0x80000000, 0, 0, 0, 0, ANYF },
	{ "cls32-3", "cls_w", 0xf0000000, 0, 0, 0, 3, ANYF },
	{ "rbit64", "rbit_x", 1, 0, 0, 0, 0x8000000000000000, ANYF },
	{ "rbit32", "rbit_w", 0x00000003, 0, 0, 0, 0xc0000000, ANYF },
	{ "rev64", "rev_x", 0x0123456789abcdef, 0, 0, 0, 0xefcdab8967452301, ANYF },
	{ "rev32w", "rev_w", 0x0123456789abcdef, 0, 0, 0, 0xefcdab89, ANYF },
	{ "rev16-64", "rev16_x", 0x0123456789abcdef, 0, 0, 0, 0x23016745ab89efcd, ANYF },
	{ "rev16-32", "rev16_w", 0x0123456789abcdef, 0, 0, 0, 0xab89efcd, ANYF },
	{ "rev32-64", "rev32_x", 0x0123456789abcdef, 0, 0, 0, 0x67452301efcdab89, ANYF },
};

static void run_kats(void)
{
	char name[64];
	for (unsigned i = 0; i < ARRAY_SIZE(kats); i++) {
		const struct kat *k = &kats[i];
		opfn fn = find_op(k->op);
		if (!fn)
			continue;
		u64 fo;
		u64 r = fn(k->a, k->b, k->c, k->fin, &fo);
		u64 expf = k->fout == ANYF ? fo : k->fout;
		snprintf(name, sizeof(name), "alu-%s", k->name);
		if (r == k->r && fo == expf) {
			g_pass++;
			printf("PASS %s\n", name);
		} else {
			g_fail++;
			printf("FAIL %s r=0x%lx exp=0x%lx nzcv=0x%lx exp=0x%lx\n", name, r, k->r, fo >> 28,
			       expf >> 28);
		}
	}
}

/* ---- CRC32 known answers ("123456789") ---- */
static u32 crc_bytes(int castagnoli, const u8 *p, int n)
{
	u32 c = ~0u;
	for (int i = 0; i < n; i++) {
		if (castagnoli)
			asm("crc32cb %w0, %w0, %w1" : "+r"(c) : "r"((u32)p[i]));
		else
			asm("crc32b %w0, %w0, %w1" : "+r"(c) : "r"((u32)p[i]));
	}
	return ~c;
}

static void crc_tests(void)
{
	static const u8 msg[16] __attribute__((aligned(8))) = "123456789";
	CHECK_EQ("crc32b-check", crc_bytes(0, msg, 9), 0xCBF43926);
	CHECK_EQ("crc32cb-check", crc_bytes(1, msg, 9), 0xE3069283);
	u64 d8 = *(const u64 *)msg;
	u32 c = ~0u;
	asm("crc32x %w0, %w0, %1\n\tcrc32b %w0, %w0, %w2" : "+r"(c) : "r"(d8), "r"((u32)msg[8]));
	CHECK_EQ("crc32x-check", ~c, 0xCBF43926);
	c = ~0u;
	asm("crc32cw %w0, %w0, %w1\n\tcrc32cw %w0, %w0, %w2\n\tcrc32cb %w0, %w0, %w3"
	    : "+r"(c)
	    : "r"((u32)d8), "r"((u32)(d8 >> 32)), "r"((u32)msg[8]));
	CHECK_EQ("crc32cw-check", ~c, 0xE3069283);
	c = ~0u;
	for (int i = 0; i < 4; i++)
		asm("crc32h %w0, %w0, %w1" : "+r"(c) : "r"((u32)(d8 >> (16 * i)) & 0xffff));
	asm("crc32b %w0, %w0, %w1" : "+r"(c) : "r"((u32)msg[8]));
	CHECK_EQ("crc32h-check", ~c, 0xCBF43926);
	c = ~0u;
	asm("crc32cx %w0, %w0, %1\n\tcrc32cb %w0, %w0, %w2" : "+r"(c) : "r"(d8), "r"((u32)msg[8]));
	CHECK_EQ("crc32cx-check", ~c, 0xE3069283);
	/* crc32b only uses the low byte of the data register */
	u32 c1 = 0x12345678, c2 = 0x12345678;
	asm("crc32b %w0, %w0, %w1" : "+r"(c1) : "r"(0xffffff41u));
	asm("crc32b %w0, %w0, %w1" : "+r"(c2) : "r"(0x41u));
	CHECK_EQ("crc32b-lowbyte", c1, c2);
}

/* ---- logical immediates (tables in logimm.S) ---- */
typedef u64 (*immfn)(u64);
extern char logimm_and64[], logimm_orr64[], logimm_eor64[];
extern char logimm_and32[], logimm_orr32[], logimm_ands32[];
extern const u32 logimm_n64, logimm_n32;
extern const u16 logimm_enc64[], logimm_enc32[]; /* N:immr:imms per entry */

static u64 ror_e(u64 v, unsigned r, unsigned e)
{
	u64 mask = e == 64 ? ~0ul : ((1ul << e) - 1);
	r %= e;
	if (!r)
		return v & mask;
	return ((v >> r) | (v << (e - r))) & mask;
}

/* Reference DecodeBitMasks (wmask only) in C. */
static u64 decode_bitmask(unsigned n, unsigned immr, unsigned imms, unsigned regsize)
{
	unsigned combined = (n << 6) | (~imms & 0x3f);
	int len = -1;
	for (int i = 6; i >= 0; i--)
		if (combined & (1u << i)) {
			len = i;
			break;
		}
	unsigned e = 1u << len;
	unsigned s = imms & (e - 1), r = immr & (e - 1);
	u64 welem = (s + 1 == 64) ? ~0ul : ((1ul << (s + 1)) - 1);
	welem = ror_e(welem, r, e);
	u64 v = 0;
	for (unsigned i = 0; i < 64; i += e)
		v |= welem << i;
	if (regsize == 32)
		v &= 0xffffffff;
	return v;
}

static immfn entry(char *tab, unsigned i)
{
	return (immfn)(void *)(tab + 8 * i);
}

static void logimm_tests(void)
{
	unsigned bad = 0, first_bad = ~0u;
	u64 h;
	for (unsigned i = 0; i < logimm_n64; i++) {
		unsigned enc = logimm_enc64[i];
		u64 m = decode_bitmask(enc >> 12, (enc >> 6) & 63, enc & 63, 64);
		if (entry(logimm_and64, i)(~0ul) != m || entry(logimm_orr64, i)(0) != m ||
		    entry(logimm_eor64, i)(0) != m) {
			if (!bad++)
				first_bad = i;
		}
	}
	if (bad)
		printf("FAIL logimm-64-decode bad=%u first=%u\n", bad, first_bad), g_fail++;
	else
		printf("PASS logimm-64-decode (%u patterns)\n", logimm_n64), g_pass++;
	bad = 0;
	for (unsigned i = 0; i < logimm_n32; i++) {
		unsigned enc = logimm_enc32[i];
		u64 m = decode_bitmask(0, (enc >> 6) & 63, enc & 63, 32);
		if (entry(logimm_and32, i)(~0ul) != m || entry(logimm_orr32, i)(0xffffffff00000000) != m ||
		    entry(logimm_ands32, i)(~0ul) != m) {
			if (!bad++)
				first_bad = i;
		}
	}
	if (bad)
		printf("FAIL logimm-32-decode bad=%u first=%u\n", bad, first_bad), g_fail++;
	else
		printf("PASS logimm-32-decode (%u patterns)\n", logimm_n32), g_pass++;

	/* a few spelled-out patterns */
	u64 r;
	asm("and %0, %1, #0x5555555555555555" : "=r"(r) : "r"(~0ul));
	CHECK_EQ("logimm-5555", r, 0x5555555555555555);
	asm("orr %0, xzr, #0xff000000000000ff" : "=r"(r));
	CHECK_EQ("logimm-ff..ff", r, 0xff000000000000ff);
	asm("eor %w0, %w1, #0x0f0f0f0f" : "=r"(r) : "r"(~0ul));
	CHECK_EQ("logimm-w-0f0f", r, 0xf0f0f0f0);
	asm("mov %0, #0x7ffffffffffffffe" : "=r"(r));
	CHECK_EQ("logimm-7ffe", r, 0x7ffffffffffffffe);
	u64 f;
	asm("ands %0, %2, #0x8000000000000000\n\tmrs %1, nzcv" : "=r"(r), "=r"(f) : "r"(~0ul) : "cc");
	CHECK_EQ("logimm-ands-flags", f, F(1, 0, 0, 0));
	asm("msr nzcv, %2\n\ttst %w1, #0x1\n\tmrs %0, nzcv" : "=r"(f) : "r"(2ul), "r"(F(0, 0, 1, 1)) : "cc");
	CHECK_EQ("logimm-tst-w-flags", f, F(0, 1, 0, 0));

	/* hash sweeps: every table entry over a handful of operands */
	static const struct {
		const char *name;
		char *tab;
		int w;
	} tabs[] = {
		{ "logimm-and64", logimm_and64, 0 }, { "logimm-orr64", logimm_orr64, 0 },
		{ "logimm-eor64", logimm_eor64, 0 }, { "logimm-and32", logimm_and32, 1 },
		{ "logimm-orr32", logimm_orr32, 1 }, { "logimm-ands32", logimm_ands32, 1 },
	};
	for (unsigned t = 0; t < ARRAY_SIZE(tabs); t++) {
		unsigned n = tabs[t].w ? logimm_n32 : logimm_n64;
		h = HASH_INIT;
		for (unsigned i = 0; i < n; i++)
			for (unsigned j = 0; j < 6; j++) {
				u64 fl;
				u64 v = entry(tabs[t].tab, i)(operand(j * 7 + i));
				asm volatile("mrs %0, nzcv" : "=r"(fl));
				h = hmix(hmix(h, v), fl);
			}
		hash_print(tabs[t].name, h);
	}
}

/* ---- ADR / ADRP (asm helpers in logimm.S) ---- */
extern u64 adr_probe(u64 *out); /* writes adr/adrp/literal results */

static void adr_tests(void)
{
	u64 o[8];
	adr_probe(o);
	CHECK_EQ("adr-forward", o[0], o[1]);
	CHECK_EQ("adr-backward", o[2], o[3]);
	CHECK_EQ("adrp-page", o[4], o[5] & ~0xffful);
	CHECK_EQ("adrp-far", o[6], o[7] & ~0xffful);
}

/* ---- sweeps ---- */
#define NSWEEP 48
#define NRAND 256

static void sweep(const struct opdesc *d)
{
	u64 h = HASH_INIT;
	unsigned k = 0;
	for (unsigned i = 0; i < NSWEEP; i++)
		for (unsigned j = 0; j < NSWEEP; j++, k++) {
			u64 a = operand(i), b = operand(j);
			u64 c = operand((i * 13 + j * 5) % NSWEEP + 200);
			u64 fi = (u64)((i * 5 + j * 3 + (i >> 2)) & 0xf) << 28;
			u64 fo;
			u64 r = d->fn(a, b, c, fi, &fo);
			h = hmix(hmix(h, r), fo);
		}
	for (unsigned i = 0; i < NRAND; i++) {
		u64 a = operand(1000 + i), b = operand(3000 + i), c = operand(5000 + i);
		u64 fi = (u64)(i & 0xf) << 28;
		u64 fo;
		u64 r = d->fn(a, b, c, fi, &fo);
		h = hmix(hmix(h, r), fo);
	}
	char name[48];
	snprintf(name, sizeof(name), "alu-%s", d->name);
	hash_print(name, h);
}

int main(void)
{
	puts("isa-alu\n");
	run_kats();
	crc_tests();
	logimm_tests();
	adr_tests();
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++)
		sweep(&ops[i]);
	return 0;
}
