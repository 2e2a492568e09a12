#!/usr/bin/env bash
# Shorewall accepts what we render: `shorewall check` compiles a config directory made of
# Shorewall's default files, the two-interface sample's zones and policy (what 1.0's README
# installs), and our interfaces, rules and snat, for the fixture's alpha, a three-peer node and
# a node with no peers. `check` compiles and loads nothing, but probes the kernel's netfilter
# (it leaves empty tables behind): so it runs through in_netns, with a private
# /var/lib/shorewall, and the test namespace's ruleset must hold no chain or rule afterwards.
# usage: shorewall-check.sh FIREWALL_TOOL SAMPLE_DIR
set -eu
tool=$1 sample=$2
tmp=$(mktemp -d)
mounted=
cleanup() {
	[ -z "$mounted" ] || umount /var/lib/shorewall
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "${WGM_IN_NETNS:-}" != 1 ]; then
	echo "FAIL: must run through in_netns (it would compile against the host otherwise)"
	exit 1
fi
mkdir -p /var/lib/shorewall
mount -t tmpfs wgm-shorewall /var/lib/shorewall
mounted=1

fail=0
for plan in alpha three empty; do
	dir=$tmp/$plan
	mkdir -p "$dir"
	cp /usr/share/shorewall/configfiles/* "$dir/"
	cp "$sample/zones" "$sample/policy" "$dir/"
	got=$("$tool" shorewall "$plan" "$dir")
	[ "$got" = changed ] || { echo "FAIL $plan: expected 'changed', got '$got'"; fail=1; }
	if out=$(shorewall check "$dir" 2>&1); then
		echo "ok   $plan: shorewall check passes"
	else
		echo "FAIL $plan: shorewall check: $(echo "$out" | grep -E 'ERROR|WARNING' | head -5)"
		echo "$out" | tail -20
		fail=1
	fi
	if echo "$out" | grep -q WARNING; then
		echo "FAIL $plan: warnings: $(echo "$out" | grep WARNING)"; fail=1
	fi
done
# The check really reads our files from that directory: a rule naming an unknown zone fails it.
printf 'ACCEPT\tnosuchzone\t$FW\tudp\t31002\n' >>"$tmp/alpha/rules"
if shorewall check "$tmp/alpha" >/dev/null 2>&1; then
	echo "FAIL shorewall check accepted a rule with an unknown zone: is it reading $tmp/alpha?"; fail=1
else
	echo "ok   a broken rules file fails the check"
fi
chains=$(nft list ruleset | grep -c 'chain ' || true)
rules=$(iptables-save 2>/dev/null | grep -c '^-A' || true)
if [ "$chains" = 0 ] && [ "$rules" = 0 ]; then
	echo "ok   shorewall check loaded no chain and no rule"
else
	echo "FAIL shorewall check loaded rules: $chains nft chains, $rules iptables rules"; fail=1
fi
exit $fail
