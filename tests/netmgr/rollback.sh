#!/usr/bin/env bash
# A failed apply gives the node back byte for byte, whichever step fails. Each failure has a
# real trigger (no injection): a UDP port held by another process (sock_diag pre-flight), a
# link under our veth's name, a link under a WireGuard device's name, a route the kernel
# refuses (one already there), a sysctl the kernel refuses (read-only mount), an address the
# kernel refuses (IPv6 disabled), a WireGuard implementation that cannot start, and a full
# file system for BIRD's file after the kernel work is done. Before and after each we
# compare links, addresses, routes, sysctls of both namespaces, the UAPI sockets, and every
# device's whole configuration (wg showconf, hashed: private key, port, peers, endpoints,
# allowed IPs). From a fresh node, and from a deployed one whose device the failing record
# changes (private key, port, peer key, endpoint, allowed IPs and keepalive set by hand, an
# endpoint where there was none) or leaves stale.
# Then the serial rule: after serial N, a record without a serial (a 1.0 controller's) is
# refused until the stored serial is removed on purpose.
source "$(dirname "$0")/lib.sh"
SEAL=$WGM_BUILD/tests/netmgr/seal_record
SITE_SK=$WGM_FIXTURES/site/site.key
B_KEY=$(cat "$H/beta.example.net/etc-wireguard/lab_pub")
NS=n1lab
# The back end wgmesh-net will use: an unstartable wireguard-go fails only the userspace one.
if [ -z "${WGM_WG_BACKEND:-}" ]; then
	WGM_WG_BACKEND=userspace
	ip link add wgm-probe type wireguard 2>/dev/null && ip link del wgm-probe && WGM_WG_BACKEND=kernel
fi
export WGM_WG_BACKEND
echo "WireGuard back end: $WGM_WG_BACKEND"

make_internet
make_node alpha 192.0.2.10 10.20.1.1/24
host_state alpha wg.example.com $A_UUID $NS 10.20.1.1/24 "$H/alpha.example.net/etc-wireguard" "$SITEKEY"
# the operator's own route through the trust interface: moving the link drops it, undo must not
ip -n alpha route add 10.30.0.0/16 via 10.20.1.254 dev lan0

# alpha's deploy YAML: serial $1, then host blocks; ports from $PB
PB=31000
BKEY=$B_KEY
BREMOTE=198.51.100.20
record() {
	printf 'kind: deploy\nasn: 4200000000\nsite: wg.example.com\noctet: 1\nportbase: %s\nremote: fd42:7a3b:19c0::/48\nserial: %s\nhosts:\n%s\n' \
		"$PB" "$1" "$2"
}
peer() { # hostname key octet remote
	printf '  %s:\n    key: %s\n    asn: 420000000%s\n    localport: %s\n    remoteport: %s\n    remote: %s\n' \
		"$1" "$2" "$3" $((PB + $3)) $((PB + 1)) "$4"
}
beta() { peer beta.example.net "$BKEY" 2 "$BREMOTE"; }
gamma() { peer gamma.example.net "$SITEKEY" 3 198.51.100.30; }
seal() { # name yaml [host public key file] -> record file path
	echo "$2" >"$T/$1.yaml"
	"$SEAL" "$SITE_SK" "${3:-$T/alpha/lab_pub}" "$T/$1.yaml" >"$T/$1.txt"
	echo "$T/$1.txt"
}

sysctls() {
	ip netns exec "$1" sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding \
		net.ipv6.conf.default.disable_ipv6 net.ipv4.conf.all.rp_filter
}
# wg ARGS in the private namespace with alpha's /run/wireguard: either back end's devices
wg_in() { in_node alpha nsenter --net=/run/netns/$NS wg "$@"; }
# full_state: everything a failed apply must give back: lib.sh's node_state (links, addresses,
# routes of both namespaces, each device's port and endpoints) and sysctls, the UAPI sockets,
# each device's allowed IPs and whole configuration (keys never printed: showconf hashed).
full_state() {
	local d
	node_state alpha $NS
	sysctls alpha
	echo "UAPI sockets: $(ls "$T/alpha/wgrun" 2>/dev/null | paste -sd' ')"
	ip netns list | awk '{print $1}' | grep -qx $NS || return 0
	sysctls $NS
	for d in $(ip -n $NS -o link show | awk -F': ' '{print $2}' | grep -E '^wg[0-9]+$'); do
		echo "$d showconf sha256 $( (wg_in showconf "$d" || echo unreadable) | sha256sum | cut -c1-16)"
		echo "$d allowed $(wg_in show "$d" allowed-ips | cut -f2 | paste -sd' ')"
	done
}

# fails NAME RECORD EXPECTED-TEXT [ENV...] [-- EXTRA wgmesh-net OPTIONS]: the apply fails, says
# why, and the node is as it was
fails() {
	local name=$1 rec=$2 why=$3 before rc=0
	shift 3
	local envs=() opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift && opts=("$@")
	before=$(full_state)
	(for e in "${envs[@]}"; do export "${e?}"; done
	 net alpha "${opts[@]}" apply "$rec" wg.example.com) >"$T/out" 2>"$T/err" || rc=$?
	expect_eq "$name: refused" 1 "$rc"
	expect_contains "$name: says why" "$why" "$(cat "$T/err")"
	echo "   said: $(tail -n 1 "$T/err")"
	expect_eq "$name: every undo worked" "" "$(grep -i 'undo.* failed' "$T/err")"
	expect_eq "$name: the node is as found" "$before" "$(full_state)"
	expect_eq "$name: no serial stored" "${STORED:-}" "$(cat "$T/alpha/wg.example.com.serial" 2>/dev/null)"
}

holder=
# (polled: a wireguard-go that just left the port closes its socket a moment later)
hold_port() { # PORT: a UDP socket held by another process, in the underlay
	ip netns exec alpha python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(100):
    try:
        s.bind(("0.0.0.0", int(sys.argv[1])))
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("cannot bind port " + sys.argv[1])
print("bound", flush=True)
time.sleep(300)' "$1" >"$T/holder.out" &
	holder=$!
	for _ in $(seq 1 120); do grep -q bound "$T/holder.out" 2>/dev/null && return 0; sleep 0.1; done
	fail "the port holder did not bind $1"
}
release_port() { kill "$holder"; wait "$holder" 2>/dev/null || true; holder=; }
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; cleanup' EXIT

ro_sysctl() { # NETNS KEY-PATH: the kernel refuses writes to it (a read-only bind mount)
	nsenter --net="/run/netns/$1" mount --bind "/proc/sys/$2" "/proc/sys/$2"
	nsenter --net="/run/netns/$1" mount -o remount,bind,ro "/proc/sys/$2"
}

one=$(seal one "$(record 200 "$(beta)")")
two=$(seal two "$(record 300 "$(beta)
$(gamma)")")

echo "== a fresh node (no private namespace yet)"
hold_port 31002
fails "port held (sock_diag pre-flight)" "$one" "UDP port 31002 is held by pid $holder"
release_port

ip -n alpha link add ve-lab type bridge
fails "a link under the veth's name" "$one" "ve-lab"
ip -n alpha link del ve-lab

ip -n alpha link add wg2 type bridge
fails "a link under the WireGuard device's name" "$one" "creating wg2"
ip -n alpha link del wg2

fails "an unstartable WireGuard implementation" "$one" "rolled back" \
	WG_USERSPACE_IMPLEMENTATION=/nonexistent/wireguard-go WGM_WG_BACKEND=userspace

# the namespace exists already (made by hand), so the failures below come after the veth,
# the trust interface and its addresses went in
ip netns add $NS
ip -n $NS link set lo up
ip -n $NS link add vi-lab type bridge
fails "a link under the veth's inner name" "$one" "vi-lab exists in n1lab without ve-lab in the underlay: it is not our veth"
ip -n $NS link del vi-lab
ip -n $NS route add 0.0.0.0/1 dev lo
fails "a route the kernel refuses (one is there)" "$one" "adding route 0.0.0.0/1"
ip -n $NS route del 0.0.0.0/1 dev lo

ro_sysctl $NS net/ipv6/conf/all/forwarding
fails "a sysctl the kernel refuses" "$one" "writing net/ipv6/conf/all/forwarding"
nsenter --net=/run/netns/$NS umount /proc/sys/net/ipv6/conf/all/forwarding

ip netns exec $NS sysctl -qw net.ipv6.conf.default.disable_ipv6=1
fails "an address the kernel refuses" "$one" "/64 to wg2"
ip netns del $NS

echo "== a deployed node: wg2 (beta) runs, serial 200"
net alpha apply "$one" wg.example.com >"$T/out" 2>"$T/err" || fail "apply of serial 200: $(cat "$T/err")"
STORED=200
expect_eq "deployed: wg2 runs" "wg2" "$(ip -n $NS -o link show wg2 | awk -F': ' '{print $2}')"

# the same record with every field of wg2 changed: another host key (so the device's private
# key), another portbase (its listen port), beta's key and endpoint; plus gamma, which fails
(umask 077; in_node alpha wg genkey >"$T/newhost.priv")
in_node alpha wg pubkey <"$T/newhost.priv" >"$T/newhost.pub"
cp "$T/alpha/lab_priv" "$T/oldhost.priv"; cp "$T/alpha/lab_pub" "$T/oldhost.pub"
changed=$(PB=31100 BREMOTE=198.51.100.21 BKEY=$(umask 077; in_node alpha wg genkey | in_node alpha wg pubkey)
	seal changed "$(record 300 "$(beta; gamma)")" "$T/newhost.pub")
printf '%s' "$(cat "$T/newhost.priv")" >"$T/alpha/lab_priv"
cp "$T/newhost.pub" "$T/alpha/lab_pub"
if [ "$WGM_WG_BACKEND" = userspace ]; then
	fails "wg2 changed, then gamma's implementation cannot start" "$changed" "rolled back" \
		WG_USERSPACE_IMPLEMENTATION=/nonexistent/wireguard-go
else
	echo "skipped: an unstartable implementation with kernel devices running"
fi
ip -n alpha link add wg3 type bridge
fails "wg2 changed, then a link under gamma's device name" "$changed" "creating wg3"
ip -n alpha link del wg3
ip netns exec $NS sysctl -qw net.ipv6.conf.default.disable_ipv6=1
fails "wg2 changed, then gamma's address refused" "$changed" "/64 to wg3"
ip netns exec $NS sysctl -qw net.ipv6.conf.default.disable_ipv6=0
hold_port 31103
fails "wg2 changed, gamma's port held (pre-flight)" "$changed" "UDP port 31103 is held by pid $holder"
release_port
hold_port 31102
fails "the port wg2 moves to is held (pre-flight)" "$changed" "UDP port 31102 is held by pid $holder"
release_port
cp "$T/oldhost.priv" "$T/alpha/lab_priv"; cp "$T/oldhost.pub" "$T/alpha/lab_pub"

echo "== beta behind NAT (no endpoint), its allowed IPs and keepalive changed by hand"
net alpha apply "$(BREMOTE="''"; seal nat "$(record 250 "$(beta)")")" wg.example.com >"$T/out" 2>"$T/err" ||
	fail "apply of serial 250: $(cat "$T/err")"
STORED=250
# (the endpoint it had stays: WireGuard has no way to unset one short of a new peer)
wg_in set wg2 peer "$B_KEY" remove
wg_in set wg2 peer "$B_KEY" allowed-ips 10.99.0.0/16,fd99::/64 persistent-keepalive 7
expect_eq "behind NAT: no endpoint" "(none)" "$(wg_in show wg2 endpoints | cut -f2)"
# WireGuard cannot unset an endpoint: undo removes the peer and adds it back as it was
ip -n alpha link add wg3 type bridge
fails "beta given an endpoint, then a link under gamma's device name" "$two" "creating wg3"
ip -n alpha link del wg3

# beta left, gamma came: wg3 is built, then BIRD's file cannot be written (its file system is
# full: the checks before the kernel work see a writable directory); wg2 is removed only when
# everything else went through, so it is still there, as it was
cp -a "$T/alpha/bird" "$T/bird.saved"
mount -t tmpfs -o size=64k wgm-full "$T/alpha/bird"
cp -a "$T/bird.saved/." "$T/alpha/bird/"
dd if=/dev/zero of="$T/alpha/bird/fill" bs=4k 2>/dev/null || true
fails "beta left, gamma built, then BIRD's file system is full" \
	"$(seal left "$(record 300 "$(gamma)")")" "rolled back"
umount "$T/alpha/bird"
net alpha apply "$T/left.txt" wg.example.com >"$T/out" 2>"$T/err" || fail "apply of beta leaving: $(cat "$T/err")"
STORED=300
expect_eq "with the directory fine, wg2 goes and wg3 stays" "wg3" \
	"$(ip -n $NS -o link show | awk -F': ' '{print $2}' | grep -E '^wg[0-9]+$' | paste -sd' ')"

echo "== the serial rule"
A10=$R/$A_UUID.wg.example.com.txt # the 1.0 controller's record: no serial
fails "a record without a serial after serial 300" "$A10" \
	"deploy record has no serial but serial 300 was applied here: refused as a possible replay; to go back to a 1.0 controller on purpose, remove $T/alpha/wg.example.com.serial"
expect_eq "the refusal is one line" 1 "$(grep -c . "$T/err")"
rm "$T/alpha/wg.example.com.serial"
STORED=
net alpha apply "$A10" wg.example.com >"$T/out" 2>"$T/err" || fail "the way back to a 1.0 controller: $(cat "$T/err")"
expect_contains "the way back: accepted with a warning" "no serial" "$(cat "$T/err")"
expect_eq "the way back: the 1.0 record's mesh (wg2)" "wg2" \
	"$(ip -n $NS -o link show | awk -F': ' '{print $2}' | grep -E '^wg[0-9]+$' | paste -sd' ')"
finish
