#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (straight from the sources, sanitizers on) and runs
# each for a bounded time on a scratch copy of its committed corpus (tests/fuzz/corpus/<target>).
# A crash, leak or sanitizer report fails the run and leaves the reproducer in OUTDIR.
# Usage: run.sh SRCDIR OUTDIR [SECONDS per target, default 15 [BUILDDIR]]  (FUZZ_TARGETS="a b":
# only those). BUILDDIR: meson's build root, for the header it generates (wgm_config.h, which
# fetch.c includes); default OUTDIR's, made here from the same values.
set -eu
src=$1
out=$2
seconds=${3:-15}
config=${4:-}
cc=${CLANG:-clang}
mkdir -p "$out"

flags=(-g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-missing-field-initializers
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-I"$src/dnsfetch" -I"$src/common")
if [ -z "$config" ]; then
	# standalone: the generated header's values as meson.build sets them (only their form matters here)
	config=$out/config
	mkdir -p "$config"
	printf '#define WGM_VERSION "fuzz"\n#define WGM_LIBEXECDIR "/usr/libexec/wgmesh"\n#define WGM_SYSCONFDIR "/etc"\n' >"$config/wgm_config.h"
fi
[ -f "$config/wgm_config.h" ] || { echo "run.sh: no wgm_config.h in $config (give meson's build root)" >&2; exit 1; }
flags+=(-I"$config")
deps=$(pkg-config --cflags --libs libsodium yaml-0.1)
cares=$(pkg-config --cflags --libs libcares)

build() { # target sources...
	local target=$1
	shift
	# shellcheck disable=SC2086
	"$cc" "${flags[@]}" -o "$out/$target" "$src/tests/fuzz/$target.c" "$@" $deps
}

# The record path needs most of common/: take its whole source list from its meson.build.
mapfile -t common_src < <(sed -n "/^common_src/,/)/p" "$src/common/meson.build" |
	grep -o "'[a-z0-9_]*\.c'" | tr -d "'" | sed "s|^|$src/common/|")
build fuzz_frame "$src/dnsfetch/proto.c" "$src/common/buf.c"
build fuzz_record "${common_src[@]}"
# The parent's fetch path against a real child process (evilchild playing the input as a
# script): the child is an ordinary program next to the target.
# shellcheck disable=SC2086
"$cc" -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-I"$src/dnsfetch" -I"$src/common" -o "$out/evilchild" "$src/tests/dnsfetch/evilchild.c" \
	"$src/dnsfetch/proto.c" "$src/dnsfetch/sandbox.c" "$src/common/buf.c" $deps
# shellcheck disable=SC2086
build fuzz_child "$src/dnsfetch/child.c" "$src/dnsfetch/proto.c" "$src/dnsfetch/fetch.c" \
	"$src/dnsfetch/resolve.c" "$src/common/spawn.c" "$src/common/log.c" "$src/common/esc.c" "$src/common/buf.c" $cares

status=0
for target in ${FUZZ_TARGETS:-fuzz_frame fuzz_record fuzz_child}; do
	work=$out/$target.corpus
	rm -rf "$work"
	mkdir -p "$work"
	echo "== $target: ${seconds}s"
	# New inputs go to the scratch directory; the committed corpus is only read.
	if ! (cd "$out" && "./$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 "$work" "$src/tests/fuzz/corpus/$target" 2>"$target.log"); then
		echo "FAIL: $target found a problem; see $out/$target.log and the crash-* file in $out" >&2
		tail -n 40 "$out/$target.log" >&2
		status=1
	else
		grep -E "^stat::number_of_executed_units|^Done" "$out/$target.log" || true
	fi
done
exit $status
