#!/usr/bin/env bash
# `run` on a node with both address families, its record from a real DNS server (knotd):
#
#   [dual: eth0 192.0.2.11 + 2001:db8:1::11]--+
#   [six:  eth0 2001:db8:1::12, ::1200 (IPv6 only)]--[inet: bridge br0]--[this namespace: 203.0.113.53, knotd]
#   [four: eth0 198.51.100.13 (IPv4 only)]----+
#
# six has a second IPv6 address and registers what wghost detects (both), as an operator's
# IPv6-only host with a static and an autoconfigured address would. dual runs `wgmesh-net run`
# with a short --endpoint-timeout; six and four apply their records from files. After the first
# round every round (SIGHUP) makes 0 changes: a peer that handshakes is never moved, so its
# device is never rewritten (it was: the IPv6-only peer flipped between its two addresses).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/knot.sh"
S=$WGM_BUILD/site
D=mesh.test
ROUNDS=4

mkdir -p "$T/site"
(cd "$T/site" && "$S/wgsite" init site.yaml --domain $D --locus lab --ipv6 fd86:ea04:1117::/48 \
	--portbase 21200 --asn-range 64512:64520 >/dev/null)
SITEKEY=$(awk '/publickey:/ {print $2}' "$T/site/site.yaml")

make_internet
# this namespace joins the bridge: the DNS server lives here
ip link add eth0-dns type veth peer name eth0-t netns inet
ip -n inet link set eth0-t master br0 up
ip addr add 203.0.113.53/24 dev eth0-dns
ip link set eth0-dns up
ip route add 192.0.2.0/24 dev eth0-dns
ip route add 198.51.100.0/24 dev eth0-dns

# family_node NODE V4|- V6[,V6...]|- OCTET [detect]: a node on the bridge with the address
# families given; registered with those addresses (-a), or with what wghost detects.
family_node() {
	local n=$1 v4=$2 v6=$3 o=$4 a=() x
	ip netns add "$n"
	ip -n "$n" link set lo up
	ip link add "eth0-$n" netns inet type veth peer name eth0 netns "$n"
	ip -n inet link set "eth0-$n" master br0 up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
	if [ "$v4" != - ]; then
		ip -n "$n" addr add "$v4/24" dev eth0
		a+=(-a "$v4")
	fi
	if [ "$v6" != - ]; then
		for x in ${v6//,/ }; do
			ip -n "$n" addr add "$x/64" dev eth0 nodad
			a+=(-a "$x")
		done
	fi
	[ "${5:-}" = detect ] && a=()
	ip -n "$n" link set eth0 up
	if [ "$v4" != - ]; then
		for net in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24; do
			ip -n "$n" route add "$net" dev eth0 2>/dev/null || true
		done
	fi
	ip -n "$n" link add lan0 type veth peer name lanpeer
	ip -n "$n" addr add "10.40.$o.1/24" dev lan0
	ip -n "$n" link set lan0 up
	ip -n "$n" link set lanpeer up
	mkdir -p "$T/$n"
	nodes+=("$n")
	echo $D >"$T/$n/.domain"
	"$S/wgconfig" -q -l lab -P "$SITEKEY" -i eth0 -T lan0 -I "10.40.$o.1/24" --firewall nftables \
		--netns "${n}lab" --state-dir "$T/$n" $D
	msg=$(ip netns exec "$n" "$S/wghost" -q ${a[@]+"${a[@]}"} -h "$n" --state-dir "$T/$n" $D | awk '{print $NF}')
	(cd "$T/site" && "$S/wgsite" -q -i "$msg" site.yaml)
}
uuid_of() { awk '/uuid:/ {print $2}' "$T/$1/$D.yaml"; }

family_node dual 192.0.2.11 2001:db8:1::11 1
family_node six - 2001:db8:1::12,2001:db8:1::1200 2 detect
family_node four 198.51.100.13 - 3
(cd "$T/site" && "$S/wgpub" -q --out-dir "$T/rec" --zone-file "$T/records.zone" --serial 10 site.yaml)
printf '$ORIGIN %s.\n$TTL 300\n@ SOA ns admin 1 3600 600 86400 300\n@ NS ns\nns A 203.0.113.53\n' $D >"$T/zone"
cat "$T/records.zone" >>"$T/zone"
KNOT_ADDR=203.0.113.53 knot_start "$T/knot" $D "$T/zone" || { fail "knotd did not start"; finish; }
trap 'knot_stop; cleanup' EXIT

for n in six four; do
	net "$n" apply "$T/rec/$(uuid_of "$n").$D.txt" >"$T/out" 2>"$T/err" || fail "apply on $n: $(cat "$T/err")"
done

# dual: the service loop; exec all the way down, so $! is wgmesh-net itself
mkdir -p "$T/dual/wgrun" "$T/dual/bird" "$T/dual/nft" "$T/dual/hooks"
(exec unshare --mount --propagation unchanged -- bash -c \
	'mount --bind "$1" /run/wireguard && shift && exec nsenter --net=/run/netns/dual "$@"' \
	run "$T/dual/wgrun" "$NET" -v --endpoint-timeout 2 --state-dir "$T/dual" --bird-dir "$T/dual/bird" --nft-dir "$T/dual/nft" \
	--hook-dir "$T/dual/hooks" --dnsfetch "$WGM_BUILD/dnsfetch/wgmesh-dnsfetch" \
	--dns "203.0.113.53:$KNOT_PORT" --interval 3600 run $D >"$T/run.out" 2>"$T/run.err") &
runner=$!
trap 'kill "$runner" 2>/dev/null || true; knot_stop; cleanup' EXIT
rounds() { grep -cE ': [0-9]+ changes?$' "$T/run.err" || true; }
wait_rounds() { # N: polls until N rounds are logged, up to ~60 s
	local i
	for i in $(seq 1 300); do
		[ "$(rounds)" -ge "$1" ] && return 0
		kill -0 "$runner" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
wait_rounds 1 || { fail "no first round from run: $(cat "$T/run.err")"; finish; }
expect_eq "the first round builds dual's mesh" "" "$(grep -E ': (0 changes|deploy refused)' "$T/run.err" || true)"

# the tunnels work: wg2 to six over IPv6, wg3 to four over IPv4 (handshakes done)
if wait_ping duallab fd86:ea04:1117:201::2; then pass "dual pings six"; else fail "dual cannot ping six"; fi
if wait_ping duallab fd86:ea04:1117:301::3; then pass "dual pings four"; else fail "dual cannot ping four"; fi
eps_before=$(in_node dual wg show all endpoints)
for r in $(seq 2 $((ROUNDS + 1))); do
	sleep 3 # past the endpoint timeout: a peer that were taken for silent would be moved now
	kill -HUP "$runner"
	wait_rounds "$r" || fail "round $r did not come: $(tail -3 "$T/run.err")"
	expect_eq "round $r changes nothing" "0 changes" "$(grep -oE '[0-9]+ changes?$' "$T/run.err" | sed -n "${r}p")"
done
expect_eq "no peer was rewritten" "" "$(grep 'update the peer' "$T/run.err" || true)"
expect_eq "endpoints as before the rounds" "$eps_before" "$(in_node dual wg show all endpoints)"

kill -TERM "$runner"
rc=0; wait "$runner" || rc=$?
expect_eq "run ends on SIGTERM" 0 "$rc"
finish
