#!/usr/bin/env bash
# End to end: N nodes (3 by default, up to 10) on one machine, each with an underlay, the
# private namespace wgmesh builds and a LAN behind it, joined by an "internet" bridge; knotd
# with TSIG updates as the site's DNS; the seed's workflow through our real commands
# (wgsite init, wgconfig, wghost, wgsite -i, wgpub --rfc2136, wgmesh-net up) and BIRD in every
# private namespace. Checks BGP/BFD, LAN-to-LAN pings, failover, growth, removal and
# stale/forged DNS data; prints a table and the convergence time.
#
# Usage (root): selftests/e2e.sh [--nodes N] [--quick]
#   --quick: bring-up, table and failover only. WGM_BUILD: the build dir (default build/).
# Runs itself inside tests/lib/in-netns.sh: nothing of the machine's network or /run is touched.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${WGM_IN_NETNS:-}" != 1 ]; then
	exec "$top/tests/lib/in-netns.sh" "$0" "$@"
fi
nodes=3
quick=
while [ $# -gt 0 ]; do
	case $1 in
	--nodes) nodes=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	*) echo "usage: $0 [--nodes N] [--quick]" >&2; exit 2 ;;
	esac
done
if [ "$nodes" -lt 3 ] || [ "$nodes" -gt 10 ]; then
	echo "--nodes must be 3..10 (failover needs a third node)" >&2
	exit 2
fi
WGM_BUILD=${WGM_BUILD:-$top/build}
WGM_BUILD=$(cd "$WGM_BUILD" && pwd)
. "$top/tests/lib/knot.sh"
. "$top/selftests/lib/topo.sh"
. "$top/selftests/lib/mesh.sh"
. "$top/selftests/lib/checks.sh"

work=$(mktemp -d /tmp/wgm-e2e.XXXXXX)
cleanup() {
	local rc=$? n
	set +e
	for n in "${!BIRD_PIDFILE[@]}"; do mesh_bird_stop "$n"; done
	topo_cleanup
	knot_stop
	if [ "$rc" -ne 0 ] || [ "$CHECK_FAILURES" -ne 0 ]; then
		echo "--- logs of the failed run ($work) ---" >&2
		for f in "$work"/n*/up.log "$work"/n*/bird.log; do
			[ -s "$f" ] && { echo "== $f"; tail -n 15 "$f"; } >&2
		done
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT

step() { echo "== $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

mesh_require_commands
all=$(seq 1 "$nodes")
t0=$(now_ms)
step "topology: $nodes nodes, internet bridge, knotd at 203.0.113.53"
topo_init "$work"
for n in $all; do topo_add_node "$n"; done
mesh_dns_start
step "site: wgsite init, site record via wgpub --rfc2136 to $MESH_DNS"
mesh_site_init
step "nodes: wgconfig (site record from DNS), wghost -a, wgsite -i"
for n in $all; do mesh_node_register "$n" || die "registering node $n"; done
step "publish: wgpub --rfc2136 --tsig-key"
mesh_publish
step "deploy: wgmesh-net up on every node, BIRD in every private namespace"
for n in $all; do
	mesh_node_up "$n" || { cat "$(mesh_node_dir "$n")/up.log" >&2; die "wgmesh-net up on node $n"; }
	mesh_bird_start "$n" || die "BIRD on node $n"
done
t_deployed=$(now_ms)
conv=$(wait_converged 90 $all) || { print_table $all; die "mesh did not converge within 90 s"; }
echo "converged: BGP and BFD up everywhere, every LAN pings every LAN, $conv s after the last deploy" \
	"($(( ($(now_ms) - t0) / 1000 )) s from an empty machine)"
print_table $all

if [ "$CHECK_FAILURES" -ne 0 ]; then
	exit 1
fi
echo "e2e: all checks passed ($nodes nodes)"
