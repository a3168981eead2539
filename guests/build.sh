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

LIBOBJS=""
for f in lib/start.S lib/uart.c lib/psci.c lib/runtime.c lib/string.c; do
	o="$OBJ/lib/$(basename "$f").o"
	extra=""
	[ "$f" = lib/string.c ] && extra="-fno-tree-loop-distribute-patterns"
	$CC $CFLAGS $extra -c "$f" -o "$o"
	LIBOBJS="$LIBOBJS $o"
done

# Optional library parts go in an archive so a guest links them only when it uses them
# (the page-table pool is 384 KiB of .bss).
$CC $CFLAGS -c lib/mmu.c -o "$OBJ/lib/mmu.o"
$CC $CFLAGS -c lib/gic.c -o "$OBJ/lib/gic.o"
${CROSS}ar rcs "$OBJ/lib/libopt.a" "$OBJ/lib/mmu.o" "$OBJ/lib/gic.o"

# build_guest <output-name> <source-dir> [extra cflags...]
build_guest() {
	name=$1; dir=$2; shift 2
	mkdir -p "$OBJ/$name"
	objs=""
	for f in "$dir"/*.c "$dir"/*.S; do
		[ -e "$f" ] || continue
		o="$OBJ/$name/$(basename "$f").o"
		$CC $CFLAGS "$@" -c "$f" -o "$o"
		objs="$objs $o"
	done
	$CC $CFLAGS $LDFLAGS -o "bin/$name.elf" $LIBOBJS $objs "$OBJ/lib/libopt.a" -lgcc
	$OBJCOPY -O binary "bin/$name.elf" "bin/$name.img"
	printf '%-16s elf=%6d img=%6d\n' "$name" "$(stat -c %s "bin/$name.elf")" "$(stat -c %s "bin/$name.img")"
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
	mkdir -p "$OBJ/lib-r82"
	sed 's/^\t\. = 0x40080000;/\t. = 0x00080000;/' lib/link.ld >"$OBJ/link-r82.ld"
	grep -q '0x00080000' "$OBJ/link-r82.ld"
	R82OBJS=""
	for f in lib/start.S lib/uart.c lib/psci.c lib/runtime.c lib/string.c; do
		o="$OBJ/lib-r82/$(basename "$f").o"
		extra=""
		[ "$f" = lib/string.c ] && extra="-fno-tree-loop-distribute-patterns"
		$CC $CFLAGS $R82 $extra -c "$f" -o "$o"
		R82OBJS="$R82OBJS $o"
	done
	# src-r82/<guest>/ and, as <guest>-r82, the portable guests of src/ listed here.
	for d in src-r82/*/ src/hello/ src/psci/ src/exceptions/ src/cprog/ src/isa-ldst/; do
		name=$(basename "$d")
		case "$d" in src/*) name="$name-r82" ;; esac
		mkdir -p "$OBJ/$name"
		objs=""
		for f in "$d"*.c "$d"*.S; do
			[ -e "$f" ] || continue
			o="$OBJ/$name/$(basename "$f").o"
			$CC $CFLAGS $R82 -c "$f" -o "$o"
			objs="$objs $o"
		done
		$CC $CFLAGS $(echo "$LDFLAGS" | sed "s#lib/link.ld#$OBJ/link-r82.ld#") -o "bin/$name.elf" $R82OBJS $objs -lgcc
		$OBJCOPY -O binary "bin/$name.elf" "bin/$name.img"
		printf '%-16s elf=%6d img=%6d (r82)\n' "$name" "$(stat -c %s "bin/$name.elf")" "$(stat -c %s "bin/$name.img")"
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
	mkdir -p "$OBJ/lib-domu"
	DOMUOBJS=""
	for f in lib/start.S lib/uart.c lib/psci.c lib/runtime.c lib/string.c; do
		o="$OBJ/lib-domu/$(basename "$f").o"
		extra=""
		[ "$f" = lib/string.c ] && extra="-fno-tree-loop-distribute-patterns"
		$CC $CFLAGS $DOMU $extra -c "$f" -o "$o"
		DOMUOBJS="$DOMUOBJS $o"
	done
	for d in src-domu/*/ src/hello/ src/cprog/ src/psci/; do
		name=$(basename "$d")
		case "$d" in src/*) name="$name-domu" ;; esac
		mkdir -p "$OBJ/$name"
		objs=""
		for f in "$d"*.c "$d"*.S; do
			[ -e "$f" ] || continue
			o="$OBJ/$name/$(basename "$f").o"
			$CC $CFLAGS $DOMU -c "$f" -o "$o"
			objs="$objs $o"
		done
		$CC $CFLAGS $LDFLAGS -o "bin/$name.elf" $DOMUOBJS $objs -lgcc
		$OBJCOPY -O binary "bin/$name.elf" "bin/$name.img"
		printf '%-16s elf=%6d img=%6d (domU)\n' "$name" "$(stat -c %s "bin/$name.elf")" "$(stat -c %s "bin/$name.img")"
	done
}
[ -d src-domu ] && build_domu

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
			name="$(basename "$d")-$1"
			mkdir -p "$OBJ/$name"
			objs=""
			for f in "$d"*.c "$d"*.S; do
				[ -e "$f" ] || continue
				o="$OBJ/$name/$(basename "$f").o"
				$CC $CFLAGS $DOMU -c "$f" -o "$o"
				objs="$objs $o"
			done
			$CC $CFLAGS $(echo "$LDFLAGS" | sed "s#lib/link.ld#$OBJ/link-$1.ld#") -o "bin/$name.elf" $DOMUOBJS $objs -lgcc
			$OBJCOPY -O binary "bin/$name.elf" "bin/$name.img"
			printf '%-16s elf=%6d img=%6d (r82 domU)\n' "$name" "$(stat -c %s "bin/$name.elf")" "$(stat -c %s "bin/$name.img")"
		done
	done
}
[ -d src-domu ] && build_r82domu

rm -rf "$OBJ"
