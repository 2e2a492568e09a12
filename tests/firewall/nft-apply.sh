#!/usr/bin/env bash
# Our nftables script passes `nft -c -f`, applies inside the test's namespace, replaces itself
# when applied again (one table, the new rules), and is removed with one command.
# usage: nft-apply.sh FIREWALL_TOOL   (through in_netns, as root)
set -eu
. "$(dirname "$0")/../lib/assert.sh"
tool=$1
tmp=$(mktemp -d)
cleanup() {
	nft delete table inet wgmesh_private 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ "${WGM_IN_NETNS:-}" != 1 ]; then
	die "must run through in_netns (it would change the host's ruleset otherwise)"
fi

file=$tmp/wgmesh-private.nft
count_tables() { nft list tables | grep -c '^table inet wgmesh_private$' || true; }

for plan in alpha three empty alpha-nolan; do
	"$tool" nft "$plan" "$tmp" >/dev/null
	if out=$(nft -c -f "$file" 2>&1); then pass "$plan: nft -c accepts it"; else fail "$plan: nft -c: $out"; fi
done

"$tool" nft alpha "$tmp" >/dev/null
nft -f "$file"
n=$(count_tables)
[ "$n" = 1 ] && pass "applied: one table" || fail "after the first apply: expected 1 table, got $n"
if nft list table inet wgmesh_private | grep -q 'udp dport 31002'; then pass "alpha's port 31002 open"; else fail "31002 missing: $(nft list table inet wgmesh_private)"; fi

"$tool" nft three "$tmp" >/dev/null
nft -f "$file"
nft -f "$file"
n=$(count_tables)
[ "$n" = 1 ] && pass "applied twice more: still one table" || fail "expected 1 table, got $n"
rules=$(nft list table inet wgmesh_private)
if echo "$rules" | grep -q '31002, 31003, 31005'; then pass "replaced by the three-peer rules"; else fail "rules not replaced: $rules"; fi
n=$(echo "$rules" | grep -c 'masquerade' || true)
[ "$n" = 1 ] && pass "one masquerade rule" || fail "expected 1 masquerade rule, got $n"
if echo "$rules" | grep -q 'policy drop'; then fail "a drop policy in our table"; else pass "no drop policy"; fi

nft delete table inet wgmesh_private
n=$(count_tables)
[ "$n" = 0 ] && pass "removed" || fail "table still there after delete"
assert_exit
