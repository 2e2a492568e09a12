#!/usr/bin/env bash
# Benchmark: one node with 50 peers. wgmesh-net (cold apply, then a no-op re-apply) against the
# 1.0 way of building the same state (its ns-private ip commands, then its rendered wg-quick
# files brought up one by one inside the namespace; a 1.0 re-deploy restarts every link).
# Both run here, in the same run, on the same machine; times and ratios are printed. For
# wgmesh-net also: its own CPU time (user+sys) and peak RSS (/usr/bin/time), the netlink (and
# UAPI) requests and writes it made (its -d count), and the link/address/route events seen by
# `ip monitor` in both namespaces during the no-op. Then a node with 254 peers (the format's
# limit; WGM_BENCH_LARGE=0 skips it): cold up, no-op, peak RSS. On wireguard-go the large node
# needs an inotify instance per link: when fs.inotify.max_user_instances is too low the bench
# first shows that wgmesh-net refuses (one line, nothing built), then raises the limit for its
# run and puts the old value back at the end (WGM_BENCH_RAISE_INOTIFY=0: stop there instead).
#   sudo selftests/bench_netmgr.sh [BUILD_DIR]      (re-runs itself inside tests/lib/in-netns.sh)
set -Eeu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${WGM_IN_NETNS:-}" != 1 ]; then
	exec "$top/tests/lib/in-netns.sh" "$0" "$@"
fi
B=${1:-$top/build}
NET=$B/netmgr/wgmesh-net
SEAL=$B/tests/netmgr/seal_record
FIX=$top/tests/fixtures/wgmesh-1.0-2node
PEERS=${WGM_BENCH_PEERS:-50}
LARGE=${WGM_BENCH_LARGE:-254}
T=$(mktemp -d /tmp/wgm-bench.XXXXXX)

inotify_old=
cleanup() {
	local p n
	if [ -n "$inotify_old" ]; then
		echo "$inotify_old" >/proc/sys/fs/inotify/max_user_instances
		progress "fs.inotify.max_user_instances back to $inotify_old"
	fi
	for p in $(pgrep -x wireguard-go 2>/dev/null); do
		n=$(ip netns identify "$p" 2>/dev/null || true)
		case "$n" in node|n1lab|private) kill "$p" 2>/dev/null || true ;; esac
	done
	[ -z "${mons:-}" ] || kill $mons 2>/dev/null || true
	for n in n1lab private node; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap "exit 143" TERM INT # a stopped bench still puts the inotify limit back
# set -E: the trap also fires in functions, naming them and the command that failed.
trap 'echo "bench_netmgr: failed (status $?) at line $LINENO${FUNCNAME:+ in ${FUNCNAME[*]}}: $BASH_COMMAND" >&2; cat "$T/err" "$T/err10" 2>/dev/null | tail -5 >&2' ERR
now() { date +%s.%N; }
progress() { echo "bench_netmgr: $*" >&2; }
since() { echo "$(now) - $1" | bc; }

# The node's underlay is this script's own namespace (in-netns.sh made it), named "node" for
# ip -n: wgmesh-net then runs as a plain child, so its CPU time is its own, not also that of a
# wrapper such as nsenter that entered the namespace and exec'd it.
ip netns attach node $$
ip link set lo up
# the node: its public interface (up checks that it exists) and a LAN
setup_node() {
	# a veth, not a dummy: some kernels (this project's CI host) have no dummy module
	ip -n node link add eth0 type veth peer name eth0peer
	ip -n node link set eth0 up
	ip -n node link set eth0peer up
	ip -n node link add lan0 type veth peer name lanpeer
	ip -n node addr add 10.20.1.1/24 brd + dev lan0
	ip -n node link set lan0 up
	ip -n node link set lanpeer up
}

# deploy data: alpha of the fixture with N peers (octets 2..N+1) -> FILE
install -m 0600 "$FIX/hosts/alpha.example.net/etc-wireguard/lab_priv" "$T/lab_priv"
cp "$FIX/hosts/alpha.example.net/etc-wireguard/lab_pub" "$T/lab_pub"
SITEKEY=$(awk '/publickey:/ {print $2}' "$FIX/site/site.yaml")
make_record() { # N FILE
	local o
	{
		printf 'kind: deploy\nasn: 4200000000\nsite: wg.example.com\noctet: 1\nportbase: 31000\nremote: fd42:7a3b:19c0::/48\nserial: 1\nhosts:\n'
		for o in $(seq 2 $(($1 + 1))); do
			[ -s "$T/peer$o.pub" ] || wg genkey | wg pubkey >"$T/peer$o.pub"
			printf '  peer%d.example.net:\n    key: %s\n    asn: %d\n    localport: %d\n    remoteport: 31001\n    remote: 198.51.100.%d\n' \
				"$o" "$(cat "$T/peer$o.pub")" $((4200000000 + o - 1)) $((31000 + o)) "$o"
		done
	} >"$T/deploy.yaml"
	"$SEAL" "$FIX/site/site.key" "$T/lab_pub" "$T/deploy.yaml" >"$2"
}
make_record "$PEERS" "$T/record.txt"
cat >"$T/wg.example.com.yaml" <<YAML
host:
  hostname: alpha.example.net
  interface_outbound: ''
  interface_public: eth0
  interface_trust: lan0
  interface_trust_ip: 10.20.1.1/24
  private_key_file: $T/lab_priv
  public_key_file: $T/lab_pub
  uuid: 6fc94b76-f857-4dce-942c-47df480cdda3
  firewall: none
  netns: n1lab
site:
  locus: lab
  public_key: $SITEKEY
YAML

# back to a bare underlay: what setup_node made (and 1.0's veth), wherever the runs left it
teardown_node() {
	local l
	for l in eth0 lan0 ve-lab; do ip link del "$l" 2>/dev/null || true; done
}

progress "deploy data for $PEERS peers ready"
# --- wgmesh-net ---
mkdir -p "$T/bird"
# wgm RECORD [-d]: one apply, measured by /usr/bin/time into $T/time: wall user sys maxrss(KiB)
wgm() {
	/usr/bin/time -f '%e %U %S %M' -o "$T/time" "$NET" "${2:--q}" \
		--state-dir "$T" --bird-dir "$T/bird" --hook-dir "$T/none" \
		apply "$1" wg.example.com >"$T/out" 2>"$T/err.last"
	local rc=$?
	cat "$T/err.last" >>"$T/err"
	return $rc
}
wall() { awk '{print $1}' "$T/time"; }
cpu_ms() { awk '{printf "%.0f", ($2 + $3) * 1000}' "$T/time"; }
rss() { awk '{print $4}' "$T/time"; }
# from the manager's own -d line: requests writes CPU-microseconds
counts() { sed -n 's/.*netlink and UAPI: \([0-9]*\) requests, \([0-9]*\) writes; CPU \([0-9]*\) us.*/\1 \2 \3/p' "$T/err.last"; }
# settled NS: no IPv6 address still in duplicate address detection (its end is an event)
settled() {
	local i
	for i in $(seq 1 100); do
		[ -z "$(ip -n "$1" -6 addr show tentative)" ] && return 0
		sleep 0.1
	done
	echo "bench_netmgr: $1 still has tentative IPv6 addresses" >&2
}
# median of the numbers on stdin
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
NOOPS=${WGM_BENCH_NOOPS:-9}
# run_wgm N RECORD PREFIX: cold up; NOOPS no-ops (timed, counted, watched by ip monitor); down.
# Sets PREFIX_cold PREFIX_cold_cpu PREFIX_cold_rss PREFIX_noop PREFIX_noop_rss PREFIX_reqs
# PREFIX_writes PREFIX_events, and PREFIX_noop_us PREFIX_noop_min_us: the median and least of
# the manager's own getrusage (the whole process: start-up, loading, work) over the no-ops.
run_wgm() {
	local n=$1 rec=$2 p=$3 c k us=
	setup_node
	wgm "$rec"
	eval "${p}_cold=$(wall) ${p}_cold_cpu=$(cpu_ms) ${p}_cold_rss=$(rss)"
	[ "$p" != m ] || ref=$(ref_us)
	backend=$(ip -n n1lab -d link show wg2 | grep -q ' wireguard ' && echo kernel || echo userspace)
	c=$(ip -n n1lab -o link show | grep -c ': wg' || true)
	[ "$c" = "$n" ] || { echo "wgmesh-net built $c devices, not $n" >&2; exit 1; }
	settled node
	settled n1lab
	ip -n node monitor link address route >"$T/mon-under" 2>&1 & mons="$!"
	ip -n n1lab monitor link address route >"$T/mon-priv" 2>&1 & mons="$mons $!"
	sleep 0.5 # let the monitors subscribe: they print nothing when nothing happens
	for k in $(seq "$NOOPS"); do
		wgm "$rec" -d
		[ "$(cat "$T/out")" = "0 changes" ] || { echo "re-apply $k was not a no-op: $(cat "$T/out")" >&2; exit 1; }
		read -r _ c _ <<<"$(counts)"
		[ "$c" = 0 ] || { echo "re-apply $k made $c netlink/UAPI writes" >&2; exit 1; }
		read -r _ _ c <<<"$(counts)"; us="$us $c"
		[ "$k" != 1 ] || eval "${p}_noop=$(wall) ${p}_noop_rss=$(rss)"
	done
	sleep 0.5
	kill $mons; wait $mons 2>/dev/null || true; mons=
	eval "${p}_events=$(cat "$T/mon-under" "$T/mon-priv" | grep -c . || true)"
	read -r c _ <<<"$(counts)"; eval "${p}_reqs=$c"
	read -r _ c _ <<<"$(counts)"; eval "${p}_writes=$c"
	eval "${p}_noop_us=$(tr ' ' '\n' <<<"$us" | grep . | median)"
	eval "${p}_noop_min_us=$(tr ' ' '\n' <<<"$us" | grep . | sort -n | head -1)"
	"$NET" -q --state-dir "$T" --hook-dir "$T/none" down wg.example.com >/dev/null 2>>"$T/err"
	teardown_node
}
# The same run's yardstick for CPU time: one `ip -br link` in the private namespace (a process
# start and a netlink dump), median of 9 via bash's own child accounting. Under emulation
# everything is tens of times slower; the ratio to this stays comparable.
ref_us() {
	local TIMEFORMAT='%3U %3S' k
	for k in $(seq 9); do
		{ time ip -n n1lab -br link >/dev/null; } 2>&1 | awk '{printf "%.0f\n", ($1 + $2) * 1000000}'
	done | median
}
# inotify_room N: wireguard-go takes one inotify instance per link. When N more do not fit,
# wgmesh-net must refuse before it builds anything, saying which limit to raise; then the limit
# is raised for this run (cleanup puts it back).
inotify_room() {
	local limit used need c msg
	limit=$(cat /proc/sys/fs/inotify/max_user_instances)
	used=$(find /proc/[0-9]*/fd -lname 'anon_inode:inotify' 2>/dev/null | wc -l)
	need=$((used + $1 + 64))
	[ "$limit" -lt $((used + $1)) ] || return 0
	setup_node
	if wgm "$T/record-large.txt"; then
		echo "bench_netmgr: wgmesh-net built $1 wireguard-go links past fs.inotify.max_user_instances=$limit ($used in use)" >&2
		exit 1
	fi
	msg=$(grep -m1 'inotify' "$T/err.last" || true)
	c=$(ip -n n1lab -o link show 2>/dev/null | grep -c ': wg' || true)
	if [ -z "$msg" ] || [ "$c" != 0 ]; then
		echo "bench_netmgr: with fs.inotify.max_user_instances=$limit the refusal did not name the limit or left $c links: $(tail -n 2 "$T/err.last")" >&2
		exit 1
	fi
	progress "refused as it should, nothing built: $msg"
	teardown_node
	[ "${WGM_BENCH_RAISE_INOTIFY:-1}" = 1 ] || { echo "bench_netmgr: raise fs.inotify.max_user_instances to $need or more for $1 peers on wireguard-go" >&2; exit 1; }
	inotify_old=$limit
	echo "$need" >/proc/sys/fs/inotify/max_user_instances
	progress "fs.inotify.max_user_instances raised from $limit to $need for this run ($used in use, $1 links)"
}
run_wgm "$PEERS" "$T/record.txt" m
cold=$m_cold noop=$m_noop
progress "wgmesh-net: cold $cold s, no-op $noop s ($m_noop_us us CPU, $m_writes writes; yardstick $ref us)"
if [ "$LARGE" -gt 0 ]; then
	make_record "$LARGE" "$T/record-large.txt"
	progress "deploy data for $LARGE peers ready"
	[ "$backend" = userspace ] && inotify_room "$LARGE"
	run_wgm "$LARGE" "$T/record-large.txt" l
	progress "wgmesh-net, $LARGE peers: cold $l_cold s, no-op $l_noop s"
fi

# wgmesh-net's numbers now: the 1.0 baseline is slow (minutes under emulation)
printf 'peers: %d (WireGuard back end: %s)\n' "$PEERS" "$backend"
printf 'wgmesh-net cold up:            %6.2f s  (%d ms CPU, peak RSS %d KiB)\n' "$cold" "$m_cold_cpu" "$m_cold_rss"
printf 'wgmesh-net no-op re-apply:     %6.2f s  (0 changes; %d netlink/UAPI requests, %d writes, %d link/addr/route events in %d no-ops)\n' \
	"$noop" "$m_reqs" "$m_writes" "$m_events" "$NOOPS"
printf '  its CPU (whole process):      %6.1f ms  (median of %d; least %.1f ms)\n' \
	"$(echo "$m_noop_us / 1000" | bc -l)" "$NOOPS" "$(echo "$m_noop_min_us / 1000" | bc -l)"
printf '  yardstick, same run:          %6.1f ms  (CPU of one `ip -br link` in the namespace; the no-op costs %.1f of these)\n' \
	"$(echo "$ref / 1000" | bc -l)" "$(echo "$m_noop_us / $ref" | bc -l)"
if [ "$LARGE" -gt 0 ]; then
	printf 'peers: %d%s, wgmesh-net only\n' "$LARGE" "$([ "$LARGE" = 254 ] && echo " (the format's limit)")"
	printf 'wgmesh-net cold up:            %6.2f s  (%d ms CPU, peak RSS %d KiB)\n' "$l_cold" "$l_cold_cpu" "$l_cold_rss"
	printf 'wgmesh-net no-op re-apply:     %6.2f s  (0 changes; CPU %.1f ms median of %d, peak RSS %d KiB, %d requests, %d writes, %d events)\n' \
		"$l_noop" "$(echo "$l_noop_us / 1000" | bc -l)" "$NOOPS" "$l_noop_rss" "$l_reqs" "$l_writes" "$l_events"
fi

# --- the 1.0 way ---
setup_node
PRIV=$(cat "$T/lab_priv")
mkdir -p "$T/wg10"
for o in $(seq 2 $((PEERS + 1))); do
	cat >"$T/wg10/wg$o.conf" <<CONF
#
# Peering template generated template for vm => peer$o.example.net
#
[Interface]
Address    = fd42:7a3b:19c0:$(printf '%02x01' "$o")::1/64
ListenPort = $((31000 + o))
PrivateKey = $PRIV

# peer$o.example.net
[Peer]
PublicKey  = $(cat "$T/peer$o.pub")
Endpoint   = 198.51.100.$o:31001
AllowedIPs = 0.0.0.0/0, ::0/0
PersistentKeepAlive = 25
CONF
done
chmod 0600 "$T"/wg10/*.conf
wg10_up() { for o in $(seq 2 $((PEERS + 1))); do
	ip netns exec private wg-quick up "$T/wg10/wg$o.conf" >/dev/null 2>>"$T/err10" || failed=$((failed + 1)); done; }
wg10_down() { for o in $(seq 2 $((PEERS + 1))); do
	ip netns exec private wg-quick down "$T/wg10/wg$o.conf" >/dev/null 2>>"$T/err10" || true; done; }
failed=0
t0=$(now)
ip netns add private
ip -n private link set lo up
ip -n node link add ve-lab type veth peer name vi-lab netns private
ip -n node addr add 169.254.1.1/24 brd + dev ve-lab
ip -n node link set ve-lab up
ip -n node link set netns private dev lan0
ip netns exec private ip link set lan0 up
ip netns exec private ip addr add 10.20.1.1/24 brd + dev lan0
ip netns exec private ip addr add 169.254.1.2/24 brd + dev vi-lab
ip netns exec private ip link set vi-lab up
ip netns exec private ip route add 0.0.0.0/1 via 169.254.1.1
ip netns exec private ip route add 128.0.0.0/1 via 169.254.1.1
ip netns exec private sysctl -qw net.ipv4.ip_forward=1
ip netns exec private sysctl -qw net.ipv6.conf.all.forwarding=1
wg10_up
cold10=$(since "$t0")
up10=$(ip -n private -o link show | grep -c ': wg' || true)
progress "1.0 cold: $cold10 s"
printf '1.0 cold (ip + wg-quick up):   %6.2f s  (%d of %d links up, %d wg-quick failures)\n' "$cold10" "$up10" "$PEERS" "$failed"
printf 'ratio cold (1.0 / wgmesh-net):       %6.1fx\n' "$(echo "$cold10 / $cold" | bc -l)"
t0=$(now); wg10_down; wg10_up; redeploy10=$(since "$t0")

printf '1.0 re-deploy (down + up):     %6.2f s\n' "$redeploy10"
printf 'ratio re-apply (1.0 / wgmesh-net):   %6.1fx\n' "$(echo "$redeploy10 / $noop" | bc -l)"
