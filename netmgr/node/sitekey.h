/* The node's side of a site-key rollover (docs/design.md#site-key-rollover): a handover the
 * pinned key vouches for is counted fetch by fetch in <state-dir>/<domain>.sitekey and pinned
 * after the hold-down; from then on a record only the old key sealed is refused; a record
 * saying the pinned key is revoked stops all trust until a re-pin by hand (wgconfig -P). */
#ifndef NETMGR_SITEKEY_H
#define NETMGR_SITEKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include "options.h"
#include "records.h"

struct sitekey_state {
	bool has_pending;      /* a handover seen, not pinned yet */
	struct wgm_key pending_key;
	uint64_t pending_since; /* the handover's own time (wgsite rotate-key) */
	uint64_t first_seen;    /* this node's clock: the hold-down runs from here */
	uint64_t sightings;     /* fetches that saw it, each vouched and announced */
	bool has_retired;      /* the key this node rolled over from */
	struct wgm_key retired_key;
	uint64_t pinned_since;  /* the handover time of the pinned key; 0: pinned by hand */
	uint64_t revoked_at;    /* the pinned key was revoked by the site: nothing is trusted */
};

/* What the fetch of the site record said, for counting a handover. */
struct site_seen {
	bool from_file;        /* wgmesh-net apply: no site record to check against */
	bool seen;             /* the site record was fetched and decoded */
	bool has_next;
	struct wgm_key next;
};

/* A missing file is an empty state. */
int sitekey_load(const char *state_dir, const char *domain, struct sitekey_state *st, char *err,
		 size_t errlen);

/* Opens a deploy record payload with the pinned key; after a rollover, a record the retired
 * key sealed is taken only when the pinned (new) key sealed it too (*via_retired). */
int sitekey_open(const uint8_t *payload, size_t len, const struct host_ctx *h,
		 const struct sitekey_state *st, struct wgm_deploy_record *rec, bool *via_retired,
		 char *err, size_t errlen);

/* After a record from DNS was accepted: counts its handover, pins the new key once the
 * hold-down is over (host state and state file), records a revocation. A bad handover (to the
 * pinned or the retired key, older than the pinned key) or a revocation refuses the record
 * with one line in err, and nothing is written but the revocation. dry_run writes nothing. */
int sitekey_observe(const char *state_dir, struct host_ctx *h, struct sitekey_state *st,
		    const struct wgm_deploy_record *rec, const struct site_seen *site,
		    bool via_retired, bool dry_run, char *err, size_t errlen);

/* For verify: 0 ok, 1 degraded, 2 broken, and one line of detail. */
int sitekey_health(const char *state_dir, const char *domain, char *detail, size_t len);

#endif
