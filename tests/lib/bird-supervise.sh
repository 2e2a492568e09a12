#!/usr/bin/env bash
# BIRD in network namespace NETNS, supervised the way wgmesh-bird@.service runs it: in the
# foreground, joining the namespace by name at each start (NetworkNamespacePath=), started
# again after it exits (Restart=always; here 0.2 s later). wgmesh-net never starts BIRD; it
# tells one left in a namespace that is gone to shut down, and this loop starts the next.
#
#   setsid bird-supervise.sh NETNS CONF SOCKET STATE     (STATE.pid: BIRD's pid; STATE.log)
#
# Run it with setsid, as a unit is a cgroup of its own: the scheduler gives each session
# (autogroup) its share, and BIRDs sharing the harness's session starve against 90
# wireguard-go daemons until BFD flaps. SIGTERM stops the loop and its BIRD.
ns=$1 conf=$2 sock=$3 state=$4
child=
. "$(dirname "$0")/bird-sched.sh"
trap 'kill $child 2>/dev/null; exit 0' TERM
while :; do
	if [ -e "/run/netns/$ns" ]; then
		ip netns exec "$ns" "${BIRD_SCHED[@]}" bird -f -c "$conf" -s "$sock" >>"$state.log" 2>&1 &
		child=$!
		echo "$child" >"$state.pid"
		wait "$child"
	fi
	sleep 0.2
done
