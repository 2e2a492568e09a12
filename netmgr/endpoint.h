/* Which of a peer's endpoint candidates its device is given. WireGuard has one endpoint per
 * peer, so candidates are tried one at a time: the run loop remembers, per peer, since when the
 * device has had its endpoint, and a peer that has not answered there for the wait
 * (--endpoint-timeout, 180 s by default) moves on to the next candidate. A peer with a live
 * session is never moved, and an endpoint the device learned from the peer itself (roaming,
 * NAT) is kept while the session lives: rewriting it would be a change every round. */
#ifndef NETMGR_ENDPOINT_H
#define NETMGR_ENDPOINT_H

#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>

#include "actual.h"
#include "desired.h"
#include "wgdev.h"

/* WireGuard's REJECT_AFTER_TIME: keys older than this are unusable, so a handshake within it
 * means a live session (a live link re-handshakes every two minutes). */
#define WG_SESSION_SECS 180

struct endpoint_seen {
	struct wgm_key public_key;
	struct sockaddr_storage endpoint;
	time_t since; /* when the device got this endpoint (or we first saw it there) */
};

/* The run loop's memory across rounds. Allocate it (it is large); zero it, set wait. */
struct endpoint_memory {
	unsigned wait;   /* seconds an endpoint is tried without a handshake */
	time_t next_due; /* after a round: the earliest time a peer may move on (0: none waits) */
	size_t n, n_round;
	struct endpoint_seen seen[WGM_MAX_HOSTS];  /* as of the last completed round */
	struct endpoint_seen round[WGM_MAX_HOSTS]; /* this round's picks */
};

/* Address families the underlay can send from: a global address of the family. */
#define ENDPOINT_FAMILY_V4 1u
#define ENDPOINT_FAMILY_V6 2u
unsigned endpoint_families(const struct actual_ns *under);

void endpoint_round_begin(struct endpoint_memory *m);
/* The round was applied: its picks become the memory (peers that left are forgotten). */
void endpoint_round_end(struct endpoint_memory *m);

/* The endpoint p's device should have; NULL when p has no candidates (the peer calls us).
 * cur: the device as read (NULL: a new device). m: NULL outside the run loop (then no
 * peer is moved). Candidates of a family the underlay cannot send from are tried last. */
const struct sockaddr_storage *endpoint_pick(struct endpoint_memory *m, const struct desired_peer *p,
					     const struct wgdev_config *dev, unsigned families,
					     time_t now);

#endif
