#!/usr/bin/env bash
# Every option a command's --help prints appears in its man page, and every page renders
# with man -l without a warning. Options are read generically: every token of the help text
# that starts with - or -- (so a command that grows options or per-command help is covered
# as it changes). wgmesh-net's commands are read off its usage (lines "  NAME ...") and each
# one's `wgmesh-net NAME --help` is checked too. wgdeploy's page sends the reader to
# wgmesh-net(8) for the options, so both pages count for it.
# usage: man-options.sh BUILD_ROOT
set -eEu
trap 'echo "FAIL: man-options.sh line $LINENO: $BASH_COMMAND" >&2' ERR
build=$1
doc=$build/doc
[ -f "$doc/wgmesh-net.8" ] || { echo "SKIP: man pages not built (no scdoc)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
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
	help=$("${cmd[@]}" --help 2>&1) || { echo "FAIL $what --help exits non-zero"; fail=1; return; }
	for opt in $(opts_of <<<"$help"); do
		n=$((n + 1))
		plain "${pages[@]/#/$doc/}" | grep -qE -- "(^|[^-[:alnum:]])$opt([^-[:alnum:]]|$)" ||
			missing+=("$opt")
	done
	if [ "$n" = 0 ]; then
		echo "FAIL $what --help prints no option at all (did its format change?)"
		fail=1
	elif [ ${#missing[@]} -gt 0 ]; then
		echo "FAIL $what --help prints ${missing[*]}, missing from ${pages[*]}"
		fail=1
	else
		echo "ok   $what: all $n options of --help are in ${pages[*]}"
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
[ -n "$cmds" ] || { echo "FAIL wgmesh-net --help lists no command"; fail=1; }
for c in $cmds; do
	check "wgmesh-net $c" "$build/netmgr/wgmesh-net" "$c" -- wgmesh-net.8
	plain "$doc/wgmesh-net.8" | grep -qE "(^|[^-[:alnum:]])$c([^-[:alnum:]]|$)" ||
		{ echo "FAIL wgmesh-net command $c is not in wgmesh-net.8"; fail=1; }
done

# Each page renders (man-db, groff) with no warning.
if command -v man >/dev/null; then
	for page in "$doc"/*.[1-8]; do
		out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || true
		lines=$(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)
		if [ -z "$out" ] && [ "$lines" -gt 10 ]; then
			echo "ok   man -l ${page##*/}: $lines lines, no warning"
		else
			echo "FAIL man -l ${page##*/}: $lines lines, ${out:-no output}"
			fail=1
		fi
	done
else
	echo "note: no man here (Debian package man-db): rendering not checked"
fi
exit $fail
