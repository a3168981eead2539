/* psci: PSCI VERSION/FEATURES/CPU_ON/CPU_OFF/AFFINITY_INFO on -smp 4.
 * Output order is fixed: secondaries print only when it is their turn. */
#include "check.h"

#define NCPU 4
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED ((u64)-1)
#define PSCI_INVALID_PARAMS ((u64)-2)
#define PSCI_ALREADY_ON ((u64)-4)

static volatile u32 turn;             /* which secondary may print */
static volatile u32 printed[NCPU];
static volatile u32 release_flag;     /* secondaries may turn off */
static volatile u64 shared_counter;   /* incremented with LDXR/STXR */
static volatile u64 seen_ctx[NCPU];
static volatile u32 seen_el[NCPU];
static volatile u32 alive[NCPU];
static void store_release(volatile u32 *p, u32 v);
#define ADDS_PER_CPU 2000

static void atomic_add(volatile u64 *p, u64 v)
{
	u64 tmp, st;
	asm volatile("1:	ldxr	%0, [%2]\n"
		     "	add	%0, %0, %3\n"
		     "	stxr	%w1, %0, [%2]\n"
		     "	cbnz	%w1, 1b\n"
		     : "=&r"(tmp), "=&r"(st)
		     : "r"(p), "r"(v)
		     : "memory");
}

static u32 load_acquire(volatile u32 *p)
{
	u32 v;
	asm volatile("ldar %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static void store_release(volatile u32 *p, u32 v)
{
	asm volatile("stlr %w0, [%1]" ::"r"(v), "r"(p) : "memory");
}

void secondary_main(u64 ctx)
{
	int id = cpu_id();
	seen_ctx[id] = ctx;
	seen_el[id] = (u32)current_el();
	store_release(&alive[id], 1);
	for (int i = 0; i < ADDS_PER_CPU; i++)
		atomic_add(&shared_counter, 1);
	while (load_acquire(&turn) != (u32)id)
		;
	printf("cpu%d: hello from mpidr=0x%lx el=%d ctx=0x%lx\n", id, read_sysreg(mpidr_el1), current_el(), ctx);
	store_release(&printed[id], 1);
	while (!load_acquire(&release_flag))
		;
	/* return -> secondary_entry issues CPU_OFF */
}

static u64 affinity(u64 mpidr)
{
	return psci_call(PSCI_AFFINITY_INFO_64, mpidr, 0, 0);
}

static int wait_off(u64 mpidr)
{
	for (u64 i = 0; i < 100000000ul; i++)
		if (affinity(mpidr) == 1)
			return 1;
	return 0;
}

int main(void)
{
	char name[48];
	puts("psci\n");
	print_lock_enabled = 1;

	u64 ver = psci_call(PSCI_VERSION, 0, 0, 0);
	printf("psci version %lu.%lu\n", ver >> 16, ver & 0xffff);
	CHECK("version-ge-0.2", ver >= 0x2);

	static const struct {
		const char *name;
		u32 fid;
	} feats[] = {
		{ "version", PSCI_VERSION },         { "cpu-on", PSCI_CPU_ON_64 },
		{ "cpu-off", PSCI_CPU_OFF },         { "affinity-info", PSCI_AFFINITY_INFO_64 },
		{ "system-off", PSCI_SYSTEM_OFF },   { "system-reset", PSCI_SYSTEM_RESET },
		{ "features", PSCI_FEATURES },       { "cpu-suspend", PSCI_CPU_SUSPEND_64 },
		{ "migrate-info-type", PSCI_MIGRATE_INFO_TYPE }, { "bogus-84000055", 0x84000055 },
		{ "bogus-0", 0 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(feats); i++) {
		u64 r = psci_call(PSCI_FEATURES, feats[i].fid, 0, 0);
		printf("features %s = %ld\n", feats[i].name, (s64)r);
	}
	snprintf(name, sizeof(name), "features-bogus-not-supported");
	CHECK_EQ(name, psci_call(PSCI_FEATURES, 0x84000055, 0, 0), PSCI_NOT_SUPPORTED);
	CHECK_EQ("features-cpu-on", psci_call(PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0), 0);
	CHECK_EQ("migrate-info-type", psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);

	/* Affinity before */
	CHECK_EQ("affinity-cpu0-on", affinity(0), 0);
	for (int c = 1; c < NCPU; c++) {
		snprintf(name, sizeof(name), "affinity-cpu%d-off-before", c);
		CHECK_EQ(name, affinity((u64)c), 1);
	}
	CHECK_EQ("affinity-invalid", affinity(0x40), PSCI_INVALID_PARAMS);

	/* CPU_ON all secondaries */
	for (int c = 1; c < NCPU; c++) {
		u64 r = psci_call(PSCI_CPU_ON_64, (u64)c, (u64)secondary_entry, 0xc0de0000ul + (u64)c);
		snprintf(name, sizeof(name), "cpu-on-%d", c);
		CHECK_EQ(name, r, PSCI_SUCCESS);
	}
	for (int c = 1; c < NCPU; c++) {
		/* only once it runs: before that QEMU's answer is timing dependent */
		while (!load_acquire(&alive[c]))
			;
		u64 r = psci_call(PSCI_CPU_ON_64, (u64)c, (u64)secondary_entry, 0);
		snprintf(name, sizeof(name), "cpu-on-%d-already-on", c);
		CHECK_EQ(name, r, PSCI_ALREADY_ON);
	}
	CHECK_EQ("cpu-on-self-already-on", psci_call(PSCI_CPU_ON_64, 0, (u64)secondary_entry, 0), PSCI_ALREADY_ON);
	CHECK_EQ("cpu-on-invalid-mpidr", psci_call(PSCI_CPU_ON_64, 0x40, (u64)secondary_entry, 0),
		 PSCI_INVALID_PARAMS);

	for (int i = 0; i < ADDS_PER_CPU; i++)
		atomic_add(&shared_counter, 1);

	/* Let each secondary print in order */
	for (int c = 1; c < NCPU; c++) {
		store_release(&turn, (u32)c);
		while (!load_acquire(&printed[c]))
			;
	}
	for (int c = 1; c < NCPU; c++) {
		snprintf(name, sizeof(name), "affinity-cpu%d-on", c);
		CHECK_EQ(name, affinity((u64)c), 0);
		snprintf(name, sizeof(name), "cpu%d-context-id", c);
		CHECK_EQ(name, seen_ctx[c], 0xc0de0000ul + (u64)c);
		snprintf(name, sizeof(name), "cpu%d-same-el", c);
		CHECK_EQ(name, seen_el[c], (u64)boot_el);
	}
	CHECK_EQ("ldxr-stxr-counter", shared_counter, (u64)ADDS_PER_CPU * NCPU);

	/* Release: secondaries return and call CPU_OFF */
	store_release(&release_flag, 1);
	for (int c = 1; c < NCPU; c++) {
		snprintf(name, sizeof(name), "cpu%d-off-after-cpu-off", c);
		CHECK(name, wait_off((u64)c));
	}

	/* Bring cpu2 back once more: it runs secondary_main again */
	store_release(&release_flag, 0);
	store_release(&printed[2], 0);
	store_release(&alive[2], 0);
	store_release(&turn, 0);
	CHECK_EQ("cpu-on-2-again", psci_call(PSCI_CPU_ON_64, 2, (u64)secondary_entry, 0x2222), PSCI_SUCCESS);
	store_release(&turn, 2);
	while (!load_acquire(&printed[2]))
		;
	CHECK_EQ("cpu2-again-context-id", seen_ctx[2], 0x2222);
	store_release(&release_flag, 1);
	CHECK("cpu2-off-again", wait_off(2));
	CHECK_EQ("ldxr-stxr-counter-final", shared_counter, (u64)ADDS_PER_CPU * (NCPU + 1));
	return 0;
}
