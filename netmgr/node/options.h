/* wgmesh-net's command-line options (which command takes which is main.c's command table),
 * and the host context (host state + host key) a command works on. */
#ifndef NETMGR_OPTIONS_H
#define NETMGR_OPTIONS_H

#include <stdbool.h>

#include "fetch.h"
#include "hoststate.h"
#include "key.h"

/* --endpoint-timeout's default: seconds a peer's endpoint candidate is tried without a
 * handshake before the run loop moves on (endpoint.c). */
#define ENDPOINT_WAIT_DEFAULT 180

struct netmgr_opts {
	const char *state_dir;
	struct wgm_fetch_opts fetch;
	const char *dnsfetch_path;
	const char *dnsfetch_user;
	const char *bird_dir;
	const char *shorewall_dir;
	const char *nft_dir;
	const char *hook_dir;
	bool dry_run;
	bool json;
	const char *metrics_path; /* verify --metrics FILE */
	unsigned interval; /* seconds, run loop */
	unsigned endpoint_timeout; /* seconds an endpoint is tried without a handshake (run) */
	unsigned bfd_interval_ms; /* 0: the plan's default */
	bool no_drain; /* down --no-drain */
	unsigned drain_wait; /* seconds drain, down and bird-stop wait for traffic to move */
};

void netmgr_opts_defaults(struct netmgr_opts *o);
/* wgmesh-dnsfetch: --dnsfetch, else $WGM_DNSFETCH, else the installed one. */
const char *netmgr_dnsfetch_path(const struct netmgr_opts *o);

/* What spawning the fetcher needs, checked before anything starts: --dnsfetch-user exists and
 * is not root; with need_path, the fetcher is executable. One line in err. */
int netmgr_check_fetcher(const struct netmgr_opts *o, bool need_path, char *err, size_t errlen);

/* The DNS fetcher, spawned the first time something needs DNS (a record file with IP
 * endpoints needs none). */
struct fetcher_slot {
	const struct netmgr_opts *o;
	struct wgm_fetcher *f;
	int spawn_error; /* 0: not tried or fine */
	int cancel_fd; /* > 0: readable when a signal waits (run): questions end at once */
};
/* NULL when it cannot be started (logged once). */
struct wgm_fetcher *fetcher_get(struct fetcher_slot *s);
void fetcher_slot_close(struct fetcher_slot *s);

struct host_ctx {
	char domain[WGM_HOSTNAME_MAX + 1];
	char state_path[4096];
	struct wgm_host_state hs;
	bool has_key;
	struct wgm_key host_sk; /* wiped by host_ctx_free */
};

/* Loads <state-dir>/<domain>.yaml; with need_key also the host's private key. */
int host_ctx_load(const struct netmgr_opts *o, const char *domain, bool need_key,
		  struct host_ctx *h, char *err, size_t errlen);
void host_ctx_free(struct host_ctx *h);

#endif
