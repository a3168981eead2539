#!/bin/sh
# Rebuild every guest into bin/: <name>.elf and <name>.img (arm64 Image format).
set -eu
cd "$(dirname "$0")"
CROSS=${CROSS:-aarch64-linux-gnu-}
CC=${CROSS}gcc
OBJCOPY=${CROSS}objcopy
CFLAGS="-O2 -ffreestanding -nostdlib -fno-builtin -mgeneral-regs-only -mstrict-align \
 -fno-pic -static -march=armv8-a+crc -mcpu=cortex-a57 -fno-stack-protector \
 -fno-asynchronous-unwind-tables -fno-unwind-tables -Wall -Wextra -Wno-unused-parameter -Ilib"
LDFLAGS="-T lib/link.ld -Wl,--build-id=none -Wl,-z,norelro -Wl,--no-warn-rwx-segments -Wl,-n -Wl,-z,max-page-size=4096"

OBJ=bin/obj
rm -rf bin
mkdir -p "$OBJ/lib"

# compile_runtime <obj-subdir> [cflags...]: the shared runtime (lib/) into $RUNTIME.
compile_runtime() {
	rtdir=$1; shift
	mkdir -p "$OBJ/$rtdir"
	RUNTIME=""
	for f in lib/start.S lib/uart.c lib/psci.c lib/runtime.c lib/string.c; do
		o="$OBJ/$rtdir/$(basename "$f").o"
		extra=""
		[ "$f" = lib/string.c ] && extra="-fno-tree-loop-distribute-patterns"
		$CC $CFLAGS "$@" $extra -c "$f" -o "$o"
		RUNTIME="$RUNTIME $o"
	done
}
compile_runtime lib
LIBOBJS=$RUNTIME

# Optional library parts go in an archive so a guest links them only when it uses them
# (the page-table pool is 384 KiB of .bss).
$CC $CFLAGS -c lib/mmu.c -o "$OBJ/lib/mmu.o"
$CC $CFLAGS -c lib/gic.c -o "$OBJ/lib/gic.o"
${CROSS}ar rcs "$OBJ/lib/libopt.a" "$OBJ/lib/mmu.o" "$OBJ/lib/gic.o"

# link_guest <output-name> <source-dir> <link-script> <runtime objs> <archives> <log-note> [cflags...]:
# compile every .c/.S of the guest, link runtime + guest + archives (archives last, so the
# guest's references pull their members in), and make the raw image.
link_guest() {
	name=$1; dir=$2; ld=$3; runtime=$4; archives=$5; note=$6; shift 6
	mkdir -p "$OBJ/$name"
	objs=""
	for f in "${dir%/}"/*.c "${dir%/}"/*.S; do
		[ -e "$f" ] || continue
		o="$OBJ/$name/$(basename "$f").o"
		$CC $CFLAGS "$@" -c "$f" -o "$o"
		objs="$objs $o"
	done
	$CC $CFLAGS $(echo "$LDFLAGS" | sed "s#lib/link.ld#$ld#") -o "bin/$name.elf" $runtime $objs $archives -lgcc
	$OBJCOPY -O binary "bin/$name.elf" "bin/$name.img"
	printf '%-16s elf=%6d img=%6d%s\n' "$name" "$(stat -c %s "bin/$name.elf")" "$(stat -c %s "bin/$name.img")" "$note"
}

# build_guest <output-name> <source-dir> [extra cflags...]: a virt guest (optional parts linked).
build_guest() {
	n=$1; src=$2; shift 2
	link_guest "$n" "$src" lib/link.ld "$LIBOBJS" "$OBJ/lib/libopt.a" "" "$@"
}

for d in src/*/; do
	n=$(basename "$d")
	build_guest "$n" "src/$n"
done
# Variant: semihosting guest that ends with SYS_EXIT status 7 instead of 0.
[ -d src/semihosting ] && build_guest semihosting-exit7 src/semihosting -DEXIT_STATUS=7
# Variants: the bench loop with translation on (stage 1 at EL1; stage 1 under stage 2).
if [ -d src/bench ]; then
	build_guest bench-mmu src/bench -DBENCH_MMU
	build_guest bench-s2 src/bench -DBENCH_S2
fi

# The r82 board (Armv8-R AArch64, src/platform/boards/r82.ts): DRAM at 0, PL011 at
# 0x9C090000. Same runtime, its own link address and UART; guests in src-r82/ run only there.
build_r82() {
	R82="-DUART_BASE=0x9c090000ul"
	sed 's/^\t\. = 0x40080000;/\t. = 0x00080000;/' lib/link.ld >"$OBJ/link-r82.ld"
	grep -q '0x00080000' "$OBJ/link-r82.ld"
	compile_runtime lib-r82 $R82
	R82OBJS=$RUNTIME
	# src-r82/<guest>/ and, as <guest>-r82, the portable guests of src/ listed here.
	for d in src-r82/*/ src/hello/ src/psci/ src/exceptions/ src/cprog/ src/isa-ldst/; do
		name=$(basename "$d")
		case "$d" in src/*) name="$name-r82" ;; esac
		link_guest "$name" "$d" "$OBJ/link-r82.ld" "$R82OBJS" "" " (r82)" $R82
	done
}
[ -d src-r82 ] && build_r82

# dom0less domUs of the hypervisor (src/hv/domain): the same runtime linked at the same address
# (Xen's GUEST_RAM0_BASE 0x40000000 + text_offset 0x80000, where the domain builder puts the
# kernel), printing through the vpl011 at Xen's GUEST_PL011_BASE 0x22000000. At EL1 with
# boot_el = 1 the runtime's SYSTEM_OFF is PSCI over HVC, which the hypervisor serves.
# src-domu/<guest>/ and, as <guest>-domu, the portable guests of src/ listed here.
build_domu() {
	DOMU="-DUART_BASE=0x22000000ul"
	compile_runtime lib-domu $DOMU
	DOMUOBJS=$RUNTIME
	for d in src-domu/*/ src/hello/ src/cprog/ src/psci/; do
		name=$(basename "$d")
		case "$d" in src/*) name="$name-domu" ;; esac
		link_guest "$name" "$d" lib/link.ld "$DOMUOBJS" "$OBJ/lib/libopt.a" " (domU)" $DOMU
	done
}
[ -d src-domu ] && build_domu

# Seed 001's guests (src-mmuoff/, domUs): bare assembly with their own entry and a link script
# that puts code (RX) and data (RW) in separate segments, so the domain builder's I/D clean of
# the code leaves the data exactly as its policy does (src/hv/cacheCoherency.ts).
build_mmuoff() {
	mkdir -p "$OBJ/mmuoff"
	$CC $CFLAGS -c src-mmuoff/common/start.S -o "$OBJ/mmuoff/common.o"
	for d in src-mmuoff/mmuoff-*/; do
		link_guest "$(basename "$d")" "$d" src-mmuoff/link.ld "$OBJ/mmuoff/common.o" "" " (domU, seed 001)"
	done
}
[ -d src-mmuoff ] && build_mmuoff

# dom0less domUs of the built-in r82 configuration (src/hv/configs/r82-default.dts): the
# domU runtime (vpl011 at GUEST_PL011_BASE, PSCI over HVC) linked inside each domain's
# xen,static-mem at bank base + text_offset 0x80000, since an MPU domain is direct-mapped
# (IPA = PA). <guest>-r82d1 runs in domU1 (0x04000000), <guest>-r82d2 in domU2 (0x08000000).
build_r82domu() {
	for v in "r82d1 0x04080000" "r82d2 0x08080000"; do
		set -- $v
		sed "s/^\t\. = 0x40080000;/\t. = $2;/" lib/link.ld >"$OBJ/link-$1.ld"
		grep -q "$2" "$OBJ/link-$1.ld"
		for d in src/hello/ src/cprog/ src-domu/domu-fault/; do
			link_guest "$(basename "$d")-$1" "$d" "$OBJ/link-$1.ld" "$DOMUOBJS" "" " (r82 domU)" $DOMU
		done
	done
}
[ -d src-domu ] && build_r82domu

# The hardware domain (src/hv/domain/dom0.ts): direct-mapped (IPA = PA), so linked where the
# hypervisor's allocate_memory_11 puts dom0's bank 0 on the default virt board (512M RAM) with
# `--dom0 …,mem=64M`: 0x44000000 + text_offset 0x80000. No UART of its own (Xen hides the one
# it uses): output through the console_io hypercall (-DCONSOLE_IO).
build_dom0() {
	sed "s/^\t\. = 0x40080000;/\t. = 0x44080000;/" lib/link.ld >"$OBJ/link-dom0.ld"
	grep -q "0x44080000" "$OBJ/link-dom0.ld"
	compile_runtime lib-dom0 -DCONSOLE_IO
	for d in src-dom0/*/; do
		link_guest "$(basename "$d")" "$d" "$OBJ/link-dom0.ld" "$RUNTIME" "" " (dom0)" -DCONSOLE_IO
	done
	# dom0-check as the dom0 of the tree real Xen booted (../shared/reference/dom0less-example.dts:
	# 2G RAM, dom0_mem=512M, so bank 0x60000000, and its dom0 bootargs): test/hv/realXenDts.test.ts.
	sed "s/^\t\. = 0x40080000;/\t. = 0x60080000;/" lib/link.ld >"$OBJ/link-dom0-ref.ld"
	grep -q "0x60080000" "$OBJ/link-dom0-ref.ld"
	link_guest dom0-check-ref src-dom0/dom0-check/ "$OBJ/link-dom0-ref.ld" "$RUNTIME" "" " (dom0, reference tree)" -DCONSOLE_IO \
		'-DDOM0_MEM=(512ul << 20)' '-DDOM0_BOOTARGS="console=hvc0 rdinit=/init guest_tag=dom0 nopoweroff"' -DDOM0_LINGER_MS=50
}
[ -d src-dom0 ] && build_dom0

rm -rf "$OBJ"
