/* domu-sram: a domU that owns the zynqmp board's OCM (an mmio-sram node passed through by its
 * partial device tree) and uses it the way an OS uses memory (seed 004): memcpy and memset as
 * Linux's arm64 string routines do them (unaligned 64-bit loads/stores, DC ZVA for zeroing),
 * unaligned accesses, code run from it. All of that needs the Normal cacheable RWX stage-2
 * mapping the mmio-sram mapper gives. Then it maps the same SRAM again, Device-nGnRE, through
 * XEN_DOMCTL_memory_mapping's cache_policy (the attribute argument), and checks that an
 * unaligned access and DC ZVA there give the Alignment fault the architecture requires, taken
 * by its own EL1 vector; and that the mapping hypercalls refuse bad requests with Xen's codes.
 *
 * With the SRAM mapped Device by default (seed 004's failure; the configuration's
 * armvisor,stage2-attr = "device-nGnRE"), the first memcpy faults: "FAIL unexpected-exception".
 *
 * Addresses: the SRAM at IPA 0x18000000 (the partial DT's xen,reg), machine 0xfffc0000. */
#include "check.h"
#include "mmu.h"

#define SRAM_IPA 0x18000000ul
#define SRAM_PA 0xfffc0000ul
#define SRAM_SIZE 0x40000ul
#define DEV_ALIAS_IPA 0x18100000ul   /* memory_mapping, cache_policy device-nGnRE */
#define DEF_ALIAS_IPA 0x18110000ul   /* memory_mapping, cache_policy default */
#define XATP_ALIAS_IPA 0x18120000ul  /* add_to_physmap XENMAPSPACE_dev_mmio */
#define S1_DEVICE_VA 0x18300000ul    /* the SRAM again, Device-nGnRE at stage 1 */
#define GICD_PA 0xf9010000ul
#define UART_PA 0xff000000ul

#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_domctl 36
#define XENMEM_add_to_physmap 7
#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_dev_mmio 5
#define XEN_DOMCTL_createdomain 1
#define XEN_DOMCTL_memory_mapping 39
#define XEN_DOMCTL_INTERFACE_VERSION 0x15
#define DOMID_SELF 0x7ff0
#define MEM_ATTR_DEFAULT 0
#define MEM_ATTR_DEVICE_nGnRE 1
#define EPERM 1
#define ESRCH 3
#define E2BIG 7
#define EACCES 13
#define EEXIST 17
#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38
#define FSC_ALIGNMENT 0x21
#define ISS_WNR (1u << 6)

static long hcall(u64 nr, u64 a0, u64 a1)
{
	register u64 x0 asm("x0") = a0;
	register u64 x1 asm("x1") = a1;
	register u64 x16 asm("x16") = nr;
	asm volatile("hvc #0xEA1" : "+r"(x0), "+r"(x1), "+r"(x16)::"x2", "memory");
	return (long)x0;
}

/* struct xen_domctl with the memory_mapping member (public/domctl.h; cache_policy is the
 * former padding: docs/HYPERCALLS.md). */
struct xen_domctl {
	u32 cmd, interface_version;
	u16 domain, _pad[3];
	union {
		struct {
			u64 first_gfn, first_mfn, nr_mfns;
			u32 add_mapping, cache_policy;
		} memory_mapping;
		u8 pad[128];
	} u;
};

static struct xen_domctl dc;

static long memory_mapping(u32 domid, u64 gfn, u64 mfn, u64 nr, u32 add, u32 attr)
{
	memset(&dc, 0, sizeof(dc));
	dc.cmd = XEN_DOMCTL_memory_mapping;
	dc.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	dc.domain = domid;
	dc.u.memory_mapping.first_gfn = gfn;
	dc.u.memory_mapping.first_mfn = mfn;
	dc.u.memory_mapping.nr_mfns = nr;
	dc.u.memory_mapping.add_mapping = add;
	dc.u.memory_mapping.cache_policy = attr;
	return hcall(__HYPERVISOR_domctl, (u64)&dc, 0);
}

struct xen_add_to_physmap {
	u16 domid, size;
	u32 space;
	u64 idx, gpfn;
};
static struct xen_add_to_physmap xatp;

static long add_to_physmap(u32 domid, u32 space, u64 idx, u64 gpfn)
{
	xatp.domid = domid;
	xatp.size = 0;
	xatp.space = space;
	xatp.idx = idx;
	xatp.gpfn = gpfn;
	return hcall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (u64)&xatp);
}

/* Unaligned-capable 64-bit load/store (the compiler is told -mstrict-align, so by hand). */
static inline u64 ldr64(u64 a)
{
	u64 v;
	asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void str64(u64 a, u64 v)
{
	asm volatile("str %0, [%1]" ::"r"(v), "r"(a) : "memory");
}
static inline void dc_zva(u64 a)
{
	asm volatile("dc zva, %0" ::"r"(a) : "memory");
}

/* memcpy as arm64 Linux does it for n >= 16: 64-bit accesses at whatever alignment the
 * pointers have, the tail by an overlapping last word. */
static void os_memcpy(u64 d, u64 s, u64 n)
{
	u64 i;
	for (i = 0; i + 8 <= n; i += 8)
		str64(d + i, ldr64(s + i));
	if (i < n)
		str64(d + n - 8, ldr64(s + n - 8));
}

static u64 zva_block(void)
{
	return 4ul << (read_sysreg(dczid_el0) & 0xf);
}

/* memset(p, 0, n) as Linux does it for large zeroing: DC ZVA over the aligned blocks. */
static void os_memzero(u64 p, u64 n)
{
	u64 bs = zva_block(), a = p, end = p + n;
	for (; a < end && (a & (bs - 1)); a++)
		*(volatile u8 *)a = 0;
	for (; a + bs <= end; a += bs)
		dc_zva(a);
	for (; a < end; a++)
		*(volatile u8 *)a = 0;
}

static u8 src[4096] __attribute__((aligned(16)));

static void stage1_on(void)
{
	static struct pt t;
	pt_init(&t, 0, 48);
	pt_map(&t, RAM_BASE, RAM_BASE, RAM_SIZE, PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF, 0);
	pt_map(&t, UART_BASE, UART_BASE, 0x1000, PTE_ATTRIDX(MT_DEVICE_nGnRE) | PTE_AF | PTE_PXN | PTE_UXN, 3);
	/* The SRAM and its aliases: Normal WB executable at stage 1 — the guest asks for memory,
	 * so whatever Device-ness there is comes from stage 2. */
	pt_map(&t, SRAM_IPA, SRAM_IPA, 0x200000, PTE_ATTRIDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF, 2);
	/* And a VA where the guest itself says Device: there stage 1 faults, without the hypervisor. */
	pt_map(&t, S1_DEVICE_VA, SRAM_IPA, 0x1000, PTE_ATTRIDX(MT_DEVICE_nGnRE) | PTE_AF | PTE_PXN | PTE_UXN, 3);
	mmu_enable_el1(&t);
}

static int alignment_fault_at(u64 far, int write)
{
	return exc.count == 1 && exc.el == 1 && EC(exc.esr) == 0x25 && (ISS(exc.esr) & 0x3f) == FSC_ALIGNMENT &&
	       exc.far == far && !!(ISS(exc.esr) & ISS_WNR) == write;
}

static void sram_as_memory(void)
{
	u64 i, ok = 1;
	for (i = 0; i < sizeof(src); i++)
		src[i] = (u8)(i * 7 + 3);
	/* memcpy to an odd offset and back to another one. */
	os_memcpy(SRAM_IPA + 0x101, (u64)src, sizeof(src));
	for (i = 0; i < sizeof(src); i++)
		ok &= *(volatile u8 *)(SRAM_IPA + 0x101 + i) == src[i];
	CHECK("sram-memcpy-unaligned", ok);
	os_memcpy(SRAM_IPA + 0x2003, SRAM_IPA + 0x101, 1000);
	ok = 1;
	for (i = 0; i < 1000; i++)
		ok &= *(volatile u8 *)(SRAM_IPA + 0x2003 + i) == src[i];
	CHECK("sram-memcpy-sram-to-sram", ok);

	/* memset with DC ZVA, over a range that starts and ends mid-block. */
	memset((void *)(SRAM_IPA + 0x4000), 0xa5, 0x1000);
	os_memzero(SRAM_IPA + 0x4005, 0x800);
	ok = *(volatile u8 *)(SRAM_IPA + 0x4004) == 0xa5 && *(volatile u8 *)(SRAM_IPA + 0x4805) == 0xa5;
	for (i = 0x4005; i < 0x4805; i++)
		ok &= *(volatile u8 *)(SRAM_IPA + i) == 0;
	CHECK("sram-memset-zero-dc-zva", ok);

	/* Unaligned accesses of every size. */
	str64(SRAM_IPA + 0x6001, 0x1122334455667788ul);
	CHECK_EQ("sram-unaligned-ldr64", ldr64(SRAM_IPA + 0x6001), 0x1122334455667788ul);
	u32 w;
	asm volatile("ldr %w0, [%1]" : "=r"(w) : "r"(SRAM_IPA + 0x6003) : "memory");
	CHECK_EQ("sram-unaligned-ldr32", w, 0x33445566u);
	u64 a, b;
	asm volatile("stp %2, %3, [%4]\n\tldp %0, %1, [%4]" : "=&r"(a), "=&r"(b) : "r"(1ul), "r"(2ul), "r"(SRAM_IPA + 0x6105) : "memory");
	CHECK("sram-unaligned-ldp-stp", a == 1 && b == 2);

	/* Executable: a function written into the SRAM, made coherent, called. */
	volatile u32 *code = (volatile u32 *)(SRAM_IPA + 0x8000);
	code[0] = 0xd2800540; /* mov x0, #42 */
	code[1] = 0xd65f03c0; /* ret */
	asm volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" ::"r"(code) : "memory");
	u64 (*fn)(void) = (u64(*)(void))(u64)code;
	CHECK_EQ("sram-exec", fn(), 42);

	/* The guest's own Device mapping of it: a stage-1 Alignment fault, straight to EL1. */
	CHECK_EQ("stage1-device-aligned-read", *(volatile u64 *)(S1_DEVICE_VA + 8), ldr64(SRAM_IPA + 8));
	expect_exception(0);
	(void)ldr64(S1_DEVICE_VA + 0x3);
	CHECK("stage1-device-unaligned-alignment-fault", alignment_fault_at(S1_DEVICE_VA + 0x3, 0));
}


static void device_alias(void)
{
	CHECK_EQ("memory-mapping-device", memory_mapping(DOMID_SELF, DEV_ALIAS_IPA >> 12, SRAM_PA >> 12, 1, 1, MEM_ATTR_DEVICE_nGnRE), 0);
	str64(SRAM_IPA + 0x10, 0xfeedfacecafebeeful);
	CHECK_EQ("device-alias-aligned-read-same-storage", *(volatile u64 *)(DEV_ALIAS_IPA + 0x10), 0xfeedfacecafebeeful);
	expect_exception(0);
	u64 v = ldr64(DEV_ALIAS_IPA + 0x11);
	(void)v;
	CHECK("device-unaligned-load-alignment-fault", alignment_fault_at(DEV_ALIAS_IPA + 0x11, 0));
	str64(SRAM_IPA + 0x20, 0x1111111111111111ul);
	str64(SRAM_IPA + 0x28, 0x2222222222222222ul);
	expect_exception(0);
	str64(DEV_ALIAS_IPA + 0x23, 1);
	CHECK("device-unaligned-store-alignment-fault", alignment_fault_at(DEV_ALIAS_IPA + 0x23, 1));
	expect_exception(0);
	dc_zva(DEV_ALIAS_IPA + 0x40);
	CHECK("device-dc-zva-alignment-fault", alignment_fault_at(DEV_ALIAS_IPA + 0x40, 1));
	CHECK("device-faulting-store-wrote-nothing",
	      ldr64(SRAM_IPA + 0x20) == 0x1111111111111111ul && ldr64(SRAM_IPA + 0x28) == 0x2222222222222222ul);

	/* cache_policy 0: the device's own mapper (mmio-sram: Normal WB) decides. */
	CHECK_EQ("memory-mapping-default-attr", memory_mapping(DOMID_SELF, DEF_ALIAS_IPA >> 12, SRAM_PA >> 12, 1, 1, MEM_ATTR_DEFAULT), 0);
	CHECK_EQ("default-attr-unaligned-ok", ldr64(DEF_ALIAS_IPA + 0x11), ldr64(SRAM_IPA + 0x11));
	/* XENMAPSPACE_dev_mmio: Normal WB by its ABI. */
	CHECK_EQ("add-to-physmap-dev-mmio", add_to_physmap(DOMID_SELF, XENMAPSPACE_dev_mmio, (SRAM_PA >> 12) + 1, XATP_ALIAS_IPA >> 12), 0);
	str64(SRAM_IPA + 0x1009, 0x0102030405060708ul);
	CHECK_EQ("dev-mmio-unaligned-ok", ldr64(XATP_ALIAS_IPA + 9), 0x0102030405060708ul);
	/* Unmap, unmap again (nothing there), map again. */
	CHECK_EQ("memory-mapping-remove", memory_mapping(DOMID_SELF, DEV_ALIAS_IPA >> 12, SRAM_PA >> 12, 1, 0, 0), 0);
	CHECK_EQ("memory-mapping-remove-again-einval", memory_mapping(DOMID_SELF, DEV_ALIAS_IPA >> 12, SRAM_PA >> 12, 1, 0, 0), -EINVAL);
	CHECK_EQ("memory-mapping-readd", memory_mapping(DOMID_SELF, DEV_ALIAS_IPA >> 12, SRAM_PA >> 12, 1, 1, MEM_ATTR_DEVICE_nGnRE), 0);
}

static void bad_requests(void)
{
	const u64 g = 0x18200, m = SRAM_PA >> 12;
	CHECK_EQ("mm-physical-gic-eperm", memory_mapping(DOMID_SELF, g, GICD_PA >> 12, 1, 1, 0), -EPERM);
	CHECK_EQ("mm-not-assigned-uart-eperm", memory_mapping(DOMID_SELF, g, UART_PA >> 12, 1, 1, 0), -EPERM);
	CHECK_EQ("mm-past-the-sram-eperm", memory_mapping(DOMID_SELF, g, m + 63, 2, 1, 0), -EPERM);
	CHECK_EQ("mm-zero-pages-einval", memory_mapping(DOMID_SELF, g, m, 0, 1, 0), -EINVAL);
	CHECK_EQ("mm-65-pages-e2big", memory_mapping(DOMID_SELF, g, m, 65, 1, 0), -E2BIG);
	CHECK_EQ("mm-bad-cache-policy-einval", memory_mapping(DOMID_SELF, g, m, 1, 1, 9), -EINVAL);
	CHECK_EQ("mm-over-guest-ram-eexist", memory_mapping(DOMID_SELF, RAM_BASE >> 12, m, 1, 1, 0), -EEXIST);
	CHECK_EQ("mm-over-the-vgic-eexist", memory_mapping(DOMID_SELF, 0x03001, m, 1, 1, 0), -EEXIST);
	CHECK_EQ("mm-gfn-past-ipa-space-einval", memory_mapping(DOMID_SELF, 1ul << 40, m, 1, 1, 0), -EINVAL);
	CHECK_EQ("mm-no-such-domain-esrch", memory_mapping(77, g, m, 1, 1, 0), -ESRCH);
	memory_mapping(DOMID_SELF, g, m, 1, 1, 0);
	dc.interface_version = 0x10;
	CHECK_EQ("domctl-bad-interface-version-eacces", hcall(__HYPERVISOR_domctl, (u64)&dc, 0), -EACCES);
	dc.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	dc.cmd = XEN_DOMCTL_createdomain;
	CHECK_EQ("domctl-other-cmd-enosys", hcall(__HYPERVISOR_domctl, (u64)&dc, 0), -ENOSYS);
	CHECK_EQ("domctl-bad-pointer-efault", hcall(__HYPERVISOR_domctl, 0x10000000ul, 0), -EFAULT);
	CHECK_EQ("xatp-not-assigned-eperm", add_to_physmap(DOMID_SELF, XENMAPSPACE_dev_mmio, UART_PA >> 12, g), -EPERM);
	CHECK_EQ("xatp-shared-info-enosys", add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, g), -ENOSYS);
	CHECK_EQ("xatp-bad-pointer-efault", hcall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, 0x10000000ul), -EFAULT);
	CHECK_EQ("memory-op-other-cmd-enosys", hcall(__HYPERVISOR_memory_op, 99, (u64)&xatp), -ENOSYS);
}

int main(void)
{
	stage1_on();
	printf("domu-sram: the SRAM at IPA %lx, ZVA block %lu bytes\n", SRAM_IPA, zva_block());
	sram_as_memory();
	device_alias();
	bad_requests();
	return 0;
}
