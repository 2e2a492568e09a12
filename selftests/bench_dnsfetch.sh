#!/usr/bin/env bash
# Benchmark: fetch, reassemble, decrypt and parse a 250-host deploy record from a loopback
# knotd, 50 times through the wgmesh-dnsfetch child, with the in-process transport measured in
# the same run as the baseline. Prints median and max per transport.
# Usage: selftests/bench_dnsfetch.sh [BUILDDIR (default build)] [HOSTS (250)] [RUNS (50)]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
hosts=${2:-250}
runs=${3:-50}
. "$top/tests/lib/knot.sh"
. "$top/tests/dnsfetch/zone.sh"

bench=$build/tests/dnsfetch/bench_fetch
helper=$build/dnsfetch/wgmesh-dnsfetch
for f in "$bench" "$helper"; do
	[ -x "$f" ] || { echo "bench_dnsfetch: $f is missing; run ninja -C $build first" >&2; exit 1; }
done

tmp=$(mktemp -d)
cleanup() {
	knot_stop
	rm -rf "$tmp"
}
trap cleanup EXIT

"$bench" make "$tmp" "$hosts"
name=00000000-0000-4000-8000-000000000001.bench.example.com
zone_begin "$tmp/zone" bench.example.com
# 8 lines per RR: one RR per line would pass the 64 KiB DNS message limit at this size.
zone_add_records_packed "$tmp/zone" "$name" "$tmp/record.txt" 8
knot_start "$tmp/knot" bench.example.com "$tmp/zone"
echo "served by knotd $(knotd --version | awk '{print $NF}') at $KNOT_ADDR@$KNOT_PORT; $(nproc) CPUs"
"$bench" run "$tmp" "$name" "$KNOT_ADDR:$KNOT_PORT" "$helper" "$runs"
