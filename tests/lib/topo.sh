# The one topology builder of the shell tests and selftests (bash; source it after
# tests/lib/assert.sh). Every root test runs inside tests/lib/in-netns.sh: the test's own
# network namespace is the "internet" (or the wire between two nodes) and /run is its own.
#
# Names. A namespace a test makes is BASE-TAG, TAG the test's pid ($TOPO_TAG, $$ unless set),
# as the kernel's WireGuard selftest names its namespaces: two runs never meet, and one left
# behind says whose it was. Inside a namespace an interface is named for its role there (eth0,
# lan0, wg<k>, the veth names wgmesh-net gives); the end of a link that stays in the test's
# namespace is named after the node it leads to. Namespaces a program under test names itself
# (wgmesh-net's private one, from the host state) and the node names the fixtures carry (alpha,
# beta) are data of the test, not names of the builder's.
#
#   topo_ns VAR BASE                 makes namespace BASE-TAG (lo up), its name in $VAR
#   topo_veth NS1 IF1 NS2 IF2        a veth pair, IF1 in NS1 and IF2 in NS2 ("" = this one)
#   topo_addr NS IF ADDR...          adds the addresses (IPv6 without DAD) and sets IF up
#   topo_bridge NS BR [MAC]          a bridge, up (a fixed MAC keeps ARP entries valid while
#                                    ports come and go)
#   topo_in NS CMD...                CMD in NS ("" = this namespace)
#   topo_cleanup                     deletes every namespace topo_ns made, newest first
#
# What a test then runs in them (daemons) it stops by pid before topo_cleanup.

TOPO_TAG=${TOPO_TAG:-$$}
TOPO_NAMESPACES=()

topo_ns() { # VAR BASE
	local name=$2-$TOPO_TAG
	ip netns add "$name"
	TOPO_NAMESPACES+=("$name")
	ip -n "$name" link set lo up
	printf -v "$1" '%s' "$name"
}

topo_in() { # NS CMD...
	local ns=$1
	shift
	if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

topo_veth() { # NS1 IF1 NS2 IF2
	ip link add "$2" ${1:+netns "$1"} type veth peer name "$4" ${3:+netns "$3"}
}

topo_addr() { # NS IF ADDR...
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) ip ${ns:+-n "$ns"} addr add "$a" dev "$dev" nodad ;;
		*) ip ${ns:+-n "$ns"} addr add "$a" dev "$dev" ;;
		esac
	done
	ip ${ns:+-n "$ns"} link set "$dev" up
}

topo_bridge() { # NS BR [MAC]
	ip ${1:+-n "$1"} link add "$2" ${3:+address "$3"} type bridge
	ip ${1:+-n "$1"} link set "$2" up
}

topo_cleanup() {
	local i
	for ((i = ${#TOPO_NAMESPACES[@]} - 1; i >= 0; i--)); do
		ip netns del "${TOPO_NAMESPACES[i]}" 2>/dev/null || true
	done
	TOPO_NAMESPACES=()
	return 0
}
