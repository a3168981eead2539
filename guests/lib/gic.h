/* GICv3 helpers for the test guests (QEMU virt: distributor 0x08000000,
 * redistributors 0x080A0000 + cpu * 0x20000, SGI frame at +0x10000). */
#ifndef GUEST_GIC_H
#define GUEST_GIC_H
#include "lib.h"

#define GICD_BASE 0x08000000ul
#define GICR_RD(cpu) (0x080A0000ul + (u64)(cpu) * 0x20000ul)
#define GICR_SGI(cpu) (GICR_RD(cpu) + 0x10000ul)

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8
#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8
/* SGI-frame registers use the GICD_* offsets (IGROUPR0 ... ICFGR1). */

#define INTID_SPURIOUS 1023

static inline u32 mmio_r32(u64 a) { return *(volatile u32 *)a; }
static inline void mmio_w32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline u64 mmio_r64(u64 a) { return *(volatile u64 *)a; }
static inline void mmio_w64(u64 a, u64 v) { *(volatile u64 *)a = v; }
static inline u8 mmio_r8(u64 a) { return *(volatile u8 *)a; }
static inline void mmio_w8(u64 a, u8 v) { *(volatile u8 *)a = v; }

#define icc_read(r) read_sysreg(r)
#define icc_write(r, v) do { write_sysreg(r, v); isb(); } while (0)

/* Distributor on, both groups enabled (DS=1 layout). SPIs: Group 1,
 * priority 0xa0, disabled, routed to CPU 0. */
void gic_init_dist(void);
/* This CPU: wake its redistributor, SGIs/PPIs Group 1 priority 0xa0 and
 * disabled, ICC_SRE, PMR = 0xff, BPR defaults, EOImode 0, both groups on.
 * At EL2 also routes IRQ/FIQ to EL2 (HCR_EL2.IMO/FMO). */
void gic_init_cpu(void);

/* Configure INTID on `cpu` (SGIs/PPIs: that CPU's redistributor; SPIs:
 * the distributor, routed to `cpu`). */
void gic_config(int cpu, u32 intid, u32 prio, int group, int edge);
void gic_enable(int cpu, u32 intid);
void gic_disable(int cpu, u32 intid);
void gic_set_pending(int cpu, u32 intid);
void gic_clear_pending(int cpu, u32 intid);
int gic_is_pending(int cpu, u32 intid);
int gic_is_active(int cpu, u32 intid);

/* ICC_SGI1R_EL1 value for SGI `intid` to the Aff0 targets in `mask` (Aff1..3 = 0). */
static inline u64 sgi1r_targets(u32 intid, u32 mask) { return ((u64)intid << 24) | (mask & 0xffff); }
static inline u64 sgi1r_broadcast(u32 intid) { return ((u64)intid << 24) | (1ul << 40); }
void gic_send_sgi1(u64 v);
void gic_send_sgi0(u64 v);

/* Interrupt handling: installs an exc_hook that, on IRQ (FIQ) from the
 * current EL or a lower one, reads
 * ICC_IAR1 (IAR0) until spurious, calls gic_handler(intid, group) for each,
 * then writes EOIR1 (EOIR0) unless the handler returned nonzero. */
void gic_install_handler(void);
extern int (*gic_handler)(u32 intid, int group);
/* Interrupts taken per CPU (for "did anything arrive" checks). */
extern volatile u32 gic_taken[MAX_CPUS];

static inline void irq_enable(void) { asm volatile("msr daifclr, #3" ::: "memory"); }
static inline void irq_disable(void) { asm volatile("msr daifset, #3" ::: "memory"); }
static inline void wfi(void) { asm volatile("wfi" ::: "memory"); }
#endif
