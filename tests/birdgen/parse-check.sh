#!/usr/bin/env bash
# Every config birdgen renders passes BIRD's own parser (bird -p): the fixture's alpha and
# beta, a three-peer node and a node with no peers yet, drained or not.
# usage: parse-check.sh BIRDGEN_TOOL
set -eu
tool=$1
tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

. "$(dirname "$0")/../lib/assert.sh"
for plan in alpha beta three empty alpha-nolan; do
	dir=$tmp/$plan
	mkdir -p "$dir"
	got=$("$tool" write "$plan" "$dir")
	if [ "$got" != changed ]; then
		fail "$plan: first write: expected 'changed', got '$got'"
	fi
	if out=$(bird -p -c "$dir/bird_private.conf" 2>&1); then
		pass "$plan: bird -p accepts $dir/bird_private.conf"
	else
		fail "$plan: bird -p rejects it: $out"
	fi
	n=$(grep -c '^protocol bgp wg' "$dir/bird_private.conf" || true)
	case $plan in empty) want=0 ;; three) want=3 ;; *) want=1 ;; esac
	if [ "$n" != "$want" ]; then
		fail "$plan: expected $want bgp sessions, got $n"
	fi
done

# Drained (1, 2) parses too, and the drain file is really read: a broken one is refused.
dir=$tmp/three
for state in 1 2; do
	sed -i "s/^define WGMESH_DRAINED = .*/define WGMESH_DRAINED = $state;/" "$dir/bird_private_drain.conf"
	if out=$(bird -p -c "$dir/bird_private.conf" 2>&1); then
		echo "ok   three: accepts drain state $state"
	else
		echo "FAIL three: drain state $state rejected: $out"; fail=1
	fi
done
printf 'define WGMESH_DRAINED = ;\n' >"$dir/bird_private_drain.conf"
if bird -p -c "$dir/bird_private.conf" >/dev/null 2>&1; then
	echo "FAIL three: a broken drain file was not read (expected bird -p to fail)"; fail=1
else
	echo "ok   three: a broken drain file is read and refused"
fi

# A local addition in the include directory is picked up, and a broken one is refused:
# proof that the include line really reads that directory.
dir=$tmp/alpha
printf 'protocol static LOCALSTATIC { ipv4; route 10.77.0.0/16 blackhole; }\n' \
	>"$dir/bird_private_local.d/static.conf"
if out=$(bird -p -c "$dir/bird_private.conf" 2>&1); then
	pass "alpha: accepts a local include"
else
	fail "alpha: local include rejected: $out"
fi
printf 'this is not bird syntax;\n' >"$dir/bird_private_local.d/broken.conf"
if bird -p -c "$dir/bird_private.conf" >/dev/null 2>&1; then
	fail "alpha: a broken local include was not read (expected bird -p to fail)"
else
	pass "alpha: a broken local include is read and refused"
fi
assert_exit
