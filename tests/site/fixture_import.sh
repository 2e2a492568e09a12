#!/usr/bin/env bash
# wgsite -i imports wgmesh 1.0's registration messages (fixture) into 1.0's initial site file
# and assigns the same octets, ASNs and keys that 1.0 wrote into its site.yaml. Re-importing
# the same message changes nothing.
set -eu
. "$(dirname "$0")/lib.sh"

cp "$FIX/site/site.initial.yaml" "$T/site.yaml"
cp "$FIX/site/site.key" "$T/site.key"
chmod 0644 "$T/site.yaml"
chmod 0600 "$T/site.key"

# 1.0's first step: wgsite FILE fills in the public key (no DNS answers here: a closed port).
rc=0
"$WGSITE" "$T/site.yaml" --dns 127.0.0.1:9 >"$T/check.out" 2>/dev/null || rc=$?
expect_eq "DNS not answering -> exit 3" 3 "$rc"
expect_eq "publickey filled in from site.key" "$(site_pub "$FIX/site/site.yaml")" \
	"$(site_pub "$T/site.yaml")"
diff -u "$FIX/ref/wgsite-activation.txt" "$T/check.out" ||
	fail "wgsite FILE output differs from 1.0's activation text"
echo "ok: activation text equals ref/wgsite-activation.txt"

for h in alpha.example.net beta.example.net; do
	out=$("$WGSITE" -i "$(cat "$FIX/hosts/$h.registration")" "$T/site.yaml")
	expect_match "import $h reports a new host" "^Imported new host $h " "$out"
done

for h in alpha.example.net beta.example.net; do
	for f in uuid octet asn public_key local_ipv4 local_ipv6 public_key_file private_key_file; do
		expect_eq "$h $f" "$(host_field "$FIX/site/site.yaml" "$h" "$f")" \
			"$(host_field "$T/site.yaml" "$h" "$f")"
	done
done

before=$(sha256sum <"$T/site.yaml")
out=$("$WGSITE" -i "$(cat "$FIX/hosts/alpha.example.net.registration")" "$T/site.yaml")
expect_match "re-import says unchanged" "unchanged" "$out"
expect_eq "re-import leaves the file alone" "$before" "$(sha256sum <"$T/site.yaml")"

list=$("$WGSITE" list "$T/site.yaml")
expect_match "list shows alpha" "^alpha\.example\.net +6fc94b76-f857-4dce-942c-47df480cdda3 +1 +4200000000 +active +192\.0\.2\.10" "$list"
expect_match "list shows beta" "^beta\.example\.net +7dd3ebe3-e116-4121-b4ac-4405149a930e +2 +4200000001 +active +198\.51\.100\.20" "$list"
assert_exit
