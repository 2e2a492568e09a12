/* Drain: a node asks its peers to route around it with BGP graceful shutdown (RFC 8326). It
 * marks every route it exports with the GRACEFUL_SHUTDOWN community; every node's import
 * filter gives such a route local preference 0, so any other path wins and the drained node's
 * own LAN, whose only path is through it, stays reachable.
 *
 * Two kinds of drain, one mechanism (the drain file birdgen renders, bird_<netns>_drain.conf):
 *  - the operator's: `wgmesh-net drain DOMAIN`, kept in <state-dir>/<domain>.drained (beside
 *    the host state, so it survives up, run rounds and a reboot: a node drained for maintenance
 *    that reboots comes back drained) until `wgmesh-net undrain DOMAIN`;
 *  - a stop's: `down` and a stopping wgmesh-bird@ unit drain for as long as they take, and the
 *    drain file returns to the operator's state after them.
 *
 * "Traffic has moved", from local information only: BIRD exports only a net's best route and
 * never back to the session it came from, so a peer that announces us a net we reach through
 * another peer has a best path for it that does not go through us (a path through us would
 * be refused by our AS-path loop check). Moved: every Established peer announces every net
 * whose best route here came from another peer. A peer with no other path (a partition) keeps
 * routing through us, and the bounded wait says which. */
#ifndef NETMGR_DRAIN_H
#define NETMGR_DRAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "birdconf.h"

/* The operator's drain flag. drain_flag_read: 0 (with *drained), or -errno other than a
 * missing file. */
int drain_flag_read(const char *state_dir, const char *domain, bool *drained);
int drain_flag_write(const char *state_dir, const char *domain, bool drained, char *err,
		     size_t errlen);

/* Writes the drain file and, when BIRD answers on its socket and the file changed, tells it
 * to reconfigure. *bird_answers: BIRD runs. Nothing is written where bird_<netns>.conf is not
 * (no up rendered one there). 0, or -errno with err. */
int drain_set(const char *bird_dir, const char *netns, enum birdgen_drain state,
	      bool *bird_answers, char *err, size_t errlen);

struct drain_progress {
	unsigned peers;     /* Established BGP sessions */
	unsigned pending;   /* (peer, net) pairs still routed through this node */
	long elapsed_ms;
	char example[160];  /* one pending pair, for the message */
};

/* Polls BIRD until traffic has moved (above) or timeout_ms passed: 0, -ETIMEDOUT, or -errno
 * with err when BIRD does not answer. */
int drain_wait(const char *netns, unsigned timeout_ms, struct drain_progress *p, char *err,
	       size_t errlen);

/* Ends every BGP session with a Cease (administrative shutdown), sent while the links still
 * carry it, and waits up to timeout_ms until none is Established. A peer that receives a
 * Cease restarts its session without the error back-off a dead link (BFD down) costs, so it
 * takes this node back as soon as it returns. 0, or -errno with err. */
int drain_cease(const char *netns, unsigned timeout_ms, char *err, size_t errlen);

/* Undoes drain_cease for a down that failed half-way: the sessions come up again. */
int drain_uncease(const char *netns, char *err, size_t errlen);

#endif
