#!/usr/bin/env bash
# wgpub on 1.0's site file: our records open with the fixture host keys and give the same node
# plan as the records 1.0 published (interfaces, ports, tunnel addresses, peers, router id,
# endpoints with the fix), plus a serial; the printed layout is 1.0's.
set -eu
. "$(dirname "$0")/lib.sh"

cp "$FIX/site/site.yaml" "$T/site.yaml"
cp "$FIX/site/site.key" "$T/site.key"
chmod 0600 "$T/site.key"
sitepub=$(site_pub "$T/site.yaml")
domain=wg.example.com

"$WGPUB" --serial 1700000000 --out-dir "$T/out" "$T/site.yaml"
diff -u "$FIX/records/$domain.txt" "$T/out/$domain.txt" || fail "site record differs from 1.0's"
echo "ok: site record equals 1.0's"

for h in alpha.example.net beta.example.net; do
	uuid=$(host_field "$T/site.yaml" "$h" uuid)
	hostdir=$FIX/hosts/$h/etc-wireguard
	ours=$("$DEPLOY_CHECK" "$T/out/$uuid.$domain.txt" "$hostdir/lab_priv" "$sitepub" \
		"$hostdir/$domain.yaml")
	theirs=$("$DEPLOY_CHECK" "$FIX/records/$uuid.$domain.txt" "$hostdir/lab_priv" "$sitepub" \
		"$hostdir/$domain.yaml")
	expect_eq "$h: our serial" "serial 1700000000" "$(echo "$ours" | grep '^serial')"
	expect_eq "$h: 1.0 record has no serial" "serial none" "$(echo "$theirs" | grep '^serial')"
	expect_eq "$h: plan from our record equals plan from 1.0's" \
		"$(echo "$theirs" | grep -v '^serial')" "$(echo "$ours" | grep -v '^serial')"
	# And what 1.0 rendered into wg<k>.conf for its one peer.
	conf=$(ls "$hostdir"/wg*.conf)
	peer=$(echo "$ours" | grep '^peer ')
	ifname=$(basename "$conf" .conf)
	expect_match "$h: interface" " if $ifname " "$peer"
	expect_match "$h: ListenPort" " listen $(sed -n 's/^ListenPort *= *//p' "$conf") " "$peer"
	addr=$(sed -n 's/^Address *= *//p' "$conf")
	want=$(python3 -c "import ipaddress,sys; print(ipaddress.ip_interface(sys.argv[1]).ip)" "$addr")
	expect_match "$h: tunnel address" " local $want " "$peer"
	expect_match "$h: endpoint" " endpoints $(sed -n 's/^Endpoint *= *//p' "$conf")\$" "$peer"
	expect_contains "$h: peer key" " key $(sed -n 's/^PublicKey *= *//p' "$conf") " "$peer"
done

# Printed layout: 1.0's, with the base64 lines themselves (random nonces) abstracted.
shape() { sed -E 's/^[0-9]+:[A-Za-z0-9+\/=]+$/N:DATA/' "$1" | uniq; }
"$WGPUB" --serial 1700000000 "$T/site.yaml" >"$T/print.txt"
diff -u <(shape "$FIX/ref/wgpub.txt") <(shape "$T/print.txt") || fail "print layout differs"
echo "ok: print layout equals ref/wgpub.txt"

# Serials rise with every publication, not every second: two in a row (well within a second)
# get two increasing serials, the last kept beside the site file.
zone_serial() { sed -n 's/^; wgmesh site [^,]*, serial \([0-9]*\)$/\1/p' "$1"; }
rm -f "$T/site.yaml.serial"
"$WGPUB" -q --zone-file "$T/z1" "$T/site.yaml"
"$WGPUB" -q --zone-file "$T/z2" "$T/site.yaml"
s1=$(zone_serial "$T/z1") s2=$(zone_serial "$T/z2")
if [ -n "$s1" ] && [ "$s2" -gt "$s1" ]; then
	pass "two publications in one second: serials $s1 < $s2"
else
	fail "two publications: serials $s1 then $s2, expected a rise"
fi
expect_eq "the last serial is kept beside the site file" "$s2" "$(cat "$T/site.yaml.serial")"
# A serial far ahead of the clock would freeze every node that applied it: refused.
expect_bad_input "wgpub --serial UINT64_MAX" "$T" "$WGPUB" --serial 18446744073709551615 --zone-file "$T/z3" "$T/site.yaml"
expect_contains "the refusal names the bound" "more than a day ahead of the clock" "$FAILED_LINE"
assert_exit
