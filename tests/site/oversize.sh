#!/usr/bin/env bash
# A site too big for DNS: 1.0's chunking needs one RR per 76 base64 characters, and a DNS
# message holds 65535 bytes, so past about 200 hosts a deploy record fits in no answer.
# Publishing such a record to DNS must fail with one clear line and change nothing; record
# files (the non-DNS transport) are still written, with a warning.
set -eu
. "$(dirname "$0")/lib.sh"

# 240 hosts written straight into a site file (python3 stands in for 240 wghost runs: the
# keys only need to be valid Curve25519 public keys for sealing).
$WGSITE init "$T/site.yaml" --domain mesh.example.com --locus lab \
	--ipv6 fd42:7a3b:19c0::/48 --portbase 21000 --asn-range 64512:65000 >/dev/null
python3 - "$T/site.yaml" <<'PY'
import base64, os, sys, uuid
path = sys.argv[1]
text = open(path).read().replace("hosts: {}\n", "hosts:\n")
for i in range(1, 241):
    key = base64.b64encode(os.urandom(32)).decode()
    text += (f"  node{i:03d}.example.net:\n    asn: '{64511 + i}'\n"
             f"    local_ipv4:\n    - 198.51.100.{i % 250 + 1}\n    local_ipv6:\n"
             f"    - 2001:db8::{i:x}\n    local_networks: ''\n    octet: '{i}'\n"
             f"    private_key_file: /etc/wireguard/lab_priv\n    public_key: {key}\n"
             f"    public_key_file: /etc/wireguard/lab_pub\n    uuid: {uuid.uuid4()}\n")
open(path, "w").write(text)
PY

expect_bad_input "zone file of an oversized site" "$T" \
	$WGPUB --zone-file "$T/zone.txt" "$T/site.yaml"
assert_contains "the error names the DNS message limit" "over the 65535-byte limit" \
	"$(cat "$L/bad.err")"

rc=0
$WGPUB --out-dir "$T/records" "$T/site.yaml" 2>"$L/warn.err" || rc=$?
assert_eq "record files are still written" 0 "$rc"
assert_contains "with a warning" "too many hosts to publish through DNS" "$(cat "$L/warn.err")"
assert_eq "one file per host and one for the site" 241 "$(ls "$T/records" | wc -l)"
