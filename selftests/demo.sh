#!/usr/bin/env bash
# README quick start 1: a 3-node wgmesh on this machine, in namespaces of its own.
#   sudo ./selftests/demo.sh
# Installs the Debian packages that are missing (only those), builds into build/, brings up
# three nodes (underlay, private namespace, LAN each; an "internet" bridge; knotd as the
# site's DNS; BIRD with BGP+BFD), prints the table of nodes, links, BGP/BFD state and
# LAN-to-LAN pings, shows a link failover, and removes everything it made. Nothing of the
# machine's own network, /etc or /run is touched.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: needs root for network namespaces: sudo $0" >&2
	exit 1
fi

# file that must exist -> the Debian package providing it
needs="
/usr/bin/meson:meson
/usr/bin/ninja:ninja-build
/usr/bin/pkg-config:pkgconf
/usr/bin/cc:gcc
/usr/include/sodium.h:libsodium-dev
/usr/include/yaml.h:libyaml-dev
/usr/include/ares.h:libc-ares-dev
/usr/include/libnl3/netlink/netlink.h:libnl-3-dev
/usr/include/libnl3/netlink/route/link.h:libnl-route-3-dev
/usr/include/libmnl/libmnl.h:libmnl-dev
/usr/include/ldns/ldns.h:libldns-dev
/usr/include/x86_64-linux-gnu/curl/curl.h:libcurl4-openssl-dev
/usr/sbin/knotd:knot
/usr/bin/kdig:knot-dnsutils
/usr/sbin/bird:bird2
/usr/bin/wg:wireguard-tools
/usr/bin/wireguard-go:wireguard-go
/usr/sbin/nft:nftables
/usr/bin/ip:iproute2
/usr/bin/nsenter:util-linux
/usr/bin/ping:iputils-ping
/usr/bin/python3:python3
"
missing=
for need in $needs; do
	file=${need%%:*}
	pkg=${need#*:}
	# The curl header lives under the multiarch directory of this machine.
	[ "$pkg" = libcurl4-openssl-dev ] && file=/usr/include/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)/curl/curl.h
	if [ ! -e "$file" ] && ! { [ "${file#/usr/bin/}" != "$file" ] && command -v "${file#/usr/bin/}" >/dev/null; }; then
		missing="$missing $pkg"
	fi
done
if [ -n "$missing" ]; then
	echo "demo.sh: installing the missing packages:$missing"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi

cd "$top"
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null
fi
ninja -C build >/dev/null
echo "demo.sh: built wgmesh in $top/build; starting a 3-node mesh"
WGM_BUILD=$top/build exec "$top/selftests/e2e.sh" --nodes 3 --quick
