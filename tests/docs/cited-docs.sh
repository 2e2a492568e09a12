#!/usr/bin/env bash
# Every document the repository cites is in the repository: each reference to a Markdown file
# (docs/format.md, README.md, ...) in code, tests, scripts, units, meson files and the
# documents themselves names a file that exists, and each section it names, as an anchor
# (file#section) or as a quoted heading (file "Heading"), is a heading of that file. Also
# checked: "(README: Heading)" and README "Heading", which messages and comments use.
# A reference resolves against the citing file's directory, then the top of the tree; web
# addresses are not references. Usage: cited-docs.sh [SOURCE_ROOT]
#
# Before the real tree, the checker runs on a small tree of its own with known bad
# references and must report exactly those: a checker that finds nothing fails too.
set -uE
trap 'echo "cited-docs.sh: line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR

# GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens.
slug() {
	printf '%s\n' "$1" | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}

# The anchors of a Markdown file's headings (fenced code skipped), one a line.
anchors() {
	local line
	awk '/^```/ { fence = !fence; next } !fence && /^#+ / { sub(/^#+ +/, ""); sub(/ +#*$/, ""); print }' "$1" |
		while IFS= read -r line; do slug "$line"; done
}

# FILE<TAB>LINE<TAB>REFERENCE for every reference in the files given on stdin (NUL-separated).
references() {
	xargs -0 awk '
	{
		line = $0
		gsub(/[a-z][a-z0-9+.-]*:\/\/[^ )>"]*/, "", line)
		rest = line
		while (match(rest, /[A-Za-z0-9_][A-Za-z0-9_.\/-]*\.md(#[A-Za-z0-9_-]+)?( "[^"]+")?/)) {
			ref = substr(rest, RSTART, RLENGTH)
			next_char = substr(rest, RSTART + RLENGTH, 1)
			rest = substr(rest, RSTART + RLENGTH)
			if (next_char !~ /[A-Za-z0-9]/)
				print FILENAME "\t" FNR "\t" ref
		}
		rest = line
		while (match(rest, /\(README: [^)]+\)|README "[^"]+"/)) {
			ref = substr(rest, RSTART, RLENGTH)
			rest = substr(rest, RSTART + RLENGTH)
			if (ref ~ /^\(/) {
				sub(/^\(README: /, "", ref)
				sub(/\)$/, "", ref)
			} else {
				sub(/^README "/, "", ref)
				sub(/"$/, "", ref)
			}
			print FILENAME "\t" FNR "\tREADME.md \"" ref "\""
		}
		if (FILENAME ~ /\.md$/) {
			rest = line
			while (match(rest, /\]\(#[A-Za-z0-9_-]+\)/)) {
				ref = substr(rest, RSTART + 2, RLENGTH - 3)
				rest = substr(rest, RSTART + RLENGTH)
				n = split(FILENAME, parts, "/")
				print FILENAME "\t" FNR "\t" parts[n] ref
			}
		}
	}'
}

# Prints one line per broken reference under root; returns 1 when there is one.
check_tree() {
	local root=$1 file line ref target section dir bad=0
	cd "$root" || return 1
	while IFS=$'\t' read -r file line ref; do
		file=${file#./}
		section=
		target=${ref%% \"*}
		if [[ $ref == *' "'* ]]; then
			section=${ref#* \"}
			section=${section%\"}
			section=$(slug "$section")
		fi
		if [[ $target == *'#'* ]]; then
			section=${target#*#}
			target=${target%%#*}
		fi
		dir=$(dirname "$file")
		if [ -f "$dir/$target" ]; then
			target=$dir/$target
		elif [ ! -f "$target" ]; then
			echo "$file:$line: cites $target, which is not in the repository"
			bad=1
			continue
		fi
		if [ -n "$section" ] && ! anchors "$target" | grep -qxF -- "$section"; then
			echo "$file:$line: cites section '$section' of ${target#./}, which has no such heading"
			bad=1
		fi
	done < <(find . \( -path ./.git -o -path './build*' -o -path ./tests/fixtures \
		-o -path ./tests/fuzz/corpus -o -path ./tests/docs/cited-docs.sh \) -prune \
		-o -type f -size -1024k -print0 | references)
	cd - >/dev/null || return 1
	return $bad
}

# The checker's own proof: a tree with one good reference of each kind and four bad ones.
self_test() {
	local t out expect
	t=$(mktemp -d /tmp/wgm-cited-docs.XXXXXX)
	mkdir -p "$t/docs" "$t/src"
	printf '# Top\n## Site file\n```\n# not a heading\n```\n' >"$t/docs/format.md"
	printf '# wgmesh\n## Upgrading from 1.0\nSee [the format](docs/format.md#site-file).\n' >"$t/README.md"
	printf '%s\n' '/* ok: docs/format.md "Site file", docs/format.md#top, https://example.com/x.md */' \
		'/* bad: OLD.md */' \
		'/* bad: docs/format.md#not-a-heading */' \
		'/* bad: docs/format.md "Not a heading" */' \
		'/* ok: (README: Upgrading from 1.0); bad: README "Nowhere" */' >"$t/src/a.c"
	printf '[ok](#site-file) and [bad](#gone)\n' >>"$t/docs/format.md"
	out=$(check_tree "$t" | sort)
	rm -rf "$t"
	expect="docs/format.md:6: cites section 'gone' of docs/format.md, which has no such heading
src/a.c:2: cites OLD.md, which is not in the repository
src/a.c:3: cites section 'not-a-heading' of docs/format.md, which has no such heading
src/a.c:4: cites section 'not-a-heading' of docs/format.md, which has no such heading
src/a.c:5: cites section 'nowhere' of README.md, which has no such heading"
	if [ "$out" != "$expect" ]; then
		echo "FAIL: the checker's self-test: expected
$expect
got
$out"
		return 1
	fi
	echo "ok: the checker finds the five broken references of its self-test tree"
}

root=${1:-$(dirname "$0")/../..}
self_test || exit 1
if out=$(check_tree "$root"); then
	echo "ok: every cited document and section is in the repository"
else
	echo "FAIL: documents cited but not in the repository:"
	echo "$out"
	exit 1
fi
