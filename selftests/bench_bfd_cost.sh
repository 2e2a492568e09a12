#!/usr/bin/env bash
# Benchmark: what BFD costs a node, per BFD interval and number of peers. Two namespaces, A (the
# node) and B (all its peers at once), joined by N links over one underlay veth; BIRD in each
# (under SCHED_RR, as wgmesh-bird@ runs it) with one BGP session per link, "bfd on" and the
# timers of birdgen's template, so A runs the BFD sessions a node with N peers runs. For 10 s with every session Up:
# BFD packets per second sent and received by A (from its links' counters: nothing else
# flows), and the CPU time of A's BIRD and of A's WireGuard daemons (wireguard-go; a kernel
# device's crypto runs in kernel threads, not charged to a process, so only packets then).
#
#   sudo selftests/bench_bfd_cost.sh
# BFD_COST_PEERS ("50 254"), BFD_COST_INTERVALS ("50 DEFAULT 10": DEFAULT is the product's for
# that many peers, wgm_bfd_default_interval in common/plan.c: 10 ms up to 25 peers, then as
# slow as keeps 2500 packets a second), BFD_COST_LINK: wireguard (default:
# kernel WireGuard where the kernel has it, else wireguard-go) or veth (no encryption: BIRD's
# own cost alone). wireguard-go needs an inotify instance per daemon: the bench raises
# fs.inotify.max_user_instances for its run and puts it back.
set -Eeu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${WGM_IN_NETNS:-}" != 1 ]; then
	exec "$top/tests/lib/in-netns.sh" "$0" "$@"
fi
PEERS=${BFD_COST_PEERS:-50 254}
INTERVALS=${BFD_COST_INTERVALS:-50 DEFAULT 10}
LINK=${BFD_COST_LINK:-wireguard}
T=$(mktemp -d /tmp/wgm-bfdcost.XXXXXX)
trap 'echo "bench_bfd_cost: failed at line $LINENO: $BASH_COMMAND" >&2; trap - ERR' ERR
inotify_old=
declare -a PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in $(pgrep -x wireguard-go 2>/dev/null); do
		case "$(ip netns identify "$p" 2>/dev/null)" in bfdA | bfdB) kill "$p" 2>/dev/null || true ;; esac
	done
	ip netns del bfdA 2>/dev/null || true
	ip netns del bfdB 2>/dev/null || true
	[ -z "$inotify_old" ] || echo "$inotify_old" >/proc/sys/fs/inotify/max_user_instances
	rm -rf "$T"
}
trap cleanup EXIT
trap "exit 143" TERM INT # so a stopped bench still puts the inotify limit back

kernel_wg=
if [ "$LINK" = wireguard ] && ip link add wgprobe type wireguard 2>/dev/null; then
	ip link del wgprobe
	kernel_wg=1
fi
backend=$LINK
[ "$LINK" = wireguard ] && backend=$([ -n "$kernel_wg" ] && echo "kernel WireGuard" || echo wireguard-go)

# B's BIRD config: one BGP + BFD session per link, AS 65000+octet, like a node's.
bird_conf() { # SIDE N MS
	local side=$1 n=$2 ms=$3 k me peer
	me=$([ "$side" = A ] && echo 1 || echo 2)
	peer=$((3 - me))
	cat <<EOF
router id 10.255.0.$me;
log "$T/bird$side.log" { warning, error, fatal, bug };
protocol device { }
protocol bfd { interface "*" { interval $ms ms; multiplier 5; }; }
template bgp mesh_partner {
  local as $((64600 + me));
  ipv6 { import none; export none; };
  hold time 6; bfd on; connect delay time 1; connect retry time 5; error wait time 1, 16;
}
EOF
	local ifp
	ifp=$([ "$side" = A ] && echo l || echo p)
	for k in $(seq 1 "$n"); do
		printf 'protocol bgp l%d from mesh_partner { interface "%s%d"; neighbor fd00:%x::%d as %d external; }\n' \
			"$k" "$ifp" "$k" "$k" "$peer" $((64600 + peer))
	done
}

# N links between bfdA (l<k>) and bfdB (p<k>: both share /run/wireguard, and a userspace
# daemon's socket is named after its link), addressed fd00:<k>::1 and ::2/64.
make_links() { # N
	local n=$1 k pa pb ka kb
	for k in $(seq 1 "$n"); do
		if [ "$LINK" = veth ]; then
			ip link add "l$k" netns bfdA type veth peer name "p$k" netns bfdB
		elif [ -n "$kernel_wg" ]; then
			ip -n bfdA link add "l$k" type wireguard
			ip -n bfdB link add "p$k" type wireguard
		else
			# as the manager starts them: SCHED_RR 10, one Go scheduler thread
			ip netns exec bfdA chrt --rr 10 env WG_PROCESS_FOREGROUND=1 GOMAXPROCS=1 wireguard-go "l$k" >/dev/null 2>&1 &
			PIDS+=($!)
			ip netns exec bfdB chrt --rr 10 env WG_PROCESS_FOREGROUND=1 GOMAXPROCS=1 wireguard-go "p$k" >/dev/null 2>&1 &
			PIDS+=($!)
		fi
	done
	for k in $(seq 1 "$n"); do
		for i in $(seq 1 200); do
			ip -n bfdA link show "l$k" >/dev/null 2>&1 && ip -n bfdB link show "p$k" >/dev/null 2>&1 && break
			sleep 0.05
		done
		if [ "$LINK" = wireguard ]; then
			ka=$(wg genkey) kb=$(wg genkey)
			pa=$((20000 + k)) pb=$((30000 + k)) # below the ephemeral range (32768-): the daemons start on a random port there
			ip netns exec bfdA wg set "l$k" private-key <(echo "$ka") listen-port "$pa" \
				peer "$(echo "$kb" | wg pubkey)" endpoint "192.0.2.2:$pb" allowed-ips ::/0
			ip netns exec bfdB wg set "p$k" private-key <(echo "$kb") listen-port "$pb" \
				peer "$(echo "$ka" | wg pubkey)" endpoint "192.0.2.1:$pa" allowed-ips ::/0
		fi
		ip -n bfdA addr add "fd00:$(printf %x "$k")::1/64" dev "l$k" nodad
		ip -n bfdB addr add "fd00:$(printf %x "$k")::2/64" dev "p$k" nodad
		ip -n bfdA link set "l$k" up
		ip -n bfdB link set "p$k" up
	done
}

# The sum of a namespace's links' packet counters: "tx rx".
counters() { # NS
	ip netns exec "$1" cat /proc/net/dev | awk '$1 ~ /^l[0-9]+:$/ { rx += $3; tx += $11 } END { printf "%d %d\n", tx, rx }'
}
# CPU ticks (user+sys) of the given pids, summed.
ticks() {
	local p s=0 t
	for p in "$@"; do
		t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
		s=$((s + t))
	done
	echo "$s"
}

if [ "$LINK" = wireguard ] && [ -z "$kernel_wg" ]; then
	max=0
	for n in $PEERS; do [ "$n" -gt "$max" ] && max=$n; done
	want=$((2 * max + 64))
	cur=$(cat /proc/sys/fs/inotify/max_user_instances)
	if [ "$cur" -lt "$want" ]; then
		inotify_old=$cur
		echo "$want" >/proc/sys/fs/inotify/max_user_instances
		echo "fs.inotify.max_user_instances $cur -> $want for this run"
	fi
fi
hz=$(getconf CLK_TCK)
declare -A RES=() LABEL=()
for n in $PEERS; do
	ip netns del bfdA 2>/dev/null || true
	ip netns del bfdB 2>/dev/null || true
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	PIDS=()
	ip netns add bfdA
	ip netns add bfdB
	ip -n bfdA link set lo up
	ip -n bfdB link set lo up
	ip link add u netns bfdA type veth peer name u netns bfdB
	ip -n bfdA addr add 192.0.2.1/24 dev u
	ip -n bfdB addr add 192.0.2.2/24 dev u
	ip -n bfdA link set u up
	ip -n bfdB link set u up
	echo "== $n links ($backend)"
	make_links "$n"
	default=$(( (n * 1000 + 2499) / 2500 ))
	[ "$default" -lt 10 ] && default=10
	for ms in ${INTERVALS//DEFAULT/$default}; do
		[ -n "${RES[$n-$ms]:-}" ] && continue # the default may be one of the others
		LABEL[$n-$ms]=$([ "$ms" = "$default" ] && echo " (default)" || true)
		for side in A B; do
			bird_conf "$side" "$n" "$ms" >"$T/bird$side.conf"
			ip netns exec "bfd$side" chrt --rr 20 bird -f -c "$T/bird$side.conf" -s "$T/bird$side.sock" &
			PIDS+=($!)
			eval "bird_$side=\$!"
		done
		# every BFD session Up on A
		for i in $(seq 1 600); do
			up=$(birdc -s "$T/birdA.sock" show bfd sessions 2>/dev/null | awk '$3 == "Up" { u++ } END { print u + 0 }')
			[ "$up" = "$n" ] && break
			sleep 0.1
		done
		if [ "$up" != "$n" ]; then
			echo "$ms ms: only $up of $n BFD sessions Up after 60 s: more than this machine carries"
			RES[$n-$ms]="- - - - only-$up-of-$n-up"
			kill "$bird_A" "$bird_B"
			wait "$bird_A" "$bird_B" 2>/dev/null || true
			continue
		fi
		sleep 2
		wgpids=()
		for p in $(pgrep -x wireguard-go 2>/dev/null); do
			[ "$(ip netns identify "$p" 2>/dev/null)" = bfdA ] && wgpids+=("$p")
		done
		read -r tx0 rx0 < <(counters bfdA)
		b0=$(ticks "$bird_A")
		w0=$(ticks "${wgpids[@]}")
		sleep 10
		read -r tx1 rx1 < <(counters bfdA)
		b1=$(ticks "$bird_A")
		w1=$(ticks "${wgpids[@]}")
		RES[$n-$ms]=$(awk -v tx=$((tx1 - tx0)) -v rx=$((rx1 - rx0)) -v b=$((b1 - b0)) -v w=$((w1 - w0)) -v hz="$hz" -v nw="${#wgpids[@]}" \
			'BEGIN { printf "%d %d %.1f %s", tx / 10, rx / 10, b * 100 / hz / 10, nw ? sprintf("%.1f", w * 100 / hz / 10) : "-" }')
		echo "$ms ms: ${RES[$n-$ms]}"
		kill "$bird_A" "$bird_B"
		wait "$bird_A" "$bird_B" 2>/dev/null || true
	done
done

echo
echo "== BFD's cost to one node, $backend, every session Up, measured over 10 s"
printf '%-6s %-19s %12s %12s %14s %22s\n' peers interval "pkt/s sent" "pkt/s recv" "BIRD CPU %" "WireGuard daemons CPU %"
for key in $(printf '%s\n' "${!RES[@]}" | sort -t- -k1,1n -k2,2nr); do
	read -r tx rx b w note <<<"${RES[$key]}"
	printf '%-6s %-19s %12s %12s %14s %22s %s\n' "${key%-*}" "${key#*-} ms${LABEL[$key]:-}" "$tx" "$rx" "$b" "$w" "${note:-}"
done
echo "(CPU % of one core; expected packets: peers x 1000 / interval each way)"
