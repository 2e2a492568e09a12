/* The node plan: everything a node builds, computed from its deploy record and host state with
 * no side effects (docs/format.md#what-a-deploy-derives). netmgr applies it; birdgen and firewall
 * render from it. Plain data: no pointers into other structures, no handles. */
#ifndef WGM_PLAN_H
#define WGM_PLAN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address.h"
#include "hoststate.h"
#include "key.h"
#include "names.h"
#include "records.h"

#define WGM_KEEPALIVE 25

struct wgm_peer_plan {
	char hostname[WGM_HOSTNAME_MAX + 1];
	uint8_t octet;
	uint32_t asn;
	struct wgm_key public_key;
	char ifname[WGM_IFNAMSIZ]; /* "wg<octet>" */
	uint16_t listen_port;      /* our port for this link (record's localport) */
	uint16_t remote_port;      /* the peer's port for us (record's remoteport) */
	struct in6_addr tunnel_net;  /* the link's /64 */
	struct in6_addr local_addr;  /* <tunnel_net>::<our octet>, /64 */
	struct in6_addr peer_addr;   /* <tunnel_net>::<peer octet> */
	size_t n_endpoints;          /* 0: the peer is behind NAT and calls us */
	struct wgm_endpoint endpoints[WGM_MAX_ENDPOINTS];
	uint16_t keepalive;
	/* BFD's transmit interval on this link; 0: the node's (bfd_interval_ms). Not from the
	 * record: `wgmesh-net run` slows a link that keeps flapping (netmgr/bird/bfddamp.h). */
	unsigned bfd_interval_ms;
};

/* What a node builds under a name, from the host state alone (names.h makes each one): `up`
 * takes them into its plan, `down`, `verify`, `tester` and `retire-1.0` work from them. */
struct wgm_node_names {
	char locus[64];
	char netns[WGM_NETNS_NAME_MAX + 1]; /* host state's netns, else the locus */
	char veth_outer[WGM_IFNAMSIZ];      /* interface_outbound, else "ve-<locus>" */
	char veth_inner[WGM_IFNAMSIZ];      /* "vi-<locus>" */
	char public_if[WGM_IFNAMSIZ];       /* may be empty */
	char trust_if[WGM_IFNAMSIZ];        /* may be empty: no LAN interface to move */
	bool has_trust_ip;
	struct wgm_prefix trust_ip;
};

struct wgm_node_plan {
	char site[WGM_HOSTNAME_MAX + 1];
	char locus[64];
	char netns[64];          /* private namespace name: host state's netns, else the locus */
	char tester_netns[64];   /* "tester" */
	uint8_t octet;
	uint32_t asn;
	uint16_t portbase;
	struct in6_addr site_prefix; /* /48 */
	bool has_serial;
	uint64_t serial;
	struct wgm_key private_key;
	struct wgm_key public_key;
	struct in_addr router_id; /* 1.0.<octet>.1 */

	/* Underlay <-> private namespace veth. */
	char veth_outer[WGM_IFNAMSIZ];    /* in the underlay: host state's interface_outbound, else "ve-<locus>" */
	char veth_inner[WGM_IFNAMSIZ];    /* in the private namespace: "vi-<locus>" */
	struct in_addr veth_outer_addr;   /* 169.254.<octet>.1/24 */
	struct in_addr veth_inner_addr;   /* 169.254.<octet>.2/24 */

	char public_if[WGM_IFNAMSIZ];     /* may be empty */
	char trust_if[WGM_IFNAMSIZ];      /* may be empty: no LAN interface to move */
	bool has_trust_ip;
	struct wgm_prefix trust_ip;

	/* Private namespace <-> tester namespace veth (1.0's ns-tester). */
	char tester_if[WGM_IFNAMSIZ];     /* "tester<octet>", both ends (1.0 names both ends alike) */
	struct in_addr tester_gw;         /* 192.168.<100+octet>.1/24, private side */
	struct in_addr tester_addrs[3];   /* .10 .100 .200, tester side */
	bool tester_ok;                   /* false past octet 155: 192.168.<100+octet> overflows */

	enum wgm_firewall_kind firewall;

	/* BFD's transmit interval on every link, 0 for wgm_bfd_default_interval(n_peers); a link is
	 * declared dead after WGM_BFD_MULTIPLIER missed packets. Node-local (wgmesh-net
	 * --bfd-interval, not in the record): BFD settles each session on the slower side's
	 * timers, so nodes with different values still agree. */
	unsigned bfd_interval_ms;
	/* Node-local too (wgmesh-net drain): every route this node exports carries RFC 8326's
	 * GRACEFUL_SHUTDOWN community, so its peers route around it. */
	bool drained;

	size_t n_peers; /* sorted by octet */
	struct wgm_peer_plan peers[WGM_MAX_HOSTS];
};

#define WGM_BFD_INTERVAL_MS_DEFAULT 10u
/* The BFD packets a node sends a second by default (and receives as many), whatever its peer
 * count: each is a WireGuard encryption here and a decryption there. */
#define WGM_BFD_DEFAULT_PPS 2500u
#define WGM_BFD_INTERVAL_MS_MIN 10u
#define WGM_BFD_INTERVAL_MS_MAX 10000u
#define WGM_BFD_MULTIPLIER 5u

/* The node's BFD interval when --bfd-interval gives none: WGM_BFD_INTERVAL_MS_DEFAULT (10 ms,
 * 50 ms detection) up to 25 peers, beyond that as slow as keeps the node at
 * WGM_BFD_DEFAULT_PPS (50 peers: 20 ms; 254: 102 ms), so a large mesh does not spend a core
 * on BFD. */
unsigned wgm_bfd_default_interval(size_t n_peers);

/* Tunnel /64 of the link between octets a and b: the /48 plus a 16-bit subnet whose hex is the
 * two octets, larger first (1 and 2 -> ...:0201::/64). */
void wgm_tunnel_net(const struct in6_addr *site48, uint8_t a, uint8_t b, struct in6_addr *net);

/* The names of what a node builds, checked: one line in err naming the value and the fix. */
int wgm_node_names_build(const struct wgm_host_state *hs, struct wgm_node_names *n, char *err,
			 size_t errlen);

/* The plan's names, as wgm_node_names_build made them. */
void wgm_plan_node_names(const struct wgm_node_plan *plan, struct wgm_node_names *n);

/* Pure: validates the record against the host (octet range and clashes, ports, prefix,
 * addresses) and fills the plan. private_key is copied in; wipe the plan with wgm_plan_wipe. */
int wgm_plan_build(const struct wgm_deploy_record *rec, const struct wgm_host_state *hs,
		   const struct wgm_key *private_key, struct wgm_node_plan *plan, char *err,
		   size_t errlen);
void wgm_plan_wipe(struct wgm_node_plan *plan);

#endif
