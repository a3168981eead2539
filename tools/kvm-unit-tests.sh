#!/usr/bin/env bash
# Runs kvm-unit-tests' arm64 tests on QEMU -M virt and on `armvisor run`, side by side.
# Fetches and builds nothing: give it a kvm-unit-tests tree already built for arm64
#   (./configure --arch=arm64 --cross-prefix=aarch64-linux-gnu- && make).
# Usage: tools/kvm-unit-tests.sh KUT_DIR [TEST...]     (run from the armvisor repo, after npm run build)
# Env: SMP (default 4) for the $MAX_SMP tests, TIMEOUT seconds per run (default 900: busy-wait tests cost 1 ns of virtual time per instruction), QEMU_ONLY/AV_ONLY=1.
# Each line: test, QEMU's SUMMARY, armvisor's SUMMARY, same/DIFF. Logs go to $LOGDIR (default /tmp/kut-logs).
set -u
KUT=${1:?usage: tools/kvm-unit-tests.sh KUT_DIR [TEST...]}
shift
SMP=${SMP:-4}
TIMEOUT=${TIMEOUT:-900}
LOGDIR=${LOGDIR:-/tmp/kut-logs}
REPO=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$LOGDIR"

# name | file | smp | args | mem (MiB) | environment (kvm-unit-tests reads it from the initrd,
# as its arm/run passes it) — unittests.cfg's arm64 entries for a TCG QEMU with GICv3
# (gicv2-*, its-*, migration, kvm-only and mte tests left out; see docs/THIRD-PARTY.md).
TESTS=(
  "selftest-setup|selftest|2|setup smp=2 mem=256|256"
  "selftest-vectors-kernel|selftest|1|vectors-kernel|"
  "selftest-vectors-user|selftest|1|vectors-user|"
  "selftest-smp|selftest|$SMP|smp|"
  "gicv3-ipi|gic|$SMP|ipi|"
  "gicv3-active|gic|$SMP|active|"
  "gicv3-mmio|gic|$SMP|mmio|"
  "psci|psci|$SMP||"
  "psci-cpu-on|psci|$SMP|||ERRATA_6c7a5dce22b3=y"
  "timer|timer|1||"
  "cache|cache|1||"
  "debug-bp|debug|1|bp|"
  "debug-wp|debug|1|wp|"
  "debug-sstep|debug|1|ss|"
  "pmu-cycle-counter|pmu|1|cycle-counter 0|"
  "spinlock|spinlock-test|$SMP||"
)

summary() { grep -a -o 'SUMMARY:.*' "$1" | tail -1 | tr -d '\r' || true; }

printf '%-24s %-40s %-40s %s\n' TEST QEMU ARMVISOR
for t in "${TESTS[@]}"; do
  IFS='|' read -r name file smp args mem env <<<"$t"
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  flat="$KUT/arm/$file.flat"
  [ -f "$flat" ] || { printf '%-24s %s\n' "$name" "missing $flat"; continue; }
  q="-" a="-" qi=() ai=()
  if [ -n "$env" ]; then
    printf '%s\n' "$env" >"$LOGDIR/$name.env"
    qi=(-initrd "$LOGDIR/$name.env") ai=(--initrd "$LOGDIR/$name.env")
  fi
  if [ -z "${AV_ONLY:-}" ]; then
    timeout "$TIMEOUT" qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a57 -nodefaults -nographic \
      -serial stdio -m "${mem:-512}" -smp "$smp" -kernel "$flat" ${args:+-append "$args"} "${qi[@]}" \
      </dev/null >"$LOGDIR/$name.qemu.log" 2>&1
    q=$(summary "$LOGDIR/$name.qemu.log"); q=${q:-"no summary (rc $?)"}
  fi
  if [ -z "${QEMU_ONLY:-}" ]; then
    timeout "$TIMEOUT" node "$REPO/dist/src/cli/main.js" run "$flat" --smp "$smp" --mem "${mem:-512}" \
      ${args:+--append "$args"} "${ai[@]}" </dev/null >"$LOGDIR/$name.armvisor.log" 2>&1
    rc=$?
    a=$(summary "$LOGDIR/$name.armvisor.log"); a=${a:-"no summary (rc $rc)"}
  fi
  same=DIFF; [ "$q" = "$a" ] && same=same
  printf '%-24s %-40s %-40s %s\n' "$name" "$q" "$a" "$same"
done
