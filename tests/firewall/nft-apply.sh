#!/usr/bin/env bash
# Our nftables script passes `nft -c -f`, applies inside the test's namespace, replaces itself
# when applied again (one table, the new rules), and is removed with one command.
# usage: nft-apply.sh FIREWALL_TOOL   (through in_netns, as root)
set -eu
. "$(dirname "$0")/../lib/assert.sh"
tool=$1
tmp=$(mktemp -d)
cleanup() {
	nft delete table inet wgmesh_private 2>/dev/null || true
	for ns in fwlan fwout fwother; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ "${WGM_IN_NETNS:-}" != 1 ]; then
	die "must run through in_netns (it would change the host's ruleset otherwise)"
fi

file=$tmp/wgmesh-private.nft
count_tables() { nft list tables | grep -c '^table inet wgmesh_private$' || true; }

for plan in alpha three empty alpha-nolan; do
	"$tool" nft "$plan" "$tmp" >/dev/null
	if out=$(nft -c -f "$file" 2>&1); then pass "$plan: nft -c accepts it"; else fail "$plan: nft -c: $out"; fi
done

"$tool" nft alpha "$tmp" >/dev/null
nft -f "$file"
n=$(count_tables)
[ "$n" = 1 ] && pass "applied: one table" || fail "after the first apply: expected 1 table, got $n"
if nft list table inet wgmesh_private | grep -q 'udp dport 31002'; then pass "alpha's port 31002 open"; else fail "31002 missing: $(nft list table inet wgmesh_private)"; fi

"$tool" nft three "$tmp" >/dev/null
nft -f "$file"
nft -f "$file"
n=$(count_tables)
[ "$n" = 1 ] && pass "applied twice more: still one table" || fail "expected 1 table, got $n"
rules=$(nft list table inet wgmesh_private)
if echo "$rules" | grep -q '31002, 31003, 31005'; then pass "replaced by the three-peer rules"; else fail "rules not replaced: $rules"; fi
n=$(echo "$rules" | grep -c 'masquerade' || true)
[ "$n" = 1 ] && pass "one masquerade rule" || fail "expected 1 masquerade rule, got $n"
if echo "$rules" | grep -q 'policy drop'; then fail "a drop policy in our table"; else pass "no drop policy"; fi

# Real packets through the three-peer table, with forwarding on as `up` leaves the underlay:
#   [fwlan: 10.20.1.5 (the LAN), 192.168.77.5 (not the mesh's)]--ve-lab
#   [this namespace, the underlay]--eth0--[fwout 203.0.113.2]   --eth1--[fwother 198.51.100.2]
set -E
trap 'echo "FAIL nft-apply.sh line $LINENO: building the packet topology" >&2' ERR
for ns in fwlan fwout fwother; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add ve-lab type veth peer name vi-lab netns fwlan
ip link add eth0 type veth peer name o0 netns fwout
ip link add eth1 type veth peer name x0 netns fwother
ip addr add 169.254.1.1/24 dev ve-lab && ip link set ve-lab up
ip addr add 203.0.113.1/24 dev eth0 && ip link set eth0 up
ip addr add 198.51.100.1/24 dev eth1 && ip link set eth1 up
ip -n fwlan addr add 169.254.1.2/24 dev vi-lab
ip -n fwlan addr add 10.20.1.5/32 dev vi-lab
ip -n fwlan addr add 192.168.77.5/32 dev vi-lab
ip -n fwlan link set vi-lab up && ip -n fwlan route add default via 169.254.1.1
ip -n fwout addr add 203.0.113.2/24 dev o0 && ip -n fwout link set o0 up
ip -n fwout route add default via 203.0.113.1
ip -n fwother addr add 198.51.100.2/24 dev x0 && ip -n fwother link set x0 up
ip -n fwother route add default via 198.51.100.1
ip route add 10.20.1.0/24 via 169.254.1.2
ip route add 192.168.77.0/24 via 169.254.1.2
sysctl -qw net.ipv4.ip_forward=1
trap - ERR
pings() { ip netns exec "$1" ping -c1 -W1 -I "$2" "$3" >/dev/null 2>&1; }
if pings fwlan 10.20.1.5 203.0.113.2; then pass "the LAN reaches out through the veth"; else fail "the LAN cannot reach 203.0.113.2: $(nft list table inet wgmesh_private)"; fi
if pings fwlan 192.168.77.5 203.0.113.2; then fail "a source that is not the mesh's was forwarded out of the veth"; else pass "a source that is not the mesh's is not forwarded"; fi
if pings fwother 198.51.100.2 10.20.1.5; then fail "a new flow from another underlay interface entered the veth"; else pass "no new flow into the veth from the underlay"; fi
if pings fwother 198.51.100.2 203.0.113.2; then pass "forwarding between the host's other interfaces is left to its own policy"; else fail "our table dropped traffic between eth1 and eth0"; fi

nft delete table inet wgmesh_private
n=$(count_tables)
[ "$n" = 0 ] && pass "removed" || fail "table still there after delete"
assert_exit
