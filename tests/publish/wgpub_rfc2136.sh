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
failures=0
expect_eq() {
	if [ "$2" != "$3" ]; then echo "FAIL: $1: expected [$2], got [$3]" >&2; failures=$((failures + 1)); else echo "ok: $1"; fi
}

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
out=$("$build/site/wgpub" --rfc2136 "$KNOT_ADDR:$KNOT_PORT" --tsig-key "$work/wrong.key" "$work/site.yaml" 2>&1) &&
	{ echo "FAIL: wgpub accepted a wrong TSIG key" >&2; failures=$((failures + 1)); }
case $out in
*BADSIG*"$KNOT_ADDR:$KNOT_PORT"* | *"$KNOT_ADDR:$KNOT_PORT"*BADSIG*) echo "ok: wrong key: $out" ;;
*) echo "FAIL: wrong key message: $out" >&2; failures=$((failures + 1)) ;;
esac
expect_eq "nothing published with a wrong key" "" "$(txt_of "$domain")"

"$build/site/wgpub" -q --rfc2136 "$KNOT_ADDR:$KNOT_PORT" --tsig-key "$work/tsig.key" "$work/site.yaml"
mkdir "$work/out"
"$build/site/wgpub" -q --out-dir "$work/out" "$work/site.yaml"
expect_eq "site record in DNS = wgpub --out-dir's" "$(sort "$work/out/$domain.txt")" "$(txt_of "$domain")"
[ "$failures" -eq 0 ] || exit 1
echo "all wgpub --rfc2136 checks passed"
