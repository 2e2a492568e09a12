# Shared by the netmgr namespace tests (sourced; runs inside tests/lib/in-netns.sh).
#
#   [node alpha: eth0 192.0.2.10]--+                          each node: its own underlay
#   [node beta:  eth0 198.51.100.20]--[inet: bridge br0]      namespace, wgmesh-net makes the
#   [node gamma: eth0 198.51.100.30]--+                       private one (host state netns:)
#
# Every check is an assertion that prints what it expected and what it got.
set -eu

: "${WGM_BUILD:?WGM_BUILD must point at the build directory}"
NET=$WGM_BUILD/netmgr/wgmesh-net
FIX=${WGM_FIXTURES:-}
# The wgmesh 1.0 fixture (tests/fixtures): its hosts, records, site key and the two hosts' uuids.
if [ -n "$FIX" ]; then
	H=$FIX/hosts
	R=$FIX/records
	SITEKEY=$(awk '/publickey:/ {print $2}' "$FIX/site/site.yaml")
	A_UUID=6fc94b76-f857-4dce-942c-47df480cdda3
	B_UUID=7dd3ebe3-e116-4121-b4ac-4405149a930e
fi
T=$(mktemp -d /tmp/wgm-netmgr.XXXXXX)
nodes=()
supervisors=()
. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/topo.sh"
INET=

cleanup() {
	local n
	bird_unsupervise
	for n in "${nodes[@]}"; do
		in_node "$n" "$NET" --state-dir "$T/$n" --bird-dir "$T/$n/bird" --hook-dir "$T/none" \
			down "$(domain_of "$n")" >/dev/null 2>&1 || true
	done
	# wireguard-go daemons wgmesh-net started for this test and `down` missed: those living in
	# one of our node namespaces, by pid
	for p in $(pgrep -x wireguard-go 2>/dev/null); do
		n=$(ip netns identify "$p" 2>/dev/null || true)
		[ -n "$n" ] && [[ " ${nodes[*]} " == *" $n "* ]] && kill "$p" 2>/dev/null || true
	done
	# anything still running from this test's files (a wgmesh-net run a failed check left, its
	# fetcher), by pid: nothing may outlive the test in a namespace about to go
	for p in $(pgrep -f -- "$T/" 2>/dev/null); do
		[ "$p" != $$ ] && [ "$p" != "$BASHPID" ] && kill -KILL "$p" 2>/dev/null || true
	done
	for n in $(ip netns list | awk '{print $1}'); do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

domain_of() { cat "$T/$1/.domain"; }

# make_internet: the namespace $INET (inet-<pid>) with the bridge br0 all nodes are on.
make_internet() {
	topo_ns INET inet
	topo_bridge "$INET" br0
}

# make_node NAME ADDR TRUST: an underlay namespace on the bridge, and a LAN interface lan0
# with the trust address (the operator's setup before the mesh). The namespace is the node's
# name (a fixture's host, which the expected output names), not the builder's NAME-pid.
make_node() {
	local n=$1 addr=$2 trust=$3
	ip netns add "$n"
	ip -n "$n" link set lo up
	topo_veth "$INET" "eth0-$n" "$n" eth0
	ip -n "$INET" link set "eth0-$n" master br0 up
	topo_addr "$n" eth0 "$addr/24"
	# All node subnets share the one bridge: reach them on-link.
	for net in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24; do
		ip -n "$n" route add "$net" dev eth0 2>/dev/null || true
	done
	ip -n "$n" link add lan0 type veth peer name lanpeer
	ip -n "$n" addr add "$trust" brd + dev lan0
	ip -n "$n" link set lan0 up
	ip -n "$n" link set lanpeer up
	mkdir -p "$T/$n"
	nodes+=("$n")
}

# host_state NODE DOMAIN UUID NETNS TRUSTIP KEYDIR: a wgconfig-style host state for this test.
host_state() {
	local n=$1 domain=$2 uuid=$3 netns=$4 trust=$5 keydir=$6 sitekey=$7
	install -m 0600 "$keydir/lab_priv" "$T/$n/lab_priv"
	install -m 0644 "$keydir/lab_pub" "$T/$n/lab_pub"
	echo "$domain" >"$T/$n/.domain"
	cat >"$T/$n/$domain.yaml" <<YAML
host:
  cmdfping: /usr/sbin/fping
  hostname: $n
  interface_outbound: ''
  interface_public: eth0
  interface_trust: lan0
  interface_trust_ip: $trust
  private_key_file: $T/$n/lab_priv
  public_key_file: $T/$n/lab_pub
  uuid: $uuid
  firewall: nftables
  netns: $netns
site:
  locus: lab
  public_key: $sitekey
YAML
}

# in_node NODE CMD...: a command in the node's underlay with the node's own /run/wireguard
# (each real node has its own; here they share one /run). /run/netns stays shared, so the
# namespaces wgmesh-net names are seen by all. Not `ip netns exec`: it makes /run/netns a
# slave, and a name made under it would not be seen outside.
in_node() {
	local n=$1; shift
	in_node_ns "$n" "$n" "$@"
}

# in_node_ns NODE NETNS CMD...: the same in another namespace of the node (its private one).
in_node_ns() {
	local n=$1 ns=$2; shift 2
	mkdir -p "$T/$n/wgrun"
	unshare --mount --propagation unchanged -- bash -c \
		'mount --bind "$1" /run/wireguard && shift && exec nsenter --net="/run/netns/$0" "$@"' \
		"$ns" "$T/$n/wgrun" "$@"
}

# wg_show NODE NETNS ARGS...: `wg show` of a device in the node's private namespace NETNS. A
# kernel device answers only in its own namespace, a wireguard-go one on the node's socket.
wg_show() {
	local n=$1 ns=$2; shift 2
	in_node_ns "$n" "$ns" wg show "$@"
}

# net NODE ARGS...: wgmesh-net inside the node, with the node's directories.
net() {
	local n=$1; shift
	mkdir -p "$T/$n/bird" "$T/$n/nft" "$T/$n/hooks"
	in_node "$n" "$NET" --state-dir "$T/$n" --bird-dir "$T/$n/bird" --nft-dir "$T/$n/nft" \
		--shorewall-dir "$T/$n/shorewall" --hook-dir "$T/$n/hooks" \
		--dnsfetch "$WGM_BUILD/dnsfetch/wgmesh-dnsfetch" "$@"
}

# pings NETNS ADDR: one ping answered (a tunnel needs a handshake first: poll it, wait_for).
pings() { ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }

# snapshot NODE: what `down` must give back.
snapshot() {
	local n=$1
	{
		ip -n "$n" -d link show | sed -E 's/ (link-netns|link-netnsid) [^ ]+//'
		ip -n "$n" addr show | grep -v -e 'valid_lft' -e 'inet6 fe80'
		# as sets: routes to one prefix over several links (fe80::/64) list in the order their
		# links came up, which is no state of the node's
		ip -n "$n" route show | sort
		ip -n "$n" -6 route show | sort
	}
}

finish() { assert_exit; }

# notify_listen: an sd_notify socket at $T/notify.sock, what it receives one line each in
# $T/notify.log; $listener is its pid. Returns once it listens.
notify_listen() {
	local i
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    msg = s.recv(4096).decode()
    with open(sys.argv[2], "a") as f:
        f.write(msg.replace("\n", " ") + "\n")
' "$T/notify.sock" "$T/notify.log" >"$T/listener.out" &
	listener=$!
	for i in $(seq 1 50); do grep -q listening "$T/listener.out" 2>/dev/null && break; sleep 0.1; done
}

# site_init: a site of our own in $T/site (domain $D, locus lab, ports 21100+, ASNs
# 64512-64520, made by wgsite init; needs S and D); sets SITEKEY to its public key.
site_init() {
	mkdir -p "$T/site"
	(cd "$T/site" && "$S/wgsite" init site.yaml --domain "$D" --locus lab --ipv6 fd86:ea04:1116::/48 \
		--portbase 21100 --asn-range 64512:64520 >/dev/null)
	SITEKEY=$(awk '/publickey:/ {print $2}' "$T/site/site.yaml")
}

# node_state NODE NETNS: the underlay and the private namespace, for "nothing changed"
# (wg runs in the private namespace with the node's /run/wireguard: either back end).
node_state() {
	local n=$1 ns=$2 d
	snapshot "$n"
	if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
		snapshot "$ns"
		for d in $(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | grep -E '^wg[0-9]+$'); do
			echo "$d port $(wg_show "$n" "$ns" "$d" listen-port) peers $(wg_show "$n" "$ns" "$d" endpoints | tr '\t\n' '  ')"
		done
	fi
}

# bird_supervise NETNS CONF: BIRD in NETNS under tests/lib/bird-supervise.sh (as
# wgmesh-bird@.service runs it); its pid goes to $T/bird-NETNS.pid, its output to .log.
bird_supervise() {
	local ns=$1 conf=$2
	setsid "$(dirname "${BASH_SOURCE[0]}")/../lib/bird-supervise.sh" "$ns" "$conf" \
		"/run/bird-$ns.sock" "$T/bird-$ns" &
	supervisors+=($!)
}

# Stops every supervisor (each kills its BIRD), by pid.
bird_unsupervise() {
	local p
	for p in "${supervisors[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${supervisors[@]}"; do wait "$p" 2>/dev/null || true; done
	supervisors=()
}
