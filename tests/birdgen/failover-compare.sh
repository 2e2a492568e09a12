#!/usr/bin/env bash
# Benchmark, not part of `meson test`: how fast a silent link's routes are withdrawn and how
# fast a healed link carries routes again, with wgmesh 1.0's BIRD config (the fixture's
# bird_private.conf) as the baseline and ours, in the same run and topology as two-birds.sh.
# Prints one line per config. Takes about three minutes (1.0 needs them).
# usage: tests/lib/in-netns.sh tests/birdgen/failover-compare.sh BIRDGEN_TOOL WGMESH_BIRDC FIXTURE_DIR
set -eu
tool=$1 birdc=$2 fixture=$3
A= B=
tmp=$(mktemp -d)
pid_a= pid_b=
. "$(dirname "$0")/birdlab.sh"

stop_birds() {
	for pid in $pid_a $pid_b; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	done
	pid_a= pid_b=
}
cleanup() {
	stop_birds
	topo_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT
route_in() { ip -n "$B" route show 192.168.77.0/24 | grep -q "proto bird"; }
no_route_in() { ! route_in; }

make_link fcA fcB
ip -n "$A" link add d0 type veth peer name d0-peer
ip -n "$A" addr add 10.98.0.1/24 dev d0
for dev in d0 d0-peer; do ip -n "$A" link set "$dev" up; done
ip -n "$A" route add 192.168.77.0/24 via 10.98.0.2 dev d0

run() { # name, config of A, config of B
	local name=$1 t0 withdraw heal
	ip netns exec "$A" bird -f -c "$2" -s "$tmp/a.sock" &
	pid_a=$!
	ip netns exec "$B" bird -f -c "$3" -s "$tmp/b.sock" &
	pid_b=$!
	if ! poll 90 route_in; then
		echo "$name: never established"; stop_birds; return
	fi
	sleep 1 # let BFD settle after the session came up
	silence_input "$B"
	t0=$(now_ms)
	if poll 150 no_route_in; then withdraw="$(( $(now_ms) - t0 )) ms"; else withdraw=">150 s"; fi
	heal_input "$B"
	t0=$(now_ms)
	if poll 150 route_in; then heal="$(( $(now_ms) - t0 )) ms"; else heal=">150 s"; fi
	printf '%-12s silent link withdrawn after %-10s healed link routing again after %s\n' \
		"$name:" "$withdraw" "$heal"
	stop_birds
}

mkdir -p "$tmp/10" "$tmp/new/a" "$tmp/new/b" "$tmp/10/local.d"
for h in alpha beta; do
	sed "s|/etc/bird/bird_private_local.d|$tmp/10/local.d|" \
		"$fixture/hosts/$h.example.net/etc-bird/bird_private.conf" >"$tmp/10/$h.conf"
done
"$tool" write alpha "$tmp/new/a" >/dev/null
"$tool" write beta "$tmp/new/b" >/dev/null
run "wgmesh 1.0" "$tmp/10/alpha.conf" "$tmp/10/beta.conf"
run "wgmesh 2" "$tmp/new/a/bird_private.conf" "$tmp/new/b/bird_private.conf"
