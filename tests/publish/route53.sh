#!/usr/bin/env bash
# Route53 publishing against fake_route53.py, a loopback server of the test's own that checks
# method, path, body and the SigV4 signature (recomputed from the secret): UPSERT, DELETE with
# the exact current values, batches within Route53's limits, XML escaping, and a wrong secret
# detected and reported in one line. Never contacts AWS.
# Usage: route53.sh PUBLISH_TOOL
set -eu
tool=$1
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3} # meson passes the system interpreter: version-manager shims are slow
work=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

. "$(dirname "$0")/../lib/assert.sh"

domain=mesh.example.com
zone_id=Z0WGMESHTEST
export R53_KEY_ID=AKIDWGMESHTEST
export R53_SECRET=$(head -c 30 /dev/urandom | base64)
: >"$work/log.jsonl"
"$py" "$here/fake_route53.py" "$work/port" "$work/state.json" "$work/log.jsonl" "$zone_id" \
	"$domain" "$R53_KEY_ID" "$R53_SECRET" &
server_pid=$!
for _ in $(seq 1 100); do
	[ -s "$work/port" ] && break
	kill -0 "$server_pid" || { echo "fake_route53.py died" >&2; exit 1; }
	sleep 0.05
done
[ -s "$work/port" ] || { echo "fake_route53.py did not start" >&2; exit 1; }
endpoint=http://127.0.0.1:$(cat "$work/port")

state_of() { # name -> "ttl value..." sorted, or "absent"
	"$py" - "$work/state.json" "$1." <<'PY'
import json, sys
z = json.load(open(sys.argv[1]))
s = z.get(sys.argv[2])
print("absent" if s is None else " ".join([str(s["ttl"])] + sorted(s["values"])))
PY
}
expected_of() { # record file -> what state_of prints for it
	echo "300 $(sed 's/.*/"&"/' "$1" | sort | tr '\n' ' ' | sed 's/ $//')"
}
log_lines() { wc -l <"$work/log.jsonl"; }
log_since() { # line-number -> method path status signature per request
	tail -n +"$(($1 + 1))" "$work/log.jsonl" | "$py" -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["method"], e["path"].rsplit("/", 1)[-1], e["status"], e["signature"])'
}
records() { # file count: record lines "i:<76 base64 chars>" like a deploy record
	head -c $((57 * $2)) /dev/urandom | base64 -w 76 | awk '{ print NR - 1 ":" $0 }' >"$1"
}

uuid=7dd3ebe3-e116-4121-b4ac-4405149a930e
records "$work/site.txt" 2
records "$work/host1.txt" 6
records "$work/host2.txt" 4
printf '0:a&b<c>d\x27e\n1:plain\n' >"$work/escaped.txt"
n=$(log_lines)
"$tool" route53 "$endpoint" "/hostedzone/$zone_id" "$domain" "$domain=$work/site.txt" \
	"$uuid.$domain=$work/host1.txt" "old.$domain=$work/host2.txt" "esc.$domain=$work/escaped.txt"
expect_eq "one signed POST" "POST rrset 200 valid" "$(log_since "$n")"
expect_eq "site record" "$(expected_of "$work/site.txt")" "$(state_of "$domain")"
expect_eq "host record" "$(expected_of "$work/host1.txt")" "$(state_of "$uuid.$domain")"
expect_eq "XML-special characters arrive intact" "$(expected_of "$work/escaped.txt")" "$(state_of "esc.$domain")"

# Fewer RRs replace the set; a removed host is deleted with its exact current values (the
# server refuses a DELETE whose values differ), after a signed GET that found them.
records "$work/host1b.txt" 2
n=$(log_lines)
"$tool" route53 "$endpoint" "$zone_id" "$domain" "$uuid.$domain=$work/host1b.txt" "-old.$domain" "-esc.$domain"
expect_eq "GETs then one POST" "GET rrset 200 valid
GET rrset 200 valid
POST rrset 200 valid" "$(log_since "$n")"
expect_eq "set replaced" "$(expected_of "$work/host1b.txt")" "$(state_of "$uuid.$domain")"
expect_eq "removed host gone" absent "$(state_of "old.$domain")"
expect_eq "escaped set deleted (values matched exactly)" absent "$(state_of "esc.$domain")"

# Deleting what is not there: one GET, no POST, success.
n=$(log_lines)
"$tool" route53 "$endpoint" "$zone_id" "$domain" "-old.$domain"
expect_eq "absent name: GET only" "GET rrset 200 valid" "$(log_since "$n")"

# Big sets are split across requests within Route53's limits (which the server enforces).
args=()
for i in 1 2 3; do
	records "$work/big$i.txt" 180
	args+=("big$i.$domain=$work/big$i.txt")
done
n=$(log_lines)
"$tool" route53 "$endpoint" "$zone_id" "$domain" "${args[@]}"
expect_eq "three batches" "POST rrset 200 valid
POST rrset 200 valid
POST rrset 200 valid" "$(log_since "$n")"
expect_eq "big set 3 complete" "$(expected_of "$work/big3.txt")" "$(state_of "big3.$domain")"

# A set too big for any single request is refused before anything is sent.
records "$work/huge.txt" 300
n=$(log_lines)
expect_fails_naming "oversized set refused" "exceeds what one Route53 UPSERT accepts" \
	"$tool" route53 "$endpoint" "$zone_id" "$domain" "huge.$domain=$work/huge.txt"
expect_eq "no request for an oversized set" "$n" "$(log_lines)"

before=$(cat "$work/state.json")
check_rejected() { # WHAT NEEDLE: refused in one line naming NEEDLE, the zone unchanged
	expect_fails_naming "$1" "$2" "$tool" route53 "$endpoint" "$zone_id" "$domain" "$uuid.$domain=$work/host2.txt"
	expect_eq "$1: exit status" 1 "$FAILED_RC"
	expect_eq "$1: zone unchanged" "$before" "$(cat "$work/state.json")"
}
good_secret=$R53_SECRET
R53_SECRET=$(head -c 30 /dev/urandom | base64) check_rejected "wrong secret" "HTTP 403: SignatureDoesNotMatch"
expect_eq "server saw a bad signature" "signature does not match" \
	"$(tail -n 1 "$work/log.jsonl" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["signature"])')"
R53_KEY_ID=AKIDSOMEONEELSE check_rejected "unknown key id" "SignatureDoesNotMatch"
R53_SECRET=$good_secret
zone_id=Z0OTHERZONE check_rejected "unknown hosted zone" "HTTP 404: NoSuchHostedZone"

# Bad configuration is refused before any request.
n=$(log_lines)
expect_fails_naming "bad zone id refused" '"bad zone"' \
	"$tool" route53 "$endpoint" "bad zone" "$domain" "$uuid.$domain=$work/host2.txt"
expect_eq "no request for bad config" "$n" "$(log_lines)"

assert_exit
