#!/usr/bin/env bash
# Sites near and past what DNS can carry. A DNS message holds 65535 bytes, and 1.0's chunking
# spends one RR per 76 base64 characters: past about 200 hosts a deploy record in 1.0's layout
# fits in no answer. wgpub then writes that record with wide lines (248 characters, 3x fewer
# RRs; the reader joins parts whatever their length), which carries ~250 hosts. Past that,
# publishing to DNS fails with one clear line and changes nothing; record files (the non-DNS
# transport) are still written, with a warning.
set -eu
. "$(dirname "$0")/lib.sh"

# make_site FILE HOSTS NAME_PAD ENDPOINTS: hosts written straight into a site file (python3
# stands in for hundreds of wghost runs: the keys only need to be valid Curve25519 public keys
# for sealing).
make_site() {
	$WGSITE init "$1" --domain mesh.example.com --locus lab \
		--ipv6 fd42:7a3b:19c0::/48 --portbase 21000 --asn-range 64512:65000 >/dev/null
	python3 - "$@" <<'PY'
import base64, os, sys, uuid
path, hosts, pad, endpoints = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
text = open(path).read().replace("hosts: {}\n", "hosts:\n")
for i in range(1, hosts + 1):
    key = base64.b64encode(os.urandom(32)).decode()
    v4 = "".join(f"    - 198.51.{100 + e}.{i % 250 + 1}\n" for e in range(endpoints - 1))
    text += (f"  node{i:03d}{'x' * pad}.example.net:\n    asn: '{64511 + i}'\n"
             f"    local_ipv4:\n{v4}    local_ipv6:\n"
             f"    - 2001:db8::{i:x}\n    local_networks: ''\n    octet: '{i}'\n"
             f"    private_key_file: /etc/wireguard/lab_priv\n    public_key: {key}\n"
             f"    public_key_file: /etc/wireguard/lab_pub\n    uuid: {uuid.uuid4()}\n")
open(path, "w").write(text)
PY
}

# 240 hosts, two endpoints each: too big in 1.0's layout, fits with wide lines.
make_site "$T/big.yaml" 240 0 2
rc=0
$WGPUB --zone-file "$T/big.zone" "$T/big.yaml" 2>"$L/big.err" || rc=$?
expect_eq "a 240-host site publishes to a zone file" 0 "$rc"
expect_contains "saying, in one line, why its records use wide lines" "written with 248-character lines" "$(cat "$L/big.err")"
expect_eq "one notice, not one per record" 1 "$(grep -c "written with" "$L/big.err")"
longest=$(grep -o '"[0-9]*:[^"]*"' "$T/big.zone" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
expect_eq "the longest TXT string is a wide line (248 chars + index + quotes)" 1 "$([ "$longest" -gt 200 ] && [ "$longest" -le 257 ] && echo 1 || echo 0)"

# 255 hosts with long names and four endpoints each: too big for any DNS message.
make_site "$T/huge.yaml" 255 40 4
expect_bad_input "zone file of an oversized site" "$T" \
	$WGPUB --zone-file "$T/zone.txt" "$T/huge.yaml"
expect_contains "the error names the DNS message limit" "over the 65535-byte limit" \
	"$FAILED_LINE"

rc=0
$WGPUB --out-dir "$T/records" "$T/huge.yaml" 2>"$L/warn.err" || rc=$?
expect_eq "record files are still written" 0 "$rc"
expect_contains "with a warning" "too many hosts to publish through DNS" "$(cat "$L/warn.err")"
expect_eq "one file per host and one for the site" 256 "$(ls "$T/records" | wc -l)"
assert_exit
