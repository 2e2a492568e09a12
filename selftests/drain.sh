#!/usr/bin/env bash
# Drain and maintenance on a 5-node mesh (the e2e harness: each node its own namespaces, knotd,
# BIRD under a restart loop as wgmesh-bird@ runs it, whichever WireGuard back end the host has).
# The node1-node2 underlay link is cut, so LAN 1 <-> LAN 2 transits a third node; 10 ms pings
# run between every pair of LANs throughout. Then:
#   1. `drain` on the transit node T1: it says traffic moved, LAN 1 <-> LAN 2 takes another
#      node, T1's own LAN stays reachable (its only path is through T1), verify/status/--json/
#      --metrics show the drain, no ping lost;
#   2. `down` on T1: no ping lost between the LANs that stay;
#   3. `down` on the next transit node T2 without an explicit drain (down drains by default):
#      no ping lost;
#   4. `up` on T1 and T2: the seconds until every session is Established again (goal < 2 s),
#      T1 still drained (the flag holds across up), no ping lost;
#   5. `undrain` on T1: traffic comes back through it, no ping lost;
#   6. `down` and `up` of T2 three times in a row: the seconds until every session is back,
#      each time (a peer's error back-off would make them grow).
# Prints the numbers; fails on a lost ping, on a drain that did not move traffic, and on
# sessions not back within 30 s (the 2 s goal is reported, not asserted: a test checks
# behaviour, the time is a measurement).
#
# Usage (root): selftests/drain.sh. WGM_BUILD: the build dir (default build/).
set -eEu
. "$(dirname "$0")/lib/harness.sh"
# BFD every 200 ms unless given: nothing here waits for BFD (a drain moves traffic before a
# link goes, a Cease ends the sessions), and the slower timers keep a busy test machine from
# flapping links that have nothing to do with the step measured.
MESH_BFD_INTERVAL=${MESH_BFD_INTERVAL:-200}
# Replies a pair may lose in one step and still pass: 0 here. The vm suite gives 1: under TCG a
# lone reply goes missing even between two nodes whose path no step touches (seen: 4 -> 3,
# direct, while node5 drained), which measures the emulator, not the drain. Counted either way.
LOSS_TOLERANCE=${DRAIN_LOSS_TOLERANCE:-0}

nodes=5
all=$(seq 1 $nodes)
work=$(mktemp -d /tmp/wgm-drain.XXXXXX)
declare -A PING=()
trap 'mesh_cleanup $? "$work" up down drain undrain verify bird' EXIT

step() { echo "== $*"; }
# The nodes of a list but one. An `if`, not `[ ] && echo`: the loop's status
# is its last test's, and a false one fails the assignment under set -e.
all_but() { # NODE NODES...
	local x=$1 n
	shift
	for n; do if [ "$n" != "$x" ]; then echo "$n"; fi; done
}

# wgmesh-net COMMAND on node N with its directories; output in n<N>/COMMAND.log.
net_cmd() { # N COMMAND [options...]
	local n=$1 cmd=$2 d
	shift 2
	d=$(mesh_node_dir "$n")
	on_node "$n" "$(mesh_cmd wgmesh-net)" --state-dir "$d/state" --bird-dir "$d/bird" \
		--hook-dir "$d/hooks" "$@" "$cmd" "$MESH_DOMAIN" >"$d/$cmd.log" 2>&1
}

# 10 ms pings from LAN A to LAN B, in the background, ping -D output in pings/A-B.
ping_start() { # A B
	ip netns exec "${LAN_NS[$1]}" ping -D -n -i 0.01 -W 1 "10.$2.0.10" >"$work/pings/$1-$2" 2>&1 &
	PING[$1-$2]=$!
}
ping_stop() { # A B
	kill "${PING[$1-$2]}" 2>/dev/null || true
	wait "${PING[$1-$2]}" 2>/dev/null || true
	unset "PING[$1-$2]"
}
# Replies missing between the first and the last reply (the end of a run, whose last
# requests may still be in flight when ping is stopped, is not a loss).
ping_lost() { # A B [FROM_SEQ]
	awk -v from="${3:-0}" '/bytes from/ { if (match($0, /icmp_seq=[0-9]+/)) { s = substr($0, RSTART + 9, RLENGTH - 9) + 0;
		if (s < from) next; if (!(s in seen)) { seen[s] = 1; n++ }; if (min == "" || s < min) min = s; if (s > max) max = s } }
		END { if (n == 0) print "all"; else print max - min + 1 - n }' "$work/pings/$1-$2"
}
ping_last_seq() { # A B
	sed -n 's/.*icmp_seq=\([0-9]*\).*/\1/p' "$work/pings/$1-$2" | tail -n 1
}
# Lost replies of every running ping whose ends are both in NODES, since MARK (pings_mark).
declare -A MARK=()
pings_mark() {
	local k
	for k in "${!PING[@]}"; do MARK[$k]=$(ping_last_seq "${k%-*}" "${k#*-}"); MARK[$k]=$((${MARK[$k]:-0} + 1)); done
}
pings_check() { # WHAT NODES...
	local what=$1 k a b lost total=0 bad=
	shift
	for k in "${!PING[@]}"; do
		a=${k%-*} b=${k#*-}
		[[ " $* " == *" $a "* && " $* " == *" $b "* ]] || continue
		lost=$(ping_lost "$a" "$b" "${MARK[$k]:-0}")
		if [ "$lost" = all ]; then
			bad="$bad $k:no-reply"
		elif [ "$lost" -gt 0 ] && [ "$lost" -le "$LOSS_TOLERANCE" ]; then
			echo "note: $k lost $lost reply during $what, within DRAIN_LOSS_TOLERANCE=$LOSS_TOLERANCE (emulation)"
			total=$((total + lost))
		elif [ "$lost" -gt 0 ]; then
			bad="$bad $k:$lost"
			awk -v from="${MARK[$k]:-0}" '/bytes from/ && match($0, /icmp_seq=[0-9]+/) { s = substr($0, RSTART + 9, RLENGTH - 9) + 0;
				if (s >= from && last != "" && s > last + 1) print "  '"$k"': replies " last + 1 "-" s - 1 " missing, before " $1; if (s >= from) last = s }' \
				"$work/pings/$a-$b" >&2
			total=$((total + lost))
		fi
	done
	if [ -z "$bad" ]; then
		echo "ok: no ping lost between LANs $* during $what"
	else
		fail "pings lost during $what (pair:lost):$bad"
	fi
	LOST_TOTAL=$total
}

# Seconds from now until every node in NODES has WANT Established sessions (WANT - 1 for
# nodes 1 and 2, whose link is cut).
wait_sessions() { # LIMIT_S WANT NODES...
	local limit=$1 want=$2 start n ok w
	shift 2
	start=$(now_ms)
	while :; do
		ok=1
		for n in "$@"; do
			w=$want
			[ "$n" = 1 ] || [ "$n" = 2 ] && w=$((want - 1))
			[ "$(bgp_counts "$n" | awk '{ print $1 }')" = "$w" ] || { ok=; break; }
		done
		[ -n "$ok" ] && { awk -v t=$(( $(now_ms) - start )) 'BEGIN { printf "%.2f\n", t / 1000 }'; return 0; }
		[ $(( $(now_ms) - start )) -gt $((limit * 1000)) ] && return 1
		sleep 0.05
	done
}

transit() { # A B -> the node A routes LAN B through ("" when direct or none)
	local dev
	dev=$(route_dev "$1" "$2")
	[ "${dev#wg}" != "$dev" ] && [ "$dev" != "wg$2" ] && echo "${dev#wg}" || true
}

mesh_require_commands
step "topology: $nodes nodes, knotd, BIRD in every private namespace"
topo_init "$work"
mkdir -p "$work/pings"
mesh_build $all
conv=$(wait_converged 150 $all) || { print_table $all; die "mesh did not converge"; }
echo "converged in $conv s"

step "cut node1<->node2: LAN 1 <-> LAN 2 transits a third node"
topo_cut 1 2
t1=
for i in $(seq 1 100); do
	t1=$(transit 1 2)
	[ -n "$t1" ] && [ -n "$(transit 2 1)" ] && break
	t1=
	sleep 0.1
done
[ -n "$t1" ] || die "LAN 1 <-> LAN 2 does not transit a third node (1->2 via $(route_dev 1 2), 2->1 via $(route_dev 2 1))"
echo "ok: LAN 1 -> LAN 2 transits node$t1, LAN 2 -> LAN 1 node$(transit 2 1)"
for a in $all; do for b in $all; do [ "$a" != "$b" ] && ping_start "$a" "$b"; done; done
sleep 2 # a moment of traffic before the first step
pings_check "the steady state" $all
pings_mark

# ---- 1. drain the transit node ----
step "drain node$t1"
net_cmd "$t1" drain || { cat "$(mesh_node_dir "$t1")/drain.log" >&2; fail "drain on node$t1 failed"; }
cat "$(mesh_node_dir "$t1")/drain.log"
grep -q '^traffic moved' "$(mesh_node_dir "$t1")/drain.log" && echo "ok: drain says traffic moved" ||
	fail "drain did not say traffic moved"
# "traffic moved" is what node T1's BIRD sees; each peer's kernel table follows its own BIRD a
# moment later: looked at for up to 2 s
for i in $(seq 1 20); do
	n1=$(transit 1 2) n2=$(transit 2 1)
	[ -n "$n1" ] && [ "$n1" != "$t1" ] && [ "$n2" != "$t1" ] && break
	sleep 0.1
done
[ -n "$n1" ] && [ "$n1" != "$t1" ] && [ "$n2" != "$t1" ] && echo "ok: LAN 1 <-> LAN 2 now transits node$n1/node$n2" ||
	fail "LAN 1 <-> LAN 2 still transits node$t1 2 s after the drain (1->2 via wg$n1, 2->1 via wg$n2)"
expect_eq "node1 routes node$t1's own LAN through node$t1 (its only path)" "wg$t1" "$(route_dev 1 "$t1")"
on_node "$t1" test -f "$(mesh_node_dir "$t1")/state/$MESH_DOMAIN.drained" && echo "ok: the drain flag is kept in the state dir" ||
	fail "no drain flag $(mesh_node_dir "$t1")/state/$MESH_DOMAIN.drained"
# polled a few seconds, as e2e.sh does: BFD at 50 ms may flap once on a loaded machine
for i in $(seq 1 20); do rc=$(mesh_node_verify "$t1"); [ "$rc" = 0 ] && break; sleep 0.5; done
expect_eq "verify on the drained node exits 0 (drained is not broken)" 0 "$rc"
[ "$rc" = 0 ] || grep -E '^(degraded|broken)' "$(mesh_node_dir "$t1")/verify.log" >&2
grep -q '^ok *drain' "$(mesh_node_dir "$t1")/verify.log" && echo "ok: verify shows the drain" ||
	fail "verify does not show the drain: $(grep -i drain "$(mesh_node_dir "$t1")/verify.log")"
d=$(mesh_node_dir "$t1")
on_node "$t1" "$(mesh_cmd wgmesh-net)" --state-dir "$d/state" verify --json "$MESH_DOMAIN" >"$d/verify.json" 2>&1 || true
grep -q '^  "drained": true,$' "$d/verify.json" &&
	echo "ok: verify --json says drained: true" || fail "verify --json lacks drained: true"
on_node "$t1" "$(mesh_cmd wgmesh-net)" --state-dir "$d/state" verify --metrics "$d/m.prom" "$MESH_DOMAIN" >/dev/null 2>&1 || true
grep -q '^wgmesh_drained{[^}]*} 1$' "$d/m.prom" && echo "ok: --metrics has wgmesh_drained 1" ||
	fail "--metrics lacks wgmesh_drained 1: $(grep drain "$d/m.prom" || true)"
on_node "$t1" "$(mesh_cmd wgmesh-net)" --state-dir "$d/state" status "$MESH_DOMAIN" >"$d/status.out" 2>&1 || true
grep -q 'drained' "$d/status.out" && echo "ok: status shows the drain" || fail "status does not show the drain"
sleep 1
pings_check "drain of node$t1 (its own LAN included)" $all
pings_mark

# ---- 2. down the drained node ----
step "down node$t1 (drained)"
for n in $all; do [ "$n" != "$t1" ] && ping_stop "$n" "$t1" && ping_stop "$t1" "$n"; done
net_cmd "$t1" down || { cat "$(mesh_node_dir "$t1")/down.log" >&2; fail "down on node$t1"; }
sleep 1
rest=$(all_but "$t1" $all)
pings_check "down of the drained node$t1" $rest
lost_drain_down=$LOST_TOTAL
pings_mark

# ---- 3. down the next transit node, no explicit drain ----
t2=
for i in $(seq 1 50); do t2=$(transit 1 2); [ -n "$t2" ] && break; sleep 0.1; done
[ -n "$t2" ] && [ "$t2" != "$t1" ] || die "no transit node for LAN 1 -> LAN 2 after node$t1 went down"
step "down node$t2 (the next transit node), without an explicit drain"
for n in $rest; do [ "$n" != "$t2" ] && ping_stop "$n" "$t2" && ping_stop "$t2" "$n"; done
net_cmd "$t2" down || { cat "$(mesh_node_dir "$t2")/down.log" >&2; fail "down on node$t2"; }
cat "$(mesh_node_dir "$t2")/down.log"
grep -q '^traffic moved' "$(mesh_node_dir "$t2")/down.log" && echo "ok: down drained first" ||
	fail "down did not drain first"
sleep 1
left=$(all_but "$t2" $rest)
pings_check "down of node$t2" $left
lost_down=$LOST_TOTAL
expect_eq "LAN 1 <-> LAN 2 transits the last node" "$(echo $left | tr ' ' '\n' | grep -v -x -e 1 -e 2)" "$(transit 1 2)"

# ---- 4. up both: sessions back ----
step "up node$t1, then node$t2"
# The first comes back to the 3 nodes that run; the second to all 4.
mesh_node_up "$t1" || { cat "$(mesh_node_dir "$t1")/up.log" >&2; die "up on node$t1"; }
up_at=$(now_ms)
back_t1=$(wait_sessions 30 3 "$t1") || { print_table $all; die "node$t1's sessions not Established 30 s after its up"; }
back_t1=$(awk -v t=$(( $(now_ms) - up_at )) 'BEGIN { printf "%.2f\n", t / 1000 }')
echo "node$t1: its 3 BGP sessions Established ${back_t1} s after its up returned"
mesh_node_up "$t2" || { cat "$(mesh_node_dir "$t2")/up.log" >&2; die "up on node$t2"; }
up_at=$(now_ms)
wait_sessions 30 4 $all >/dev/null || { print_table $all; die "not every session Established 30 s after node$t2's up"; }
back_t2=$(awk -v t=$(( $(now_ms) - up_at )) 'BEGIN { printf "%.2f\n", t / 1000 }')
echo "node$t2: every session of every node Established ${back_t2} s after its up returned"
rc=$(mesh_node_verify "$t1")
grep -q '^ok *drain' "$(mesh_node_dir "$t1")/verify.log" && echo "ok: node$t1 is still drained after up" ||
	fail "node$t1 lost its drain across down and up"
for a in $all; do for b in $all; do
	[ "$a" != "$b" ] && [ -z "${PING[$a-$b]:-}" ] && ping_start "$a" "$b"
done; done
for n in $all; do for m in $all; do [ "$n" != "$m" ] && { lan_ping "$n" "$m" || fail "LAN $n cannot reach LAN $m after up"; }; done; done
n1=$(transit 1 2)
[ "$n1" != "$t1" ] && echo "ok: LAN 1 -> LAN 2 avoids the drained node$t1 (via node$n1)" ||
	fail "LAN 1 -> LAN 2 goes through the drained node$t1"
sleep 1
pings_check "up of node$t1 and node$t2 (the pings that ran throughout)" $left
pings_mark

# ---- 5. undrain: traffic comes back ----
step "undrain node$t1"
declare -A since_before=()
for n in $all; do since_before[$n]=$(bgp_since "$n"); done
undrain_at=$(date +%s.%N)
net_cmd "$t1" undrain || fail "undrain on node$t1"
echo "undrain at $undrain_at"
back_via=
for i in $(seq 1 50); do [ "$(transit 1 2)" = "$t1" ] && { back_via=1; break; }; sleep 0.1; done
[ -n "$back_via" ] && echo "ok: LAN 1 -> LAN 2 transits node$t1 again" || fail "traffic did not come back to node$t1 (via $(route_dev 1 2))"
sleep 1
for n in $all; do
	same_since "${since_before[$n]}" "$(bgp_since "$n")" && echo "ok: undrain reset none of node$n's sessions" ||
		fail "undrain reset a session of node$n: before [${since_before[$n]}] after [$(bgp_since "$n")]"
done
pings_check "undrain of node$t1" $all
for k in "${!PING[@]}"; do ping_stop "${k%-*}" "${k#*-}"; done

# ---- 6. down and up again, three times in a minute (a maintenance that takes tries) ----
# A peer backs off (error wait time 1, 16: doubling while errors come within a minute) after a
# session that died; one ended with a Cease is restarted without the back-off.
step "down and up node$t2 three times in a row"
cycles=
for c in 1 2 3; do
	net_cmd "$t2" down || fail "down $c on node$t2"
	mesh_node_up "$t2" || { cat "$(mesh_node_dir "$t2")/up.log" >&2; die "up $c on node$t2"; }
	up_at=$(now_ms)
	wait_sessions 60 4 $all >/dev/null || { print_table $all; die "sessions not back 60 s after up $c of node$t2"; }
	cycles="$cycles $(awk -v t=$(( $(now_ms) - up_at )) 'BEGIN { printf "%.2f\n", t / 1000 }')"
done
echo "node$t2 down and up three times: every session Established again after (s):$cycles"

echo "summary: drain then down of the transit node$t1: $lost_drain_down pings lost; down of the next transit node$t2 (no explicit drain): $lost_down lost;" \
	"every session Established after up: node$t1 ${back_t1} s, node$t2 ${back_t2} s, then down/up x3:$cycles s (goal < 2 s)"
assert_exit
