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

# the Debian packages that are missing (the list is shared with tests/run.sh)
"$top/tests/lib/install-missing.sh" || exit 1

cd "$top"
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null
fi
ninja -C build >/dev/null
echo "demo.sh: built wgmesh in $top/build; starting a 3-node mesh"
WGM_BUILD=$top/build exec "$top/selftests/e2e.sh" --nodes 3 --quick
