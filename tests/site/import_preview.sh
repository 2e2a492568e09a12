#!/usr/bin/env bash
# wgsite -i takes the line exactly as wghost prints it ("Message to Home: ..."), also with the
# quotes and blanks a paste brings. Before approving, `wgsite show MESSAGE FILE` (= -i MESSAGE
# --dry-run) shows host name, uuid, endpoints and the key fingerprint wghost printed on the
# node, and what an import would do, changing nothing.
set -eu
. "$(dirname "$0")/lib.sh"

site=$T/site/mesh.yaml
mkdir "$T/site"
"$WGSITE" init "$site" --domain mesh.example.com --locus lab --ipv6 fd00:1234:5678::/48 >/dev/null
pub=$(site_pub "$site")
"$WGCONFIG" -q --state-dir "$T/n1" -l lab -P "$pub" mesh.example.com
line=$("$WGHOST" --state-dir "$T/n1" -h n1.example.net -a 192.0.2.1 -a 2001:db8::1 mesh.example.com 2>"$T/wghost.err")
fp=$(sed -n 's/^wghost: host key fingerprint \(SHA256:[A-Za-z0-9+/]*\): .*/\1/p' "$T/wghost.err")
expect_match "wghost prints the key fingerprint" '^SHA256:[A-Za-z0-9+/]{43}$' "$fp"
uuid=$(sed -n 's/^  uuid: //p' "$T/n1/mesh.example.com.yaml")

before=$(snapshot "$T/site")
want="Registration for site mesh.example.com:
  hostname:    n1.example.net
  uuid:        $uuid
  endpoints:   192.0.2.1,2001:db8::1
  host key:    $(cat "$T/n1/lab_pub")
  fingerprint: $fp (wghost printed it on the node)
Would import new host n1.example.net (uuid $uuid): octet 1, ASN 64512.
Nothing changed (dry run); to approve: wgsite -i MESSAGE $site"
expect_eq "show: who is asking, what an import would do" "$want" "$("$WGSITE" show "$line" "$site")"
expect_eq "-i --dry-run says the same" "$want" "$("$WGSITE" -i "$line" --dry-run "$site")"
expect_eq "the preview changes nothing" "$before" "$(snapshot "$T/site")"
expect_bad_input "show of a garbled message" "$T/site" "$WGSITE" show "Message to Home: cHVibGlj" "$site"

# the line as wghost printed it, pasted with quotes, blanks and a line break
out=$("$WGSITE" -i " '$line'
" "$site")
expect_match "the whole pasted line imports" "^Imported new host n1.example.net \(uuid $uuid\): octet 1, ASN 64512\.$" "$(head -n1 <<<"$out")"
expect_eq "imported host's key" "$(cat "$T/n1/lab_pub")" "$(host_field "$site" n1.example.net public_key)"

# an update previewed: the changed field, nothing written
line2=$("$WGHOST" -q --state-dir "$T/n1" -h n1.example.net -a 203.0.113.1 mesh.example.com)
before=$(snapshot "$T/site")
out=$("$WGSITE" show "$line2" "$site")
expect_contains "show of an update names the change" "  local_ipv4: '192.0.2.1' -> '203.0.113.1'" "$out"
expect_contains "show of an update says it would" "Would update host n1.example.net (uuid $uuid, octet 1, ASN 64512):" "$out"
expect_eq "the update preview changes nothing" "$before" "$(snapshot "$T/site")"

# A forged registration: n1's uuid, a fresh key, and terminal controls in public_key_file that
# would erase the "public_key: old -> new" line above them on a terminal.
FORGE=$WGM_BUILD/tests/site/forge_registration
evil=$(printf '/etc/wireguard/lab_pub\r\033[2K\033[1A\033[2K  local_ipv4: unchanged')
forged=$("$FORGE" "$pub" "$uuid" n1.example.net 192.0.2.1 "$evil")
before=$(snapshot "$T/site")
"$WGSITE" show "$forged" "$site" >"$L/forged.out" 2>"$L/forged.err"
out=$(cat "$L/forged.out" "$L/forged.err")
if LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d '\n' <<<"$out"); then
	fail "show of a forged registration printed a control byte: $(cat -v <<<"$out")"
else
	pass "show of a forged registration prints no control byte"
fi
expect_match "show of a forged registration: the key change is visible" "^  public_key: '$(cat "$T/n1/lab_pub" | sed 's/[+/]/./g')' -> '" "$out"
expect_contains "show of a forged registration: the control bytes shown escaped" "lab_pub\\x0d\\x1b[2K\\x1b[1A\\x1b[2K  local_ipv4: unchanged'" "$out"
expect_contains "show of a forged registration: warns of the new key" "gives n1.example.net (uuid $uuid) a new host key" "$out"
expect_contains "show of a forged registration: says -i would refuse it" "It would be refused: public_key_file holds a control byte." "$out"
expect_eq "the forged preview changes nothing" "$before" "$(snapshot "$T/site")"
expect_bad_input "import of a forged registration" "$T/site" "$WGSITE" -i "$forged" "$site"
expect_contains "import of a forged registration names the field" "public_key_file holds a control byte" "$FAILED_LINE"
assert_exit
