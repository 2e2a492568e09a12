#!/usr/bin/env bash
# Benchmark: one node with 50 peers. wgmesh-net (cold apply, then a no-op re-apply) against the
# 1.0 way of building the same state (its ns-private ip commands, then its rendered wg-quick
# files brought up one by one inside the namespace; a 1.0 re-deploy restarts every link).
# Both run here, in the same run, on the same machine; times and ratios are printed.
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
T=$(mktemp -d /tmp/wgm-bench.XXXXXX)

cleanup() {
	local p n
	for p in $(pgrep -x wireguard-go 2>/dev/null); do
		n=$(ip netns identify "$p" 2>/dev/null || true)
		case "$n" in node|n1lab|private) kill "$p" 2>/dev/null || true ;; esac
	done
	for n in n1lab private node; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "bench_netmgr: failed at line $LINENO" >&2; cat "$T/err" "$T/err10" 2>/dev/null | tail -5 >&2' ERR
now() { date +%s.%N; }
progress() { echo "bench_netmgr: $*" >&2; }
since() { echo "$(now) - $1" | bc; }

# the node: an underlay namespace with a LAN interface
setup_node() {
	ip netns add node
	ip -n node link set lo up
	ip -n node link add lan0 type veth peer name lanpeer
	ip -n node addr add 10.20.1.1/24 brd + dev lan0
	ip -n node link set lan0 up
	ip -n node link set lanpeer up
}

# deploy data: alpha of the fixture with PEERS peers (octets 2..PEERS+1)
install -m 0600 "$FIX/hosts/alpha.example.net/etc-wireguard/lab_priv" "$T/lab_priv"
cp "$FIX/hosts/alpha.example.net/etc-wireguard/lab_pub" "$T/lab_pub"
SITEKEY=$(awk '/publickey:/ {print $2}' "$FIX/site/site.yaml")
{
	printf 'asn: 4200000000\nsite: wg.example.com\noctet: 1\nportbase: 31000\nremote: fd42:7a3b:19c0::/48\nserial: 1\nhosts:\n'
	for o in $(seq 2 $((PEERS + 1))); do
		wg genkey | wg pubkey >"$T/peer$o.pub"
		printf '  peer%d.example.net:\n    key: %s\n    asn: %d\n    localport: %d\n    remoteport: 31001\n    remote: 198.51.100.%d\n' \
			"$o" "$(cat "$T/peer$o.pub")" $((4200000000 + o - 1)) $((31000 + o)) "$o"
	done
} >"$T/deploy.yaml"
"$SEAL" "$FIX/site/site.key" "$T/lab_pub" "$T/deploy.yaml" >"$T/record.txt"
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
setup_node
mkdir -p "$T/bird"
wgm() { nsenter --net=/run/netns/node "$NET" -q --state-dir "$T" --bird-dir "$T/bird" --hook-dir "$T/none" \
	apply "$T/record.txt" wg.example.com >"$T/out" 2>>"$T/err"; }
t0=$(now); wgm; cold=$(since "$t0")
[ "$(ip -n n1lab -o link show | grep -c ': wg')" = "$PEERS" ] || { echo "wgmesh-net built $(ip -n n1lab -o link show | grep -c ': wg') devices, not $PEERS" >&2; exit 1; }
t0=$(now); wgm; noop=$(since "$t0")
[ "$(cat "$T/out")" = "0 changes" ] || { echo "re-apply was not a no-op: $(cat "$T/out")" >&2; exit 1; }
nsenter --net=/run/netns/node "$NET" -q --state-dir "$T" --hook-dir "$T/none" down wg.example.com >/dev/null 2>>"$T/err"
ip netns del node

progress "wgmesh-net: cold $cold s, no-op $noop s"
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
t0=$(now); wg10_down; wg10_up; redeploy10=$(since "$t0")

printf 'peers: %d\n' "$PEERS"
printf 'wgmesh-net cold up:            %6.2f s\n' "$cold"
printf 'wgmesh-net no-op re-apply:     %6.2f s  (0 changes)\n' "$noop"
printf '1.0 cold (ip + wg-quick up):   %6.2f s  (%d of %d links up, %d wg-quick failures)\n' "$cold10" "$up10" "$PEERS" "$failed"
printf '1.0 re-deploy (down + up):     %6.2f s\n' "$redeploy10"
printf 'ratio cold (1.0 / wgmesh-net):       %6.1fx\n' "$(echo "$cold10 / $cold" | bc -l)"
printf 'ratio re-apply (1.0 / wgmesh-net):   %6.1fx\n' "$(echo "$redeploy10 / $noop" | bc -l)"
