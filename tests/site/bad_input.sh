#!/usr/bin/env bash
# One bad input per run (the case name is the argument): the command prints one line naming
# the problem, exits non-zero, and every file is byte-identical afterwards.
set -eu
. "$(dirname "$0")/lib.sh"

case_name=$1
S=$T/site
mkdir "$S"
cp "$FIX/site/site.yaml" "$S/site.yaml"
cp "$FIX/site/site.key" "$S/site.key"
chmod 0600 "$S/site.key"
msg_alpha=$(cat "$FIX/hosts/alpha.example.net.registration")

# A site file with one line of global: replaced (key, new line).
edit_global() {
	sed -i "s|^  $1: .*|  $1: $2|" "$S/site.yaml"
}

case $case_name in
garbled-message)
	expect_bad_input "$case_name" "$T" "$WGSITE" -i 'not*base64!' "$S/site.yaml" ;;
truncated-message)
	expect_bad_input "$case_name" "$T" "$WGSITE" -i "${msg_alpha:0:200}" "$S/site.yaml" ;;
flipped-message)
	# One character changed inside the sealed part: authentication must fail.
	mid=$(( ${#msg_alpha} / 2 ))
	c=${msg_alpha:$mid:1}; [ "$c" = A ] && r=B || r=A
	expect_bad_input "$case_name" "$T" "$WGSITE" -i "${msg_alpha:0:$mid}$r${msg_alpha:$((mid + 1))}" "$S/site.yaml" ;;
wrong-site-key)
	# A registration sealed for another site.
	mkdir "$T/other"
	"$WGSITE" init "$T/other/other.yaml" --domain other.example.com --locus oth >/dev/null
	msg=$(register_host "$T/other/other.yaml" "$T/h" h.example.net 192.0.2.7)
	expect_bad_input "$case_name" "$T" "$WGSITE" -i "$msg" "$S/site.yaml" ;;
unknown-host)
	expect_bad_input "$case_name" "$T" "$WGSITE" remove nosuch.example.net "$S/site.yaml" ;;
exhausted-asn-range)
	mkdir "$T/small"
	"$WGSITE" init "$T/small/s.yaml" --domain small.example.com --locus sm --asn-range 64512:64512 >/dev/null
	m1=$(register_host "$T/small/s.yaml" "$T/h1" h1.example.net 192.0.2.1)
	m2=$(register_host "$T/small/s.yaml" "$T/h2" h2.example.net 192.0.2.2)
	"$WGSITE" -i "$m1" "$T/small/s.yaml" >/dev/null
	expect_bad_input "$case_name" "$T" "$WGSITE" -i "$m2" "$T/small/s.yaml"
	expect_match "$case_name: names the range" "ASN|asn" "$FAILED_LINE" ;;
octet-past-255)
	sed -i "s|^    octet: '2'|    octet: '256'|" "$S/site.yaml"
	expect_bad_input "$case_name (wgpub)" "$T" "$WGPUB" --out-dir "$T/out" "$S/site.yaml"
	expect_bad_input "$case_name (import)" "$T" "$WGSITE" -i "$msg_alpha" "$S/site.yaml" ;;
bad-prefix)
	edit_global ipv6 "fd42:7a3b:zz::/48"
	expect_bad_input "$case_name" "$T" "$WGPUB" --out-dir "$T/out" "$S/site.yaml" ;;
prefix-not-48)
	edit_global ipv6 "fd42:7a3b:19c0::/64"
	expect_bad_input "$case_name" "$T" "$WGPUB" --out-dir "$T/out" "$S/site.yaml" ;;
non-yaml)
	printf 'global: [unclosed\n  : : :\n' >"$S/site.yaml"
	expect_bad_input "$case_name" "$T" "$WGSITE" -i "$msg_alpha" "$S/site.yaml" ;;
anchors)
	sed -i "s|^  alerts: .*|  alerts: \&a alerts@wg.example.com|; s|^  route53: .*|  route53: *a|" "$S/site.yaml"
	expect_bad_input "$case_name" "$T" "$WGPUB" --out-dir "$T/out" "$S/site.yaml" ;;
wrong-types)
	edit_global portbase "[31000, 31001]"
	expect_bad_input "$case_name" "$T" "$WGPUB" --out-dir "$T/out" "$S/site.yaml" ;;
hosts-not-a-map)
	python3 - "$S/site.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().split("hosts:")[0] + "hosts:\n- alpha.example.net\n"
open(p, "w").write(s)
PY
	expect_bad_input "$case_name" "$T" "$WGSITE" list "$S/site.yaml" ;;
bad-option)
	expect_bad_input "$case_name (wgsite)" "$T" "$WGSITE" --nosuch "$S/site.yaml"
	expect_bad_input "$case_name (wgpub serial)" "$T" "$WGPUB" --serial -5 "$S/site.yaml"
	expect_bad_input "$case_name (wghost address)" "$T" "$WGHOST" --state-dir "$T" -a 'bad addr' wg.example.com
	expect_bad_input "$case_name (wgconfig firewall)" "$T" "$WGCONFIG" --state-dir "$T" --firewall ipchains -l lab -P "$(site_pub "$S/site.yaml")" wg.example.com
	expect_bad_input "$case_name (init asn range)" "$T" "$WGSITE" init "$T/x.yaml" --domain x.example.com --locus x --asn-range 5:1
	expect_bad_input "$case_name (init prefix)" "$T" "$WGSITE" init "$T/x.yaml" --domain x.example.com --locus x --ipv6 fd00::/64 ;;
unwritable)
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root to run the command as nobody"
		exit 77
	fi
	# The site directory belongs to root (0755); nobody may read the files (made world-
	# readable for that) but not replace them.
	cp "$FIX/site/site.initial.yaml" "$S/site.yaml"
	chmod 0755 "$S" && chmod 0644 "$S/site.yaml" && chown nobody "$S/site.key" && chmod 0600 "$S/site.key"
	expect_bad_input "$case_name" "$T" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$WGSITE" -i "$msg_alpha" "$S/site.yaml" ;;
symlinked-site-key)
	# The site key is a link to a file another user could own: refused, not followed.
	mv "$S/site.key" "$T/real.key"
	ln -s "$T/real.key" "$S/site.key"
	expect_bad_input "$case_name" "$T" "$WGSITE" -i "$msg_alpha" "$S/site.yaml"
	expect_match "$case_name: names the link and the fix" "site key .*site.key is a symbolic link.*put the key file itself" "$FAILED_LINE" ;;
foreign-site-key)
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root to give the key to nobody"
		exit 77
	fi
	# Owned by nobody and open to others: refused, and not tightened (the mode stays 0644).
	chown nobody "$S/site.key" && chmod 0644 "$S/site.key"
	expect_bad_input "$case_name" "$T" "$WGSITE" -i "$msg_alpha" "$S/site.yaml"
	expect_match "$case_name: names the owner and the fix" "site key .*site.key is owned by uid [0-9]+.*chown root" "$FAILED_LINE"
	expect_eq "$case_name: mode untouched" 644 "$(stat -c %a "$S/site.key")" ;;
*)
	fail "unknown case $case_name" ;;
esac
assert_exit
