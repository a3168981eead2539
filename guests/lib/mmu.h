/* Guest-side VMSAv8-64 page-table builder (4 KiB granule) for stage 1 and stage 2.
 * Tables come from a static pool of zeroed, 4 KiB-aligned pages; nothing is ever
 * freed (a test builds its tables once, or calls pt_pool_reset()). */
#ifndef GUEST_MMU_H
#define GUEST_MMU_H
#include "lib.h"

/* Descriptor bits (Arm ARM D8.3, "Translation table descriptor formats"). */
#define PTE_VALID (1ul << 0)
#define PTE_TABLE (1ul << 1)     /* level 0-2: table; level 3: page (must be set) */
#define PTE_ATTRIDX(n) ((u64)(n) << 2)  /* stage 1: MAIR index */
#define PTE_NS (1ul << 5)
#define PTE_AP_EL0 (1ul << 6)    /* stage 1 AP[1]: EL0 access */
#define PTE_AP_RO (1ul << 7)     /* stage 1 AP[2]: read-only */
#define PTE_SH_INNER (3ul << 8)
#define PTE_SH_OUTER (2ul << 8)
#define PTE_AF (1ul << 10)
#define PTE_NG (1ul << 11)
#define PTE_CONT (1ul << 52)
#define PTE_PXN (1ul << 53)
#define PTE_UXN (1ul << 54)      /* also XN for the EL2 regime and XN[1] at stage 2 */
#define PTE_EL2_RES1 PTE_AP_EL0  /* one-EL regimes (EL2, E2H=0): AP[1] is RES1 */
#define PTE_ADDR_MASK 0x0000fffffffff000ul
/* Stage 2 leaf attributes */
#define S2_MEMATTR(n) ((u64)(n) << 2)  /* MemAttr[3:0] */
#define S2_MEMATTR_DEVICE_nGnRE 0x1
#define S2_MEMATTR_NORMAL_WB 0xf
#define S2_MEMATTR_NORMAL_NC 0x5
#define S2AP_R (1ul << 6)
#define S2AP_W (1ul << 7)
#define S2_XN (1ul << 54)

/* MAIR indices used by mmu_default_mair() */
#define MT_DEVICE_nGnRnE 0  /* 0x00 */
#define MT_DEVICE_nGnRE 1   /* 0x04 */
#define MT_NORMAL_NC 2      /* 0x44 */
#define MT_NORMAL 3         /* 0xff */
#define MAIR_DEFAULT 0x00000000ff440400ul

struct pt {
	u64 *root;        /* start-level table (concatenated tables are contiguous) */
	int start_level;  /* 0..3 */
	int ia_bits;      /* input address size: 64 - TxSZ */
};

/* Zeroed 4 KiB page from the pool (PT_POOL_PAGES pages, then FAIL + power off). */
#define PT_POOL_PAGES 96
u64 *pt_alloc(void);
/* `n` contiguous zeroed pages, aligned to n * 4 KiB (n a power of two, <= 16). */
u64 *pt_alloc_n(int n);
void pt_pool_reset(void);

/* Start a table set: allocates the root (2^(ia_bits - shift(start_level)) entries,
 * concatenating tables when that is more than 512). */
void pt_init(struct pt *t, int start_level, int ia_bits);
/* Map [va, va+size) to pa with `leaf` attribute bits (no address, no valid/type bits).
 * Uses the largest leaf that alignment and size allow, but never shallower than
 * `min_leaf_level` (1 = 1 GiB blocks allowed, 2 = 2 MiB blocks at most, 3 = pages only).
 * va, pa, size must be 4 KiB aligned. */
void pt_map(struct pt *t, u64 va, u64 pa, u64 size, u64 leaf, int min_leaf_level);
/* Pointer to the descriptor that translates va at `level`, allocating intermediate
 * tables on the way (NULL if a block at a shallower level is in the way). */
u64 *pt_entry(struct pt *t, u64 va, int level);
/* Pointer to the live leaf descriptor for va (NULL if unmapped); *level gets its level. */
u64 *pt_leaf(struct pt *t, u64 va, int *level);

/* TCR value for a 4 KiB granule, inner-shareable write-back walks, given TxSZ. */
#define TCR_T0SZ(n) ((u64)(n) << 0)
#define TCR_T1SZ(n) ((u64)(n) << 16)
#define TCR_EPD0 (1ul << 7)
#define TCR_EPD1 (1ul << 23)
#define TCR_IRGN0_WB (1ul << 8)
#define TCR_ORGN0_WB (1ul << 10)
#define TCR_SH0_INNER (3ul << 12)
#define TCR_TG1_4K (2ul << 30)
#define TCR_IRGN1_WB (1ul << 24)
#define TCR_ORGN1_WB (1ul << 26)
#define TCR_SH1_INNER (3ul << 28)
#define TCR_A1 (1ul << 22)
#define TCR_AS (1ul << 36)
#define TCR_IPS(n) ((u64)(n) << 32)     /* TCR_EL1 */
#define TCR_EL2_PS(n) ((u64)(n) << 16)  /* TCR_EL2 */
#define TCR_EL2_RES1 ((1ul << 31) | (1ul << 23))
#define VTCR_SL0(n) ((u64)(n) << 6)     /* 4K: 0 = start level 2, 1 = level 1, 2 = level 0 */
#define VTCR_PS(n) ((u64)(n) << 16)
#define VTCR_RES1 (1ul << 31)
#define TCR_WALK0 (TCR_IRGN0_WB | TCR_ORGN0_WB | TCR_SH0_INNER)
#define TCR_WALK1 (TCR_IRGN1_WB | TCR_ORGN1_WB | TCR_SH1_INNER | TCR_TG1_4K)

#define SCTLR_M (1ul << 0)
#define SCTLR_A (1ul << 1)
#define SCTLR_C (1ul << 2)
#define SCTLR_I (1ul << 12)
#define SCTLR_WXN (1ul << 19)

/* Identity-map RAM (0x40000000, 512 MiB, Normal WB, RW, executable) and the UART
 * page (0x09000000, Device-nGnRE, XN) into a fresh stage-1 table with T0SZ=16
 * (48-bit VA) starting at level 0; returns it in *t. */
void mmu_identity_el1(struct pt *t);
/* Same for the EL2 regime (AP[1] = 1 as RES1, no nG, XN = bit 54). */
void mmu_identity_el2(struct pt *t);
/* MAIR, TCR (T0SZ=16, EPD1, IPS 40-bit), TTBR0 = t->root, then SCTLR_EL1 M|C|I. */
void mmu_enable_el1(struct pt *t);
void mmu_disable_el1(void);
void mmu_enable_el2(struct pt *t);
void mmu_disable_el2(void);
void tlbi_all_el1(void);   /* dsb ishst; tlbi vmalle1; dsb ish; isb */
void tlbi_all_el2(void);   /* dsb ishst; tlbi alle2; dsb ish; isb */

/* ---- extra helpers (prefixed to avoid clashing with guest-local names) ---- */
/* AP[2:1] combinations for stage-1 EL1&0 leaves */
#define PTE_AP_EL1_RW 0ul                          /* EL1 RW, EL0 none */
#define PTE_AP_ALL_RW PTE_AP_EL0                   /* EL1 RW, EL0 RW (implies PXN) */
#define PTE_AP_EL1_RO PTE_AP_RO                    /* EL1 RO, EL0 none */
#define PTE_AP_ALL_RO (PTE_AP_RO | PTE_AP_EL0)     /* EL1 RO, EL0 RO */
#define TTBR_ASID(a) ((u64)(a) << 48)
#define TCR_TG0_4K 0ul
/* Fault status codes (DFSC/IFSC/PAR.FST), long-descriptor format */
#define FSC_ADDR_SIZE(l) (0x00 + (l))
#define FSC_TRANS(l) (0x04 + (l))
#define FSC_ACCESS(l) (0x08 + (l))
#define FSC_PERM(l) (0x0c + (l))
#define FSC_ALIGN 0x21
/* PAR_EL1 fields that are architecturally defined for a stage-1-only EL1&0
 * translation: success = ATTR[63:56] | PA[47:12] | SH[8:7] | F; fault =
 * S[9] | PTW[8] | FST[6:1] | F (bits 63:48, 11 and 10 / NS are IMPDEF,
 * RES1 or UNKNOWN and must be masked). */
#define PAR_F 1ul
#define PAR_OK_MASK 0xff00fffffffff181ul
#define PAR_FAULT_MASK 0x37ful
#define PAR_ATTR(p) ((p) >> 56)
#define PAR_PA(p) ((p) & 0x0000fffffffff000ul)
#define PAR_SH(p) (((p) >> 7) & 3)
#define PAR_FST(p) (((p) >> 1) & 0x3f)
static inline u64 mmu_at_s1e1r(u64 va)
{
	asm volatile("at s1e1r, %0\n\tisb" ::"r"(va) : "memory");
	return read_sysreg(par_el1);
}
static inline u64 mmu_at_s1e1w(u64 va)
{
	asm volatile("at s1e1w, %0\n\tisb" ::"r"(va) : "memory");
	return read_sysreg(par_el1);
}
static inline u64 mmu_at_s1e0r(u64 va)
{
	asm volatile("at s1e0r, %0\n\tisb" ::"r"(va) : "memory");
	return read_sysreg(par_el1);
}
static inline u64 mmu_at_s1e0w(u64 va)
{
	asm volatile("at s1e0w, %0\n\tisb" ::"r"(va) : "memory");
	return read_sysreg(par_el1);
}
/* Physical address size in bits from ID_AA64MMFR0_EL1.PARange. */
int mmu_pa_bits(void);

#define RAM_BASE 0x40000000ul
#define RAM_SIZE 0x20000000ul
#ifndef UART_BASE /* the domU and r82 builds give theirs with -D */
#define UART_BASE 0x09000000ul
#endif
#endif
