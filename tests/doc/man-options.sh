#!/usr/bin/env bash
# Every option a command's --help prints appears in its man page, and every page renders
# with man -l without a warning. Options are read generically: every token of the help text
# that starts with - or -- (so a command that grows options or per-command help is covered
# as it changes). wgmesh-net's commands are read off its usage (lines "  NAME ...") and each
# one's `wgmesh-net NAME --help` is checked too. wgdeploy's page sends the reader to
# wgmesh-net(8) for the options, so both pages count for it.
# usage: man-options.sh BUILD_ROOT
set -eu
. "$(dirname "$0")/../lib/assert.sh"
build=$1
doc=$build/doc
[ -f "$doc/wgmesh-net.8" ] || { echo "SKIP: man pages not built (no scdoc)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$(realpath "$build/netmgr/wgmesh-net")" "$tmp/wgdeploy"

# A page as plain words: roff's escapes and font changes dropped.
plain() { sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(em/--/g' -e 's/\\&//g' "$@"; }
opts_of() { # the option tokens of a help text on stdin
	grep -oE '(^|[][[:space:],|(])--?[[:alnum:]][-[:alnum:]]*' | sed 's/^[^-]*//' | sort -u
}

check() { # WHAT PROGRAM-AND-ARGS... -- PAGE...
	local what=$1 cmd=() pages=() opt n=0 missing=()
	shift
	while [ "$1" != -- ]; do cmd+=("$1"); shift; done
	shift
	pages=("$@")
	local help
	help=$("${cmd[@]}" --help 2>&1) || { fail "$what --help exits non-zero"; return; }
	for opt in $(opts_of <<<"$help"); do
		n=$((n + 1))
		plain "${pages[@]/#/$doc/}" | grep -qE -- "(^|[^-[:alnum:]])$opt([^-[:alnum:]]|$)" ||
			missing+=("$opt")
	done
	if [ "$n" = 0 ]; then
		fail "$what --help prints no option at all (did its format change?)"
	elif [ ${#missing[@]} -gt 0 ]; then
		fail "$what --help prints ${missing[*]}, missing from ${pages[*]}"
	else
		pass "$what: all $n options of --help are in ${pages[*]}"
	fi
}

check wgsite "$build/site/wgsite" -- wgsite.1
check wgpub "$build/site/wgpub" -- wgpub.1
check wgconfig "$build/site/wgconfig" -- wgconfig.8
check wghost "$build/site/wghost" -- wghost.8
check wgmesh-net "$build/netmgr/wgmesh-net" -- wgmesh-net.8
check wgdeploy "$tmp/wgdeploy" -- wgdeploy.8 wgmesh-net.8
check wgmesh-dnsfetch "$build/dnsfetch/wgmesh-dnsfetch" -- wgmesh-dnsfetch.8
check wgmesh-birdc "$build/birdgen/wgmesh-birdc" -- wgmesh-birdc.8
cmds=$("$build/netmgr/wgmesh-net" --help | sed -n '/^usage:/,/^[^ ]/ s/^  \([a-z][-a-z0-9.]*\) .*/\1/p')
[ -n "$cmds" ] || { fail "wgmesh-net --help lists no command"; }
for c in $cmds; do
	check "wgmesh-net $c" "$build/netmgr/wgmesh-net" "$c" -- wgmesh-net.8
	plain "$doc/wgmesh-net.8" | grep -qE "(^|[^-[:alnum:]])$c([^-[:alnum:]]|$)" ||
		{ fail "wgmesh-net command $c is not in wgmesh-net.8"; }
done

# Each page renders (man-db, groff) with no warning.
if command -v man >/dev/null; then
	for page in "$doc"/*.[1-8]; do
		out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || true
		lines=$(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)
		if [ -z "$out" ] && [ "$lines" -gt 10 ]; then
			pass "man -l ${page##*/}: $lines lines, no warning"
		else
			fail "man -l ${page##*/}: $lines lines, ${out:-no output}"
		fi
	done
else
	echo "note: no man here (Debian package man-db): rendering not checked"
fi
assert_exit
