/* cprog: ordinary C as GCC -O2 emits it, with known answers. */
#include "check.h"

/* ---- qsort (own implementation, function-pointer comparator) ---- */
static void swap_bytes(u8 *a, u8 *b, size_t n)
{
	while (n--) {
		u8 t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

static void my_qsort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
	u8 *b = base;
	while (n > 1) {
		size_t mid = n / 2, i = 0, j = n - 1;
		swap_bytes(b + mid * sz, b + j * sz, sz); /* pivot to end */
		size_t store = 0;
		for (i = 0; i < j; i++)
			if (cmp(b + i * sz, b + j * sz) < 0) {
				swap_bytes(b + i * sz, b + store * sz, sz);
				store++;
			}
		swap_bytes(b + store * sz, b + j * sz, sz);
		/* recurse on the smaller side */
		if (store < n - store - 1) {
			my_qsort(b, store, sz, cmp);
			b += (store + 1) * sz;
			n -= store + 1;
		} else {
			my_qsort(b + (store + 1) * sz, n - store - 1, sz, cmp);
			n = store;
		}
	}
}

static int cmp_s32(const void *a, const void *b)
{
	s32 x = *(const s32 *)a, y = *(const s32 *)b;
	return (x > y) - (x < y);
}

struct rec {
	u32 key;
	char name[12];
	u64 payload;
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void test_qsort(void)
{
	static s32 v[500];
	u64 seed = 12345;
	for (int i = 0; i < 500; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		v[i] = (s32)(seed >> 33) - (1 << 30);
	}
	my_qsort(v, 500, sizeof(v[0]), cmp_s32);
	int sorted = 1;
	u64 h = HASH_INIT;
	for (int i = 0; i < 500; i++) {
		if (i && v[i - 1] > v[i])
			sorted = 0;
		h = hmix(h, (u32)v[i]);
	}
	CHECK("qsort-int-sorted", sorted);
	hash_print("cprog-qsort", h);

	static struct rec r[6] = {
		{ 3, "carol", 1 }, { 1, "bob", 2 }, { 3, "alice", 3 },
		{ 0, "zed", 4 },   { 1, "amy", 5 }, { 2, "dan", 6 },
	};
	my_qsort(r, 6, sizeof(r[0]), cmp_rec);
	u64 order = 0;
	for (int i = 0; i < 6; i++)
		order = order * 10 + r[i].payload;
	CHECK_EQ("qsort-struct", order, 452631);
}

/* ---- strings ---- */
static char *my_strcpy(char *d, const char *s)
{
	char *r = d;
	while ((*d++ = *s++))
		;
	return r;
}

static char *my_strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c ? 0 : (char *)s;
}

static void reverse(char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n / 2; i++) {
		char t = s[i];
		s[i] = s[n - 1 - i];
		s[n - 1 - i] = t;
	}
}

static void test_strings(void)
{
	char buf[64];
	my_strcpy(buf, "Hello, armvisor!");
	CHECK_EQ("strlen", strlen(buf), 16);
	CHECK("strcmp-eq", strcmp(buf, "Hello, armvisor!") == 0);
	CHECK("strcmp-lt", strcmp("abc", "abd") < 0);
	CHECK("strcmp-gt", strcmp("b", "abc") > 0);
	CHECK_EQ("strchr", my_strchr(buf, 'a') - buf, 7);
	CHECK("strchr-miss", my_strchr(buf, 'z') == 0);
	reverse(buf);
	CHECK("reverse", strcmp(buf, "!rosivmra ,olleH") == 0);
	/* memmove overlap, both directions */
	char m[16] = "0123456789";
	memmove(m + 2, m, 8);
	CHECK("memmove-up", memcmp(m, "0101234567", 10) == 0);
	memmove(m, m + 3, 7);
	CHECK("memmove-down", memcmp(m, "1234567567", 10) == 0);
	memset(m, 'x', 5);
	CHECK("memset", memcmp(m, "xxxxx67567", 10) == 0);
}

/* ---- formatting to a buffer ---- */
static void test_format(void)
{
	char b[96];
	snprintf(b, sizeof(b), "%d|%u|%x|%lx|%016lx|%c|%s|%5d|%-4s|%05u", -42, 42u, 0xbeefu,
		 0x123456789abul, 0xfeedul, 'Z', "str", 7, "ab", 99u);
	CHECK("snprintf", strcmp(b, "-42|42|beef|123456789ab|000000000000feed|Z|str|    7|ab  |00099") == 0);
	snprintf(b, sizeof(b), "%ld %lu %d", (s64)-9223372036854775807l - 1, ~0ul, 0);
	CHECK("snprintf-extremes", strcmp(b, "-9223372036854775808 18446744073709551615 0") == 0);
	int n = snprintf(b, 8, "%s", "truncate-me");
	CHECK("snprintf-trunc", n == 11 && strcmp(b, "truncat") == 0);
}

/* ---- __int128 ---- */
typedef unsigned __int128 u128;
typedef __int128 s128;

static NOINLINE u128 u128_mul(u128 a, u128 b) { return a * b; }
static NOINLINE u128 u128_div(u128 a, u128 b) { return a / b; }
static NOINLINE u128 u128_mod(u128 a, u128 b) { return a % b; }
static NOINLINE s128 s128_div(s128 a, s128 b) { return a / b; }
static NOINLINE u128 u128_shl(u128 a, unsigned s) { return a << s; }
static NOINLINE s128 s128_shr(s128 a, unsigned s) { return a >> s; }

static void test_int128(void)
{
	u128 a = ((u128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull;
	u128 p = u128_mul(a, 0x1000000000000001ull);
	CHECK("u128-mul", (u64)(p >> 64) == 0x0111111111111110ull && (u64)p == 0xfedcba9876543210ull);
	u128 f = 1;
	for (int i = 1; i <= 30; i++)
		f *= (u128)i; /* 30! = 265252859812191058636308480000000 */
	u128 q = u128_div(f, 1000000000000000000ull);
	CHECK_EQ("u128-fact30-div", (u64)q, 265252859812191ull);
	CHECK_EQ("u128-fact30-mod", (u64)u128_mod(f, 1000000000000000000ull), 58636308480000000ull);
	s128 neg = -(s128)f;
	CHECK_EQ("s128-div", (u64)s128_div(neg, 1000000000000000000ll), (u64)-265252859812191ll);
	CHECK_EQ("u128-shl", (u64)(u128_shl(1, 100) >> 64), 1ull << 36);
	CHECK_EQ("s128-shr", (u64)s128_shr(-((s128)1 << 100), 99), (u64)-2ll);
	u128 big = ~(u128)0;
	CHECK("u128-div-self", u128_div(big, big) == 1 && u128_mod(big, 3) == 0);
	u128 x = u128_div(big, ((u128)1 << 64) + 1);
	CHECK_EQ("u128-div-wide", (u64)x, ~0ull);
}

/* ---- switch tables ---- */
static NOINLINE int classify(unsigned c)
{
	switch (c) {
	case 0: return 11;
	case 1: return 7;
	case 2: return 3;
	case 3: return 101;
	case 4: return -5;
	case 5: return 42;
	case 6: return 1000;
	case 7: return 8;
	case 8: return 9;
	case 9: return -77;
	case 10: return 31;
	case 12: return 12;
	case 13: return 13;
	case 15: return 99;
	default: return -1;
	}
}

static NOINLINE const char *day(int d)
{
	switch (d) {
	case 1: return "mon";
	case 2: return "tue";
	case 3: return "wed";
	case 4: return "thu";
	case 5: return "fri";
	case 6: return "sat";
	case 7: return "sun";
	}
	return "?";
}

static void test_switch(void)
{
	u32 sum = 0;
	for (unsigned i = 0; i < 20; i++)
		sum = sum * 3 + (u32)classify(i);
	CHECK_EQ("switch-dense", sum, 0x1cc2d974);
	CHECK("switch-strings", !strcmp(day(3), "wed") && !strcmp(day(7), "sun") && !strcmp(day(9), "?"));
}

/* ---- recursion ---- */
static NOINLINE u64 ackermann(u64 m, u64 n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ackermann(m - 1, 1);
	return ackermann(m - 1, ackermann(m, n - 1));
}

static NOINLINE u64 fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int queens(int n, int row, u32 cols, u32 d1, u32 d2)
{
	if (row == n)
		return 1;
	int c = 0;
	for (int i = 0; i < n; i++) {
		if ((cols >> i) & 1 || (d1 >> (row + i)) & 1 || (d2 >> (row - i + n)) & 1)
			continue;
		c += queens(n, row + 1, cols | 1u << i, d1 | 1u << (row + i), d2 | 1u << (row - i + n));
	}
	return c;
}

static void test_recursion(void)
{
	CHECK_EQ("ackermann-2-3", ackermann(2, 3), 9);
	CHECK_EQ("ackermann-3-3", ackermann(3, 3), 61);
	CHECK_EQ("fib-20", fib(20), 6765);
	CHECK_EQ("queens-8", queens(8, 0, 0, 0, 0), 92);
}

/* ---- function pointers ---- */
typedef u64 (*binop)(u64, u64);
static u64 f_add(u64 a, u64 b) { return a + b; }
static u64 f_mul(u64 a, u64 b) { return a * b; }
static u64 f_xor(u64 a, u64 b) { return a ^ b; }
static u64 f_rot(u64 a, u64 b) { return (a << (b & 63)) | (a >> ((64 - b) & 63)); }
static const binop table[] = { f_add, f_mul, f_xor, f_rot };

static u64 fold(const binop *ops, int nops, u64 seed, int rounds)
{
	for (int i = 0; i < rounds; i++)
		seed = ops[i % nops](seed, (u64)i * 0x9e3779b97f4a7c15ull + 1);
	return seed;
}

static void test_fnptr(void)
{
	u64 r = fold(table, 4, 1, 1000);
	hash_print("cprog-fnptr", r);
	CHECK_EQ("fnptr-small", fold(table, 3, 5, 3), ((5 + 1) * (0x9e3779b97f4a7c15ull + 1)) ^ (2 * 0x9e3779b97f4a7c15ull + 1));
}

/* ---- structs ---- */
struct big {
	u64 a[9];
	u32 b;
	u16 c;
	u8 d;
	char s[13];
};

static NOINLINE struct big make_big(u64 seed)
{
	struct big x;
	for (int i = 0; i < 9; i++)
		x.a[i] = seed * (i + 1);
	x.b = (u32)seed;
	x.c = (u16)(seed >> 3);
	x.d = (u8)(seed >> 7);
	for (int i = 0; i < 12; i++)
		x.s[i] = 'a' + (char)((seed + i) % 26);
	x.s[12] = 0;
	return x;
}

static NOINLINE u64 sum_big(struct big x)
{
	u64 s = x.b + x.c + x.d;
	for (int i = 0; i < 9; i++)
		s += x.a[i];
	for (int i = 0; x.s[i]; i++)
		s = s * 31 + (u8)x.s[i];
	return s;
}

struct bits {
	unsigned a : 3;
	unsigned b : 7;
	signed c : 5;
	unsigned d : 17;
};

static void test_structs(void)
{
	struct big x = make_big(1234567);
	struct big y = x; /* struct copy */
	y.a[8] = 0;
	struct big z[3];
	z[1] = y;
	z[2] = x;
	CHECK("struct-copy", z[1].a[0] == 1234567 && z[1].a[8] == 0 && z[2].a[8] == 9 * 1234567ull &&
				     !strcmp(z[2].s, x.s));
	/* the difference (a[8]) gets multiplied by 31^12 by the string hash */
	CHECK_EQ("struct-by-value", sum_big(z[2]) - sum_big(z[1]), 0x278836a3e06c643full);
	volatile struct bits bf = { 0 };
	bf.a = 5;
	bf.b = 100;
	bf.c = -7;
	bf.d = 99999;
	CHECK("bitfields", bf.a == 5 && bf.b == 100 && bf.c == -7 && bf.d == 99999);
	bf.a = bf.a + 4; /* wraps to 1 */
	bf.c = bf.c - 10; /* -17 wraps to 15 */
	CHECK("bitfields-wrap", bf.a == 1 && bf.c == 15);
}

/* ---- varargs ---- */
static u64 sum_va(int n, ...)
{
	va_list ap;
	va_start(ap, n);
	u64 s = 0;
	for (int i = 0; i < n; i++)
		s += va_arg(ap, u64) * (i + 1);
	va_end(ap);
	return s;
}

static void test_varargs(void)
{
	CHECK_EQ("varargs-12", sum_va(12, 1ul, 2ul, 3ul, 4ul, 5ul, 6ul, 7ul, 8ul, 9ul, 10ul, 11ul, 12ul), 650);
}

/* ---- a little interpreter (loops, arrays, byte code) ---- */
static u64 interp(void)
{
	/* computes sum_{i<n} (i*i ^ acc) with a tiny stack machine */
	enum { PUSH, ADD, MUL, XOR, DUP, SWAP, JNZ, DEC, HALT, OVER, ROT };
	static const u8 prog[] = { PUSH, 0, PUSH, 200, /* acc n */
				   DUP, DUP, MUL, ROT, XOR, SWAP, DEC, JNZ, 4, HALT };
	u64 st[16];
	int sp = 0, pc = 0;
	for (;;) {
		u8 op = prog[pc++];
		switch (op) {
		case PUSH: st[sp++] = prog[pc++]; break;
		case ADD: sp--; st[sp - 1] += st[sp]; break;
		case MUL: sp--; st[sp - 1] *= st[sp]; break;
		case XOR: sp--; st[sp - 1] ^= st[sp]; break;
		case DUP: st[sp] = st[sp - 1]; sp++; break;
		case SWAP: { u64 t = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = t; break; }
		case DEC: st[sp - 1]--; break;
		case JNZ: if (st[sp - 1]) pc = prog[pc]; else pc++; break;
		case OVER: st[sp] = st[sp - 2]; sp++; break;
		case ROT: { u64 t = st[sp - 3]; st[sp - 3] = st[sp - 2]; st[sp - 2] = st[sp - 1]; st[sp - 1] = t; break; }
		case HALT: return st[0] ^ (st[1] << 32);
		default: return ~0ull;
		}
	}
}

static u64 interp_ref(void)
{
	u64 acc = 0;
	for (u64 n = 200; n; n--)
		acc ^= n * n;
	return acc;
}

static void test_interp(void)
{
	CHECK_EQ("interp", interp(), interp_ref());
}

/* Boot protocol: a Linux Image boot passes the DTB address in x0; QEMU's
 * ELF boot passes x0 = 0 (and, with the image at 0x40080000, there is no
 * room for its 1 MiB DTB blob at the RAM base, so none is loaded). */
static void test_boot(void)
{
	if (boot_dtb) {
		u32 magic = *(volatile u32 *)boot_dtb;
		printf("boot: x0 points at a DTB\n");
		CHECK_EQ("boot-dtb-magic", __builtin_bswap32(magic), 0xd00dfeed);
		CHECK("boot-dtb-aligned", (boot_dtb & 7) == 0);
	} else {
		printf("boot: x0 = 0\n");
	}
}

int main(void)
{
	puts("cprog\n");
	test_boot();
	test_qsort();
	test_strings();
	test_format();
	test_int128();
	test_switch();
	test_recursion();
	test_fnptr();
	test_structs();
	test_varargs();
	test_interp();
	return 0;
}
