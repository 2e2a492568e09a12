#!/usr/bin/env bash
# Two BIRDs on one link, configured by birdgen and driven through birdctl.
#
#   netns wgmA-<pid> (fixture's alpha, octet 1)     netns wgmB-<pid> (fixture's beta, octet 2)
#   +-----------------------------------+          +-----------------------------+
#   | d0     10.98.0.1/24 (a LAN)       |          |                             |
#   | vi-lab 169.254.1.2/24 (our veth)  |          |                             |
#   | wg2    fd42:7a3b:19c0:201::1/64 ==|== veth ==|== wg1 fd42:7a3b:19c0:201::2 |
#   | bird -s $tmp/a.sock               |          | bird -s $tmp/b.sock         |
#   |                                   |          | vi-lab 169.254.2.2/24, 0/1  |
#   |                                   |          | and 128/1 via 169.254.2.1   |
#   +-----------------------------------+          +-----------------------------+
#
# Checks: BGP Established and BFD Up; a kernel route in A reaches B's kernel table through
# BIRD, a public range, our veth's subnet and the unreachable fallbacks do not; a dropped link
# withdraws the routes at BFD speed (and its LAN becomes unreachable, not routed to the
# underlay) and a healed one comes back by itself; reconfigure over the socket adds sessions
# without resetting the running one, and a broken config is refused with BIRD's message.
# usage: two-birds.sh BIRDGEN_TOOL WGMESH_BIRDC   (run through in_netns, as root)
set -eu
tool=$1 birdc=$2
A= B=
tmp=$(mktemp -d)
pid_a= pid_b=
. "$(dirname "$0")/birdlab.sh"
. "$(dirname "$0")/../lib/bird-sched.sh"

cleanup() {
	for pid in $pid_a $pid_b; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	done
	topo_cleanup
	if [ "$ASSERT_FAILURES" != 0 ]; then
		for f in "$tmp"/*.log; do [ -e "$f" ] && { echo "== $f"; tail -40 "$f"; }; done
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT


make_link wgmA wgmB
# Stand-ins for a LAN and for our veth (veth pairs with both ends in A: this kernel may have
# no dummy driver).
ip -n "$A" link add d0 type veth peer name d0-peer
ip -n "$A" link add vi-lab type veth peer name vi-peer
ip -n "$A" addr add 10.98.0.1/24 dev d0
ip -n "$A" addr add 169.254.1.2/24 dev vi-lab
for dev in d0 d0-peer vi-lab vi-peer; do ip -n "$A" link set "$dev" up; done
# B's way to the underlay, as the manager builds it: 0.0.0.0/1 and 128.0.0.0/1 out of the veth.
ip -n "$B" link add vi-lab type veth peer name vi-peer
ip -n "$B" addr add 169.254.2.2/24 dev vi-lab
for dev in vi-lab vi-peer; do ip -n "$B" link set "$dev" up; done
ip -n "$B" route add 0.0.0.0/1 via 169.254.2.1 dev vi-lab
ip -n "$B" route add 128.0.0.0/1 via 169.254.2.1 dev vi-lab
for ns in "$A" "$B"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done

mkdir -p "$tmp/a" "$tmp/b"
"$tool" write alpha "$tmp/a" >/dev/null
"$tool" write beta "$tmp/b" >/dev/null
# Logs to files of the test, through the include directory the operator would use.
echo "log \"$tmp/a.log\" all;" >"$tmp/a/bird_private_local.d/log.conf"
echo "log \"$tmp/b.log\" all;" >"$tmp/b/bird_private_local.d/log.conf"

ip netns exec "$A" "${BIRD_SCHED[@]}" bird -f -c "$tmp/a/bird_private.conf" -s "$tmp/a.sock" &
pid_a=$!
ip netns exec "$B" "${BIRD_SCHED[@]}" bird -f -c "$tmp/b/bird_private.conf" -s "$tmp/b.sock" &
pid_b=$!

established() { "$birdc" "$1" show protocols "$2" | grep -q Established; }
bfd_up() { "$birdc" "$1" show bfd sessions | grep -E "^$2 " | grep -qw Up; }
route_in() { ip -n "$1" route show "$2" | grep -q "proto bird"; }
no_route_in() { ! ip -n "$1" route show "$2" | grep -q .; }

if poll 60 established "$tmp/a.sock" wg2 && poll 10 established "$tmp/b.sock" wg1; then
	pass "BGP wg2 (A) and wg1 (B) Established"
else
	fail "BGP not Established: A: $("$birdc" "$tmp/a.sock" show protocols wg2 | tail -1) B: $("$birdc" "$tmp/b.sock" show protocols wg1 | tail -1)"
fi
if poll 20 bfd_up "$tmp/a.sock" fd42:7a3b:19c0:201::2 && poll 5 bfd_up "$tmp/b.sock" fd42:7a3b:19c0:201::1; then
	pass "BFD sessions Up on both ends"
else
	fail "BFD not Up: $("$birdc" "$tmp/a.sock" show bfd sessions | tr '\n' '|')"
fi
timing=$("$birdc" "$tmp/a.sock" show bfd sessions | grep fd42 || true)
case $timing in
*" 0.010 "*" 0.050"*) pass "BFD interval 10 ms, timeout 50 ms: $timing" ;;
*) fail "BFD timing: expected interval 0.010 and timeout 0.050, got: $timing" ;;
esac

# Kernel route in A -> BGP -> kernel table of B. The public range must be filtered out on B's
# IPv4 import, and our veth's 169.254 subnet never leaves A (direct skips vi-lab).
ip -n "$A" route add 100.64.7.0/24 via 10.98.0.2 dev d0
ip -n "$A" route add 192.168.77.0/24 via 10.98.0.2 dev d0
if poll 20 route_in "$B" 192.168.77.0/24; then
	pass "192.168.77.0/24 from A's kernel is in B's kernel: $(ip -n "$B" route show 192.168.77.0/24)"
else
	fail "192.168.77.0/24 did not reach B: $(ip -n "$B" route | tr '\n' '|')"
fi
if route_in "$B" 10.98.0.0/24; then pass "A's connected 10.98.0.0/24 is in B"; else fail "10.98.0.0/24 missing in B"; fi
if no_route_in "$B" 100.64.7.0/24; then pass "public 100.64.7.0/24 filtered"; else fail "100.64.7.0/24 reached B: $(ip -n "$B" route show 100.64.7.0/24)"; fi
if no_route_in "$B" 169.254.1.0/24; then pass "veth subnet 169.254.1.0/24 not exported"; else fail "169.254.1.0/24 leaked to B"; fi
learned=$("$birdc" "$tmp/b.sock" show route protocol wg1)
case $learned in
*10.0.0.0/8*|*172.16.0.0/12*|*192.168.0.0/16*) fail "A exported its UNREACHABLE4 routes: $learned" ;;
*192.168.77.0/24*) pass "A's unreachable fallbacks stay local (B learned: $(echo "$learned" | grep -c /) routes)" ;;
*) fail "B learned nothing from wg1: $learned" ;;
esac

# Failover: B stops hearing A (input dropped, the link stays up, so only BFD or the 6 s hold
# timer can notice). BFD must withdraw A's routes in B well before the hold timer would.
silence_input "$B"
t0=$(now_ms)
if poll 10 no_route_in "$B" 192.168.77.0/24; then
	dt=$(( $(now_ms) - t0 ))
	echo "measured: route withdrawn in B ${dt} ms after the link went silent"
	if [ "$dt" -lt 4000 ]; then pass "withdrawn faster than the 6 s hold time (${dt} ms)"; else fail "withdrawal took ${dt} ms: not BFD speed"; fi
else
	fail "route still in B 10 s after the link went silent"
fi
# With A's routes gone, B refuses A's LAN instead of sending it out of its veth (1.0 did).
if out=$(ip -n "$B" route get 192.168.77.1 2>&1); then
	fail "192.168.77.1 still routed in B without the mesh: $out"
else
	pass "192.168.77.1 unreachable in B without the mesh: $out"
fi
if "$birdc" "$tmp/b.sock" show protocols all wg1 | grep -q "BFD session down"; then
	pass "B's session went down on BFD"
else
	fail "B's wg1 did not record a BFD down: $("$birdc" "$tmp/b.sock" show protocols all wg1 | grep -i error)"
fi
heal_input "$B"
t0=$(now_ms)
if poll 40 route_in "$B" 192.168.77.0/24; then
	echo "measured: route back in B $(( $(now_ms) - t0 )) ms after the link healed"
	pass "healed link re-established by itself"
else
	fail "route not back 40 s after healing: $("$birdc" "$tmp/b.sock" show protocols wg1 | tail -1)"
fi

# Reconfigure A over its socket with a config of three peers: new sessions appear, the
# running wg2 session is not reset.
poll 20 established "$tmp/a.sock" wg2 || true
since=$("$birdc" "$tmp/a.sock" show protocols wg2 | awk '$1 == "wg2" {print $5}')
got=$("$tool" write three "$tmp/a")
[ "$got" = changed ] && pass "three-peer config written" || fail "write: expected changed, got $got"
if msg=$("$tool" configure "$tmp/a.sock"); then
	case $msg in *Reconfigured*) pass "configure: $msg" ;; *) fail "configure reply: expected Reconfigured, got: $msg" ;; esac
else
	fail "configure failed: $msg"
fi
protos=$("$birdc" "$tmp/a.sock" show protocols)
for p in wg3 wg5; do
	if echo "$protos" | grep -q "^$p "; then pass "$p added by reconfigure"; else fail "$p missing after reconfigure: $protos"; fi
done
after=$("$birdc" "$tmp/a.sock" show protocols wg2 | awk '$1 == "wg2" {print $5}')
# BIRD prints "since" recomputed from its monotonic clock: the same instant can read a ms or
# so apart (seen under emulation), so equal within 50 ms means the session never restarted.
since_ms() { echo "$1" | awk '{ split($1, t, /[:.]/); print ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }'; }
d=$(( $(since_ms "$after") - $(since_ms "$since") ))
if established "$tmp/a.sock" wg2 && [ -n "$since" ] && [ "${d#-}" -le 50 ]; then
	pass "wg2 kept its session across reconfigure (up since $since)"
else
	fail "wg2 reset by reconfigure: since '$since' -> '$after'"
fi

# A broken configuration is refused with BIRD's own message; BIRD keeps running the old one.
echo "protocol nonsense {" >"$tmp/a/bird_private_local.d/broken.conf"
if msg=$("$tool" configure "$tmp/a.sock"); then
	fail "broken config accepted: $msg"
else
	case $msg in *broken.conf*) pass "broken config refused: $msg" ;; *) fail "refusal does not name the file: $msg" ;; esac
fi
if established "$tmp/a.sock" wg2; then pass "BIRD still runs the old config"; else fail "wg2 lost after the refused configure"; fi
if out=$("$birdc" "$tmp/a.sock" show nonsense 2>&1); then
	fail "a bad command succeeded: $out"
else
	pass "bad command refused: $(echo "$out" | tail -1)"
fi
assert_exit
