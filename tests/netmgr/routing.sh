#!/usr/bin/env bash
# BIRD's life and verify's view of routing, on two nodes from the wgmesh 1.0 fixture records,
# with BIRD supervised the way wgmesh-bird@.service does it (a restart loop; the manager never
# starts BIRD):
#   - a fresh node (its underlay forwarding off) is healthy after up: verify exits 0 with BGP
#     Established, BFD Up and the peer's LAN routed; --json and --metrics carry it, and
#     promtool check metrics finds no problem in the file
#   - down then up: down tells BIRD to go, the supervisor starts it in the new namespace, and
#     the sessions come back with no human step (the time is printed)
#   - a BIRD answering on the socket from another namespace: verify says broken, up tells it
#     to shut down (found by its accepted socket, although it daemonized)
#   - no BIRD: verify says broken; the peer's verify sees its session down
source "$(dirname "$0")/lib.sh"
BIRDC=$WGM_BUILD/birdgen/wgmesh-birdc

make_internet
make_node alpha 192.0.2.10 10.20.1.1/24
make_node beta 198.51.100.20 10.20.2.1/24
host_state alpha wg.example.com $A_UUID n1lab 10.20.1.1/24 "$H/alpha.example.net/etc-wireguard" "$SITEKEY"
host_state beta wg.example.com $B_UUID n2lab 10.20.2.1/24 "$H/beta.example.net/etc-wireguard" "$SITEKEY"

established() { "$BIRDC" "/run/bird-$1.sock" show protocols "$2" | grep -q Established; }
bfd_up() { "$BIRDC" "/run/bird-$1.sock" show bfd sessions | awk -v i="$2" '$2 == i && $3 == "Up"' | grep -q .; }
lan_ping() { ip netns exec "$1" ping -c1 -W1 -I "$2" "$3"; } # NETNS FROM TO: LAN to LAN
converged() { # both sessions Established, BFD Up, each LAN reaches the other
	established n1lab wg2 && established n2lab wg1 && bfd_up n1lab wg2 && bfd_up n2lab wg1 &&
		lan_ping n1lab 10.20.1.1 10.20.2.1 && lan_ping n2lab 10.20.2.1 10.20.1.1
}
verify_rc() { # NODE [ARGS]: verify's exit code; its output in $T/verify.out
	local n=$1
	shift
	net "$n" verify "$@" wg.example.com >"$T/verify.out" 2>&1 && echo 0 || echo $?
}
# BFD at 10 ms x 5 may flap on a loaded test machine: a converged node is polled until a
# verify run sees it whole, its exit code then compared.
healthy_rc() { # NODE [ARGS]
	local i rc
	for i in $(seq 1 20); do
		rc=$(verify_rc "$@")
		[ "$rc" = 0 ] && break
		sleep 0.5
	done
	echo "$rc"
}
bird_pid() { cat "$T/bird-$1.pid" 2>/dev/null; }

# ---- a fresh node: its underlay forwards nothing until up ----
expect_eq "a fresh underlay does not forward IPv4" 0 "$(ip netns exec alpha cat /proc/sys/net/ipv4/ip_forward)"
net alpha apply "$R/$A_UUID.wg.example.com.txt" >"$T/out" 2>"$T/err" || fail "apply on alpha: $(cat "$T/err")"
net beta apply "$R/$B_UUID.wg.example.com.txt" >"$T/out" 2>"$T/err" || fail "apply on beta: $(cat "$T/err")"
expect_eq "up turned on IPv4 forwarding in the underlay" 1 "$(ip netns exec alpha cat /proc/sys/net/ipv4/ip_forward)"
expect_eq "a re-apply changes nothing" "0 changes" "$(net alpha apply "$R/$A_UUID.wg.example.com.txt" 2>/dev/null)"

bird_supervise n1lab "$T/alpha/bird/bird_n1lab.conf"
bird_supervise n2lab "$T/beta/bird/bird_n2lab.conf"
wait_for 60 "both BIRDs established, BFD up, LANs ping" converged

# ---- verify sees routing; a fresh, fully connected node is healthy ----
expect_eq "verify on alpha: healthy" 0 "$(healthy_rc alpha)"
out=$(cat "$T/verify.out")
expect_contains "verify names BIRD" "answers on /run/bird-n1lab.sock" "$out"
expect_contains "verify: BIRD in this namespace" "runs in n1lab" "$out"
expect_contains "verify: the BGP session" "wg2 bgp                      Established" "$out"
expect_contains "verify: BFD" "wg2 bfd                      Up" "$out"
expect_contains "verify: the peer's LAN in the kernel" "wg2 lan routes               10.20.2.0/24 in the kernel" "$out"
expect_contains "verify: underlay forwarding" "forwarding underlay ipv4     net/ipv4/ip_forward = 1" "$out"
expect_eq "verify on beta: healthy" 0 "$(healthy_rc beta)"
expect_eq "verify --json --metrics on alpha: healthy" 0 "$(healthy_rc alpha --json --metrics "$T/alpha.prom")"
json=$(cat "$T/verify.out")
expect_contains "json: BGP state per link" '"interface": "wg2", "up": true' "$json"
expect_contains "json: BGP and BFD" '"bgp_state": "Established", "bfd_state": "Up", "lan_routes": ["10.20.2.0/24"], "lan_routes_missing": 0' "$json"
expect_contains "json: status" '"status": "healthy"' "$json"
prom=$(cat "$T/alpha.prom")
expect_contains "metrics: health gauge" 'wgmesh_health{namespace="n1lab"} 0' "$prom"
expect_contains "metrics: HELP line" "# HELP wgmesh_link_bgp_established" "$prom"
expect_contains "metrics: TYPE line" "# TYPE wgmesh_link_rx_bytes_total counter" "$prom"
expect_contains "metrics: BGP per link" 'wgmesh_link_bgp_established{namespace="n1lab",link="wg2"} 1' "$prom"
expect_contains "metrics: BFD per link" 'wgmesh_link_bfd_up{namespace="n1lab",link="wg2"} 1' "$prom"
expect_eq "metrics: a handshake age" 1 "$(grep -c '^wgmesh_link_handshake_age_seconds{namespace="n1lab",link="wg2"} [0-9]' "$T/alpha.prom")"
expect_eq "metrics: no temp file left" "alpha.prom" "$(ls "$T" | grep prom)"
# Prometheus's own linter on a live node's file (prometheus' promtool; the alert rules'
# input): no problem at all, every series there.
if command -v promtool >/dev/null; then
	expect_eq "promtool check metrics on a live node: no problem" "" "$(promtool check metrics <"$T/alpha.prom" 2>&1)"
	pass "metrics: $(grep -c '^wgmesh_' "$T/alpha.prom") series checked by promtool"
else
	fail "promtool missing (Debian package prometheus): the metrics file is not linted"
fi

# ---- down then up: BIRD follows the namespace with no human step ----
old=$(bird_pid n1lab)
net alpha down wg.example.com >"$T/out" 2>"$T/err" || fail "down on alpha: $(cat "$T/err")"
expect_contains "down tells BIRD to shut down, naming it" "BIRD (pid $old, /run/bird-n1lab.sock) told to shut down with namespace n1lab" "$(cat "$T/err")"
wait_for 10 "the old BIRD (pid $old) exited after down" bash -c "! kill -0 $old"
t0=$(date +%s%N)
net alpha apply "$R/$A_UUID.wg.example.com.txt" >"$T/out" 2>"$T/err" || fail "apply after down: $(cat "$T/err")"
wait_for 60 "down -> up: Established, BFD up, LANs ping" converged
echo "measured: converged $(( ($(date +%s%N) - t0) / 1000000 )) ms after up"
expect_eq "a new BIRD runs" yes "$([ "$(bird_pid n1lab)" != "$old" ] && echo yes)"
expect_eq "verify on alpha after down and up: healthy" 0 "$(healthy_rc alpha)"

# ---- a BIRD in another namespace answers on the socket (left behind, daemonized) ----
bird_unsupervise
bird_supervise n2lab "$T/beta/bird/bird_n2lab.conf"
ip netns exec alpha bird -c "$T/alpha/bird/bird_n1lab.conf" -s /run/bird-n1lab.sock -P "$T/stale.pid" ||
	fail "starting a BIRD in alpha's underlay"
poll 10 "$BIRDC" /run/bird-n1lab.sock show status || die "the stray BIRD does not answer"
stale=$(cat "$T/stale.pid")
expect_eq "verify with BIRD in another namespace: broken" 2 "$(verify_rc alpha)"
expect_contains "verify names the stale BIRD" "BIRD pid $stale runs in another namespace than n1lab" "$(cat "$T/verify.out")"
net alpha apply "$R/$A_UUID.wg.example.com.txt" >"$T/out" 2>"$T/err" || fail "apply with a stray BIRD: $(cat "$T/err")"
expect_contains "up tells the stray BIRD to shut down" "BIRD (pid $stale, /run/bird-n1lab.sock) runs in another namespace than n1lab: told it to shut down" "$(cat "$T/err")"
wait_for 10 "the stray BIRD exited" bash -c "! kill -0 $stale"
bird_supervise n1lab "$T/alpha/bird/bird_n1lab.conf"
wait_for 60 "converged again with the supervised BIRD" converged

# ---- no BIRD on beta: beta broken, alpha sees its session go ----
bird_unsupervise
bird_supervise n1lab "$T/alpha/bird/bird_n1lab.conf"
poll 10 "$BIRDC" /run/bird-n1lab.sock show status || die "alpha's BIRD does not answer"
expect_eq "verify without BIRD: broken" 2 "$(verify_rc beta)"
expect_contains "verify says BIRD does not answer" "cannot connect to BIRD at /run/bird-n2lab.sock" "$(cat "$T/verify.out")"
alpha_degraded() { [ "$(verify_rc alpha)" = 1 ]; }
wait_for 30 "alpha degraded with beta's BIRD gone" alpha_degraded
echo "   $(grep -E '^degraded' "$T/verify.out" | head -n 2 | tr -s ' ' | paste -sd';')"
finish
