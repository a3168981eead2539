/* Checks, exception dispatch, shutdown. */
#include "lib.h"

u64 boot_dtb;
int boot_el;
int g_pass, g_fail;
struct exc_record exc;
int (*exc_hook)(int vec, struct frame *f, int el);

int current_el(void)
{
	return (int)((read_sysreg(CurrentEL) >> 2) & 3);
}

int cpu_id(void)
{
	return (int)(read_sysreg(mpidr_el1) & 0xff);
}

void check_cond(const char *name, int ok, const char *details)
{
	if (ok) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s %s\n", name, details);
	}
}

void check_eq(const char *name, u64 got, u64 exp)
{
	if (got == exp) {
		g_pass++;
		printf("PASS %s\n", name);
	} else {
		g_fail++;
		printf("FAIL %s got=0x%lx exp=0x%lx\n", name, got, exp);
	}
}

void checkf_eq(u64 got, u64 exp, const char *fmt, ...)
{
	char name[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	check_eq(name, got, exp);
}

void hash_print(const char *name, u64 h)
{
	printf("HASH %s %016lx\n", name, h);
}

static const u64 edge_operands[N_EDGE_OPERANDS] = {
	0x0000000000000000ull, 0x0000000000000001ull, 0x0000000000000002ull,
	0x000000000000007full, 0x0000000000000080ull, 0x00000000000000ffull,
	0x0000000000007fffull, 0x0000000000008000ull, 0x000000000000ffffull,
	0x000000007fffffffull, 0x0000000080000000ull, 0x0000000080000001ull,
	0x00000000fffffffeull, 0x00000000ffffffffull, 0x0000000100000000ull,
	0x0000000100000001ull, 0x7ffffffffffffffeull, 0x7fffffffffffffffull,
	0x8000000000000000ull, 0x8000000000000001ull, 0xfffffffffffffffeull,
	0xffffffffffffffffull, 0xffffffff80000000ull, 0xffffffff7fffffffull,
	0x00000000deadbeefull, 0x0123456789abcdefull, 0xfedcba9876543210ull,
	0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull, 0x000000000000003full,
	0x0000000000000040ull, 0x000000000000001full, 0x0000000000000020ull,
	0xffffffff00000000ull, 0x00000000ffff0000ull, 0x8000000080000000ull,
	0x7fffffff7fffffffull, 0xffffffffffff8000ull, 0x0000000000000003ull,
	0xc000000000000000ull,
};

u64 operand(unsigned i)
{
	if (i < N_EDGE_OPERANDS)
		return edge_operands[i];
	/* splitmix64 of the index: deterministic, order-independent */
	u64 z = (u64)i * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	/* vary the magnitude so small values, sign bits etc. all show up */
	switch (i & 7) {
	case 0: return z >> 57;
	case 1: return z >> 32;
	case 2: return z | 0x8000000000000000ull;
	case 3: return (u64)(s64)(s32)(u32)z;
	default: return z;
	}
}

NORETURN void finish(void)
{
	printf("DONE pass=%d fail=%d\n", g_pass, g_fail);
	psci_system_off();
}

void expect_exception(u64 resume)
{
	exc.count = 0;
	exc.esr = exc.elr = exc.spsr = exc.far = exc.hpfar = 0;
	exc.el = exc.vec = -1;
	exc.resume = resume;
	barrier();
	exc.armed = 1;
	barrier();
}

extern char lower_return[];

static u64 mode_for_el(int el)
{
	return el == 2 ? 0x3c9 : 0x3c5; /* ELxh with DAIF masked */
}

void exc_dispatch(int vec, struct frame *f, int el)
{
	u64 ec = EC(f->esr);
	int sync = (vec & 3) == 0;
	int lower = vec >= 8;

	if (exc_hook && exc_hook(vec, f, el))
		return;

	/* Control requests from our own lower-EL code. */
	if (sync && lower && (ec == 0x15 || ec == 0x16) && (f->esr & 0xffff) == EXIT_IMM) {
		f->elr = (u64)lower_return;
		f->spsr = mode_for_el(el);
		return;
	}
	if (sync && lower && (ec == 0x15 || ec == 0x16) && (f->esr & 0xffff) == SHUTDOWN_IMM) {
		psci_system_off();
	}

	if (exc.armed) {
		exc.el = el;
		exc.vec = vec;
		exc.esr = f->esr;
		exc.elr = f->elr;
		exc.spsr = f->spsr;
		exc.far = f->far;
		exc.hpfar = f->hpfar;
		exc.daif = read_sysreg(daif);
		exc.count++;
		exc.armed = 0;
		if (exc.resume == RESUME_LR)
			f->elr = f->x[30];
		else if (exc.resume)
			f->elr = exc.resume;
		else if (sync && ec == 0x0e)
			f->spsr &= ~(1ul << 20);
		else if (sync && !(ec == 0x15 || ec == 0x16 || ec == 0x11 || ec == 0x12))
			f->elr += 4;
		/* Asynchronous exceptions: keep that class masked on return so
		 * a still-pending interrupt does not fire again immediately. */
		if ((vec & 3) == 1)
			f->spsr |= 0x80;
		else if ((vec & 3) == 2)
			f->spsr |= 0x40;
		else if ((vec & 3) == 3)
			f->spsr |= 0x100;
		return;
	}

	g_fail++;
	printf("FAIL unexpected-exception el=%d vec=%d esr=0x%lx elr=0x%lx spsr=0x%lx far=0x%lx\n",
	       el, vec, f->esr, f->elr, f->spsr, f->far);
	finish();
}

__attribute__((weak)) void secondary_main(u64 ctx)
{
	(void)ctx;
}

static char el0_stack[8192] __attribute__((aligned(16)));
static char el1_stack[16384] __attribute__((aligned(16)));

u64 run_el0(u64 (*fn)(u64), u64 arg)
{
	return run_lower(fn, arg, 0x3c0, (u64)(el0_stack + sizeof(el0_stack)));
}

u64 run_el1(u64 (*fn)(u64), u64 arg)
{
	return run_lower(fn, arg, 0x3c5, (u64)(el1_stack + sizeof(el1_stack)));
}
