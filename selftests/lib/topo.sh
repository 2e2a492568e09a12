# Test topology for the end-to-end harness (source it; bash): machines made of the shared
# builder's pieces (tests/lib/topo.sh, its names). Runs inside tests/lib/in-netns.sh:
# the harness's own network namespace IS the "internet" and its private /run holds the LAN
# namespaces.
#
#              internet (the harness's netns): bridge br0
#              198.51.100.254/24, 203.0.113.53/24 (knotd)
#          ______________|________________ ... ___
#         | n1                | n2                | nN        (veth ports on br0)
#  node 1 "machine": own mount namespace (private /run: /run/netns, /run/wireguard, BIRD's
#  socket) and own underlay netns: eth0 198.51.100.1/24, default via .254
#     |  wgmesh-net builds here: the private netns (the locus), ve-<locus>, wg<k> devices
#     |  lan1: veth into the LAN; wgmesh moves it into the private netns as 10.1.0.1/24
#  LAN netns "lan1-<pid>": eth0 10.1.0.10/24, default via 10.1.0.1
#
# Each node is its own machine because wireguard-go's sockets (/run/wireguard/wg<k>.sock) and
# the private namespace name (the locus) are the same on every node.

. "$(dirname "${BASH_SOURCE[0]}")/../../tests/lib/topo.sh"

TOPO_WORK=
declare -A NODE_PID=() LAN_NS=()

topo_init() { # WORKDIR
	TOPO_WORK=$1
	mkdir -p "$TOPO_WORK"
	# A fixed MAC: a bridge without one takes the lowest MAC of its ports, so a node joining
	# later could change it under the other nodes' ARP entries for their gateway.
	topo_bridge "" br0 02:00:5e:00:53:fe
	topo_addr "" br0 198.51.100.254/24 203.0.113.53/24
	# Bridge-family table for link cuts (topo_cut); empty until a cut.
	nft add table bridge e2e_cut
	nft add chain bridge e2e_cut forward '{ type filter hook forward priority 0; }'
}

# Runs a command on node N's machine (its mount namespace and underlay netns). Everything it
# starts carries WGM_E2E_NODE in its environment, so topo_node_pids finds daemons (BIRD,
# wireguard-go) wherever they moved.
on_node() { # N CMD...
	local n=$1
	shift
	nsenter -t "${NODE_PID[$n]}" -m -n -- env WGM_E2E_NODE="$TOPO_WORK/n$n" "$@"
}

topo_add_node() { # N
	local n=$1 dir=$TOPO_WORK/n$1 i
	mkdir -p "$dir"
	rm -f "$dir/machine.ready"
	unshare --mount --propagation private --net -- bash -c '
		mount -t tmpfs -o mode=0755 node-run /run &&
		mkdir -p /run/netns /run/wireguard /run/bird /run/wgmesh &&
		ip link set lo up && : >"$1" && exec sleep infinity' _ "$dir/machine.ready" &
	NODE_PID[$n]=$!
	for i in $(seq 1 100); do
		[ -e "$dir/machine.ready" ] && break
		kill -0 "${NODE_PID[$n]}" || { echo "node $n machine died" >&2; return 1; }
		sleep 0.02
	done
	[ -e "$dir/machine.ready" ] || { echo "node $n machine not ready" >&2; return 1; }
	# Underlay: eth0 on the internet bridge (n<n> is its end here).
	topo_veth "" "n$n" "${NODE_PID[$n]}" eth0
	ip link set "n$n" master br0 up
	on_node "$n" ip addr add "198.51.100.$n/24" dev eth0
	on_node "$n" ip link set eth0 up
	on_node "$n" ip route add default via 198.51.100.254
	# LAN: lan<n> stays in the underlay for wgmesh to take as its trust interface.
	topo_ns "LAN_NS[$n]" "lan$n"
	topo_veth "${NODE_PID[$n]}" "lan$n" "${LAN_NS[$n]}" eth0
	topo_addr "${LAN_NS[$n]}" eth0 "10.$n.0.10/24"
	on_node "$n" ip link set "lan$n" up
	ip -n "${LAN_NS[$n]}" route add default via "10.$n.0.1"
}

# Every process of node N's machine: those in its mount or network namespace and those
# carrying its WGM_E2E_NODE mark (daemons that set up namespaces of their own); the holder last.
topo_node_pids() { # N
	local n=$1 mnt net
	mnt=$(readlink "/proc/${NODE_PID[$n]}/ns/mnt") || return 0
	net=$(readlink "/proc/${NODE_PID[$n]}/ns/net") || return 0
	# One find and one grep over the process table: a fork per process is slow on a busy box.
	{
		find /proc/[0-9]*/ns -maxdepth 1 \( -name mnt -lname "$mnt" -o -name net -lname "$net" \) 2>/dev/null |
			cut -d/ -f3
		grep -lzFx "WGM_E2E_NODE=$TOPO_WORK/n$n" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
	} | sort -un | grep -vx -e "${NODE_PID[$n]}" -e "$$" || true
	echo "${NODE_PID[$n]}"
}

# Stops node N's machine: its processes (BIRD, wireguard-go...) by pid, then the holder; its
# namespaces go with its mount namespace.
topo_del_node() { # N
	local n=$1 pids p i
	[ -n "${NODE_PID[$n]:-}" ] || return 0
	pids=$(topo_node_pids "$n")
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for i in $(seq 1 50); do
		local alive=
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1 || true; done
		[ -z "$alive" ] && break
		sleep 0.05
	done
	for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
	wait "${NODE_PID[$n]}" 2>/dev/null || true
	ip netns del "${LAN_NS[$n]}" 2>/dev/null || true
	ip link del "n$n" 2>/dev/null || true
	unset "NODE_PID[$n]" "LAN_NS[$n]"
	return 0
}

# Every machine, the cut table, the bridge, then the namespaces the builder made.
topo_machines_cleanup() {
	local n
	for n in "${!NODE_PID[@]}"; do topo_del_node "$n"; done
	nft delete table bridge e2e_cut 2>/dev/null || true
	ip link del br0 2>/dev/null || true
	topo_cleanup
}

# Drops the UDP packets between nodes A and B in the internet: their WireGuard link is cut.
topo_cut() { # A B
	nft add rule bridge e2e_cut forward ip saddr "198.51.100.$1" ip daddr "198.51.100.$2" udp dport 1-65535 counter drop comment "\"cut-$1-$2\""
	nft add rule bridge e2e_cut forward ip saddr "198.51.100.$2" ip daddr "198.51.100.$1" udp dport 1-65535 counter drop comment "\"cut-$1-$2\""
}

topo_restore() { # A B
	local h
	for h in $(nft -a list chain bridge e2e_cut forward | sed -n "s/.*comment \"cut-$1-$2\" # handle \([0-9]*\).*/\1/p"); do
		nft delete rule bridge e2e_cut forward handle "$h"
	done
}
