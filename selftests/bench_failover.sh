#!/usr/bin/env bash
# Benchmark: LAN failover on a 5-node mesh (the e2e harness: knotd, BIRD under its supervisor as
# wgmesh-bird@ runs it, whichever WireGuard back end the host has). For each BFD interval, the
# baseline first, CUTS underlay link cuts, cycling over the 10 node pairs: 10 ms pings from the
# LAN of one end to the LAN of the other, the link cut, the longest gap between two replies
# taken as the outage, the link restored and the mesh back on the direct path before the next
# cut. Prints each cut, then the median, p95 and maximum per interval, side by side, and the
# ratio of the default's to the baseline's (emulation inflates absolute times; the ratio is
# what compares across machines).
#
#   sudo selftests/bench_failover.sh [CUTS]        (default 20 per interval)
# FAILOVER_INTERVALS: the BFD intervals in ms, the baseline first (default "50 DEFAULT": 50 ms,
# the default before 2.1, against the product's default read from wgmesh-net --help).
# WGM_BUILD: the build dir (default build/).
set -eEu
. "$(dirname "$0")/lib/harness.sh"
CUTS=${1:-20}
trap 'echo "bench_failover: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

[ -n "$(mesh_bfd_default)" ] || die "cannot read the default BFD interval from wgmesh-net --help"
intervals=$(mesh_intervals "${FAILOVER_INTERVALS:-50 DEFAULT}")
nodes=5
all=$(seq 1 $nodes)
work=$(mktemp -d /tmp/wgm-failover.XXXXXX)
trap 'mesh_cleanup $? "$work" up bird' EXIT

# Until node A routes LAN B through DEV (or, with "!", through anything else); 0 or 1 after
# LIMIT seconds.
wait_route() { # LIMIT A B [!]DEV
	local limit=$1 a=$2 b=$3 want=$4 start dev
	start=$(now_ms)
	while :; do
		dev=$(route_dev "$a" "$b")
		if [ "${want#!}" != "$want" ]; then
			[ -n "$dev" ] && [ "$dev" != "${want#!}" ] && return 0
		else
			[ "$dev" = "$want" ] && return 0
		fi
		[ $(( $(now_ms) - start )) -gt $((limit * 1000)) ] && return 1
		sleep 0.05
	done
}

# "median p95 max" of the numbers on stdin (nearest rank).
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		r = int(NR * 0.95 + 0.999999); if (r > NR) r = NR
		printf "%d %d %d\n", m, v[r], v[NR] }'
}

mesh_require_commands
echo "== topology: $nodes nodes, knotd, BIRD in every private namespace"
topo_init "$work"
MESH_BFD_INTERVAL=${intervals%% *} mesh_build $all

pairs=()
for a in $all; do for b in $all; do [ "$a" -lt "$b" ] && pairs+=("$a $b"); done; done
declare -A RESULT=()
for ms in $intervals; do
	echo "== BFD every $ms ms x 5 on every node (wgmesh-net up --bfd-interval $ms)"
	for n in $all; do
		MESH_BFD_INTERVAL=$ms mesh_node_up "$n" ||
			{ cat "$(mesh_node_dir "$n")/up.log" >&2; die "up --bfd-interval $ms on node $n"; }
	done
	conv=$(wait_converged 120 $all) || { print_table $all; die "not converged at $ms ms"; }
	echo "converged in $conv s"
	: >"$work/outages-$ms"
	for i in $(seq 1 "$CUTS"); do
		read -r a b <<<"${pairs[$(((i - 1) % ${#pairs[@]}))]}"
		wait_route 60 "$a" "$b" "wg$b" || die "node$a does not route LAN $b over wg$b before cut $i"
		ip netns exec "${LAN_NS[$a]}" ping -D -n -i 0.01 -W 1 "10.$b.0.10" >"$work/ping" 2>&1 &
		pid=$!
		sleep 0.5
		topo_cut "$a" "$b"
		wait_route 10 "$a" "$b" "!wg$b" || die "cut $i: node$a still routes LAN $b over wg$b after 10 s"
		sleep 0.5
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		out=$(outage_ms "$work/ping")
		echo "$out" >>"$work/outages-$ms"
		via=$(route_dev "$a" "$b")
		topo_restore "$a" "$b"
		printf 'cut %2d: node%s<->node%s, LAN %s -> LAN %s rerouted over %s: outage %4d ms\n' "$i" "$a" "$b" "$a" "$b" "$via" "$out"
		# back on the direct path, every session up, before the next cut
		wait_route 60 "$a" "$b" "wg$b" || die "node$a not back on wg$b 60 s after the restore of cut $i"
		wait_converged 60 $all >/dev/null || { print_table $all; die "not converged after cut $i"; }
	done
	RESULT[$ms]=$(stats <"$work/outages-$ms")
done

echo
echo "== LAN failover outage, $CUTS cuts per interval, 5 nodes, $(mesh_backend 1) (ms)"
printf '%-34s %7s %7s %7s\n' "BFD" median p95 max
for ms in $intervals; do
	read -r m p x <<<"${RESULT[$ms]}"
	printf '%-34s %7s %7s %7s\n' "$(mesh_interval_label "$ms" "$intervals")" "$m" "$p" "$x"
done
base=${intervals%% *}
for ms in $intervals; do
	[ "$ms" = "$base" ] && continue
	read -r m p x <<<"${RESULT[$ms]}"
	read -r bm bp bx <<<"${RESULT[$base]}"
	awk -v m="$m" -v p="$p" -v bm="$bm" -v bp="$bp" -v ms="$ms" -v base="$base" \
		'BEGIN { printf "ratio %s ms / %s ms: median %.2f, p95 %.2f\n", ms, base, m / bm, p / bp }'
done
echo "goal at the default: median under 100 ms, p95 under 150 ms"
