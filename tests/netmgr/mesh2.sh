#!/usr/bin/env bash
# Two nodes from the wgmesh 1.0 fixture records (a 1.0 controller's data): apply, pings over
# the tunnel, a no-op re-apply that changes nothing, verify, and down giving everything back.
source "$(dirname "$0")/lib.sh"

make_internet
make_node alpha 192.0.2.10 10.20.1.1/24
make_node beta 198.51.100.20 10.20.2.1/24
host_state alpha wg.example.com $A_UUID n1lab 10.20.1.1/24 "$H/alpha.example.net/etc-wireguard" "$SITEKEY"
host_state beta wg.example.com $B_UUID n2lab 10.20.2.1/24 "$H/beta.example.net/etc-wireguard" "$SITEKEY"
before_alpha=$(snapshot alpha)

# --dry-run changes nothing
out=$(net alpha --dry-run apply "$R/$A_UUID.wg.example.com.txt")
expect_contains "dry run lists the namespace" "would create namespace n1lab" "$out"
expect_eq "dry run leaves the underlay" "$before_alpha" "$(snapshot alpha)"

# (stderr goes to a file: the wireguard-go daemons keep it open)
net alpha apply "$R/$A_UUID.wg.example.com.txt" >"$T/out" 2>"$T/err" || fail "apply on alpha: $(cat "$T/err")"
net beta apply "$R/$B_UUID.wg.example.com.txt" >"$T/out" 2>"$T/err" || fail "apply on beta: $(cat "$T/err")"
expect_contains "a 1.0 record (no serial) is accepted with a warning" "no serial" "$(cat "$T/err")"

# the private namespaces exist the iproute2 way
expect_eq "alpha's namespace" "n1lab" "$(ip netns list | awk '$1 == "n1lab" {print $1}')"
expect_eq "trust interface moved in with its address" "10.20.1.1/24" \
	"$(ip -n n1lab -4 -o addr show dev lan0 | awk '{print $4}')"
expect_eq "veth addressed (underlay)" "169.254.1.1/24" "$(ip -n alpha -4 -o addr show dev ve-lab | awk '{print $4}')"
expect_eq "veth addressed (private)" "169.254.1.2/24" "$(ip -n n1lab -4 -o addr show dev vi-lab | awk '{print $4}')"
expect_eq "route halves" "0.0.0.0/1 via 169.254.1.1 dev vi-lab|128.0.0.0/1 via 169.254.1.1 dev vi-lab" \
	"$(ip -n n1lab route show | grep '/1 ' | sed 's/ *$//' | paste -sd'|')"
expect_eq "forwarding on in the private namespace" "1" "$(ip netns exec n1lab cat /proc/sys/net/ipv4/ip_forward)"
expect_eq "wg2 in alpha's namespace" "wg2" "$(ip -n n1lab -o link show wg2 | awk -F': ' '{print $2}')"
expect_eq "wg2 tunnel address" "fd42:7a3b:19c0:201::1/64" "$(ip -n n1lab -6 -o addr show dev wg2 scope global | awk '{print $4}')"
expect_eq "wg2's UDP socket stays in the underlay" "yes" "$(ip netns exec alpha ss -Hlun 'sport = :31002' | grep -q . && echo yes)"

wait_for 20 "alpha pings beta over the tunnel" pings n1lab fd42:7a3b:19c0:201::2
wait_for 20 "beta pings alpha over the tunnel" pings n2lab fd42:7a3b:19c0:201::1

# no-op re-apply: same ifindexes, no link events, handshake kept
links_before=$(ip -n n1lab -o link show | awk -F': ' '{print $1, $2}' | sed 's/@.*//')
hs_before=$(wg_show alpha n1lab wg2 latest-handshakes)
expect_contains "wg show reads wg2's peer" "$(cat "$H/beta.example.net/etc-wireguard/lab_pub")" "$hs_before"
ip -n n1lab monitor link >"$T/mon-priv" 2>&1 & mon1=$!
ip -n alpha monitor link >"$T/mon-under" 2>&1 & mon2=$!
sleep 0.5 # let the monitors subscribe: they print nothing when nothing happens
out=$(net alpha apply "$R/$A_UUID.wg.example.com.txt" 2>>"$T/err")
sleep 0.5
kill "$mon1" "$mon2"; wait "$mon1" "$mon2" 2>/dev/null || true
expect_eq "re-apply reports zero changes" "0 changes" "$out"
expect_eq "no link events in the private namespace" "" "$(cat "$T/mon-priv")"
expect_eq "no link events in the underlay" "" "$(cat "$T/mon-under")"
expect_eq "same ifindexes" "$links_before" "$(ip -n n1lab -o link show | awk -F': ' '{print $1, $2}' | sed 's/@.*//')"
expect_eq "handshake time unchanged" "$hs_before" "$(wg_show alpha n1lab wg2 latest-handshakes)"

# verify: no BIRD runs here (routing.sh has it), so broken and saying so; then other broken
# checks are caught
json=$(net alpha verify --json wg.example.com) && rc=0 || rc=$?
expect_eq "verify exit code without BIRD" 2 "$rc"
expect_contains "verify --json names BIRD" '"check": "bird", "result": "broken"' "$json"
expect_contains "verify --json lists the WireGuard check" '"check": "wg2 up", "result": "ok"' "$json"
ip netns exec n1lab sysctl -qw net.ipv4.ip_forward=0
json=$(net alpha verify --json wg.example.com) && rc=0 || rc=$?
expect_eq "verify exit code with forwarding off" 2 "$rc"
expect_contains "verify names forwarding" '"check": "forwarding private ipv4", "result": "broken"' "$json"
ip netns exec n1lab sysctl -qw net.ipv4.ip_forward=1
ip -n n1lab link set wg2 down
json=$(net alpha verify --json wg.example.com) && rc=0 || rc=$?
expect_eq "verify exit code with wg2 down" 2 "$rc"
expect_contains "verify names the link" '"check": "wg2 up", "result": "broken"' "$json"
# and apply repairs what it finds wrong
out=$(net alpha apply "$R/$A_UUID.wg.example.com.txt" 2>>"$T/err")
# (a link set down loses its IPv6 addresses: the address comes back too)
expect_eq "apply repairs wg2 (up, address)" "2 changes" "$out"
expect_contains "wg2 is up again" ",UP" "$(ip -n n1lab link show wg2)"
out=$(net alpha status wg.example.com)
expect_contains "status shows the peer's endpoint" "endpoint 198.51.100.20:31001" "$out"

# down gives everything back
net alpha down wg.example.com >"$T/out" 2>"$T/err" || fail "down on alpha: $(cat "$T/err")"
expect_eq "down leaves alpha's underlay as found" "$before_alpha" "$(snapshot alpha)"
expect_eq "alpha's namespace is gone" "" "$(ip netns list | awk '$1 == "n1lab"')"
expect_eq "no wireguard-go left for alpha" "" "$(ls "$T/alpha/wgrun" | grep -x wg2.sock || true)"
finish
