/* domu-initrd: a dom0less domU started with a multiboot,ramdisk module (guests/input/
 * domu-initrd.bin). It finds /chosen linux,initrd-start/-end in its device tree (x0), checks the
 * range the way Xen's place_modules lays it out (2MB aligned, right after the DTB's 2MB-rounded
 * slot, inside /memory) and then the bytes themselves: the file's header (magic, length,
 * FNV-1a 32 of the payload) and its generated payload, byte for byte.
 *
 * domu-initrd.bin: "ARMVRD01", u32 LE total length, u32 LE FNV-1a 32 of bytes [16, length),
 * then byte i (from offset 16) = (i * 131 + (i >> 8)) & 0xff. */
#include "check.h"

#define FDT_MAGIC 0xd00dfeedu
#define SZ_2M (2ul << 20)

static u32 be32(const void *p)
{
	const u8 *b = p;
	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}
static u64 be64(const void *p) { return ((u64)be32(p) << 32) | be32((const u8 *)p + 4); }
static u32 le32(const u8 *b) { return (u32)b[0] | ((u32)b[1] << 8) | ((u32)b[2] << 16) | ((u32)b[3] << 24); }

static struct {
	int has_start, has_end;
	u64 start, end, mem_base, mem_size;
} f;

static int prefix(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return 0;
	return 1;
}

static void prop(int depth, const char *node, const char *name, const u8 *v, u32 len)
{
	if (depth != 1)
		return;
	if (strcmp(node, "chosen") == 0 && strcmp(name, "linux,initrd-start") == 0 && len == 8) {
		f.has_start = 1;
		f.start = be64(v);
	}
	if (strcmp(node, "chosen") == 0 && strcmp(name, "linux,initrd-end") == 0 && len == 8) {
		f.has_end = 1;
		f.end = be64(v);
	}
	if (prefix(node, "memory@") && strcmp(name, "reg") == 0 && len >= 16) {
		f.mem_base = be64(v);
		f.mem_size = be64(v + 8);
	}
}

/* Walk the structure block: FDT_BEGIN_NODE 1, END_NODE 2, PROP 3, NOP 4, END 9. */
static int walk(const u8 *fdt)
{
	if (be32(fdt) != FDT_MAGIC)
		return 0;
	const u8 *p = fdt + be32(fdt + 8);
	const char *strs = (const char *)fdt + be32(fdt + 12);
	const char *names[8] = { "" };
	int depth = -1;
	for (;;) {
		u32 tok = be32(p);
		p += 4;
		if (tok == 1) {
			const char *n = (const char *)p;
			depth++;
			if (depth < 8)
				names[depth] = n;
			p += (strlen(n) + 4) & ~3ul;
		} else if (tok == 2) {
			depth--;
		} else if (tok == 3) {
			u32 len = be32(p), off = be32(p + 4);
			p += 8;
			prop(depth, depth >= 0 && depth < 8 ? names[depth] : "", strs + off, p, len);
			p += (len + 3) & ~3ul;
		} else if (tok != 4) {
			return tok == 9;
		}
	}
}

int main(void)
{
	const u8 *fdt = (const u8 *)boot_dtb;
	CHECK("initrd-dtb-parses", walk(fdt));
	CHECK("initrd-chosen-props", f.has_start && f.has_end);
	if (!f.has_start || !f.has_end)
		return 0;
	u64 len = f.end - f.start;
	CHECK("initrd-range-nonempty", f.end > f.start);
	CHECK("initrd-inside-memory", f.start >= f.mem_base && f.end <= f.mem_base + f.mem_size);
	CHECK_EQ("initrd-2mb-aligned", f.start % SZ_2M, 0);
	/* place_modules: the initrd follows the DTB's slot, the DTB's size rounded up to 2MB. */
	u64 dtb_slot = (be32(fdt + 4) + SZ_2M - 1) & ~(SZ_2M - 1);
	CHECK_EQ("initrd-after-dtb", f.start, boot_dtb + dtb_slot);
	if (f.end <= f.start || f.start < f.mem_base || f.end > f.mem_base + f.mem_size)
		return 0;

	const u8 *rd = (const u8 *)f.start;
	CHECK("initrd-magic", memcmp(rd, "ARMVRD01", 8) == 0);
	CHECK_EQ("initrd-length", le32(rd + 8), len);
	u32 h = 0x811c9dc5u;
	for (u64 i = 16; i < len; i++) {
		h ^= rd[i];
		h *= 0x01000193u;
	}
	CHECK_EQ("initrd-checksum", h, le32(rd + 12));
	u64 bad = 0;
	for (u64 i = 16; i < len; i++) {
		u64 j = i - 16;
		if (rd[i] != (u8)(j * 131 + (j >> 8))) {
			bad = i;
			break;
		}
	}
	CHECK_EQ("initrd-pattern-first-mismatch", bad, 0);
	return 0;
}
