#!/usr/bin/env bash
# RFC 2136 publishing against a real knotd on loopback: sets are replaced (not appended),
# names deleted, a site domain inside a parent zone works, and a wrong or unknown TSIG key is
# refused with one clear line and the zone unchanged.
# Usage: rfc2136.sh PUBLISH_TOOL
set -eu
tool=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/knot.sh"

work=$(mktemp -d)
cleanup() {
	knot_stop
	rm -rf "$work"
}
trap cleanup EXIT

. "$(dirname "$0")/../lib/assert.sh"

zone=mesh.example.com
secret=$(head -c 32 /dev/urandom | base64)
other_secret=$(head -c 32 /dev/urandom | base64)
cat >"$work/zone" <<EOF2
\$ORIGIN $zone.
\$TTL 300
@ SOA ns.$zone. hostmaster.$zone. 1 3600 600 86400 300
@ NS ns.$zone.
ns A 192.0.2.53
EOF2
knot_start "$work/knot" "$zone" "$work/zone" wgpub-key "$secret"
server=$KNOT_ADDR:$KNOT_PORT
printf 'key "wgpub-key" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$secret" >"$work/good.key"
printf 'hmac-sha256:wgpub-key:%s\n' "$other_secret" >"$work/badsecret.key"
printf 'hmac-sha256:nobody-key:%s\n' "$secret" >"$work/unknown.key"
chmod 600 "$work"/*.key

txt_of() { # name -> the TXT strings, sorted, one a line
	kdig @"$KNOT_ADDR" -p "$KNOT_PORT" +tcp +short TXT "$1" | sed 's/^"//; s/"$//' | sort
}
status_of() {
	kdig @"$KNOT_ADDR" -p "$KNOT_PORT" +tcp TXT "$1" | sed -n 's/.*status: \([A-Z]*\).*/\1/p'
}
records() { # file count: record lines "i:<76 base64 chars>" like a deploy record
	head -c $((57 * $2)) /dev/urandom | base64 -w 76 | awk '{ print NR - 1 ":" $0 }' >"$1"
}

uuid=6fc94b76-f857-4dce-942c-47df480cdda3
records "$work/site.txt" 2
records "$work/host1.txt" 60 # ~4.7 KB: more than a UDP answer holds
records "$work/host2.txt" 5
"$tool" rfc2136 "$server" "$work/good.key" "$zone" "$zone=$work/site.txt" \
	"$uuid.$zone=$work/host1.txt" "gone.$zone=$work/host2.txt"
expect_eq "site record published" "$(sort "$work/site.txt")" "$(txt_of "$zone")"
expect_eq "large host record published (60 RRs)" "$(sort "$work/host1.txt")" "$(txt_of "$uuid.$zone")"
expect_eq "second host record published" "$(sort "$work/host2.txt")" "$(txt_of "gone.$zone")"

# Republish with fewer RRs: the set is replaced, not appended to.
records "$work/host1b.txt" 3
"$tool" rfc2136 "$server" "$work/good.key" "$zone" "$uuid.$zone=$work/host1b.txt" "-gone.$zone"
expect_eq "set replaced by 3 RRs" "$(sort "$work/host1b.txt")" "$(txt_of "$uuid.$zone")"
expect_eq "removed host's name" "NXDOMAIN" "$(status_of "gone.$zone")"
expect_eq "site record untouched" "$(sort "$work/site.txt")" "$(txt_of "$zone")"

# Deleting a name that holds nothing is not an error.
"$tool" rfc2136 "$server" "$work/good.key" "$zone" "-gone.$zone"

snapshot() {
	txt_of "$zone"
	txt_of "$uuid.$zone"
}
before=$(snapshot)
records "$work/evil.txt" 2
check_refused() { # KEYFILE WORD: refused in one line naming WORD, the server and the zone
	expect_fails_naming "$2" "$2" "$tool" rfc2136 "$server" "$1" "$zone" "$uuid.$zone=$work/evil.txt"
	expect_eq "$2: exit status" 1 "$FAILED_RC"
	expect_contains "$2: names the server" "$server" "$FAILED_LINE"
	expect_contains "$2: names the zone" "zone $zone" "$FAILED_LINE"
	expect_eq "$2: zone unchanged" "$before" "$(snapshot)"
}
check_refused "$work/badsecret.key" BADSIG
check_refused "$work/unknown.key" BADKEY

# Nothing listening: a clear error, no hang.
expect_fails_naming "dead server refused, named" 127.0.0.1:1 \
	"$tool" rfc2136 "127.0.0.1:1" "$work/good.key" "$zone" "$uuid.$zone=$work/evil.txt"

# A site domain inside the served zone: updates go to the enclosing zone.
"$tool" rfc2136 "$server" "$work/good.key" "wg.$zone" "wg.$zone=$work/site.txt" \
	"$uuid.wg.$zone=$work/host2.txt"
expect_eq "site domain below the zone apex" "$(sort "$work/host2.txt")" "$(txt_of "$uuid.wg.$zone")"

# A name outside the site domain is refused before anything is sent.
expect_fails_naming "foreign name refused" "outside the site domain" \
	"$tool" rfc2136 "$server" "$work/good.key" "$zone" "evil.example.org=$work/evil.txt"

assert_exit
