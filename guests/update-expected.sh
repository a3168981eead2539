#!/bin/sh
# Regenerate expected/*.txt by running every manifest.json entry on QEMU.
#   ./update-expected.sh                 rebuild, run everything, rewrite goldens
#   ./update-expected.sh --check         run everything, compare with the goldens
#   ./update-expected.sh [--check] ID... only these manifest ids
# An output is accepted only if it has no FAIL line, its last line is
# "DONE pass=N fail=0", and QEMU's exit status equals the entry's exit_code.
# \r is stripped.
# Entries with "board": "r82" (Armv8-R AArch64) cannot run on QEMU: they run on armvisor
# (../dist, build it first) with the entry's "args"; the same acceptance rules apply, and since
# every check in those guests asserts the architected outcome itself, a golden is only written
# when all of them pass. An r82 entry that uses a virt entry's (QEMU) golden is only compared.
set -eu
cd "$(dirname "$0")"
mode=update
if [ "${1:-}" = "--check" ]; then mode=check; shift; fi
[ "$mode" = update ] && ./build.sh >/dev/null
mkdir -p expected
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node -e '
const m = require("./manifest.json");
const want = process.argv.slice(1);
for (const e of m)
  if (!want.length || want.includes(e.id))
    console.log([e.id, e.image, e.el, e.smp, e.semihosting ? "semihosting" : "-",
                 e.expected, e.exit_code ?? 0, e.board ?? "virt", (e.args ?? []).join(" ") || "-",
                 (e.board ?? "virt") !== "virt" && m.some((v) => (v.board ?? "virt") === "virt" && v.expected === e.expected) ? "shared" : "own",
                 e.input ?? "-"].join("\t"));
' "$@" >"$tmp/list"
bad=0
while IFS='	' read -r id image el smp semi expected code board args owner input; do
	[ "$semi" = - ] && semi=""
	[ "$args" = - ] && args=""
	[ "$input" = - ] && input=/dev/null
	set +e
	if [ "$board" = virt ]; then
		GUEST_INPUT=$input ./run-qemu.sh "$image" "$el" "$smp" $semi >"$tmp/raw" 2>"$tmp/err"
	else
		# shellcheck disable=SC2086 # args are split on purpose
		node ../dist/src/cli/main.js run "$image" --board "$board" --el "$el" --smp "$smp" \
			--no-semihosting --max-insns 2000000000 $args <"$input" >"$tmp/raw" 2>"$tmp/err"
	fi
	rc=$?
	set -e
	tr -d '\r' <"$tmp/raw" >"$tmp/out"
	problems=""
	[ "$rc" = "$code" ] || problems="$problems exit=$rc(want $code)"
	grep -q '^FAIL' "$tmp/out" && problems="$problems has-FAIL"
	tail -n1 "$tmp/out" | grep -q '^DONE pass=[0-9]* fail=0$' || problems="$problems no-final-DONE"
	# An armvisor-only entry that shares a QEMU golden is only ever compared with it.
	if [ "$mode" = check ] || [ "$owner" = shared ]; then
		cmp -s "$tmp/out" "$expected" || problems="$problems differs-from-golden"
	elif [ -z "$problems" ]; then
		cp "$tmp/out" "$expected"
	fi
	if [ -n "$problems" ]; then
		echo "BAD  $id:$problems"
		bad=1
	else
		echo "ok   $id ($(grep -c '^PASS' "$tmp/out") PASS, $(grep -c '^HASH' "$tmp/out") HASH)"
	fi
done <"$tmp/list"
exit $bad
