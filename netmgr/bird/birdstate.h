/* What BIRD says about routing, read over its control socket and parsed in this one place:
 * per BGP protocol (named after its link, wg<k>) the session state, the peer's AS and the last
 * error; per interface the BFD session state; and every BGP route with its origin AS (the
 * last AS of its path: the node whose LAN it is), the session it came from and whether it is
 * the net's best. */
#ifndef NETMGR_BIRDSTATE_H
#define NETMGR_BIRDSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

struct bird_link {
	char name[WGM_IFNAMSIZ];
	char proto_state[16]; /* BIRD's protocol state: "up", "start", "stop", "down" */
	char bgp_state[24];   /* "Established", "Idle", "Active", ... */
	char last_error[96];  /* "" when BIRD shows none */
	uint32_t peer_as;     /* 0: not shown yet */
	char bfd_state[16];   /* "Up", "Down", "Init", "AdminDown"; "" no BFD session */
	unsigned bfd_interval_ms; /* the session's transmit interval as BIRD shows it; 0: unknown */
};

/* Every BGP route, not only the best of each net: drain tells from the others which peers
 * still route through this node. */
struct bird_route {
	struct wgm_prefix dst;
	uint32_t origin_as;
	char proto[WGM_IFNAMSIZ]; /* the BGP protocol it came from, "" when not one of ours */
	bool primary;             /* the net's best route, the one BIRD exports */
};

struct bird_state {
	size_t n_links, n_routes;
	struct bird_link *links;
	struct bird_route *routes;
};

/* 0, or -errno with err saying what failed (BIRD not answering, a reply that does not parse). */
int bird_state_read(const char *sock, struct bird_state *s, char *err, size_t errlen);
/* Only the BFD sessions (links with bfd_state alone): what the run loop looks at between rounds,
 * one short question instead of three. */
int bird_state_read_bfd(const char *sock, struct bird_state *s, char *err, size_t errlen);
/* The parser of bird_state_read on replies already read: the raw lines (codes kept, as
 * birdctl_command returns them) of "show protocols all", "show bfd sessions" and
 * "show route where source = RTS_BGP"; NULL for one not asked. 0 or -ENOMEM (s then empty). */
int bird_state_parse(const char *protocols, const char *bfd, const char *routes,
		     struct bird_state *s);
const struct bird_link *bird_state_link(const struct bird_state *s, const char *name);
void bird_state_free(struct bird_state *s);

#endif
