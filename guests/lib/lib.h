/* armvisor bare-metal guest runtime: shared declarations. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdarg.h>

typedef unsigned long u64;
typedef long s64;
typedef unsigned int u32;
typedef int s32;
typedef unsigned short u16;
typedef short s16;
typedef unsigned char u8;
typedef signed char s8;
typedef unsigned long size_t;
typedef unsigned long uintptr_t;

#define NULL ((void *)0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NOINLINE __attribute__((noinline))
#define NORETURN __attribute__((noreturn))

#define read_sysreg(r)                                                         \
	({                                                                     \
		u64 __v;                                                       \
		asm volatile("mrs %0, " #r : "=r"(__v));                       \
		__v;                                                           \
	})
#define write_sysreg(r, v) asm volatile("msr " #r ", %0" ::"r"((u64)(v)) : "memory")
#define isb() asm volatile("isb" ::: "memory")
#define dsb() asm volatile("dsb sy" ::: "memory")
#define barrier() asm volatile("" ::: "memory")

/* ---- boot / platform ---- */
extern u64 boot_dtb;   /* x0 at entry (DTB pointer for Linux-style boots) */
extern int boot_el;    /* exception level the guest was started at */
#define MAX_CPUS 8
int current_el(void);
int cpu_id(void);      /* MPIDR_EL1.Aff0 */
NORETURN void finish(void); /* print DONE line and power off */

/* ---- UART / printf ---- */
void uart_putc(char c);
void puts(const char *s);  /* no newline appended */
int printf(const char *fmt, ...);
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...);
/* Serialise printf between CPUs (spinlock on LDAXR/STXR); off by default. */
extern int print_lock_enabled;
typedef struct { volatile u32 v; } spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

/* ---- string ---- */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* ---- PSCI ---- */
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND_64 0xC4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_64 0xC4000003u
#define PSCI_AFFINITY_INFO_64 0xC4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000Au
u64 psci_call(u64 fid, u64 a1, u64 a2, u64 a3);
NORETURN void psci_system_off(void);

/* ---- checks ---- */
extern int g_pass, g_fail;
void check_cond(const char *name, int ok, const char *details);
void check_eq(const char *name, u64 got, u64 exp);
void checkf_eq(u64 got, u64 exp, const char *fmt, ...);
#define CHECK(name, cond) check_cond((name), !!(cond), #cond)
#define CHECK_EQ(name, got, exp) check_eq((name), (u64)(got), (u64)(exp))

/* ---- hashing for differential sweeps ---- */
static inline u64 hmix(u64 h, u64 v)
{
	h ^= v;
	h *= 0x100000001b3ull;
	h ^= h >> 29;
	return h;
}
#define HASH_INIT 0xcbf29ce484222325ull
void hash_print(const char *name, u64 h);

/* Deterministic operand generator: edge values first, then xorshift. */
u64 operand(unsigned i);
#define N_EDGE_OPERANDS 40

/* ---- exceptions ---- */
struct frame {
	u64 x[31];
	u64 elr, spsr, esr, far, hpfar, _pad;
};
struct exc_record {
	volatile int armed;   /* set by expect_exception(), cleared when taken */
	volatile int count;   /* exceptions recorded since expect_exception() */
	volatile int el;      /* EL the exception was taken to */
	volatile int vec;     /* vector index 0..15 (offset / 0x80) */
	volatile u64 esr, elr, spsr, far, hpfar;
	volatile u64 daif;    /* PSTATE.DAIF inside the handler */
	volatile u64 resume;  /* 0: default resume, RESUME_LR: x30, else new ELR */
};
#define RESUME_LR 1
extern struct exc_record exc;
/* Arm the record. resume==0: resume after the faulting instruction (ELR+4),
 * or at ELR for SVC/HVC/IRQ-style exceptions whose ELR is already "next";
 * an Illegal Execution State exception (EC 0x0E) retries at ELR with
 * SPSR.IL cleared. resume==RESUME_LR: continue at the saved x30 (return from
 * the function that faulted). Otherwise: continue at that address. */
void expect_exception(u64 resume);
#define EC(esr) (((esr) >> 26) & 0x3f)
#define ISS(esr) ((esr) & 0x1ffffff)
#define IL(esr) (((esr) >> 25) & 1)
/* Optional hook: return 1 if the exception was handled. */
extern int (*exc_hook)(int vec, struct frame *f, int el);

/* Run fn(arg) at a lower EL (spsr gives the target mode/DAIF). fn returning,
 * or executing "svc/hvc #0xEEEE", comes back here; returns fn's x0. */
u64 run_lower(u64 (*fn)(u64), u64 arg, u64 spsr, u64 stack_top);
u64 run_el0(u64 (*fn)(u64), u64 arg);  /* EL0t, DAIF masked */
u64 run_el1(u64 (*fn)(u64), u64 arg);  /* from EL2: EL1h, DAIF masked */
#define EXIT_IMM 0xEEEE
#define SHUTDOWN_IMM 0xFFFF
extern char el1_vectors[], el2_vectors[];

int main(void);
void secondary_main(u64 ctx); /* weak default: returns -> CPU_OFF */
extern char secondary_entry[];

#endif
