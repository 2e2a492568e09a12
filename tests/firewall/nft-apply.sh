#!/usr/bin/env bash
# Our nftables script passes `nft -c -f`, applies inside the test's namespace, replaces itself
# when applied again (one table, the new rules), and is removed with one command.
# usage: nft-apply.sh FIREWALL_TOOL   (through in_netns, as root)
set -eu
tool=$1
tmp=$(mktemp -d)
cleanup() {
	nft delete table inet wgmesh_private 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ "${WGM_IN_NETNS:-}" != 1 ]; then
	echo "FAIL: must run through in_netns (it would change the host's ruleset otherwise)"
	exit 1
fi

fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
file=$tmp/wgmesh-private.nft
count_tables() { nft list tables | grep -c '^table inet wgmesh_private$' || true; }

for plan in alpha three empty alpha-nolan; do
	"$tool" nft "$plan" "$tmp" >/dev/null
	if out=$(nft -c -f "$file" 2>&1); then ok "$plan: nft -c accepts it"; else bad "$plan: nft -c: $out"; fi
done

"$tool" nft alpha "$tmp" >/dev/null
nft -f "$file"
n=$(count_tables)
[ "$n" = 1 ] && ok "applied: one table" || bad "after the first apply: expected 1 table, got $n"
if nft list table inet wgmesh_private | grep -q 'udp dport 31002'; then ok "alpha's port 31002 open"; else bad "31002 missing: $(nft list table inet wgmesh_private)"; fi

"$tool" nft three "$tmp" >/dev/null
nft -f "$file"
nft -f "$file"
n=$(count_tables)
[ "$n" = 1 ] && ok "applied twice more: still one table" || bad "expected 1 table, got $n"
rules=$(nft list table inet wgmesh_private)
if echo "$rules" | grep -q '31002, 31003, 31005'; then ok "replaced by the three-peer rules"; else bad "rules not replaced: $rules"; fi
n=$(echo "$rules" | grep -c 'masquerade' || true)
[ "$n" = 1 ] && ok "one masquerade rule" || bad "expected 1 masquerade rule, got $n"
if echo "$rules" | grep -q 'policy drop'; then bad "a drop policy in our table"; else ok "no drop policy"; fi

nft delete table inet wgmesh_private
n=$(count_tables)
[ "$n" = 0 ] && ok "removed" || bad "table still there after delete"
exit $fail
