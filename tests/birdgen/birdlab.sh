# Sourced by two-birds.sh and failover-compare.sh: the assertions (tests/lib/assert.sh), and the one link between two BIRDs.
# Needs $A and $B (namespace names) set by the caller.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
# BFD acts in tens of ms: look again every 50 ms.
POLL_INTERVAL=0.05

# Namespaces A and B joined by a veth standing in for the WireGuard link: wg2 in A (the
# fixture's alpha), wg1 in B (beta), with their mesh addresses, up.
make_link() {
	ip netns add "$A"
	ip netns add "$B"
	ip -n "$A" link set lo up
	ip -n "$B" link set lo up
	ip link add wg2 netns "$A" type veth peer name wg1 netns "$B"
	ip -n "$A" addr add fd42:7a3b:19c0:201::1/64 dev wg2 nodad
	ip -n "$B" addr add fd42:7a3b:19c0:201::2/64 dev wg1 nodad
	ip -n "$A" link set wg2 up
	ip -n "$B" link set wg1 up
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
