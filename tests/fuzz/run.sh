#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (straight from the sources, sanitizers on) and runs
# each for a bounded time on a scratch copy of its committed corpus (tests/fuzz/corpus/<target>).
# A crash, leak or sanitizer report fails the run and leaves the reproducer in OUTDIR.
# Usage: run.sh SRCDIR OUTDIR [SECONDS per target, default 15]
set -eu
src=$1
out=$2
seconds=${3:-15}
cc=${CLANG:-clang}
mkdir -p "$out"

flags=(-g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-missing-field-initializers
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-I"$src/dnsfetch" -I"$src/common")
deps=$(pkg-config --cflags --libs libsodium yaml-0.1)

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

status=0
for target in fuzz_frame fuzz_record; do
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
