#!/bin/sh
# Usage: run-qemu.sh <image> <el 1|2> <smp> [semihosting]
#
# Runs one guest on QEMU's virt board (Cortex-A57, GICv3, 512 MiB):
#   el 1 -> -M virt                      (CPU starts at EL1, PSCI via HVC)
#   el 2 -> -M virt,virtualization=on    (CPU starts at EL2, PSCI via SMC)
# The guest's PL011 UART goes to stdout. QEMU exits by itself after PSCI
# SYSTEM_OFF (exit status 0) or semihosting SYS_EXIT (exit status = the
# guest's status); a timeout (QEMU_TIMEOUT, default 20 s) guards against hangs
# (exit status 124).
#
# The UART's input is empty, or the file named by GUEST_INPUT (manifest "input"). QEMU
# reads its input as soon as it starts, and its PL011 may lose bytes that arrive before the
# guest has set the UART up, so the file is sent after GUEST_INPUT_DELAY seconds (default 1).
#
# With "semihosting", semihosting is enabled and its console output
# (SYS_WRITEC/SYS_WRITE0) is routed to the same stdio chardev as the UART, so
# both appear on stdout in program order (plain -semihosting would send it to
# stderr).
set -eu
img=$1; el=${2:-1}; smp=${3:-1}; semi=${4:-}
machine=virt
[ "$el" = 2 ] && machine=virt,virtualization=on
set -- -M "$machine,gic-version=3" -cpu cortex-a57 -m 512M -smp "$smp" \
	-nographic -nodefaults
case "$semi" in
semihosting|1|true|yes)
	set -- "$@" -chardev stdio,mux=on,id=con0 -serial chardev:con0 \
		-semihosting-config enable=on,target=native,chardev=con0 ;;
*)
	set -- "$@" -serial stdio ;;
esac
if [ "${GUEST_INPUT:-/dev/null}" = /dev/null ]; then
	exec timeout --foreground "${QEMU_TIMEOUT:-20}" qemu-system-aarch64 "$@" -kernel "$img" </dev/null
fi
{ sleep "${GUEST_INPUT_DELAY:-1}"; cat "$GUEST_INPUT"; } |
	timeout --foreground "${QEMU_TIMEOUT:-20}" qemu-system-aarch64 "$@" -kernel "$img"
