#!/bin/sh
# Fetch real Xen 4.17 for arm64 (Debian bookworm's xen-hypervisor-4.17-arm64, the build that
# ../shared/reference/real-xen-on-qemu.md ran under QEMU) into a cache folder OUTSIDE the repo.
# The benchmark (bench/traps.ts) and the differential test (test/hv/realXen.test.ts) use it when
# it is there; nothing from it is ever committed.
#   tools/fetch-real-xen.sh            -> $ARMVISOR_PEERS (default ~/.cache/armvisor-peers)/xen-4.17-arm64
# Needs apt with the arm64 architecture enabled (dpkg --add-architecture arm64; apt-get update),
# which this script does when run as root.
set -eu
PEERS=${ARMVISOR_PEERS:-$HOME/.cache/armvisor-peers}
PKG=xen-hypervisor-4.17-arm64
mkdir -p "$PEERS"
cd "$PEERS"
if [ -f xen-4.17-arm64 ]; then
	echo "already there: $PEERS/xen-4.17-arm64"
	exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	[ "$(id -u)" = 0 ] || { echo "fetch-real-xen: arm64 is not a dpkg architecture here; run as root, or: dpkg --add-architecture arm64 && apt-get update" >&2; exit 1; }
	dpkg --add-architecture arm64
	apt-get update -qq
fi
rm -f ${PKG}_*.deb
apt-get download "$PKG:arm64"
rm -rf x
dpkg -x ${PKG}_*.deb x
cp x/boot/xen-4.17-arm64 xen-4.17-arm64
dpkg-deb -f ${PKG}_*.deb Version >xen-4.17-arm64.version
echo "fetched: $PEERS/xen-4.17-arm64 ($(cat xen-4.17-arm64.version))"
