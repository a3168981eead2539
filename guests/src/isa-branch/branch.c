/* isa-branch: B, BL, BR, BLR, RET, B.cond x all flags, CBZ/CBNZ, TBZ/TBNZ. */
#include "check.h"

void bcond_matrix(u16 out[16]);
u64 bcond_keeps_flags(u64 nzcv, u64 x1);
u64 tbnz_mask(u64 v);
u64 tb_w(u64 v);
u64 cb_probe(u64 v);
void link_probe(u64 out[8]);
u64 far_branches(void);
u64 count_loop(u64 n);

static const char *const cond_names[16] = { "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
					    "hi", "ls", "ge", "lt", "gt", "le", "al", "nv" };

static int cond_holds(unsigned cond, unsigned nzcv)
{
	int n = (nzcv >> 3) & 1, z = (nzcv >> 2) & 1, c = (nzcv >> 1) & 1, v = nzcv & 1;
	int r;
	switch (cond >> 1) {
	case 0: r = z; break;
	case 1: r = c; break;
	case 2: r = n; break;
	case 3: r = v; break;
	case 4: r = c && !z; break;
	case 5: r = n == v; break;
	case 6: r = !z && n == v; break;
	default: return 1; /* AL and NV: always */
	}
	return (cond & 1) ? !r : r;
}

int main(void)
{
	char name[48];
	puts("isa-branch\n");

	static u16 m[16];
	bcond_matrix(m);
	u64 h = HASH_INIT;
	for (unsigned c = 0; c < 16; c++) {
		unsigned got = 0, exp = 0;
		for (unsigned f = 0; f < 16; f++) {
			got |= ((m[f] >> c) & 1u) << f;
			exp |= (unsigned)cond_holds(c, f) << f;
		}
		snprintf(name, sizeof(name), "bcond-%s", cond_names[c]);
		CHECK_EQ(name, got, exp);
	}
	for (unsigned f = 0; f < 16; f++)
		h = hmix(h, m[f]);
	hash_print("bcond-matrix", h);

	for (unsigned f = 0; f < 16; f++) {
		u64 nz = (u64)f << 28;
		snprintf(name, sizeof(name), "branch-keeps-nzcv-%x", f);
		CHECK_EQ(name, bcond_keeps_flags(nz, f * 0x55), nz);
	}

	/* CBZ/CBNZ: W forms look at the low 32 bits only */
	CHECK_EQ("cb-zero", cb_probe(0), 1 | 4);
	CHECK_EQ("cb-one", cb_probe(1), 2 | 8);
	CHECK_EQ("cb-w-zero-x-nonzero", cb_probe(0xffffffff00000000), 2 | 4);
	CHECK_EQ("cb-bit32", cb_probe(0x100000000), 2 | 4);
	CHECK_EQ("cb-bit31", cb_probe(0x80000000), 2 | 8);
	CHECK_EQ("cb-top", cb_probe(0x8000000000000000), 2 | 4);

	/* TBZ/TBNZ over all 64 bit positions */
	static const u64 tv[] = { 0, ~0ul, 1, 0x8000000000000000, 0x100000000, 0x80000000,
				  0x5555555555555555, 0xaaaaaaaaaaaaaaaa, 0x0123456789abcdef,
				  0xfedcba9876543210, 0x00000000ffffffff, 0xffffffff00000000 };
	for (unsigned i = 0; i < ARRAY_SIZE(tv); i++) {
		snprintf(name, sizeof(name), "tbnz-mask-%016lx", tv[i]);
		CHECK_EQ(name, tbnz_mask(tv[i]), tv[i]);
	}
	h = HASH_INIT;
	for (unsigned i = 0; i < 512; i++)
		h = hmix(h, tbnz_mask(operand(i)) ^ operand(i));
	hash_print("tbnz-sweep", h);
	CHECK_EQ("tb-w-1", tb_w(0x80008000), 2 | 4); /* bit0 clear: TBZ taken */
	CHECK_EQ("tb-w-2", tb_w(0xffffffff00000001), 1);

	static u64 lp[8];
	link_probe(lp);
	CHECK_EQ("bl-link", lp[0], lp[1]);
	CHECK_EQ("blr-link", lp[2], lp[3]);
	CHECK_EQ("blr-x30", lp[4], lp[5]);
	CHECK_EQ("ret-xn-br", lp[6], 3);
	CHECK_EQ("far-branches", far_branches(), 3);
	CHECK_EQ("count-loop", count_loop(1000), 3000 + 500500 + 16);

	/* Function pointers and computed gotos from C */
	static void *const labels[] = { &&l0, &&l1, &&l2, &&l3 };
	unsigned acc = 0;
	for (unsigned i = 0; i < 8; i++) {
		goto *labels[(i * 3) & 3];
	l0: acc += 1; continue;
	l1: acc += 10; continue;
	l2: acc += 100; continue;
	l3: acc += 1000; continue;
	}
	CHECK_EQ("computed-goto", acc, 2222);
	return 0;
}
