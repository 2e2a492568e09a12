#!/usr/bin/env bash
# Benchmark: wgpub on a 250-host site built with our own commands (wgsite init; per host
# wgconfig -l -P and wghost -a in its own state directory; wgsite -i), against a 25-host site
# built the same way in the same run. Prints wall time and peak RSS of wgpub, and the ratios.
# Usage: selftests/bench_wgpub.sh [BUILD_DIR]   (default: build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
for p in wgsite wgpub wghost wgconfig; do
	[ -x "$build/site/$p" ] || { echo "missing $build/site/$p: build first (ninja -C $build)" >&2; exit 1; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# make_site N DIR: an N-host site; host i at 198.51.100.x / 203.0.113.x and 2001:db8::i.
make_site() {
	local n=$1 dir=$2 i name msg pub
	mkdir -p "$dir"
	"$build/site/wgsite" -q init "$dir/site.yaml" --domain bench.example.com --locus bn \
		--ipv6 fd00:bec:1::/48 --asn-range 4200000000:4200000999 >/dev/null
	pub=$(sed -n 's/^  publickey: //p' "$dir/site.yaml")
	for i in $(seq 1 "$n"); do
		name=node$i.example.net
		"$build/site/wgconfig" -q --state-dir "$dir/n$i" -l bn -P "$pub" bench.example.com >/dev/null
		msg=$("$build/site/wghost" -q --state-dir "$dir/n$i" -h "$name" \
			-a "$([ "$i" -le 200 ] && echo 198.51.100.$i || echo 203.0.113.$((i - 200)))" \
			-a "2001:db8::$i" bench.example.com | sed -n 's/^Message to Home: //p')
		"$build/site/wgsite" -q -i "$msg" "$dir/site.yaml" >/dev/null
	done
}

# measure DIR: "seconds kib" of one wgpub run writing record files (best of 3 for time).
measure() {
	python3 - "$build/site/wgpub" "$1" <<'PY'
import resource, subprocess, sys, time
wgpub, d = sys.argv[1], sys.argv[2]
best = None
for _ in range(3):
    t0 = time.monotonic()
    subprocess.run([wgpub, "-q", "--serial", "1", "--out-dir", d + "/out", d + "/site.yaml"],
                   check=True, stdout=subprocess.DEVNULL)
    t = time.monotonic() - t0
    best = t if best is None or t < best else best
# ru_maxrss of children: the largest of the wgpub runs (KiB on Linux).
print("%.3f %d" % (best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
}

t0=$(date +%s)
make_site 25 "$T/s25"
make_site 250 "$T/s250"
echo "built the 25- and 250-host sites with wgsite/wgconfig/wghost in $(( $(date +%s) - t0 )) s"
read -r t25 m25 < <(measure "$T/s25")
read -r t250 m250 < <(measure "$T/s250")
records=$(ls "$T/s250/out" | wc -l)
bytes=$(cat "$T/s250/out"/*.txt | wc -c)
echo "wgpub 25 hosts: $t25 s, peak RSS $m25 KiB (baseline)"
echo "wgpub 250 hosts: $t250 s, peak RSS $m250 KiB ($records record files, $bytes bytes)"
python3 -c "import sys; a,b,c,d=map(float,sys.argv[1:]); print('ratio 250/25: time %.1fx, peak RSS %.1fx (records grow ~100x: 10x hosts, each with 10x peers)' % (b/a if a else 0, d/c if c else 0))" "$t25" "$t250" "$m25" "$m250"
