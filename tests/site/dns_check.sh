#!/usr/bin/env bash
# The DNS side of the site commands against a real knotd on loopback: wgsite FILE says what to
# publish until the site record is right, then "DNS Records OK"; wgconfig pins the key it
# finds and refuses a changed one; remove --purge waits until the host's record is gone.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/knot.sh"
trap 'knot_stop; cleanup' EXIT

domain=wg.example.com
S=$T/site
mkdir "$S"
cp "$FIX/site/site.yaml" "$S/site.yaml"
cp "$FIX/site/site.key" "$S/site.key"
chmod 0600 "$S/site.key"
sitepub=$(site_pub "$S/site.yaml")

# serve ZONE_FRAGMENT...: restart knotd with the base zone plus the given record lines.
serve() {
	knot_stop
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$domain"
		printf '@ SOA ns admin 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n'
		cat "$@" </dev/null
	} >"$T/zone"
	rm -rf "$T/knot"
	knot_start "$T/knot" "$domain" "$T/zone"
	dns=$KNOT_ADDR:$KNOT_PORT
}

serve
rc=0
"$WGSITE" "$S/site.yaml" --dns "$dns" >"$T/check.out" 2>/dev/null || rc=$?
expect_eq "missing site record -> exit 2" 2 "$rc"
diff -u "$FIX/ref/wgsite-activation.txt" "$T/check.out" || fail "missing record: not 1.0's activation text"
echo "ok: missing site record -> 1.0's activation text"
expect_bad_input "wgconfig without a site record" "$T" "$WGCONFIG" --state-dir "$T/node" --dns "$dns" "$domain"

"$WGPUB" --serial 5 --zone-file "$T/all.zone" "$S/site.yaml"
serve "$T/all.zone"
out=$("$WGSITE" "$S/site.yaml" --dns "$dns")
expect_eq "published site record -> OK" "$(printf 'Site: %s\n\n  Check:\n\n    DNS Records OK' "$domain")" "$out"

# wgconfig (root) asks DNS through the sandboxed wgmesh-dnsfetch, not in its own process.
expect_bad_input "wgconfig without its DNS fetcher" "$T" env WGM_DNSFETCH=/nonexistent/wgmesh-dnsfetch "$WGCONFIG" --state-dir "$T/node" --dns "$dns" "$domain"
expect_contains "the refusal names the fetcher" "cannot start the DNS fetcher /nonexistent/wgmesh-dnsfetch" "$FAILED_LINE"
"$WGCONFIG" -q --state-dir "$T/node" --dns "$dns" -i lo "$domain"
expect_eq "wgconfig pinned the key from DNS" "$sitepub" "$(sed -n 's/^  public_key: //p' "$T/node/$domain.yaml")"
expect_eq "wgconfig took the locus from DNS" "lab" "$(sed -n 's/^  locus: //p' "$T/node/$domain.yaml")"

# A site-key handover in DNS that this site file did not make (someone holding a copy of the
# key ran rotate-key): wgsite names it and says to revoke; the site's own handover checks OK.
mkdir "$T/copy"
cp "$S/site.yaml" "$S/site.key" "$T/copy/"
"$WGSITE" rotate-key "$T/copy/site.yaml" >/dev/null
"$WGPUB" --serial 5 --zone-file "$T/copy.zone" "$T/copy/site.yaml"
serve "$T/copy.zone"
rc=0
"$WGSITE" "$S/site.yaml" --dns "$dns" >/dev/null 2>"$T/check.err" || rc=$?
expect_eq "a handover this file did not make -> exit 2" 2 "$rc"
expect_contains "... named, with the fix" "that $S/site.yaml did not make" "$(cat "$T/check.err")"
expect_contains "... revoke" "wgsite rotate-key --revoke" "$(cat "$T/check.err")"
out=$("$WGSITE" "$T/copy/site.yaml" --dns "$dns")
expect_contains "the site's own handover in DNS -> OK" "DNS Records OK" "$out"
serve "$T/all.zone"

# Another site key in DNS: wgsite says so, wgconfig refuses and keeps the pin.
mkdir "$T/other"
"$WGSITE" init "$T/other/o.yaml" --domain "$domain" --locus lab >/dev/null
"$WGPUB" --serial 6 --zone-file "$T/other.zone" "$T/other/o.yaml"
serve "$T/other.zone"
rc=0
out=$("$WGSITE" "$S/site.yaml" --dns "$dns" 2>/dev/null) || rc=$?
expect_match "wrong key in DNS -> incorrect" "DNS Records Incorrect" "$out"
expect_eq "wrong key in DNS -> exit 2" 2 "$rc"
expect_bad_input "wgconfig refuses a changed site key" "$T" "$WGCONFIG" --state-dir "$T/node" --dns "$dns" "$domain"
expect_contains "the refusal names the pin" "pins $sitepub" "$FAILED_LINE"

# The same site key but another locus in DNS (it names the namespace, the veth, the BIRD and
# nft files): wgconfig refuses it and keeps the pin; only the operator's -l changes it.
mkdir "$T/moved"
cp "$S/site.key" "$T/moved/site.key"
sed 's/^  locus: .*/  locus: evil/' "$S/site.yaml" >"$T/moved/site.yaml"
"$WGPUB" --serial 6 --zone-file "$T/moved.zone" "$T/moved/site.yaml"
serve "$T/moved.zone"
expect_bad_input "wgconfig refuses a locus changed in DNS" "$T/node" "$WGCONFIG" --state-dir "$T/node" --dns "$dns" "$domain"
expect_contains "the refusal names both loci and the way to change it" "site $domain now says locus 'evil' but $T/node/$domain.yaml pins 'lab'" "$FAILED_LINE"
expect_contains "the refusal says how to change it" "wgconfig -l evil -P $sitepub" "$FAILED_LINE"
"$WGCONFIG" --state-dir "$T/node" -l evil -P "$sitepub" "$domain" >/dev/null 2>"$T/repin.err"
expect_eq "-l changes the pinned locus" evil "$(sed -n 's/^  locus: //p' "$T/node/$domain.yaml")"
expect_contains "-l says it changed the locus" "locus of $domain changed from 'lab' to 'evil'" "$(cat "$T/repin.err")"

# remove --purge: refused while <uuid>.<domain> answers, done once it is gone.
"$WGSITE" remove alpha.example.net "$S/site.yaml" >/dev/null
serve "$T/all.zone"
expect_bad_input "purge while the record answers" "$T" "$WGSITE" remove --purge alpha.example.net "$S/site.yaml" --dns "$dns"
"$WGPUB" --serial 7 --zone-file "$T/after.zone" "$S/site.yaml"
grep -q '^; removed host: 6fc94b76' "$T/after.zone" || fail "zone fragment does not mention the removed host"
serve "$T/after.zone"
"$WGSITE" remove --purge alpha.example.net "$S/site.yaml" --dns "$dns" >/dev/null
expect_eq "purged host is gone" "" "$("$WGSITE" list "$S/site.yaml" | grep '^alpha' || true)"

# wgpub --rfc2136: the site record and every host record go to knotd by TSIG-signed update;
# a removed host's record is deleted there.
cp "$FIX/site/site.yaml" "$S/site.yaml"
secret=$(head -c 32 /dev/urandom | base64)
echo "hmac-sha256:wgpub-test:$secret" >"$T/tsig.key"
knot_stop
rm -rf "$T/knot"
printf '$ORIGIN %s.\n$TTL 300\n@ SOA ns admin 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n' "$domain" >"$T/zone"
knot_start "$T/knot" "$domain" "$T/zone" wgpub-test "$secret"
dns=$KNOT_ADDR:$KNOT_PORT
"$WGPUB" -q --serial 8 --rfc2136 "$dns" --tsig-key "$T/tsig.key" "$S/site.yaml"
out=$("$WGSITE" "$S/site.yaml" --dns "$dns")
expect_contains "site record published by RFC 2136" "DNS Records OK" "$out"
alpha=6fc94b76-f857-4dce-942c-47df480cdda3.$domain
n=$(kdig @"$KNOT_ADDR" -p "$KNOT_PORT" +tcp +short TXT "$alpha" | wc -l)
[ "$n" -gt 0 ] || fail "no TXT $alpha after wgpub --rfc2136"
echo "ok: $alpha has $n TXT strings"
"$WGSITE" remove alpha.example.net "$S/site.yaml" >/dev/null
"$WGPUB" -q --serial 9 --rfc2136 "$dns" --tsig-key "$T/tsig.key" "$S/site.yaml"
expect_eq "removed host's record deleted by wgpub" "" "$(kdig @"$KNOT_ADDR" -p "$KNOT_PORT" +tcp +short TXT "$alpha")"
"$WGSITE" remove --purge alpha.example.net "$S/site.yaml" --dns "$dns" >/dev/null
echo "ok: purge allowed once the record is gone"
assert_exit
