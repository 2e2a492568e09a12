#!/usr/bin/env bash
# `wgpub --rfc2136 --tsig-key` end to end against a real knotd on loopback: the records in the
# zone are exactly what `wgpub --out-dir` renders (site record and host records), and a wrong
# key changes nothing and says why in one line.
# Usage: wgpub_rfc2136.sh BUILD_DIR
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/knot.sh"
work=$(mktemp -d)
cleanup() {
	knot_stop
	rm -rf "$work"
}
trap cleanup EXIT
. "$here/../lib/assert.sh"

domain=pub.example.com
secret=$(head -c 32 /dev/urandom | base64)
printf '$ORIGIN %s.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.53\n' "$domain" >"$work/zone"
knot_start "$work/knot" "$domain" "$work/zone" pub-key "$secret"
printf 'hmac-sha256:pub-key:%s\n' "$secret" >"$work/tsig.key"
printf 'hmac-sha256:pub-key:%s\n' "$(head -c 32 /dev/urandom | base64)" >"$work/wrong.key"
chmod 600 "$work"/*.key
"$build/site/wgsite" init "$work/site.yaml" --domain "$domain" --locus pub >/dev/null

txt_of() {
	kdig @"$KNOT_ADDR" -p "$KNOT_PORT" +tcp +short TXT "$1" | sed 's/^"//; s/"$//' | sort
}
expect_fails_naming "a wrong TSIG key is refused, naming BADSIG" BADSIG \
	"$build/site/wgpub" --rfc2136 "$KNOT_ADDR:$KNOT_PORT" --tsig-key "$work/wrong.key" "$work/site.yaml"
expect_contains "the refusal names the server" "$KNOT_ADDR:$KNOT_PORT" "$FAILED_LINE"
expect_eq "nothing published with a wrong key" "" "$(txt_of "$domain")"

"$build/site/wgpub" -q --rfc2136 "$KNOT_ADDR:$KNOT_PORT" --tsig-key "$work/tsig.key" "$work/site.yaml"
mkdir "$work/out"
"$build/site/wgpub" -q --out-dir "$work/out" "$work/site.yaml"
expect_eq "site record in DNS = wgpub --out-dir's" "$(sort "$work/out/$domain.txt")" "$(txt_of "$domain")"
assert_exit
