#!/usr/bin/env bash
# wgconfig refuses interface names that are not there (-i, -T) and a veth name (-o) that an
# existing interface of another kind holds: one line naming it, no host state written. (The
# trust interface found inside the private namespace after an up: tests/netmgr/preflight.sh.)
set -eu
. "$(dirname "$0")/lib.sh"

key=$(site_pub "$FIX/site/site.yaml")
mkdir "$T/node"
expect_bad_input "wgconfig -i with a typo" "$T" \
	"$WGCONFIG" --state-dir "$T/node" -l lab -P "$key" -i eth9x wg.example.com
expect_eq "-i: the message" "wgconfig: error: -i eth9x: no such interface on this host; give the public interface (see ip link)" "$FAILED_LINE"
expect_bad_input "wgconfig -T with a typo" "$T" \
	"$WGCONFIG" --state-dir "$T/node" -l lab -P "$key" -T lan9x wg.example.com
expect_eq "-T: the message" "wgconfig: error: -T lan9x: no such interface on this host nor in namespace lab; give the trust (LAN) interface (see ip link)" "$FAILED_LINE"
expect_bad_input "wgconfig -o naming an interface that is not a veth" "$T" \
	"$WGCONFIG" --state-dir "$T/node" -l lab -P "$key" -o lo wg.example.com
expect_eq "-o: the message" "wgconfig: error: -o lo: that is an existing interface, not a veth; -o names the veth wgmesh-net makes: give a free name" "$FAILED_LINE"

"$WGCONFIG" -q --state-dir "$T/node" -l lab -P "$key" -i lo -o ve-free9 wg.example.com
expect_eq "an existing -i and a free -o are written" "lo ve-free9" \
	"$(awk '/interface_public:/ {p=$2} /interface_outbound:/ {o=$2} END {print p, o}' "$T/node/wg.example.com.yaml")"
assert_exit
