/* Link flaps, counted by `wgmesh-net run` and kept in <state-dir>/<domain>.flaps for verify,
 * --json and --metrics, with the BFD slow-down each link earned (bfddamp.h).
 *
 * A flap is a BFD session that went from Up to Down: the link lost every packet for the
 * detection time. A session BIRD removes (a peer's planned down ends BGP with a Cease, and
 * BGP then withdraws its BFD request) is no flap. The run loop looks at BIRD's BFD sessions
 * every LINKWATCH_POLL_MS while it waits between rounds; a session that goes Down stays so
 * for at least BFD's idle interval (1 s) before it can be Up again, so no flap falls between
 * two looks. */
#ifndef NETMGR_LINKWATCH_H
#define NETMGR_LINKWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bfddamp.h"
#include "birdstate.h"
#include "plan.h"

#define LINKWATCH_POLL_MS 250

struct link_watch {
	size_t n;
	struct link_flaps links[WGM_MAX_HOSTS];
};

/* The kept counts; a missing file is an empty watch. 0, or -errno with err naming the file and
 * the line that does not parse (the watch is then empty). */
int linkwatch_load(const char *state_dir, const char *domain, struct link_watch *w, char *err,
		   size_t errlen);
/* Written atomically (0644: nothing secret); 0 or -errno. */
int linkwatch_save(const char *state_dir, const char *domain, const struct link_watch *w);

const struct link_flaps *linkwatch_find(const struct link_watch *w, const char *name);

/* One look at BIRD's BFD sessions at wall-clock time now: counts each link whose session was
 * Up at the last look and is Down now, and lets bfddamp slow the links that flap and speed up
 * the quiet ones again. Returns a bit set: LINKWATCH_COUNTED when a count changed (save the
 * file), LINKWATCH_RETIMED when a link's interval changed (render BIRD's config again). */
#define LINKWATCH_COUNTED 1
#define LINKWATCH_RETIMED 2
int linkwatch_observe(struct link_watch *w, const struct bird_state *bfd, time_t now,
		      unsigned base_ms);

#endif
