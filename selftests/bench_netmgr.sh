#!/usr/bin/env bash
# Benchmark: one node with 50 peers. wgmesh-net (cold apply, then a no-op re-apply) against the
# 1.0 way of building the same state (its ns-private ip commands, then its rendered wg-quick
# files brought up one by one inside the namespace; a 1.0 re-deploy restarts every link).
# Both run here, in the same run, on the same machine; times and ratios are printed. For
# wgmesh-net also: its own CPU time (user+sys) and peak RSS (/usr/bin/time), the netlink (and
# UAPI) requests and writes it made (its -d count), and the link/address/route events seen by
# `ip monitor` in both namespaces during the no-op. Then a node with 254 peers (the format's
# limit; WGM_BENCH_LARGE=0 skips it): cold up, no-op, peak RSS.
#   sudo selftests/bench_netmgr.sh [BUILD_DIR]      (re-runs itself inside tests/lib/in-netns.sh)
set -eu
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

cleanup() {
	local p n
	for p in $(pgrep -x wireguard-go 2>/dev/null); do
		n=$(ip netns identify "$p" 2>/dev/null || true)
		case "$n" in node|n1lab|private) kill "$p" 2>/dev/null || true ;; esac
	done
	[ -z "${mons:-}" ] || kill $mons 2>/dev/null || true
	for n in n1lab private node; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "bench_netmgr: failed at line $LINENO" >&2; cat "$T/err" "$T/err10" 2>/dev/null | tail -5 >&2' ERR
now() { date +%s.%N; }
progress() { echo "bench_netmgr: $*" >&2; }
since() { echo "$(now) - $1" | bc; }

# the node: an underlay namespace with its public interface (up checks that it exists) and a LAN
setup_node() {
	ip netns add node
	ip -n node link set lo up
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
		printf 'asn: 4200000000\nsite: wg.example.com\noctet: 1\nportbase: 31000\nremote: fd42:7a3b:19c0::/48\nserial: 1\nhosts:\n'
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

progress "deploy data for $PEERS peers ready"
# --- wgmesh-net --- (nsenter: `ip netns exec` would hide the namespace name it mounts)
mkdir -p "$T/bird"
# wgm RECORD [-d]: one apply, measured by /usr/bin/time into $T/time: wall user sys maxrss(KiB)
wgm() {
	/usr/bin/time -f '%e %U %S %M' -o "$T/time" nsenter --net=/run/netns/node "$NET" "${2:--q}" \
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
# run_wgm N RECORD PREFIX: cold up; a no-op (timed, counted, watched by ip monitor); down.
# Sets PREFIX_cold PREFIX_cold_cpu PREFIX_cold_rss PREFIX_noop PREFIX_noop_cpu PREFIX_noop_rss
# PREFIX_noop_us (the manager's own getrusage) PREFIX_reqs PREFIX_writes PREFIX_events.
run_wgm() {
	local n=$1 rec=$2 p=$3 c
	setup_node
	wgm "$rec"
	eval "${p}_cold=$(wall) ${p}_cold_cpu=$(cpu_ms) ${p}_cold_rss=$(rss)"
	backend=$(ip -n n1lab -d link show wg2 | grep -q ' wireguard ' && echo kernel || echo userspace)
	c=$(ip -n n1lab -o link show | grep -c ': wg' || true)
	[ "$c" = "$n" ] || { echo "wgmesh-net built $c devices, not $n" >&2; exit 1; }
	settled node
	settled n1lab
	ip -n node monitor link address route >"$T/mon-under" 2>&1 & mons="$!"
	ip -n n1lab monitor link address route >"$T/mon-priv" 2>&1 & mons="$mons $!"
	sleep 0.5 # let the monitors subscribe: they print nothing when nothing happens
	wgm "$rec" -d
	sleep 0.5
	kill $mons; wait $mons 2>/dev/null || true; mons=
	[ "$(cat "$T/out")" = "0 changes" ] || { echo "re-apply was not a no-op: $(cat "$T/out")" >&2; exit 1; }
	eval "${p}_noop=$(wall) ${p}_noop_cpu=$(cpu_ms) ${p}_noop_rss=$(rss)"
	eval "${p}_events=$(cat "$T/mon-under" "$T/mon-priv" | grep -c . || true)"
	read -r c _ <<<"$(counts)"; eval "${p}_reqs=$c"
	read -r _ c _ <<<"$(counts)"; eval "${p}_writes=$c"
	read -r _ _ c <<<"$(counts)"; eval "${p}_noop_us=$c"
	nsenter --net=/run/netns/node "$NET" -q --state-dir "$T" --hook-dir "$T/none" down wg.example.com >/dev/null 2>>"$T/err"
	ip netns del node
}
run_wgm "$PEERS" "$T/record.txt" m
cold=$m_cold noop=$m_noop
progress "wgmesh-net: cold $cold s, no-op $noop s ($m_noop_us us CPU, $m_writes writes)"
if [ "$LARGE" -gt 0 ]; then
	make_record "$LARGE" "$T/record-large.txt"
	progress "deploy data for $LARGE peers ready"
	run_wgm "$LARGE" "$T/record-large.txt" l
	progress "wgmesh-net, $LARGE peers: cold $l_cold s, no-op $l_noop s"
fi

# wgmesh-net's numbers now: the 1.0 baseline is slow (minutes under emulation)
printf 'peers: %d (WireGuard back end: %s)\n' "$PEERS" "$backend"
printf 'wgmesh-net cold up:            %6.2f s  (%d ms CPU, peak RSS %d KiB)\n' "$cold" "$m_cold_cpu" "$m_cold_rss"
printf 'wgmesh-net no-op re-apply:     %6.2f s  (0 changes; CPU %.1f ms, %d netlink/UAPI requests, %d writes, %d link/addr/route events)\n' \
	"$noop" "$(echo "$m_noop_us / 1000" | bc -l)" "$m_reqs" "$m_writes" "$m_events"
if [ "$LARGE" -gt 0 ]; then
	printf 'peers: %d%s, wgmesh-net only\n' "$LARGE" "$([ "$LARGE" = 254 ] && echo " (the format's limit)")"
	printf 'wgmesh-net cold up:            %6.2f s  (%d ms CPU, peak RSS %d KiB)\n' "$l_cold" "$l_cold_cpu" "$l_cold_rss"
	printf 'wgmesh-net no-op re-apply:     %6.2f s  (0 changes; CPU %.1f ms, peak RSS %d KiB, %d requests, %d writes, %d events)\n' \
		"$l_noop" "$(echo "$l_noop_us / 1000" | bc -l)" "$l_noop_rss" "$l_reqs" "$l_writes" "$l_events"
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
