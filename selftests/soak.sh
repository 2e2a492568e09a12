#!/usr/bin/env bash
# Soak: a 5-node mesh under CPU, memory and I/O load, LAN pings every 50 ms on all 10 pairs of
# LANs (both ways), for SECONDS (default 600) at each BFD interval, the baseline first. Every
# node runs `wgmesh-net run`, as wgmesh-net@ does, so its flap counts and BFD damping take
# part. The load: LOOPS busy loops (default 32), each in a session of its own (the scheduler's
# autogroups give each its share, as separate services would have), and stress-ng churning
# memory and disk. BGP and BFD state is polled every 0.5 s on every node; a session seen in
# any other state than Established / Up after having been so counts once per episode (from the
# state, never from BIRD's "since" column, which moves with the wall clock under load).
# Prints, per interval: sessions seen down (BGP, BFD), pings lost, the flaps wgmesh-net run
# counted and the links it slowed, and the load average; side by side.
#
#   sudo selftests/soak.sh [SECONDS]
# SOAK_LOOPS (32), SOAK_INTERVALS (default "50 DEFAULT", as bench_failover.sh),
# SOAK_STRESS=0: no stress-ng. WGM_BUILD: the build dir (default build/).
set -eEu
. "$(dirname "$0")/lib/harness.sh"
SECONDS_EACH=${1:-600}
LOOPS=${SOAK_LOOPS:-32}
STRESS=${SOAK_STRESS:-1}
trap 'echo "soak: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

if [ "$STRESS" = 1 ] && ! command -v stress-ng >/dev/null; then
	die "stress-ng is not installed (apt-get install stress-ng), or run with SOAK_STRESS=0"
fi
[ -n "$(mesh_bfd_default)" ] || die "cannot read the default BFD interval from wgmesh-net --help"
intervals=$(mesh_intervals "${SOAK_INTERVALS:-50 DEFAULT}")
nodes=5
all=$(seq 1 $nodes)
work=$(mktemp -d /tmp/wgm-soak.XXXXXX)
logs=${SOAK_LOG_DIR:-$work.logs} # kept after the run
declare -A RUN=() LOAD=()
stop_load() {
	local p
	for p in "${!LOAD[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
	for p in "${!LOAD[@]}"; do wait "$p" 2>/dev/null || true; unset "LOAD[$p]"; done
}
stop_runs() {
	local n
	for n in "${!RUN[@]}"; do kill "${RUN[$n]}" 2>/dev/null || true; done
	for n in "${!RUN[@]}"; do wait "${RUN[$n]}" 2>/dev/null || true; unset "RUN[$n]"; done
}
trap 'rc=$?; stop_load; stop_runs; mesh_cleanup $rc "$work" up run bird' EXIT

# wgmesh-net run on node N at MS, in the background; its log in n<N>/run.log.
run_start() { # N MS
	local n=$1 d
	d=$(mesh_node_dir "$n")
	# nsenter itself in the background, not on_node (a function: its subshell would get the
	# signal and leave wgmesh-net running): nsenter and env exec, so the pid is wgmesh-net's
	nsenter -t "${NODE_PID[$n]}" -m -n -- env WGM_E2E_NODE="$TOPO_WORK/n$n" \
		WGM_DNSFETCH="$(mesh_cmd wgmesh-dnsfetch)" "$(mesh_cmd wgmesh-net)" \
		--state-dir "$d/state" --dns "$MESH_DNS" --bird-dir "$d/bird" \
		--shorewall-dir "$d/shorewall" --nft-dir "$d/nft" --hook-dir "$d/hooks" \
		--bfd-interval "$2" --interval 300 run "$MESH_DOMAIN" >>"$d/run.log" 2>&1 &
	RUN[$n]=$!
}

# Every 0.5 s: each node's BGP and BFD sessions; prints "bgp_down bfd_down" at the end (on
# SIGTERM), counting each session's falls from Established / Up.
poll_sessions() {
	local n stop= bgp=0 bfd=0 key state
	declare -A was=()
	trap 'stop=1' TERM
	while [ -z "$stop" ]; do
		for n in $all; do
			while read -r key state; do
				if [ "$state" = up ]; then
					was[$key]=1
				elif [ -n "${was[$key]:-}" ]; then
					unset "was[$key]"
					case $key in bgp-*) bgp=$((bgp + 1)) ;; *) bfd=$((bfd + 1)) ;; esac
					echo "$(date +%T.%N | cut -c1-12) node$n ${key%%-*} ${key#*-} down ($state)" >>"$work/downs"
				fi
			done < <(
				birdc_on "$n" show protocols 2>/dev/null | awk -v n="$n" '$2 == "BGP" { print "bgp-" n "-" $1, ($0 ~ /Established/ ? "up" : $6) }'
				birdc_on "$n" show bfd sessions 2>/dev/null | awk -v n="$n" '$1 ~ /^(fd|fe|[0-9])/ && NF >= 4 { print "bfd-" n "-" $2, ($3 == "Up" ? "up" : $3) }'
			)
		done
		sleep 0.5 &
		wait $! || true
	done
	echo "$bgp $bfd" >"$work/poll.result"
}

# Replies missing between the first and the last reply of a ping -D file.
ping_lost() {
	awk '/bytes from/ && match($0, /icmp_seq=[0-9]+/) { s = substr($0, RSTART + 9, RLENGTH - 9) + 0;
		if (!(s in seen)) { seen[s] = 1; n++ }; if (min == "" || s < min) min = s; if (s > max) max = s }
		END { if (n == 0) print 1000000; else print max - min + 1 - n }' "$1"
}

mesh_require_commands
echo "== topology: $nodes nodes, knotd, BIRD in every private namespace, wgmesh-net run on each"
topo_init "$work"
mkdir -p "$work/pings" "$work/stress"
MESH_BFD_INTERVAL=${intervals%% *} mesh_build $all

declare -A RESULT=()
for ms in $intervals; do
	echo "== $SECONDS_EACH s at BFD $ms ms x 5: $LOOPS busy loops$([ "$STRESS" = 1 ] && echo ", stress-ng (memory, disk)")"
	stop_runs
	for n in $all; do rm -f "$(mesh_node_dir "$n")/state/$MESH_DOMAIN.flaps"; run_start "$n" "$ms"; done
	conv=$(wait_converged 180 $all) || { print_table $all; die "not converged at $ms ms"; }
	echo "converged in $conv s"
	sleep 2 # BIRD retimed the running sessions: let the last poll sequence end
	: >"$work/downs"
	rm -f "$work/pings"/*
	pings=()
	for a in $all; do for b in $all; do
		[ "$a" = "$b" ] && continue
		ip netns exec "${LAN_NS[$a]}" ping -D -n -i 0.05 -W 1 "10.$b.0.10" >"$work/pings/$a-$b" 2>&1 &
		pings+=($!)
	done; done
	poll_sessions &
	poller=$!
	for i in $(seq 1 "$LOOPS"); do
		setsid bash -c 'while :; do :; done' &
		LOAD[$!]=1
	done
	if [ "$STRESS" = 1 ]; then
		(cd "$work/stress" && exec setsid stress-ng --vm 2 --vm-bytes 1G --vm-method all \
			--hdd 1 --hdd-bytes 512M --iomix 1 --iomix-bytes 256M --timeout "${SECONDS_EACH}s" --quiet) &
		LOAD[$!]=1
	fi
	sleep "$SECONDS_EACH"
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	stop_load
	kill "$poller"
	wait "$poller" || true
	kill "${pings[@]}" 2>/dev/null || true
	wait "${pings[@]}" 2>/dev/null || true
	lost=0
	for f in "$work/pings"/*; do lost=$((lost + $(ping_lost "$f"))); done
	read -r bgp bfd <"$work/poll.result"
	flaps=0 slowed=0
	for n in $all; do
		f=$(mesh_node_dir "$n")/state/$MESH_DOMAIN.flaps
		[ -f "$f" ] || continue
		flaps=$((flaps + $(awk '!/^#/ { s += $3 } END { print s + 0 }' "$f")))
		slowed=$((slowed + $(awk '!/^#/ && $7 > 0 { s++ } END { print s + 0 }' "$f")))
	done
	if [ -s "$work/downs" ]; then
		echo "sessions seen down (first 40; the rest and every node's run.log in $logs/$ms):"
		sed 's/^/  /' "$work/downs" | head -n 40
	fi
	mkdir -p "$logs/$ms"
	cp "$work/downs" "$logs/$ms/"
	for n in $all; do cp "$(mesh_node_dir "$n")/run.log" "$logs/$ms/run-node$n.log"; done
	echo "BGP down $bgp, BFD down $bfd, pings lost $lost, flaps counted by run $flaps, links slowed $slowed, load $load"
	RESULT[$ms]="$bgp $bfd $lost $flaps $slowed $load"
done

echo
echo "== soak: $SECONDS_EACH s each, 5 nodes, $(mesh_backend 1), $LOOPS busy loops$([ "$STRESS" = 1 ] && echo " + stress-ng"), pings every 50 ms on 20 directed pairs"
printf '%-30s %8s %8s %10s %8s %8s  %s\n' BFD "BGP down" "BFD down" "pings lost" flaps slowed "load (1 5 15)"
for ms in $intervals; do
	read -r bgp bfd lost flaps slowed l1 l5 l15 <<<"${RESULT[$ms]}"
	printf '%-30s %8s %8s %10s %8s %8s  %s\n' "$(mesh_interval_label "$ms" "$intervals")" "$bgp" "$bfd" "$lost" "$flaps" "$slowed" "$l1 $l5 $l15"
done
echo "goal at the default: 0 sessions down, 0 pings lost"
