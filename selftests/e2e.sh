#!/usr/bin/env bash
# End to end: N nodes (3 by default, up to 10) on one machine, each with an underlay, the
# private namespace wgmesh builds and a LAN behind it, joined by an "internet" bridge; knotd
# with TSIG updates as the site's DNS; the README's workflow through our real commands
# (wgsite init, wgconfig, wghost, wgsite -i, wgpub --rfc2136, wgmesh-net up) and BIRD in every
# private namespace, supervised by a restart loop as wgmesh-bird@.service does. Checks BGP/BFD,
# LAN-to-LAN pings, verify healthy on every node, failover, growth, removal, stale/forged DNS
# data, and down then up (BIRD follows the new namespace); prints a table and the times.
#
# Usage (root): selftests/e2e.sh [--nodes N] [--quick]
#   --quick: bring-up, table and failover only. WGM_BUILD: the build dir (default build/).
# Runs itself inside tests/lib/in-netns.sh: nothing of the machine's network or /run is touched.
set -eu
. "$(dirname "$0")/lib/harness.sh"
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

work=$(mktemp -d /tmp/wgm-e2e.XXXXXX)
trap 'mesh_cleanup $? "$work" up down verify bird' EXIT

step() { echo "== $*"; }

mesh_require_commands
all=$(seq 1 "$nodes")
t0=$(now_ms)
# verify exits 0 on every node (a fresh, fully connected node is healthy). BFD at 10 ms x 5
# may flap on a loaded test machine, so each node is polled a few seconds for a whole view.
check_healthy_all() { # WHAT
	local n i rc
	for n in $all; do
		for i in $(seq 1 20); do
			rc=$(mesh_node_verify "$n")
			[ "$rc" = 0 ] && break
			sleep 0.5
		done
		if [ "$rc" = 0 ]; then
			pass "verify on node$n exits 0 (healthy) $1"
		else
			fail "verify on node$n exits $rc $1: $(grep -E '^(degraded|broken)' "$(mesh_node_dir "$n")/verify.log" | tr -s ' ' | paste -sd';')"
		fi
	done
}

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
conv=$(wait_converged $((60 + 15 * nodes)) $all) || { print_table $all; die "mesh did not converge"; }
conv_initial=$conv
echo "converged: BGP and BFD up everywhere, every LAN pings every LAN, $conv s after the last deploy" \
	"($(( ($(now_ms) - t0) / 1000 )) s from an empty machine)"
print_table $all
check_healthy_all "after convergence"

# ---- failover: cut 1<->2 in the internet, traffic goes through node 3, then comes back ----
step "failover: drop node1<->node2 UDP in the internet namespace"
expect_eq "node1 routes LAN 2 over the direct link" wg2 "$(route_dev 1 2)"
ip netns exec "${LAN_NS[1]}" ping -D -i 0.01 -W 1 10.2.0.10 >"$work/failover.ping" 2>&1 &
ping_pid=$!
sleep 1 # a second of traffic before the cut, so the gap is measured from live replies
topo_cut 1 2
cut_at=$(now_ms)
rerouted=
while [ $(( $(now_ms) - cut_at )) -lt 15000 ]; do
	via12=$(route_dev 1 2)
	via21=$(route_dev 2 1)
	if [ "${via12#wg}" != "$via12" ] && [ "$via12" != wg2 ] && [ "${via21#wg}" != "$via21" ] && [ "$via21" != wg1 ]; then
		rerouted=$(( $(now_ms) - cut_at ))
		break
	fi
	sleep 0.05
done
sleep 1 # a second of traffic on the new path
kill "$ping_pid"
wait "$ping_pid" 2>/dev/null || true
outage=$(outage_ms "$work/failover.ping")
if [ -n "$rerouted" ]; then
	pass "routes moved to a third node within ${rerouted} ms of the cut (node1->LAN2 via $via12, node2->LAN1 via $via21)"
else
	fail "routes did not move to a third node (node1->LAN2 via $(route_dev 1 2), node2->LAN1 via $(route_dev 2 1))"
fi
echo "failover outage (longest gap in 10 ms pings LAN1->LAN2): ${outage} ms (BFD detection $((${MESH_BFD_INTERVAL:-10} * 5)) ms; target < 1000 ms)"
if [ "$outage" -ge 5000 ]; then
	fail "failover outage ${outage} ms exceeds the 5000 ms bound"
fi
lan_ping 1 2 && pass "LAN1 reaches LAN2 through ${via12:-?}" || fail "LAN1 cannot reach LAN2 with the link cut"
expect_eq "node1's BGP session over wg2 is down" "" "$(birdc_on 1 show protocols wg2 | grep Established || true)"
step "restore node1<->node2"
topo_restore 1 2
back=
restore_at=$(now_ms)
while [ $(( $(now_ms) - restore_at )) -lt 60000 ]; do
	if [ "$(route_dev 1 2)" = wg2 ] && [ "$(route_dev 2 1)" = wg1 ]; then
		back=$(( $(now_ms) - restore_at ))
		break
	fi
	sleep 0.1
done
[ -n "$back" ] && pass "direct path back after ${back} ms" || fail "direct path did not return (node1->2 via $(route_dev 1 2))"
conv=$(wait_converged 60 $all) || fail "mesh not converged after the restore"

if [ -n "$quick" ]; then
	print_table $all
	[ "$ASSERT_FAILURES" -eq 0 ] || exit 1
	echo "e2e (quick): all checks passed ($nodes nodes)"
	exit 0
fi

# ---- growth: one more node joins; the existing tunnels keep their sessions ----
new=$((nodes + 1))
# Every tunnel of node N kept its session: the same latest handshake, unless WireGuard's own
# 2-minute rekey was due (the handshake was already 100+ s old when BEFORE was taken).
check_handshakes_kept() { # N BEFORE SNAP_EPOCH WHAT
	local n=$1 dev t t_after
	while read -r dev t; do
		[ -n "$dev" ] || continue
		t_after=$(handshakes "$n" | awk -v d="$dev" '$1 == d { print $2 }')
		if [ -z "$t" ] || [ "$t" = 0 ]; then
			fail "node$n $dev: no handshake read before $4 (BFD runs over every link)"
		elif [ "$t_after" = "$t" ]; then
			pass "node$n $dev kept its handshake ($t) during $4"
		elif [ -n "$t" ] && [ "$t" -gt 0 ] && [ $(($3 - t)) -ge 100 ]; then
			pass "node$n $dev rekeyed on WireGuard's 2-minute timer during $4 (handshake was $(($3 - t)) s old)"
		else
			fail "node$n $dev handshake changed from $t to $t_after during $4"
		fi
	done <<<"$2"
}

step "growth: node $new joins"
topo_add_node "$new"
mesh_node_register "$new" || die "registering node $new"
cp "$MESH_SITE" "$work/site/site.with-$new.yaml"
mesh_publish
declare -A hs_before=() idx_before=() since_before=()
for n in $all; do
	hs_before[$n]=$(handshakes "$n")
	idx_before[$n]=$(wg_ifindexes "$n")
	since_before[$n]=$(bgp_since "$n")
done
snap_at=$(date +%s)
for n in $all; do
	mesh_node_up "$n" || { cat "$(mesh_node_dir "$n")/up.log" >&2; fail "wgmesh-net up on node $n (growth)"; }
done
mesh_node_up "$new" || { cat "$(mesh_node_dir "$new")/up.log" >&2; die "wgmesh-net up on node $new"; }
mesh_bird_start "$new" || die "BIRD on node $new"
grown="$all $new"
conv=$(wait_converged 90 $grown) || { print_table $grown; die "mesh of $new nodes did not converge"; }
pass "$new nodes converged ${conv} s after node $new's deploy"
for n in $all; do
	check_handshakes_kept "$n" "${hs_before[$n]}" "$snap_at" growth
	expect_eq "node$n kept its WireGuard devices (same ifindexes)" "${idx_before[$n]}" \
		"$(wg_ifindexes "$n" | grep -v "^wg$new ")"
	since_after=$(bgp_since "$n" "wg$new")
	if same_since "${since_before[$n]}" "$since_after"; then
		pass "node$n kept its BGP sessions (Established since the same time)"
	else
		fail "node$n BGP sessions restarted during growth: before [${since_before[$n]}] after [$since_after]"
	fi
done
print_table $grown

# ---- removal: wgsite remove + wgpub; every node drops it; its record is gone ----
step "removal: wgsite remove node$new.example.net, wgpub, wgmesh-net up everywhere"
uuid_new=$(sed -n 's/^ *uuid: *//p' "$(mesh_node_dir "$new")/state/$MESH_DOMAIN.yaml" | tr -d "'\"" | head -n 1)
[ -n "$uuid_new" ] || die "no uuid in node $new's host state"
"$(mesh_cmd wgsite)" remove "node$new.example.net" "$MESH_SITE" >"$work/site/remove.log" 2>&1 ||
	{ cat "$work/site/remove.log" >&2; die "wgsite remove"; }
mesh_publish
expect_eq "node $new's record is gone" NXDOMAIN \
	"$(kdig @203.0.113.53 -p "$KNOT_PORT" +tcp TXT "$uuid_new.$MESH_DOMAIN" | sed -n 's/.*status: \([A-Z]*\).*/\1/p')"
mesh_bird_stop "$new"
topo_del_node "$new"
for n in $all; do
	mesh_node_up "$n" || { cat "$(mesh_node_dir "$n")/up.log" >&2; fail "wgmesh-net up on node $n (removal)"; }
	expect_eq "node$n dropped wg$new" "" "$(wg_devs "$n" | grep -x "wg$new" || true)"
	expect_eq "node$n has no BGP session to node $new" "" "$(birdc_on "$n" show protocols | awk -v p="wg$new" '$1 == p')"
done
conv=$(wait_converged 60 $all) || fail "mesh not converged after the removal"

# ---- stale or forged DNS data changes nothing ----
snapshot() { # N -> devices and ifindexes, BGP sessions, routes (handshakes checked apart)
	wg_ifindexes "$1"
	birdc_on "$1" show protocols | awk '$2 == "BGP" { print $1, $4, $6 }' | sort
	on_node "$1" ip netns exec "$MESH_LOCUS" ip -4 route show | sort
}
step "stale: the site file from before the removal republished with an older --serial"
applied=$(cat "$(mesh_node_dir 1)/state/$MESH_DOMAIN.serial" 2>/dev/null || echo 0)
[ "$applied" -gt 0 ] || fail "node1 keeps no applied serial ($(mesh_node_dir 1)/state/$MESH_DOMAIN.serial)"
# Every node's kernel state, handshakes and BGP "since" times, taken before a step that must
# not disturb them, and the check that it did not.
declare -A kept_snap=() kept_hs=() kept_bgp=()
keep_state() {
	local n
	for n in $all; do
		kept_snap[$n]=$(snapshot "$n")
		kept_hs[$n]=$(handshakes "$n")
		kept_bgp[$n]=$(bgp_since "$n")
	done
	kept_at=$(date +%s)
}
check_state_kept() { # N WHAT
	expect_eq "node$1 unchanged by $2" "${kept_snap[$1]}" "$(snapshot "$1")"
	check_handshakes_kept "$1" "${kept_hs[$1]}" "$kept_at" "$2"
	same_since "${kept_bgp[$1]}" "$(bgp_since "$1")" || fail "node$1 BGP sessions restarted during $2"
}
keep_state
"$(mesh_cmd wgpub)" -q --rfc2136 "$MESH_DNS" --tsig-key "$MESH_TSIG_KEY" --serial $((applied - 60)) \
	"$work/site/site.with-$new.yaml"
for n in $all; do
	if mesh_node_up "$n"; then
		fail "node$n accepted a replayed record (serial $((applied - 60)) < $applied)"
	else
		pass "node$n refused the replay: $(grep -i serial "$(mesh_node_dir "$n")/up.log" | head -n 1)"
	fi
	check_state_kept "$n" "the replay"
done

step "forged: a site record and node1's record sealed by another site's key"
other=$work/other
mkdir -p "$other/state" "$other/out"
"$(mesh_cmd wgsite)" init "$other/site.yaml" --domain "$MESH_DOMAIN" --locus "$MESH_LOCUS" \
	--ipv6 fd86:ea04:1117::/48 --portbase 21100 >/dev/null
other_pub=$(sed -n 's/^ *publickey: *//p' "$other/site.yaml" | tr -d "'\"")
cp -p "$(mesh_node_dir 1)/state/$MESH_DOMAIN.yaml" "$other/state/"
sed -i "s|^\(  *public_key: *\).*|\1$other_pub|" "$other/state/$MESH_DOMAIN.yaml"
msg=$(on_node 1 "$(mesh_cmd wghost)" --state-dir "$other/state" -a 198.51.100.1 -h node1.example.net \
	"$MESH_DOMAIN" 2>"$other/wghost.log" | sed -n 's/^Message to Home: //p')
[ -n "$msg" ] || { cat "$other/wghost.log" >&2; die "wghost for the other site"; }
"$(mesh_cmd wgsite)" -i "$msg" "$other/site.yaml" >/dev/null
"$(mesh_cmd wgpub)" -q --out-dir "$other/out" "$other/site.yaml"
uuid1=$(sed -n 's/^ *uuid: *//p' "$(mesh_node_dir 1)/state/$MESH_DOMAIN.yaml" | tr -d "'\"" | head -n 1)
[ -f "$other/out/$uuid1.$MESH_DOMAIN.txt" ] || die "the other site wrote no record for $uuid1"
keep_state
"$WGM_BUILD/tests/publish/publish_tool" rfc2136 "$MESH_DNS" "$MESH_TSIG_KEY" "$MESH_DOMAIN" \
	"$uuid1.$MESH_DOMAIN=$other/out/$uuid1.$MESH_DOMAIN.txt" 2>/dev/null
if mesh_node_up 1; then
	fail "node1 accepted a record sealed by another site"
else
	pass "node1 refused its record sealed by another site: $(grep -i 'error' "$(mesh_node_dir 1)/up.log" | head -n 1)"
fi
"$WGM_BUILD/tests/publish/publish_tool" rfc2136 "$MESH_DNS" "$MESH_TSIG_KEY" "$MESH_DOMAIN" \
	"$MESH_DOMAIN=$other/out/$MESH_DOMAIN.txt" 2>/dev/null
for n in $all; do
	if mesh_node_up "$n"; then
		fail "node$n accepted a site record with another site's key"
	else
		pass "node$n refused the foreign site record: $(grep -i 'error' "$(mesh_node_dir "$n")/up.log" | head -n 1)"
	fi
	check_state_kept "$n" "the forged records"
done
step "republish the real records"
mesh_publish
for n in $all; do
	mesh_node_up "$n" || fail "wgmesh-net up on node $n after the real records returned"
done
conv=$(wait_converged 60 $all) || fail "mesh not converged at the end"

# ---- down then up: BIRD follows the new namespace with no human step ----
step "down and up on node1: BIRD is told to go, its supervisor starts it in the new namespace"
old_bird=$(cat "$(mesh_node_dir 1)/bird.pid")
mesh_node_down 1 || { cat "$(mesh_node_dir 1)/down.log" >&2; die "wgmesh-net down on node 1"; }
grep -q "BIRD (pid $old_bird, $(mesh_bird_sock)) told to shut down" "$(mesh_node_dir 1)/down.log" &&
	pass "down told BIRD pid $old_bird to shut down" || fail "down did not name BIRD pid $old_bird: $(cat "$(mesh_node_dir 1)/down.log")"
up_at=$(now_ms)
mesh_node_up 1 || { cat "$(mesh_node_dir 1)/up.log" >&2; die "wgmesh-net up on node 1 after down"; }
conv=$(wait_converged 90 $all) || { print_table $all; die "mesh did not converge after down and up on node1"; }
conv_downup=$(( $(now_ms) - up_at ))
new_bird=$(cat "$(mesh_node_dir 1)/bird.pid")
[ "$new_bird" != "$old_bird" ] && pass "node1 runs a new BIRD (pid $new_bird)" || fail "node1's BIRD is still pid $old_bird"
pass "every session Established, BFD up and every LAN pings ${conv_downup} ms after node1's up"

print_table $all
check_healthy_all "at the end"
echo "summary: $nodes nodes converged ${conv_initial} s after the last deploy; failover outage ${outage} ms; down/up to converged ${conv_downup} ms; total $(( ($(now_ms) - t0) / 1000 )) s"

echo "e2e: $nodes nodes"
assert_exit
