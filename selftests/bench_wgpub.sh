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

# measure DIR: "wall_seconds cpu_seconds kib" of wgpub writing record files: best wall time of
# 3 runs, their mean CPU time (user+sys: steadier than wall time on a busy machine), peak RSS.
measure() {
	python3 - "$build/site/wgpub" "$1" <<'PY'
import resource, subprocess, sys, time
wgpub, d = sys.argv[1], sys.argv[2]
best = None
runs = 3
for _ in range(runs):
    t0 = time.monotonic()
    subprocess.run([wgpub, "-q", "--serial", "1", "--out-dir", d + "/out", d + "/site.yaml"],
                   check=True, stdout=subprocess.DEVNULL)
    t = time.monotonic() - t0
    best = t if best is None or t < best else best
# Children's usage: CPU summed over the runs, ru_maxrss the largest of them (KiB on Linux).
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f %d" % (best, (ru.ru_utime + ru.ru_stime) / runs, ru.ru_maxrss))
PY
}

t0=$(date +%s)
make_site 25 "$T/s25"
make_site 250 "$T/s250"
echo "built the 25- and 250-host sites with wgsite/wgconfig/wghost in $(( $(date +%s) - t0 )) s"
read -r t25 c25 m25 < <(measure "$T/s25")
read -r t250 c250 m250 < <(measure "$T/s250")
records=$(ls "$T/s250/out" | wc -l)
bytes=$(cat "$T/s250/out"/*.txt | wc -c)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "wgpub 25 hosts: $t25 s (CPU $c25 s), peak RSS $m25 KiB (baseline)"
echo "wgpub 250 hosts: $t250 s (CPU $c250 s), peak RSS $m250 KiB ($records record files, $bytes bytes)"
python3 -c "import sys; a,b,c,d,e,f=map(float,sys.argv[1:]); r=lambda x,y: y/x if x else 0; print('ratio 250/25: wall %.1fx, CPU %.1fx, peak RSS %.1fx (output grows ~100x: 10x hosts, each with 10x peers)' % (r(a,b), r(c,d), r(e,f)))" "$t25" "$t250" "$c25" "$c250" "$m25" "$m250"
