#!/usr/bin/env bash
# The service side of one node (alpha of the 1.0 fixture): local hooks after up and before
# down, the tester namespace, and `run`: sd_notify readiness and status, a DNS failure that
# keeps the mesh, SIGHUP to refetch, SIGTERM leaving the mesh up.
source "$(dirname "$0")/lib.sh"
D=wg.example.com

make_internet
make_node alpha 192.0.2.10 10.20.1.1/24
host_state alpha $D $A_UUID n1lab 10.20.1.1/24 "$H/alpha.example.net/etc-wireguard" "$SITEKEY"
mkdir -p "$T/alpha/hooks"
cat >"$T/alpha/hooks/10-record" <<HOOK
#!/bin/sh
echo "\$1 \$WGM_NETNS \$WGM_OCTET" >>"$T/hook.log"
HOOK
chmod +x "$T/alpha/hooks/10-record"
echo "not executable: must not run" >"$T/alpha/hooks/20-plain"

net alpha apply "$R/$A_UUID.$D.txt" >"$T/out" 2>"$T/err" || fail "apply: $(cat "$T/err")"
expect_eq "the hook ran after up with namespace and octet" "up n1lab 1" "$(cat "$T/hook.log")"

# tester namespace
net alpha tester up $D >"$T/out" 2>"$T/err" || fail "tester up: $(cat "$T/err")"
expect_eq "tester addresses" "192.168.101.10/24 192.168.101.100/24 192.168.101.200/24" \
	"$(ip -n tester -4 -o addr show dev tester1 | awk '{print $4}' | paste -sd' ')"
expect_eq "tester gateway in the private namespace" "192.168.101.1/24" \
	"$(ip -n n1lab -4 -o addr show dev tester1 | awk '{print $4}')"
if ip netns exec tester ping -c1 -W2 192.168.101.1 >/dev/null; then pass "tester reaches the private namespace"; else fail "tester cannot ping 192.168.101.1"; fi
expect_eq "tester default route" "default via 192.168.101.1 dev tester1" "$(ip -n tester route show default | sed 's/ proto boot//; s/ *$//')"
net alpha tester down $D >"$T/out" 2>"$T/err" || fail "tester down: $(cat "$T/err")"
expect_eq "tester namespace gone" "" "$(ip netns list | awk '$1 == "tester"')"
expect_eq "tester veth gone from the private namespace" "" "$(ip -n n1lab -o link show | grep -o tester1 || true)"

# run: no DNS server answers (nothing listens on the port): the mesh is kept
notify_listen
before=$(node_state alpha n1lab)
# exec all the way down, so $! is wgmesh-net itself and gets our signals. Without
# CAP_SYS_PTRACE, as under its unit.
noptrace="setpriv --bounding-set -sys_ptrace --inh-caps -sys_ptrace"
mkdir -p "$T/alpha/wgrun"
(exec env NOTIFY_SOCKET="$T/notify.sock" unshare --mount --propagation unchanged -- bash -c \
	'mount --bind "$1" /run/wireguard && shift && exec nsenter --net=/run/netns/alpha "$@"' \
	run "$T/alpha/wgrun" $noptrace "$NET" --state-dir "$T/alpha" --bird-dir "$T/alpha/bird" \
	--nft-dir "$T/alpha/nft" --hook-dir "$T/alpha/hooks" --dnsfetch "$WGM_BUILD/dnsfetch/wgmesh-dnsfetch" \
	--dns 127.0.0.1:5399 --interval 3600 run $D >"$T/run.out" 2>"$T/run.err") &
runner=$!
matches() { # FILE PATTERN COUNT: COUNT lines match
	[ "$(grep -c -- "$2" "$1" 2>/dev/null || true)" -ge "$3" ]
}
wait_for 30 "run signals READY=1" matches "$T/notify.log" "READY=1" 1
expect_contains "the status says the mesh was kept" "STATUS=record unavailable, mesh kept" "$(cat "$T/notify.log")"
# one run per domain: a second one (another --bfd-interval, say) would rewrite BIRD's config
# back and forth; it is refused at once, naming the first, and changes nothing
rc=0
out=$(net alpha --dns 127.0.0.1:5399 --interval 3600 --bfd-interval 200 run $D 2>&1) || rc=$?
expect_eq "a second run for $D exits non-zero" 1 "$([ "$rc" -ne 0 ] && echo 1 || echo 0)"
expect_contains "a second run is refused, naming the first" "another wgmesh-net run (pid $runner) manages $D" "$out"
expect_eq "the refused run changed nothing" "$before" "$(node_state alpha n1lab)"
kill -HUP "$runner"
wait_for 30 "SIGHUP makes another round" matches "$T/notify.log" "STATUS=" 2
kill -TERM "$runner"
rc=0; wait "$runner" || rc=$?
expect_eq "SIGTERM ends run cleanly" 0 "$rc"
kill "$listener"; wait "$listener" 2>/dev/null || true
expect_eq "run with DNS down left the mesh as it was" "$before" "$(node_state alpha n1lab)"

# The running manager holds the host key, so it is not dumpable: SIGQUIT with no core limit
# leaves no core file (core_pattern is a plain name here; a piped pattern cannot be checked).
if [ "$(cat /proc/sys/kernel/core_pattern)" = core ]; then
	mkdir "$T/cores"
	(cd "$T/cores" && ulimit -c unlimited && exec nsenter --net=/run/netns/alpha $noptrace "$NET" \
		--state-dir "$T/alpha" --bird-dir "$T/alpha/bird" --nft-dir "$T/alpha/nft" \
		--hook-dir "$T/alpha/hooks" --dnsfetch "$WGM_BUILD/dnsfetch/wgmesh-dnsfetch" \
		--dns 127.0.0.1:5399 --interval 3600 run $D >"$T/run2.out" 2>"$T/run2.err") &
	runner=$!
	# its first round, past its checks, before the signal: SIGQUIT must find wgmesh-net itself
	if poll 30 grep -q "using the pinned site key" "$T/run2.err"; then pass "a second run is up"; else fail "second run: $(cat "$T/run2.err")"; fi
	kill -QUIT "$runner"
	rc=0; wait "$runner" || rc=$?
	expect_eq "SIGQUIT ends run" 131 "$rc"
	expect_eq "the manager left no core file (not dumpable)" "" "$(ls "$T/cores")"
	rm -rf "$T/cores"
else
	echo "note: core_pattern is $(cat /proc/sys/kernel/core_pattern), not a file name: core check skipped"
fi

net alpha down $D >"$T/out" 2>"$T/err" || fail "down: $(cat "$T/err")"
expect_eq "the hook ran before down" "up n1lab 1|down n1lab 1" "$(paste -sd'|' "$T/hook.log")"
finish
