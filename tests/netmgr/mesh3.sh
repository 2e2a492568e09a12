#!/usr/bin/env bash
# Three nodes whose deploy data comes from our own site commands (wgsite, wgconfig, wghost,
# wgpub --out-dir): pings across every tunnel; a node joining adds one device on the others
# and touches nothing else; a node leaving removes only its device; a replayed older record
# is refused.
source "$(dirname "$0")/lib.sh"
S=$WGM_BUILD/site
D=mesh.test

site_init

make_internet
# register NODE ADDR OCTET: the node's side (wgconfig, wghost) and the site's import
register() {
	local n=$1 addr=$2 o=$3
	make_node "$n" "$addr" "10.30.$o.1/24"
	echo $D >"$T/$n/.domain"
	in_node "$n" "$S/wgconfig" -q -l lab -P "$SITEKEY" -i eth0 -T lan0 -I "10.30.$o.1/24" --firewall nftables \
		--netns "${n}lab" --state-dir "$T/$n" $D
	msg=$("$S/wghost" -q -a "$addr" -h "$n" --state-dir "$T/$n" $D | awk '{print $NF}')
	(cd "$T/site" && "$S/wgsite" -q -i "$msg" site.yaml)
}
publish() { # SERIAL -> record directory
	(cd "$T/site" && "$S/wgpub" -q --out-dir "$T/rec$1" --serial "$1" site.yaml)
}
uuid_of() { awk '/uuid:/ {print $2}' "$T/$1/$D.yaml"; }
apply() { # NODE SERIAL
	net "$1" apply "$T/rec$2/$(uuid_of "$1").$D.txt" >"$T/out" 2>"$T/err" ||
		fail "apply on $1 (serial $2): $(cat "$T/err")"
	cat "$T/out"
}
ifindex() { ip -n "$1" -o link show "$2" | cut -d: -f1; }
handshake() { # NODE DEV -> its peer's handshake time; fails when there is none to compare
	local hs
	hs=$(wg_show "$1" "$1lab" "$2" latest-handshakes | awk '{print $2}')
	[ -n "$hs" ] && [ "$hs" != 0 ] || { echo "FAIL: no handshake read from $1's $2" >&2; return 1; }
	echo "$hs"
}
ping_all() { # NODE:NETNS:OCTET ... : every node pings every other over their link
	local a b ns oa ob hi lo addr
	for a in "$@"; do for b in "$@"; do
		[ "$a" = "$b" ] && continue
		ns=${a#*:}; ns=${ns%:*}; oa=${a##*:}; ob=${b##*:}
		if [ "$oa" -gt "$ob" ]; then hi=$oa lo=$ob; else hi=$ob lo=$oa; fi
		addr=fd86:ea04:1116:$(printf '%02x%02x' "$hi" "$lo")::$ob
		wait_for 20 "${a%%:*} pings $addr" pings "$ns" "$addr"
	done; done
}

register n1 192.0.2.11 1
register n2 198.51.100.12 2
publish 100
apply n1 100 >/dev/null
apply n2 100 >/dev/null
ping_all n1:n1lab:1 n2:n2lab:2

# n3 joins: n1 and n2 each get one new device and nothing else changes
register n3 203.0.113.13 3
publish 200
idx=$(ifindex n1lab wg2); hs=$(handshake n1 wg2)
ip -n n1lab monitor link >"$T/mon" 2>&1 & mon=$!
sleep 0.5
out=$(apply n1 200)
sleep 0.5
kill "$mon"; wait "$mon" 2>/dev/null || true
expect_eq "n1 builds only wg3 (create, address, up)" "3 changes" "$out"
expect_eq "link events on n1 only for wg3" "" "$(grep -v 'wg3' "$T/mon" | grep -E '^[0-9]+:' || true)"
expect_eq "n1's wg2 kept its ifindex" "$idx" "$(ifindex n1lab wg2)"
expect_eq "n1's wg2 kept its handshake" "$hs" "$(handshake n1 wg2)"
apply n2 200 >/dev/null
apply n3 200 >/dev/null
ping_all n1:n1lab:1 n2:n2lab:2 n3:n3lab:3

# n3 leaves: n1 loses only wg3
(cd "$T/site" && "$S/wgsite" -q remove n3 site.yaml)
publish 300
idx=$(ifindex n1lab wg2); hs=$(handshake n1 wg2)
out=$(apply n1 300)
expect_eq "n1 removes only wg3" "1 change" "$out"
expect_eq "wg3 is gone from n1" "" "$(ip -n n1lab -o link show | grep -o 'wg3' || true)"
expect_eq "n1's wg2 untouched by the removal" "$idx $hs" "$(ifindex n1lab wg2) $(handshake n1 wg2)"
ping_all n1:n1lab:1 n2:n2lab:2

# the serial-200 record again (a replay): refused, n1 as it was
before=$(node_state n1 n1lab)
net n1 apply "$T/rec200/$(uuid_of n1).$D.txt" >"$T/out" 2>"$T/err" && fail "a replayed record was applied"
expect_contains "replay refused with the reason" "older than the applied 300" "$(cat "$T/err")"
expect_eq "replay changed nothing" "$before" "$(node_state n1 n1lab)"
finish
