# Sourced by two-birds.sh and failover-compare.sh: the assertions (tests/lib/assert.sh), the
# topology builder (tests/lib/topo.sh) and the one link between two BIRDs.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/topo.sh"
# BFD acts in tens of ms: look again every 50 ms.
POLL_INTERVAL=0.05

# make_link BASE_A BASE_B: namespaces $A and $B (BASE-pid) joined by a veth standing in for
# the WireGuard link: wg2 in A (the fixture's alpha), wg1 in B (beta), with their mesh
# addresses, up.
make_link() {
	topo_ns A "$1"
	topo_ns B "$2"
	topo_veth "$A" wg2 "$B" wg1
	topo_addr "$A" wg2 fd42:7a3b:19c0:201::1/64
	topo_addr "$B" wg1 fd42:7a3b:19c0:201::2/64
}

# Makes namespace $1 deaf: all input dropped while the link stays up, so only BFD or the hold
# timer can notice. heal_input undoes it.
silence_input() {
	ip netns exec "$1" nft -f - <<'NFT'
table inet cut {
	chain input {
		type filter hook input priority -10; policy drop;
	}
}
NFT
}
heal_input() { ip netns exec "$1" nft delete table inet cut; }
