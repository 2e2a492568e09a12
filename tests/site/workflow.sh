#!/usr/bin/env bash
# The README's workflow with our own commands, for three hosts: wgsite init, wgconfig -l -P,
# wghost -a, wgsite -i, wgpub --out-dir; every host's record opens with its own key and lists
# the other two. Then an update, a removal (record deleted, peers drop it) and a purge
# (octet and ASN reused).
set -eu
. "$(dirname "$0")/lib.sh"

site=$T/site/mesh.yaml
mkdir "$T/site"
out=$("$WGSITE" init "$site" --domain mesh.example.com --locus lab --ipv6 fd00:1234:5678::/48 \
	--portbase 21100 --asn-range 64512:64520)
assert_match "init reports the site" "Created site mesh.example.com" "$out"
assert_eq "site key beside the site file, 0600" "600" "$(stat -c %a "$T/site/mesh.key")"
expect_bad_input "init refuses to overwrite" "$T/site" \
	"$WGSITE" init "$site" --domain mesh.example.com --locus lab
sitepub=$(site_pub "$site")

declare -A addr=([n1]=192.0.2.1 [n2]=198.51.100.2 [n3]=2001:db8::3)
for n in n1 n2 n3; do
	msg=$(register_host "$site" "$T/$n" "$n.example.net" "${addr[$n]}")
	assert_eq "$n: host key 0600" "600" "$(stat -c %a "$T/$n/lab_priv")"
	assert_eq "$n: public key 0644" "644" "$(stat -c %a "$T/$n/lab_pub")"
	"$WGSITE" -i "$msg" "$site" >/dev/null
done
for i in 1 2 3; do
	assert_eq "n$i octet" "$i" "$(host_field "$site" n$i.example.net octet)"
	assert_eq "n$i asn" "$((64511 + i))" "$(host_field "$site" n$i.example.net asn)"
done

"$WGPUB" --serial 100 --out-dir "$T/out" "$site"
for i in 1 2 3; do
	uuid=$(host_field "$site" n$i.example.net uuid)
	plan=$("$DEPLOY_CHECK" "$T/out/$uuid.mesh.example.com.txt" "$T/n$i/lab_priv" "$sitepub" \
		"$T/n$i/mesh.example.com.yaml")
	assert_match "n$i: own numbers" "^site mesh.example.com octet $i asn $((64511 + i)) portbase 21100 router 1.0.$i.1\$" "$plan"
	assert_eq "n$i: two peers" 2 "$(echo "$plan" | grep -c '^peer ')"
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		hi=$((i > j ? i : j)) lo=$((i > j ? j : i))
		ep=${addr[n$j]}
		case $ep in *:*) ep="[$ep]" ;; esac
		net=fd00:1234:5678:$(printf '%x' $((hi * 256 + lo)))
		assert_contains "n$i: peer n$j" "peer n$j.example.net if wg$j octet $j asn $((64511 + j)) key $(cat "$T/n$j/lab_pub") listen $((21100 + j)) remoteport $((21100 + i)) local $net::$i peer $net::$j endpoints $ep:$((21100 + i))" "$plan"
	done
done

# Zone fragment: every record set, TTL 300, strings quoted; dry run publishes nothing.
"$WGPUB" --serial 100 --zone-file "$T/zone" "$site"
assert_eq "zone has the site record" 1 "$(grep -c '^mesh.example.com.	300	IN	TXT	"0:' "$T/zone")"
assert_eq "zone has three host records" 3 "$(grep -cE '^[0-9a-f-]{36}\.mesh\.example\.com\.	300	IN	TXT	"0:' "$T/zone")"
before=$(snapshot "$T")
dry=$("$WGPUB" --dry-run --zone-file "$T/zone2" --out-dir "$T/out2" "$site")
assert_match "dry run lists the site record" "BEGIN HOST: \(site record\)" "$dry"
assert_eq "dry run writes nothing" "$before" "$(snapshot "$T")"

# Update: n2 changes its address; re-import says what changed and keeps its numbers.
msg=$("$WGHOST" -q --state-dir "$T/n2" -h n2.example.net -a 203.0.113.2 mesh.example.com | sed -n 's/^Message to Home: //p')
out=$("$WGSITE" -i "$msg" "$site")
assert_match "update names the field" "local_ipv4: '198.51.100.2' -> '203.0.113.2'" "$out"
assert_eq "n2 keeps octet" 2 "$(host_field "$site" n2.example.net octet)"

# Removal: n2 leaves; wgpub drops it from every record and deletes its record file.
uuid2=$(host_field "$site" n2.example.net uuid)
out=$("$WGSITE" remove n2.example.net "$site")
assert_match "remove explains the next steps" "wgpub $site" "$out"
assert_match "remove names the record to delete" "TXT $uuid2.mesh.example.com" "$out"
"$WGPUB" --serial 101 --out-dir "$T/out" "$site"
[ ! -e "$T/out/$uuid2.mesh.example.com.txt" ] || fail "removed host's record file still there"
echo "ok: removed host's record file deleted"
uuid1=$(host_field "$site" n1.example.net uuid)
plan=$("$DEPLOY_CHECK" "$T/out/$uuid1.mesh.example.com.txt" "$T/n1/lab_priv" "$sitepub" "$T/n1/mesh.example.com.yaml")
assert_eq "n1 has one peer left" 1 "$(echo "$plan" | grep -c '^peer ')"
assert_match "n1's peer is n3" "^peer n3.example.net " "$plan"
assert_match "list shows n2 removed" "^n2\.example\.net .* removed " "$("$WGSITE" list "$site")"

# Purge: octet 2 and ASN 64513 go to the next new host.
"$WGSITE" remove --purge n2.example.net "$site" >/dev/null 2>&1
msg=$(register_host "$site" "$T/n4" n4.example.net 192.0.2.4)
"$WGSITE" -i "$msg" "$site" >/dev/null
assert_eq "n4 gets a free octet" 4 "$(host_field "$site" n4.example.net octet)"
assert_eq "n4 reuses the freed ASN" 64513 "$(host_field "$site" n4.example.net asn)"

# The node side keeps its uuid and refuses a different site key.
uuid_before=$(sed -n 's/^  uuid: //p' "$T/n1/mesh.example.com.yaml")
"$WGCONFIG" -q --state-dir "$T/n1" -l lab -P "$sitepub" -i lo mesh.example.com >/dev/null
assert_eq "wgconfig keeps the uuid" "$uuid_before" "$(sed -n 's/^  uuid: //p' "$T/n1/mesh.example.com.yaml")"
expect_bad_input "wgconfig refuses a different site key" "$T/n1" \
	"$WGCONFIG" --state-dir "$T/n1" -l lab -P "$(cat "$T/n3/lab_pub")" mesh.example.com
expect_bad_input "wghost before wgconfig" "$T" "$WGHOST" --state-dir "$T/none" -a 192.0.2.9 mesh.example.com
