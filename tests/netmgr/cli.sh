#!/usr/bin/env bash
# wgmesh-net's command line, without root: every command has its --help, an option a command
# does not take is refused in one line before anything is read, the node options are taken by
# every command, a wrong argument count prints the command's usage line, wgdeploy is up.
# Usage: cli.sh WGMESH_NET
set -Eeu
NET=$(realpath "$1")
T=$(mktemp -d /tmp/wgm-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../lib/assert.sh"

# run ARGS...: rc, stdout and stderr of one wgmesh-net run
run() { rc=0; "$NET" "$@" >"$T/out" 2>"$T/err" || rc=$?; }

commands=$("$NET" --help | awk '/^usage:/ {on = 1; next} /^[a-z]/ {on = 0} on && /^  [a-z]/ {print $1}')
expect_eq "--help lists every command" "up apply down drain undrain status verify run tester retire-1.0 bird-stop bird-stopped" "$(echo $commands)"
for c in $commands; do
	run "$c" --help
	expect_eq "$c --help exits 0" 0 "$rc"
	expect_eq "$c --help starts with its usage line" "usage: wgmesh-net [options] $c" \
		"$(head -n 1 "$T/out" | awk '{print $1, $2, $3, $4}')"
done

# refused CMD OPTION [ARG]: one line on stderr, exit 1, before the host state is read
refused() {
	local c=$1 opt=$2
	shift 2
	if [ "$c" = tester ]; then run --state-dir "$T/none" "$opt" "$@" tester up wg.example.com
	else run --state-dir "$T/none" "$c" "$opt" "$@" wg.example.com; fi
	expect_eq "$c $opt: refused" 1 "$rc"
	expect_eq "$c $opt: one line naming it" \
		"wgmesh-net: error: $c does not take $opt (see wgmesh-net $c --help)" "$(cat "$T/err")"
}
refused up --metrics "$T/m.prom"
refused up --json
refused up --interval 60
refused apply --endpoint-timeout 60
refused down --bfd-interval 200
refused down --json
refused status --dry-run
refused status --metrics "$T/m.prom"
refused verify --interval 60
refused verify --dry-run
refused run --json
refused tester --metrics "$T/m.prom"
refused retire-1.0 --bfd-interval 200
refused drain --json
refused undrain --wait 5
refused up --no-drain
refused bird-stopped --wait 5
run --wait 3601 drain wg.example.com
expect_eq "--wait past an hour: refused" 1 "$rc"
expect_eq "--wait past an hour: one line" 'wgmesh-net: error: --wait "3601": give seconds between 0 and 3600' "$(cat "$T/err")"
run bird-stop ../etc
expect_eq "bird-stop of a bad namespace name: refused" 1 "$rc"

# every command takes the node options: it gets as far as the missing host state
node_opts=(--state-dir "$T/none" --dns 192.0.2.53 --dnsfetch /bin/true --dnsfetch-user nobody
	--bird-dir "$T/b" --shorewall-dir "$T/s" --nft-dir "$T/n" --hook-dir "$T/h" -q -v -d)
for c in status verify down drain undrain tester retire-1.0; do
	if [ "$c" = tester ]; then run "${node_opts[@]}" tester up wg.example.com
	else run "${node_opts[@]}" "$c" wg.example.com; fi
	expect_eq "$c takes the node options" "" "$(grep 'does not take' "$T/err" || true)"
	expect_eq "$c: reads the host state" 1 "$(grep -c "$T/none/wg.example.com.yaml" "$T/err")"
done

run verify
expect_eq "verify without DOMAIN: exit 1" 1 "$rc"
expect_eq "verify without DOMAIN: its usage line" "usage: wgmesh-net [options] verify DOMAIN" "$(cat "$T/err")"
run tester up
expect_eq "tester without DOMAIN: its usage line" "usage: wgmesh-net [options] tester up|down DOMAIN" "$(cat "$T/err")"
run nosuch wg.example.com
expect_eq "an unknown command: one line" 'wgmesh-net: error: unknown command "nosuch": see wgmesh-net --help' "$(cat "$T/err")"

ln -s "$NET" "$T/wgdeploy"
rc=0; "$T/wgdeploy" --help >"$T/out" 2>&1 || rc=$?
expect_eq "wgdeploy --help is up's" "usage: wgmesh-net [options] up DOMAIN" "$(head -n 1 "$T/out")"
rc=0; "$T/wgdeploy" --metrics "$T/m.prom" wg.example.com >"$T/out" 2>"$T/err" || rc=$?
expect_eq "wgdeploy refuses what up does not take" \
	"wgdeploy: error: up does not take --metrics (see wgmesh-net up --help)" "$(cat "$T/err")"

assert_exit
