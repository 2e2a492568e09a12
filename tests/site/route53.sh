#!/usr/bin/env bash
# Route53 as 1.0 did it: with route53 + AWS keys in the site file's global, wgpub publishes
# every record set (and deletes a removed host's) and wgsite publishes a missing site record,
# here against tests/publish/fake_route53.py, a loopback server that checks the requests and
# their SigV4 signatures. Never contacts AWS.
set -eu
. "$(dirname "$0")/lib.sh"
py=${PYTHON:-python3}
server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
}
trap 'stop_server; cleanup' EXIT

domain=wg.example.com
zone_id=Z0WGSITETEST
key_id=AKIDWGSITETEST
secret=$(head -c 30 /dev/urandom | base64)
S=$T/site
mkdir "$S"
cp "$FIX/site/site.key" "$S/site.key"
chmod 0600 "$S/site.key"
sed -e "s|^  route53: .*|  route53: $zone_id|" -e "s|^  aws_access_key_id: .*|  aws_access_key_id: $key_id|" \
	-e "s|^  aws_secret_access_key: .*|  aws_secret_access_key: '$secret'|" "$FIX/site/site.yaml" >"$S/site.yaml"

: >"$T/log.jsonl"
"$py" "$(dirname "$0")/../publish/fake_route53.py" "$T/port" "$T/state.json" "$T/log.jsonl" \
	"$zone_id" "$domain" "$key_id" "$secret" &
server_pid=$!
for _ in $(seq 1 100); do
	[ -s "$T/port" ] && break
	kill -0 "$server_pid" || die "fake_route53.py died"
	sleep 0.1
done
[ -s "$T/port" ] || die "fake_route53.py did not start"
endpoint=http://127.0.0.1:$(cat "$T/port")

# names_in_zone: the TXT names the fake zone holds, sorted, without the trailing dot.
names_in_zone() {
	"$py" -c 'import json,sys; print(" ".join(sorted(n.rstrip(".") for n in json.load(open(sys.argv[1])))))' "$T/state.json"
}

out=$("$WGSITE" "$S/site.yaml" --dns 127.0.0.1:9 --route53-endpoint "$endpoint" 2>/dev/null)
expect_contains "wgsite publishes the missing site record" "Published the site record to Route53 zone $zone_id" "$out"
expect_eq "zone holds the site record" "$domain" "$(names_in_zone)"

alpha=6fc94b76-f857-4dce-942c-47df480cdda3.$domain
beta=7dd3ebe3-e116-4121-b4ac-4405149a930e.$domain
"$WGPUB" -q --serial 10 --route53-endpoint "$endpoint" "$S/site.yaml"
expect_eq "wgpub publishes every host" "$alpha $beta $domain" "$(names_in_zone)"

"$WGSITE" remove beta.example.net "$S/site.yaml" >/dev/null
"$WGPUB" -q --serial 11 --route53-endpoint "$endpoint" "$S/site.yaml"
expect_eq "wgpub deletes the removed host's record" "$alpha $domain" "$(names_in_zone)"
assert_exit
