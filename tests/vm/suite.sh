#!/usr/bin/env bash
# One test of the `vm` suite: boots Debian's kernel once (run-in-vm.sh) and runs a list of this
# build's tests there with `meson test`, on the kernel WireGuard back end (chosen automatically:
# the VM's kernel has the module). Prints one line per test with its result and time, and
# passes only when every one passed; a test named with --must-run may not be skipped either.
#
#   suite.sh NAME BUILD_DIR [--must-run TEST]... [--env VAR=VALUE]... [--cpus N] -- MESON_TEST_ARGS...
#
# --env sets a variable for the tests in the VM (the VM starts with a plain environment).
# --cpus: the VM's CPUs (2). Under multi-threaded TCG, a vCPU can loop for ever on an int3 the
# kernel left while patching a static key the other vCPU flipped (seen as "soft lockup" in
# netif_receive_skb_list_internal, RIP on asm_exc_int3, with 90 busy WireGuard links while
# pings and nft rules toggle netstamp and netfilter keys): one vCPU has no other to race.
# Meson's own timeouts apply inside, times WGM_VM_TIMEOUT_MULTIPLIER (4: emulated CPUs are
# slower). The VM's logs (NAME.txt, NAME.json) are kept in BUILD_DIR/meson-logs/vm/, and its
# console as it comes in NAME.console (tail -f it to follow a run: meson shows a test's output
# only at its end).
set -u
name=$1 build=$2
shift 2
must=() envs=() cpus=2
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	case $1 in
	--must-run) must+=("$2"); shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	*) echo "suite.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
shift
here=$(cd "$(dirname "$0")" && pwd)
logs=$build/meson-logs/vm
mkdir -p "$logs"
rm -rf "$logs/$name".*

# Inside: meson's output through a pipe (no progress line on the serial console), the logs out.
WGM_VM_OUT=$logs/$name.out "$here/run-in-vm.sh" -c "$cpus" -t "${WGM_VM_SUITE_LIMIT:-3600}" env "${envs[@]}" bash -c '
	name=$1 build=$2 mult=$3; shift 3
	meson test -C "$build" --no-rebuild --logbase "vm-$name" --print-errorlogs \
		--timeout-multiplier "$mult" "$@" | cat
	cp "$build/meson-logs/vm-$name.json" "$OUT/$name.json"
	cp "$build/meson-logs/vm-$name.txt" "$OUT/$name.txt"
	# the kernel back end was the one used: its module is loaded
	[ -d /sys/module/wireguard ] && echo "vm: kernel WireGuard module loaded" || echo "vm: no kernel WireGuard used"
	' vm "$name" "$build" "${WGM_VM_TIMEOUT_MULTIPLIER:-4}" "$@" 2>&1 | tee "$logs/$name.console"
rc=${PIPESTATUS[0]}
[ "$rc" = 77 ] && exit 77
for f in json txt; do [ -f "$logs/$name.out/$name.$f" ] && mv "$logs/$name.out/$name.$f" "$logs/"; done
rm -rf "$logs/$name.out"
if [ ! -f "$logs/$name.json" ]; then
	echo "vm: no test results came back (VM exit $rc)"
	exit 1
fi
python3 - "$logs/$name.json" "${must[@]}" <<'PY'
import json, sys
results, must = {}, sys.argv[2:]
for line in open(sys.argv[1]):
    t = json.loads(line)
    name = t['name'].split(' / ')[-1]  # "project:suite / name"
    results[name] = t
    print(f"vm: {name:<28} {t['result']:<8} {t['duration']:7.1f}s")
bad = [n for n, t in results.items() if t['result'] not in ('OK', 'SKIP', 'EXPECTEDFAIL')]
bad += [f"{n} (must run, not {results[n]['result'] if n in results else 'absent'})" for n in must
        if n not in results or results[n]['result'] != 'OK']
if bad:
    print('vm: failed: ' + ', '.join(bad))
    sys.exit(1)
print(f"vm: all {len(results)} passed")
PY
