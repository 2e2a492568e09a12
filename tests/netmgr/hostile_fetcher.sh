#!/usr/bin/env bash
# `run` against hostile DNS fetchers (tests/dnsfetch/evilchild started under a fixed
# misbehaviour): the manager answers SIGHUP and SIGTERM within seconds while the child
# misbehaves, a child that stops reading cannot hang it (the 280th request used to block in
# send() for good; our send buffer now fills after about 20), and the mesh stays exactly as it
# was.
source "$(dirname "$0")/lib.sh"
D=wg.example.com
EVIL=$WGM_BUILD/tests/dnsfetch/evilchild
# A signal must be answered within this many seconds (a round's questions wait up to 12 s).
PROMPT=4

make_internet
make_node alpha 192.0.2.10 10.20.1.1/24
host_state alpha $D $A_UUID n1lab 10.20.1.1/24 "$H/alpha.example.net/etc-wireguard" "$SITEKEY"
net alpha apply "$R/$A_UUID.$D.txt" >"$T/out" 2>"$T/err" || fail "apply: $(cat "$T/err")"
before=$(node_state alpha n1lab)
mkdir -p "$T/evil"
ATTACKS="unknownid oversize lyinglen babble flood diemid empty sigsys"
for mode in silent deaf $ATTACKS; do ln -s "$EVIL" "$T/evil/evilchild-$mode"; done

notify_listen
runner=
stop_all() { # the cleanup of lib.sh, after our own processes
	[ -n "$runner" ] && kill -KILL "$runner" 2>/dev/null
	kill "$listener" 2>/dev/null
	cleanup
}
trap stop_all EXIT

# start_run MODE: wgmesh-net run with the hostile fetcher; $runner is wgmesh-net itself.
start_run() {
	: >"$T/notify.log"
	mkdir -p "$T/alpha/wgrun"
	(exec env NOTIFY_SOCKET="$T/notify.sock" unshare --mount --propagation unchanged -- bash -c \
		'mount --bind "$1" /run/wireguard && shift && exec nsenter --net=/run/netns/alpha "$@"' \
		run "$T/alpha/wgrun" "$NET" --state-dir "$T/alpha" --bird-dir "$T/alpha/bird" \
		--nft-dir "$T/alpha/nft" --hook-dir "$T/alpha/hooks" --dnsfetch "$T/evil/evilchild-$1" \
		--dns 127.0.0.1:5399 --interval 3600 run $D >"$T/run.out" 2>"$T/run-$1.err") &
	runner=$!
}
statuses() { grep -c "STATUS=" "$T/notify.log" 2>/dev/null || true; }
at_least() { [ "$(statuses)" -ge "$1" ]; }
# the fetcher the manager started (its own command line names the program too, and a SIGHUP
# sent before it blocks signals would kill it)
child_runs() { pgrep -P "$runner" -f -- "$T/evil/evilchild-$1" >/dev/null; }
gone() { ! kill -0 "$runner" 2>/dev/null; }
ms() { date +%s%3N; }
# stop_run WHEN: SIGTERM must end wgmesh-net within PROMPT seconds, cleanly.
stop_run() {
	local t0 rc=0
	t0=$(ms)
	kill -TERM "$runner"
	if poll $PROMPT gone; then
		pass "SIGTERM answered $1 ($(($(ms) - t0)) ms)"
	else
		fail "wgmesh-net still runs ${PROMPT}s after SIGTERM"
		kill -KILL "$runner"
	fi
	wait "$runner" || rc=$?
	runner=
	expect_eq "run ended cleanly" 0 "$rc"
}

# A child that never answers: each question would wait its 12 s.
start_run silent
poll 10 child_runs silent || fail "the silent fetcher never started"
t0=$(ms)
kill -HUP "$runner"
if poll $PROMPT at_least 1; then
	pass "SIGHUP answered while the fetcher is silent ($(($(ms) - t0)) ms to end the round)"
else
	fail "no round ended within ${PROMPT}s of SIGHUP: $(cat "$T/run-silent.err")"
fi
poll 10 child_runs silent || fail "no fetcher for the round after SIGHUP"
stop_run "while the fetcher is silent"
expect_contains "the log says why the question ended" "interrupted" "$(cat "$T/run-silent.err")"

# A child that answers every id but never reads: the requests fill the socket buffer.
start_run deaf
poll 15 at_least 1 || fail "no first round with the deaf fetcher"
stuck=
for i in $(seq 2 40); do
	kill -HUP "$runner"
	if ! poll 20 at_least "$i"; then
		stuck=$i
		break
	fi
done
expect_eq "40 rounds with a fetcher that never reads, none stuck" "" "$stuck"
expect_contains "the fetcher that stopped reading was killed" "dnsfetch took no request for $D within 12000 ms" \
	"$(cat "$T/run-deaf.err")"
stop_run "after 40 rounds"
expect_eq "the mesh is as it was" "$before" "$(node_state alpha n1lab)"

# Forged ids, oversize and lying frames, endless strings, a death half way through an answer,
# an empty frame, a seccomp kill: each round ends with the record unavailable or refused.
for mode in $ATTACKS; do
	start_run "$mode"
	t0=$(ms)
	if poll 20 at_least 1; then
		pass "$mode: the round ended ($(($(ms) - t0)) ms)"
	else
		fail "$mode: no round ended within 20 s"
	fi
	expect_contains "$mode: the mesh was kept" "mesh kept" "$(cat "$T/notify.log")"
	kill -TERM "$runner"
	poll $PROMPT gone || { fail "$mode: still runs ${PROMPT}s after SIGTERM"; kill -KILL "$runner"; }
	rc=0; wait "$runner" || rc=$?
	runner=
	expect_eq "$mode: run ended cleanly" 0 "$rc"
done
expect_eq "the mesh is as it was after every attack" "$before" "$(node_state alpha n1lab)"
finish
