#!/usr/bin/env bash
# DNS results through both fetch transports, against a real Knot DNS on loopback:
#
#   fetch_test ──(in-process c-ares)──────────────────────┐
#   fetch_test ──socketpair── wgmesh-dnsfetch (sandboxed) ─┼──> knotd 127.0.0.1@PORT
#                                                         │     wg.example.com: fixture records,
#                                                         │       big (TCP only), multi, aonly, host
#                                                         │     broken.test: zone file missing (SERVFAIL)
#                                                         │     anything else: REFUSED
#                                                         └──> 127.0.0.1@PORT2: never answers
#
# Usage: dns_test.sh FETCH_TEST WGMESH_DNSFETCH   (env WGM_FIXTURES: the 1.0 fixture directory;
# KNOT_ADDR: where knotd listens, default 127.0.0.1)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/knot.sh"
. "$here/zone.sh"

fetch_test=$1
export WGM_DNSFETCH=$2
: "${WGM_FIXTURES:?set WGM_FIXTURES to the wgmesh-1.0-2node fixture directory}"

tmp=$(mktemp -d)
chmod 755 "$tmp"
silent_pid=
cleanup() {
	knot_stop
	if [ -n "$silent_pid" ]; then
		kill "$silent_pid" 2>/dev/null || true
		wait "$silent_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/../lib/assert.sh"

# An RRset of ~40 KB in 1.0's chunk form: the size of a big mesh's deploy record.
head -c 30000 /dev/urandom | base64 -w 76 | awk '{ print NR - 1 ":" $0 }' >"$tmp/big.txt"

zone=$tmp/wg.example.com.zone
zone_begin "$zone" wg.example.com
rec=$WGM_FIXTURES/records
zone_add_records "$zone" wg.example.com "$rec/wg.example.com.txt"
for f in "$rec"/*-*.wg.example.com.txt; do
	zone_add_records "$zone" "$(basename "$f" .txt)" "$f"
done
zone_add_records "$zone" big.wg.example.com "$tmp/big.txt"
zone_add "$zone" \
	'multi TXT "0:ab" "cd" "ef"' \
	'multi TXT "1:gh"' \
	'aonly A 192.0.2.20' \
	'host A 192.0.2.10' \
	'host AAAA 2001:db8::10'

KNOT_EXTRA_ZONES="broken.test=$tmp/does-not-exist.zone" \
	knot_start "$tmp/knot" wg.example.com "$zone"
case $KNOT_ADDR in
*:*) export WGM_DNS_SERVER="[$KNOT_ADDR]:$KNOT_PORT" ;;
*) export WGM_DNS_SERVER=$KNOT_ADDR:$KNOT_PORT ;;
esac
export WGM_BIG_RECORDS=$tmp/big.txt

# The big RRset must really be too big for UDP, or the test would not show TCP fallback.
tc=$(kdig @"$KNOT_ADDR" -p "$KNOT_PORT" +notcp +ignore +bufsize=1232 TXT big.wg.example.com |
	grep -c 'Flags:.* tc' || true)
[ "$tc" = 1 ] || die "expected big.wg.example.com to be truncated over UDP (tc flag), got no tc"
echo "big.wg.example.com: $(wc -l <"$tmp/big.txt") RRs, $(wc -c <"$tmp/big.txt") bytes, truncated over UDP"

# A UDP socket that never answers: the timeout case.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
' "$tmp/silent.port" &
silent_pid=$!
for _ in $(seq 1 100); do
	[ -s "$tmp/silent.port" ] && break
	kill -0 "$silent_pid" 2>/dev/null || die "silent UDP server exited"
	sleep 0.1
done
[ -s "$tmp/silent.port" ] || die "silent UDP server did not report its port"
export WGM_SILENT_SERVER=127.0.0.1:$(cat "$tmp/silent.port")

"$fetch_test"
