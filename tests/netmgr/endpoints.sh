#!/usr/bin/env bash
# `run` on a node with both address families, its record from a real DNS server (knotd):
#
#   [dual: eth0 192.0.2.11 + 2001:db8:1::11]--+
#   [six:  eth0 2001:db8:1::12, ::1200 (IPv6 only)]--[inet: bridge br0]--[this namespace: 203.0.113.53, knotd]
#   [four: eth0 198.51.100.13 (IPv4 only)]----+
#   [far:  eth0 198.51.100.14]----------------+    later: far, registered at 198.51.100.99
#   [sink: 198.51.100.99, drops all UDP]------+    (first) and 198.51.100.14
#
# six has a second IPv6 address and registers what wghost detects (both), as an operator's
# IPv6-only host with a static and an autoconfigured address would. dual runs `wgmesh-net run`
# with a short --endpoint-timeout; six and four apply their records from files. After the first
# round every round (SIGHUP) makes 0 changes: a peer that handshakes is never moved, so its
# device is never rewritten (it was: the IPv6-only peer flipped between its two addresses).
# dual registers no endpoint (wghost -n), so its peers wait for it to call. Then far joins:
# dual tries 198.51.100.99, which silently drops, and after the timeout moves on to
# 198.51.100.14 and handshakes there; far is not moved again, six and four never.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/knot.sh"
S=$WGM_BUILD/site
D=mesh.test
ROUNDS=3
WAIT=6 # --endpoint-timeout: more than WireGuard's 5 s between handshake attempts

mkdir -p "$T/site"
(cd "$T/site" && "$S/wgsite" init site.yaml --domain $D --locus lab --ipv6 fd86:ea04:1117::/48 \
	--portbase 21200 --asn-range 64512:64520 >/dev/null)
SITEKEY=$(awk '/publickey:/ {print $2}' "$T/site/site.yaml")

make_internet
# this namespace joins the bridge: the DNS server lives here
topo_veth "" eth0-dns "$INET" eth0-t
ip -n "$INET" link set eth0-t master br0 up
ip addr add 203.0.113.53/24 dev eth0-dns
ip link set eth0-dns up
ip route add 192.0.2.0/24 dev eth0-dns
ip route add 198.51.100.0/24 dev eth0-dns

# family_node NODE V4|- V6[,V6...]|- OCTET [detect|none|ADDR,...]: a node on the bridge with
# the address families given; registered with those addresses (-a), with what wghost detects,
# with none (-n: peers wait for it), or with the addresses listed.
family_node() {
	local n=$1 v4=$2 v6=$3 o=$4 a=() x
	ip netns add "$n"
	ip -n "$n" link set lo up
	topo_veth "$INET" "eth0-$n" "$n" eth0
	ip -n "$INET" link set "eth0-$n" master br0 up
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
	case "${5:-}" in
	'') ;;
	detect) a=() ;;
	none) a=(-n) ;;
	*) a=(); for x in ${5//,/ }; do a+=(-a "$x"); done ;;
	esac
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
	ip netns exec "$n" "$S/wgconfig" -q -l lab -P "$SITEKEY" -i eth0 -T lan0 -I "10.40.$o.1/24" --firewall nftables \
		--netns "${n}lab" --state-dir "$T/$n" $D
	msg=$(ip netns exec "$n" "$S/wghost" -q ${a[@]+"${a[@]}"} -h "$n" --state-dir "$T/$n" $D | awk '{print $NF}')
	(cd "$T/site" && "$S/wgsite" -q -i "$msg" site.yaml)
}
uuid_of() { awk '/uuid:/ {print $2}' "$T/$1/$D.yaml"; }

family_node dual 192.0.2.11 2001:db8:1::11 1 none
family_node six - 2001:db8:1::12,2001:db8:1::1200 2 detect
family_node four 198.51.100.13 - 3
(cd "$T/site" && "$S/wgpub" -q --out-dir "$T/rec" --zone-file "$T/records.zone" --serial 10 site.yaml)
zone() { # SOA-SERIAL: the zone with the records wgpub wrote last
	printf '$ORIGIN %s.\n$TTL 300\n@ SOA ns admin %d 3600 600 86400 300\n@ NS ns\nns A 203.0.113.53\n' $D "$1"
	cat "$T/records.zone"
}
zone 1 >"$T/zone"
KNOT_ADDR=203.0.113.53 knot_start "$T/knot" $D "$T/zone" || die "knotd did not start"
trap 'knot_stop; cleanup' EXIT

for n in six four; do
	net "$n" apply "$T/rec/$(uuid_of "$n").$D.txt" >"$T/out" 2>"$T/err" || fail "apply on $n: $(cat "$T/err")"
done

# dual: the service loop; exec all the way down, so $! is wgmesh-net itself
mkdir -p "$T/dual/wgrun" "$T/dual/bird" "$T/dual/nft" "$T/dual/hooks"
(exec unshare --mount --propagation unchanged -- bash -c \
	'mount --bind "$1" /run/wireguard && shift && exec nsenter --net=/run/netns/dual "$@"' \
	run "$T/dual/wgrun" "$NET" -v --endpoint-timeout $WAIT --state-dir "$T/dual" --bird-dir "$T/dual/bird" --nft-dir "$T/dual/nft" \
	--hook-dir "$T/dual/hooks" --dnsfetch "$WGM_BUILD/dnsfetch/wgmesh-dnsfetch" \
	--dns "203.0.113.53:$KNOT_PORT" --interval 3600 run $D >"$T/run.out" 2>"$T/run.err") &
runner=$!
trap 'kill "$runner" 2>/dev/null || true; knot_stop; cleanup' EXIT
rounds() { grep -cE ': [0-9]+ changes?$' "$T/run.err" || true; }
# wait_rounds N: 0 once N rounds are logged (up to 60 s), 1 when run ended or time ran out.
rounds_or_ended() { [ "$(rounds)" -ge "$1" ] || ! kill -0 "$runner" 2>/dev/null; }
wait_rounds() { poll 60 rounds_or_ended "$1" && [ "$(rounds)" -ge "$1" ]; }
wait_rounds 1 || die "no first round from run: $(cat "$T/run.err")"
expect_eq "the first round builds dual's mesh" "" "$(grep -E ': (0 changes|deploy refused)' "$T/run.err" || true)"

# the tunnels work: wg2 to six over IPv6, wg3 to four over IPv4 (handshakes done)
wait_for 20 "dual pings six" pings duallab fd86:ea04:1117:201::2
wait_for 20 "dual pings four" pings duallab fd86:ea04:1117:301::3
eps_before=$(wg_show dual duallab all endpoints)
[ "$(wc -l <<<"$eps_before")" = 2 ] || fail "cannot read dual's two endpoints: [$eps_before]"
for r in $(seq 2 $((ROUNDS + 1))); do
	sleep $((WAIT + 1)) # past the timeout: a peer taken for silent would be moved now
	kill -HUP "$runner"
	wait_rounds "$r" || fail "round $r did not come: $(tail -3 "$T/run.err")"
	expect_eq "round $r changes nothing" "0 changes" "$(grep -oE '[0-9]+ changes?$' "$T/run.err" | sed -n "${r}p")"
done
expect_eq "no peer was rewritten" "" "$(grep 'update the peer' "$T/run.err" || true)"
expect_eq "endpoints as before the rounds" "$eps_before" "$(wg_show dual duallab all endpoints)"

# far joins; its first endpoint is the sink's address
ip netns add sink
topo_veth "$INET" eth0-sink sink eth0
ip -n "$INET" link set eth0-sink master br0 up
ip -n sink addr add 198.51.100.99/24 dev eth0
ip -n sink link set eth0 up
ip netns exec sink nft -f - <<'NFT'
table inet sink {
	chain input { type filter hook input priority 0; meta l4proto udp counter drop; }
}
NFT
family_node far 198.51.100.14 - 4 198.51.100.99,198.51.100.14
(cd "$T/site" && "$S/wgpub" -q --out-dir "$T/rec11" --zone-file "$T/records.zone" --serial 11 site.yaml)
zone 2 >"$KNOT_DIR/zones/primary.zone"
knotc -s "$KNOT_CTL" zone-reload $D >/dev/null
serial2() { kdig @203.0.113.53 -p "$KNOT_PORT" +short SOA $D | awk '{print $3}'; }
for i in $(seq 1 50); do [ "$(serial2)" = 2 ] && break; sleep 0.2; done
expect_eq "knotd serves the new zone" 2 "$(serial2)"
net far apply "$T/rec11/$(uuid_of far).$D.txt" >"$T/out" 2>"$T/err" || fail "apply on far: $(cat "$T/err")"
before=$(rounds)
kill -HUP "$runner"
wait_rounds $((before + 1)) || fail "no round after far joined: $(tail -3 "$T/run.err")"
ep4() { wg_show dual duallab wg4 endpoints 2>/dev/null | awk '{print $2}'; }
expect_eq "far's device starts at its first endpoint" 198.51.100.99 "$(ep4 | sed 's/:[0-9]*$//')"
hs4() { wg_show dual duallab wg4 latest-handshakes | awk '{print $2}'; }
for i in $(seq 1 $((WAIT * 10 + 100))); do h=$(hs4); [ -n "$h" ] && [ "$h" != 0 ] && break; sleep 0.2; done
expect_contains "run moved far on by itself" "wg4 (far): no handshake at 198.51.100.99:" \
	"$(cat "$T/run.err")"
expect_eq "far handshakes at its second endpoint" 198.51.100.14 "$(ep4 | sed 's/:[0-9]*$//')"
h=$(hs4); [ -n "$h" ] && [ "$h" != 0 ] && pass "far's handshake" || fail "no handshake with far at $(ep4)"
dropped=$(ip netns exec sink nft list chain inet sink input | grep -o 'packets [0-9]*' | awk '{print $2}')
[ "${dropped:-0}" -gt 0 ] && pass "the first endpoint was tried ($dropped packets dropped)" ||
	fail "nothing reached the sink: the first endpoint was never tried"
sleep $((WAIT + 1))
before=$(rounds)
kill -HUP "$runner"
wait_rounds $((before + 1)) || fail "no round after far handshook"
expect_eq "far is not moved once it answers" "0 changes" "$(grep -oE '[0-9]+ changes?$' "$T/run.err" | tail -1)"
expect_eq "six and four were never rewritten" "" "$(grep -E 'update the peer of wg[23] ' "$T/run.err" || true)"
expect_eq "six and four kept their endpoints" "$eps_before" "$(wg_show dual duallab all endpoints | grep -v '^wg4')"

kill -TERM "$runner"
rc=0; wait "$runner" || rc=$?
expect_eq "run ends on SIGTERM" 0 "$rc"
finish
