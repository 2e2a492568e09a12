#!/usr/bin/env bash
# The WireGuard device layer against a real back end (wireguard-go here; the kernel module
# where it exists), run by in_netns. Two "underlay" namespaces joined by a veth; each side's
# device is created in its underlay (so its UDP socket stays there) and moved into a child
# namespace, the way wgmesh-net builds a node:
#
#   child ca             underlay ua            underlay ub             child cb
#   wga fd00::1/64  ~~>  va 192.0.2.1/24  ----  vb 192.0.2.2/24  <~~  wgb fd00::2/64
#                        (wga's UDP 51820)      (wgb's UDP 51821)
#
# Usage: wgdev_netns.sh userspace|kernel   (kernel: skipped where the module is missing)
set -eu
. "$(dirname "$0")/../lib/assert.sh"
. "$(dirname "$0")/../lib/topo.sh"
backend=${1:-userspace}
tool=${WGM_BUILD:?}/tests/wireguard/wgdev-tool
export WGM_WG_BACKEND=$backend
tmp=$(mktemp -d)
ua= ub= ca= cb=
pids=()

cleanup() {
	local p s
	# A daemon whose pid we never learned still answers on its socket (this /run is ours).
	for s in /run/wireguard/*.sock; do
		[ -S "$s" ] || continue
		p=$("$tool" pid "$(basename "$s" .sock)" 2>/dev/null) && pids+=("$p")
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	topo_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

gone_or_zombie() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" == Z ]; }
field() { # line key -> value of key=value in a wgdev-tool line
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"
}
peer_line() { # ifname pubkey [netns]
	ip netns exec "$ua" "$tool" get "$1" ${3:+--netns "$3"} 2>/dev/null | grep "^peer=$2 " || true
}
ifindex_in() { ip -n "$1" -o link show "$2" | cut -d: -f1; }

if [ "$backend" == kernel ] && [ "$(WGM_WG_BACKEND= "$tool" detect 2>/dev/null)" != kernel ]; then
	echo "SKIP: no kernel WireGuard (genl family \"wireguard\" absent)"
	exit 77
fi
if [ "$backend" == userspace ] && ! command -v "${WG_USERSPACE_IMPLEMENTATION:-wireguard-go}" >/dev/null; then
	echo "SKIP: no wireguard-go"
	exit 77
fi

# Detection: the probe says kernel exactly when the genl family resolves.
detected=$(WGM_WG_BACKEND= "$tool" detect 2>/dev/null)
if [ -d /sys/module/wireguard ]; then expect_eq "detected back end" kernel "$detected"
else expect_match "detected back end (no module loaded)" '^(userspace|kernel)$' "$detected"; fi

topo_ns ua ua
topo_ns ub ub
topo_ns ca ca
topo_ns cb cb
topo_veth "$ua" va "$ub" vb
topo_addr "$ua" va 192.0.2.1/24
topo_addr "$ub" vb 192.0.2.2/24 192.0.2.3/24

umask 077
wg genkey >"$tmp/ka"; wg genkey >"$tmp/kb"; wg genkey >"$tmp/kc"
pa=$(wg pubkey <"$tmp/ka"); pb=$(wg pubkey <"$tmp/kb"); pc=$(wg pubkey <"$tmp/kc")

create() { # underlay child ifname -> records the daemon pid, moves the link
	local out pid
	out=$(ip netns exec "$1" "$tool" create "$3")
	expect_match "create $3" '^ifindex=[0-9]+$' "$out"
	if [ "$backend" == userspace ]; then
		pid=$(ip netns exec "$1" "$tool" pid "$3")
		pids+=("$pid")
		expect_eq "$3 daemon command" wireguard-go "$(cat "/proc/$pid/comm")"
		expect_eq "$3 daemon runs in the underlay namespace" "$(ip netns exec "$1" readlink /proc/self/ns/net)" \
			"$(readlink "/proc/$pid/ns/net")"
		if [ "$(ps -o sid= -p "$pid")" != "$(ps -o sid= -p $$)" ]; then pass "$3 daemon in its own session"
		else fail "$3 daemon shares the test's session"; fi
	fi
	ip -n "$1" link set "$3" netns "$2"
}
create "$ua" "$ca" wga
create "$ub" "$cb" wgb
[ "$backend" == userspace ] && { pid_a=${pids[0]}; pid_b=${pids[1]}; }

sync_a() { # extra peer args...
	ip netns exec "$ua" "$tool" sync wga --netns "$ca" --private-key "$tmp/ka" --port 51820 \
		--peer "$pb" --endpoint "${ep_b:-192.0.2.2:51821}" --keepalive 25 --allowed 0.0.0.0/0 --allowed ::/0 "$@"
}
sync_b() {
	ip netns exec "$ub" "$tool" sync wgb --netns "$cb" --private-key "$tmp/kb" --port 51821 \
		--peer "$pa" --endpoint 192.0.2.1:51820 --keepalive 25 --allowed ::/0 --allowed 0.0.0.0/0
}
expect_eq "first sync of wga" changed=1 "$(sync_a)"
expect_eq "first sync of wgb" changed=1 "$(sync_b)"
ip -n "$ca" addr add fd00::1/64 dev wga nodad
ip -n "$cb" addr add fd00::2/64 dev wgb nodad
ip -n "$ca" link set wga up
ip -n "$cb" link set wgb up

ping_ab() { ip netns exec "$ca" ping -6 -c 1 -W 1 fd00::2; }
wait_for 10 "ping fd00::1 -> fd00::2 across the tunnel" ping_ab

# Cross-check with wg(8), which reads the device through its own code (UAPI or genl).
dump=$(ip netns exec "$ca" wg show wga dump)
expect_eq "wg: wga public key" "$pa" "$(sed -n 1p <<<"$dump" | cut -f2)"
expect_eq "wg: wga listen port" 51820 "$(sed -n 1p <<<"$dump" | cut -f3)"
expect_eq "wg: wga peer" "$pb" "$(sed -n 2p <<<"$dump" | cut -f1)"
expect_eq "wg: wga endpoint" 192.0.2.2:51821 "$(sed -n 2p <<<"$dump" | cut -f3)"
expect_eq "wg: wga allowed ips" "0.0.0.0/0,::/0" "$(sed -n 2p <<<"$dump" | cut -f4 | tr ',' '\n' | sort | paste -sd,)"
expect_eq "wg: wga keepalive" 25 "$(sed -n 2p <<<"$dump" | cut -f8)"

# wgdev_get reads handshakes and counters, and agrees with wg.
line=$(peer_line wga "$pb" "$ca")
hs=$(field "$line" handshake)
expect_match "wgdev_get: handshake time set" '^[1-9][0-9]*\.[0-9]{9}$' "$hs"
expect_eq "wgdev_get: handshake second matches wg" "$(ip netns exec "$ca" wg show wga latest-handshakes | cut -f2)" "${hs%.*}"
expect_match "wgdev_get: rx bytes" '^[1-9][0-9]*$' "$(field "$line" rx)"
expect_match "wgdev_get: tx bytes" '^[1-9][0-9]*$' "$(field "$line" tx)"
expect_eq "wgdev_get: endpoint" 192.0.2.2:51821 "$(field "$line" endpoint)"

# A re-sync with the same config writes nothing: same link, same session.
idx_a=$(ifindex_in "$ca" wga)
expect_eq "second sync of wga" changed=0 "$(sync_a)"
expect_eq "second sync of wgb" changed=0 "$(sync_b)"
expect_eq "handshake unchanged after no-op sync" "$hs" "$(field "$(peer_line wga "$pb" "$ca")" handshake)"
expect_eq "ifindex unchanged after no-op sync" "$idx_a" "$(ifindex_in "$ca" wga)"

# An endpoint change is written in place (no new device, tunnel keeps working). While the
# written value is read back, wgb's packets are held: one sent from its cached source .2
# (a keepalive) would roam wga's endpoint back to .2, as WireGuard should, on a slow machine.
ep_b=192.0.2.3:51821
ip netns exec "$ub" nft -f - <<'NFT'
table inet hold { chain out { type filter hook output priority 0; udp sport 51821 drop; }; }
NFT
expect_eq "sync with a new endpoint" changed=1 "$(sync_a)"
expect_eq "endpoint updated" 192.0.2.3:51821 "$(ip netns exec "$ca" wg show wga endpoints | cut -f2)"
# Then only what wgb would still send from .2 is held, until the no-op check: a packet of
# wgb's from its old source, sent before it heard wga at .3, roams wga back to .2, and the
# next sync rightly writes .3 again (under realtime scheduling the daemon is quick enough to
# do so often). What is checked is our sync, not WireGuard's roaming.
ip netns exec "$ub" nft -f - <<'NFT'
table inet hold { chain out { type filter hook output priority 0; udp sport 51821 drop; }; }
flush table inet hold
table inet hold { chain out { ip saddr 192.0.2.2 udp sport 51821 drop; }; }
NFT
expect_eq "ifindex unchanged after endpoint change" "$idx_a" "$(ifindex_in "$ca" wga)"
wait_for 10 "ping after endpoint change" ping_ab
expect_eq "sync after endpoint change is a no-op" changed=0 "$(sync_a)"
ip netns exec "$ub" nft delete table inet hold

# A peer added, then removed: the other peer's session is left alone.
hs=$(field "$(peer_line wga "$pb" "$ca")" handshake)
expect_eq "sync adding peer C" changed=1 "$(sync_a --peer "$pc" --keepalive 0 --allowed 198.51.100.7/32)"
expect_eq "peers after adding C" 2 "$(ip netns exec "$ca" wg show wga peers | wc -l)"
expect_eq "C's allowed ip" 198.51.100.7/32 "$(ip netns exec "$ca" wg show wga allowed-ips | grep "^$pc" | cut -f2)"
expect_eq "sync without C" changed=1 "$(sync_a)"
expect_eq "peers after removing C" "$pb" "$(ip netns exec "$ca" wg show wga peers)"
expect_eq "B's handshake untouched by C's coming and going" "$hs" "$(field "$(peer_line wga "$pb" "$ca")" handshake)"

# The link can be cycled in its new namespace and the daemon follows (IPv6 addresses go with
# a link that goes down, so it is addressed again).
ip -n "$ca" link set wga down
ip -n "$ca" link set wga up
ip -n "$ca" addr replace fd00::1/64 dev wga nodad
wait_for 10 "ping after link down/up in the child namespace" ping_ab

# Port check: a UDP port held by another process is named with its pid and command.
ip netns exec "$ua" python3 -c '
import socket, sys, time
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s4.bind(("0.0.0.0", 40001))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s6.bind(("::", 40002))
open(sys.argv[1], "w").write("ready")
time.sleep(120)' "$tmp/py.ready" &
py=$!
pids+=("$py")
poll 10 test -s "$tmp/py.ready" || fail "python did not bind its ports"
holders=$(ip netns exec "$ua" "$tool" portcheck 40001 40002 40003)
expect_match "portcheck names python on 40001" "port=40001 family=ipv4 pid=$py comm=python3" "$holders"
expect_match "portcheck names python on 40002" "port=40002 family=ipv6 pid=$py comm=python3" "$holders"
expect_eq "portcheck: nothing on 40003" "" "$(grep 40003 <<<"$holders" || true)"
holders=$(ip netns exec "$ua" "$tool" portcheck 51820)
if [ "$backend" == userspace ]; then
	expect_match "portcheck: wga's port held by its own daemon" "port=51820 family=ipv[46] pid=$pid_a comm=wireguard-go" "$holders"
else
	expect_match "portcheck: wga's port held by a kernel socket" "port=51820 family=ipv[46] pid=0 comm=-" "$holders"
fi
expect_eq "portcheck: wgb's port is not in wga's underlay" "" "$(ip netns exec "$ua" "$tool" portcheck 51821)"
# Configuring a port another process holds: the back end's refusal comes back as EADDRINUSE
# (wireguard-go sends it as errno=-98). wireguard-go has closed its old socket by then (port
# 0), the kernel keeps it: a sync with the old port puts the device back either way.
if ip netns exec "$ua" "$tool" sync wga --netns "$ca" --private-key "$tmp/ka" --port 40001 --peer "$pb" \
	--endpoint "$ep_b" --keepalive 25 --allowed 0.0.0.0/0 --allowed ::/0 2>"$tmp/err"; then
	fail "sync onto a held port succeeded"
else expect_match "sync onto a held port: address in use" 'Address already in use' "$(cat "$tmp/err")"; fi
sync_a >/dev/null || fail "sync back to port 51820: $(cat "$tmp/err")"
expect_eq "wga's port back" 51820 "$(ip netns exec "$ca" wg show wga listen-port)"
kill "$py"
ip netns exec "$ua" sh -c 'echo "40000 40100" >/proc/sys/net/ipv4/ip_local_port_range'
expect_eq "ephemeral range" "40000 40100" "$(ip netns exec "$ua" "$tool" ephemeral)"

# Creating over an existing name is refused; a missing implementation is reported, no link left.
if ip netns exec "$ub" "$tool" create wgb 2>/dev/null; then :; fi
if [ "$backend" == userspace ]; then
	ip -n "$ub" link add wgx type veth peer name wgx-peer
	if ip netns exec "$ub" "$tool" create wgx 2>"$tmp/err"; then fail "create over an existing link succeeded"
	else expect_match "create over an existing link" 'exists' "$(cat "$tmp/err")"; fi
	if ip netns exec "$ub" env WG_USERSPACE_IMPLEMENTATION=/nonexistent/wg-impl "$tool" create wgy 2>"$tmp/err"; then
		fail "create with a missing implementation succeeded"
	else expect_match "missing implementation reported" 'cannot run /nonexistent/wg-impl' "$(cat "$tmp/err")"; fi
	expect_eq "no link wgy left" "" "$(ip -n "$ub" -o link show wgy 2>/dev/null || true)"
fi

# Without the module, the kernel back end's refusal comes back with the kernel's own words.
if [ "$detected" != kernel ]; then
	if ip netns exec "$ub" env WGM_WG_BACKEND=kernel "$tool" create wgk 2>"$tmp/err"; then
		fail "kernel create without the module succeeded"
	else expect_match "kernel create refused with the extended ack" '^create wgk: Operation not supported / Unknown device type$' "$(cat "$tmp/err")"; fi
	expect_eq "no link wgk left" "" "$(ip -n "$ub" -o link show wgk 2>/dev/null || true)"
fi

# Destroy: the link goes from the child namespace, the daemon exits, no socket file stays.
ip netns exec "$ua" "$tool" destroy wga --netns "$ca"
expect_eq "wga gone from $ca" "" "$(ip -n "$ca" -o link show wga 2>/dev/null || true)"
if [ "$backend" == userspace ]; then
	wait_for 10 "wga's wireguard-go exited" gone_or_zombie "$pid_a"
	expect_eq "wga's socket removed" "" "$(ls /run/wireguard/wga.sock 2>/dev/null || true)"
fi
ip netns exec "$ua" "$tool" destroy wga --netns "$ca" && pass "destroying a gone device succeeds"
ip netns exec "$ub" "$tool" destroy wgb --netns "$cb"
expect_eq "wgb gone from $cb" "" "$(ip -n "$cb" -o link show wgb 2>/dev/null || true)"
[ "$backend" == userspace ] && { poll 10 gone_or_zombie "$pid_b" || fail "wireguard-go $pid_b still runs"; }

assert_exit
echo "all checks passed"
