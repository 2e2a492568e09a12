#!/usr/bin/env bash
# wgsite rotate-key, the controller's half of a site-key rollover (docs/operating.md#site-key-rollover):
# the successor key beside the site key (0600), the handover wgpub publishes (the site record
# announces nextkey, every record opens with the old key and carries the new key's seal), a
# second rotation or an early --retire refused in one line with nothing changed, --retire
# (the old key file wiped, records open with the new key only), --revoke, and the replacement
# after a revocation; wgconfig --repin on the node.
set -eu
. "$(dirname "$0")/lib.sh"

site=$T/site/mesh.yaml
mkdir "$T/site"
"$WGSITE" init "$site" --domain mesh.example.com --locus lab --ipv6 fd00:1234:5678::/48 \
	--portbase 21100 >/dev/null
old=$(site_pub "$site")
for n in n1 n2; do
	msg=$(register_host "$site" "$T/$n" "$n.example.net" 192.0.2.${n#n})
	"$WGSITE" -i "$msg" "$site" >/dev/null
done
uuid1=$(host_field "$site" n1.example.net uuid)
oldkey=$(cat "$T/site/mesh.key")

out=$("$WGSITE" rotate-key "$site")
new=$(sed -n 's/^  next_publickey: //p' "$site")
expect_contains "rotate-key names both keys" "site-key handover: $old -> $new" "$out"
expect_eq "the new key beside the old, 0600" 600 "$(stat -c %a "$T/site/mesh.key.next")"
expect_match "the handover's time in the site file" "^  next_since: '[0-9]+'$" "$(grep next_since "$site")"

expect_bad_input "a second rotation before the first is retired" "$T/site" \
	"$WGSITE" rotate-key "$site"
expect_contains "... says which handover is pending" "handover to $new is pending" "$FAILED_LINE"
expect_bad_input "--retire before the hold-down" "$T/site" "$WGSITE" rotate-key --retire "$site"
expect_bad_input "--retire and --revoke together" "$T/site" \
	"$WGSITE" rotate-key --retire --revoke "$site"
expect_bad_input "--hold-down without --retire" "$T/site" \
	"$WGSITE" rotate-key --hold-down 5 "$site"
expect_bad_input "--retire on another command" "$T/site" "$WGSITE" list --retire "$site"

"$WGPUB" --serial 100 --out-dir "$T/out" "$site"
python3 - "$T/out/mesh.example.com.txt" "$new" <<'PY'
import base64, sys
lines = [l.strip() for l in open(sys.argv[1]) if l.strip()]
parts = sorted((int(l.split(":", 1)[0]), l.split(":", 1)[1]) for l in lines)
text = base64.b64decode("".join(p for _, p in parts)).decode()
assert "nextkey: " + sys.argv[2] in text, text
PY
echo "ok: the site record announces nextkey"
rec1=$T/out/$uuid1.mesh.example.com.txt
plan=$("$DEPLOY_CHECK" "$rec1" "$T/n1/lab_priv" "$old" "$T/n1/mesh.example.com.yaml")
expect_match "during the handover the record opens with the old key (1.0 nodes, nodes not pinned yet)" "^site mesh.example.com octet 1" "$plan"
if "$DEPLOY_CHECK" "$rec1" "$T/n1/lab_priv" "$new" "$T/n1/mesh.example.com.yaml" >/dev/null 2>&1; then
	fail "the handover record opened with the new key as its outer box"
fi
echo "ok: its outer box is the old key's (the new key seals it inside)"

# A node that already pinned the new key registers again during the handover: its message is
# sealed to the new key, and the site reads it.
"$WGCONFIG" -q --state-dir "$T/n2" --repin -l lab -P "$new" mesh.example.com >/dev/null
msg=$("$WGHOST" -q --state-dir "$T/n2" -h n2.example.net -a 192.0.2.22 mesh.example.com |
	sed -n 's/^Message to Home: //p')
"$WGSITE" -i "$msg" "$site" >/dev/null
expect_eq "a registration sealed to the new key is read during the handover" 192.0.2.22 \
	"$(host_field "$site" n2.example.net local_ipv4)"

out=$("$WGSITE" rotate-key --retire --hold-down 0 "$site")
expect_contains "--retire names both keys" "site key $old retired" "$out"
expect_eq "the site key is the new one" "$new" "$(site_pub "$site")"
expect_eq "no handover left in the site file" "" "$(grep -E 'next_|revoked' "$site" || true)"
[ ! -e "$T/site/mesh.key.next" ] || fail "mesh.key.next still there after --retire"
[ "$(cat "$T/site/mesh.key")" != "$oldkey" ] || fail "the old site key is still in mesh.key"
expect_eq "the site key file stays 0600" 600 "$(stat -c %a "$T/site/mesh.key")"
grep -rqF "$oldkey" "$T/site" && fail "the old private key is still somewhere under site/"
echo "ok: the old private key is gone from the site directory"
rm -rf "$T/out"
"$WGPUB" --serial 101 --out-dir "$T/out" "$site"
"$DEPLOY_CHECK" "$rec1" "$T/n1/lab_priv" "$new" "$T/n1/mesh.example.com.yaml" >/dev/null
echo "ok: after --retire the record opens with the new key"
if "$DEPLOY_CHECK" "$rec1" "$T/n1/lab_priv" "$old" "$T/n1/mesh.example.com.yaml" >/dev/null 2>&1; then
	fail "after --retire a record still opened with the old key"
fi
echo "ok: ... and no longer with the old one"

out=$("$WGSITE" rotate-key --revoke "$site")
expect_contains "--revoke names the key" "site key $new revoked" "$out"
expect_match "the revocation in the site file" "^  revoked: '[0-9]+'$" "$(grep revoked "$site")"
expect_bad_input "a second --revoke" "$T/site" "$WGSITE" rotate-key --revoke "$site"
expect_bad_input "--retire with nothing pending" "$T/site" \
	"$WGSITE" rotate-key --retire --hold-down 0 "$site"
out=$("$WGSITE" rotate-key "$site")
repl=$(site_pub "$site")
expect_contains "a revoked key is replaced outright" "replaced by $repl" "$out"
expect_contains "... to be pinned by hand" "wgconfig --repin -l lab -P $repl mesh.example.com" "$out"
expect_eq "no handover and no revocation left" "" "$(grep -E 'next_|revoked' "$site" || true)"

# The node: DNS never replaces a pinned key, --repin with the key typed in does, and keeps the uuid.
uuid_before=$(sed -n 's/^  uuid: //p' "$T/n1/mesh.example.com.yaml")
echo "pending_key: $new" >"$T/n1/mesh.example.com.sitekey"
expect_bad_input "--repin without -P" "$T/n1" "$WGCONFIG" --state-dir "$T/n1" --repin mesh.example.com
"$WGCONFIG" -q --state-dir "$T/n1" --repin -l lab -P "$repl" mesh.example.com >/dev/null
expect_eq "--repin pins the key" "$repl" "$(sed -n 's/^  public_key: //p' "$T/n1/mesh.example.com.yaml")"
expect_eq "--repin keeps the uuid" "$uuid_before" "$(sed -n 's/^  uuid: //p' "$T/n1/mesh.example.com.yaml")"
[ ! -e "$T/n1/mesh.example.com.sitekey" ] || fail "--repin left the rollover state behind"
echo "ok: --repin starts the rollover state afresh"
"$WGCONFIG" -q --state-dir "$T/n1" --hold-down 3600 -l lab -P "$repl" mesh.example.com >/dev/null
expect_match "--hold-down in the host state" "^  hold_down: '?3600'?$" "$(grep hold_down "$T/n1/mesh.example.com.yaml")"
expect_bad_input "--hold-down not a number" "$T/n1" \
	"$WGCONFIG" --state-dir "$T/n1" --hold-down 1h -l lab -P "$repl" mesh.example.com
assert_exit
