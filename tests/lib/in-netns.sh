#!/usr/bin/env bash
# Runs a test inside its own network and mount namespaces with a private, empty /run (so
# /run/netns, /run/wireguard, /run/bird are the test's own): nothing of the machine's own
# network or /run is touched.
# Exit 77 (meson: skipped) when not root or namespaces are unavailable.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (network namespaces)" >&2
	exit 77
fi
if [ "${WGM_IN_NETNS:-}" != 1 ]; then
	exec env WGM_IN_NETNS=1 unshare --net --mount --propagation private -- "$0" "$@"
fi
mount -t tmpfs -o mode=0755 wgm-test /run || exit 1
mkdir -p /run/netns /run/wireguard /run/bird /run/wgmesh || exit 1
ip link set lo up || exit 1
exec "$@"
