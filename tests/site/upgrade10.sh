#!/usr/bin/env bash
# A 1.0 controller upgraded in place: 1.0 wrote its site key (and each node its host key) with
# the default umask, mode 0644. wgsite, wgpub and wghost must work on them as they are, warn
# once naming the file, and leave it 0600; before, they stopped with "Permission denied".
set -eu
. "$(dirname "$0")/lib.sh"

cp "$FIX/site/site.yaml" "$FIX/site/site.key" "$T/"
chmod 0644 "$T/site.yaml" "$T/site.key"
warning="warning: key file $T/site.key was mode 0644, open to group/others: tightened to 0600"

# wgsite FILE: the site record check (no DNS server answers here: a closed port, so its exit
# status says only that; the key must load).
"$WGSITE" "$T/site.yaml" --dns 127.0.0.1:9 >"$T/check.out" 2>"$T/check.err" || true
expect_eq "wgsite loads the 0644 site key" "" "$(grep 'cannot load site key' "$T/check.err" || true)"
expect_contains "wgsite warns, naming the key file" "wgsite: $warning" "$(cat "$T/check.err")"
expect_eq "wgsite tightened the site key" 600 "$(stat -c %a "$T/site.key")"
expect_contains "wgsite still prints the site record" "Content of Text Record:" "$(cat "$T/check.out")"

# wgpub on the same controller, key back at 1.0's mode: records as 1.0 published them.
chmod 0644 "$T/site.key"
"$WGPUB" --serial 1700000000 --out-dir "$T/out" "$T/site.yaml" 2>"$T/pub.err" ||
	fail "wgpub on 1.0's site file with a 0644 key: $(cat "$T/pub.err")"
expect_contains "wgpub warns, naming the key file" "wgpub: $warning" "$(cat "$T/pub.err")"
expect_eq "wgpub tightened the site key" 600 "$(stat -c %a "$T/site.key")"
diff -u "$FIX/records/wg.example.com.txt" "$T/out/wg.example.com.txt" ||
	fail "site record differs from 1.0's"
echo "ok: site record equals 1.0's"

# Once tightened, no more warnings.
"$WGPUB" --serial 1700000001 --out-dir "$T/out2" "$T/site.yaml" 2>"$T/pub2.err"
expect_eq "no warning once the key is 0600" "" "$(grep warning "$T/pub2.err" || true)"

# A 1.0 node: wghost on its host state and 0644 host key prints the registration message with
# the same key (none is made anew).
H=$T/node
mkdir "$H"
cp "$FIX/hosts/alpha.example.net/etc-wireguard/"{wg.example.com.yaml,lab_priv,lab_pub} "$H/"
sed -i "s|/etc/wireguard/|$H/|" "$H/wg.example.com.yaml"
chmod 0644 "$H/lab_priv" "$H/lab_pub"
before=$(cat "$H/lab_priv")
"$WGHOST" --state-dir "$H" -a 192.0.2.10 wg.example.com >"$T/host.out" 2>"$T/host.err" ||
	fail "wghost on 1.0's 0644 host key: $(cat "$T/host.err")"
expect_contains "wghost warns, naming the host key" \
	"wghost: warning: key file $H/lab_priv was mode 0644, open to group/others: tightened to 0600" \
	"$(cat "$T/host.err")"
expect_eq "wghost tightened the host key" 600 "$(stat -c %a "$H/lab_priv")"
expect_eq "wghost kept 1.0's host key" "$before" "$(cat "$H/lab_priv")"
expect_match "wghost printed the message" "^Message to Home: " "$(cat "$T/host.out")"
assert_exit
