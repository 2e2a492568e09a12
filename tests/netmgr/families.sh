#!/usr/bin/env bash
# Two nodes that can never meet: n1 has IPv6 only, n2 IPv4 only and sits behind NAT (no
# endpoint in its registration). Neither can call the other; verify says so on both sides,
# naming the address families, instead of a plain "no handshake yet".
source "$(dirname "$0")/lib.sh"
S=$WGM_BUILD/site
D=mesh.test

site_init

make_internet
register() { # NODE OCTET WGHOST-ARGS...
	local n=$1 o=$2
	shift 2
	echo $D >"$T/$n/.domain"
	in_node "$n" "$S/wgconfig" -q -l lab -P "$SITEKEY" -i eth0 -T lan0 -I "10.30.$o.1/24" --firewall nftables \
		--netns "${n}lab" --state-dir "$T/$n" $D
	msg=$("$S/wghost" -q "$@" -h "$n" --state-dir "$T/$n" $D | awk '{print $NF}')
	(cd "$T/site" && "$S/wgsite" -q -i "$msg" site.yaml)
}
make_node n1 192.0.2.11 10.30.1.1/24
# n1 loses its IPv4 underlay: IPv6 only
ip -n n1 addr flush dev eth0 scope global
ip -n n1 route flush dev eth0
ip -n n1 addr add 2001:db8::11/64 dev eth0 nodad
register n1 1 -a 2001:db8::11
make_node n2 198.51.100.12 10.30.2.1/24
register n2 2 -n
(cd "$T/site" && "$S/wgpub" -q --out-dir "$T/rec" --serial 100 site.yaml)
for n in n1 n2; do
	uuid=$(awk '/uuid:/ {print $2}' "$T/$n/$D.yaml")
	net "$n" apply "$T/rec/$uuid.$D.txt" >"$T/out" 2>"$T/err" || fail "apply on $n: $(cat "$T/err")"
done

net n1 verify $D >"$T/v1" 2>&1 || true
net n2 verify $D >"$T/v2" 2>&1 || true
expect_contains "n1 (IPv6 only) says the NAT peer must call and it has IPv6 only" "degraded  wg2 handshake                never, unless the peer has IPv6: it has no endpoint (behind NAT) and must call us, and this node has IPv6 only" \
	"$(cat "$T/v1")"
expect_contains "n2 (IPv4 only) names the missing family" "degraded  wg1 handshake                never: no common address family: the peer's endpoint [2001:db8::11]:21102 is IPv6 and this node has no IPv6 address" \
	"$(cat "$T/v2")"
json=$(net n2 verify --json $D 2>&1 || true)
expect_contains "--json carries the reason" "no common address family" "$json"
finish
