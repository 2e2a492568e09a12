/* The one DNS TXT fetch API of wgmesh: names in, raw TXT strings out (ntpd's DNS engine:
 * docs/design.md#privilege-separation). Every program asks the unprivileged, sandboxed
 * wgmesh-dnsfetch child over a SOCK_SEQPACKET socketpair; c-ares (and its parser of DNS
 * answers) lives in that child only (resolve.h). */
#ifndef WGM_FETCH_H
#define WGM_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/buf.h"

/* Distinct outcomes: the manager treats "gone" (NXDOMAIN/NODATA) and "unreachable"
 * (SERVFAIL/REFUSED/TIMEOUT) differently; a timeout must never tear a mesh down. */
enum wgm_fetch_status {
	WGM_FETCH_OK = 0,
	WGM_FETCH_NXDOMAIN,
	WGM_FETCH_NODATA,
	WGM_FETCH_SERVFAIL,
	WGM_FETCH_REFUSED,
	WGM_FETCH_TIMEOUT,
	WGM_FETCH_ERROR, /* anything else: malformed answer, over a cap, child died, ... */
};
const char *wgm_fetch_status_str(enum wgm_fetch_status st);

#define WGM_FETCH_MAX_SERVERS 4
#define WGM_FETCH_MAX_RRS 1024 /* = WGM_TXT_MAX_PARTS: a 255-host record is ~720 lines */
#define WGM_FETCH_MAX_ANSWER (256 * 1024)

struct wgm_fetch_opts {
	size_t n_servers; /* 0: resolv.conf */
	char servers[WGM_FETCH_MAX_SERVERS][64]; /* "ADDR" or "ADDR:PORT" or "[V6]:PORT" */
	unsigned timeout_ms; /* per try; 0 = default 2000 */
	unsigned tries;      /* 0 = default 3 */
	/* Child transport: > 0, a descriptor that turns readable when the caller must stop
	 * waiting (the run loop's signalfd): the question ends at once with -EINTR. */
	int cancel_fd;
};

/* Result of one TXT look-up: on OK, one string per RR (the RR's character-strings joined with
 * nothing between, as 1.0's reader sees them). */
struct wgm_fetch_result {
	enum wgm_fetch_status status;
	struct wgm_strv txt;
	char detail[256]; /* human detail for errors */
};
void wgm_fetch_result_free(struct wgm_fetch_result *r);

/* Parses "--dns ADDR[:PORT]" values into opts; returns -EINVAL with err filled on bad input. */
int wgm_fetch_opts_add_server(struct wgm_fetch_opts *o, const char *spec, char *err, size_t errlen);

/* Every look-up below always fills r. It returns 0 when DNS gave an answer, whatever its status
 * (r->status tells which); -errno when no answer could be had (bad name, out of memory, the
 * child broke: r->status is WGM_FETCH_ERROR and r->detail says why). */

/* wgmesh-dnsfetch: $WGM_DNSFETCH, else the installed one, else the one built beside this
 * program in a build tree. */
const char *wgm_fetcher_default_path(void);
/* One TXT look-up through a child started for it (as user nobody when run as root) and ended
 * after: the site commands and wgconfig. */
int wgm_fetch_txt_sandboxed(const struct wgm_fetch_opts *o, const char *name,
			    struct wgm_fetch_result *r);

/* Child transport: the manager spawns wgmesh-dnsfetch (path, user to drop to) and asks
 * through it. DNS that gives no answer within timeout_ms (0: as long as c-ares' tries take) is
 * WGM_FETCH_TIMEOUT. A child that breaks the protocol, dies, or has not taken the request or
 * answered it 2 s after that is killed (the question fails: -EPROTO, -EPIPE, -ETIMEDOUT); the
 * next question starts a new child (up to 10 s for its READY). */
struct wgm_fetcher;
int wgm_fetcher_spawn(const char *helper_path, const char *user, const struct wgm_fetch_opts *o,
		      struct wgm_fetcher **out);
int wgm_fetcher_txt(struct wgm_fetcher *f, const char *name, unsigned timeout_ms,
		    struct wgm_fetch_result *r);
/* Also resolves endpoint hostnames for the manager: addresses as text. */
int wgm_fetcher_addrs(struct wgm_fetcher *f, const char *name, unsigned timeout_ms,
		      struct wgm_fetch_result *r);
void wgm_fetcher_close(struct wgm_fetcher *f);
/* The child's pid (so tests can inspect it); 0 once it is gone. */
pid_t wgm_fetcher_pid(const struct wgm_fetcher *f);

#endif
