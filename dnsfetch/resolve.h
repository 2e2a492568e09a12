/* The DNS engine behind both transports: one c-ares channel, queried synchronously. */
#ifndef WGM_RESOLVE_H
#define WGM_RESOLVE_H

#include <stddef.h>

#include "fetch.h"

struct wgm_resolver;

/* Sets up the channel: reads resolv.conf unless servers are given, so the child calls it
 * before its sandbox closes the file system. */
int wgm_resolver_new(const struct wgm_fetch_opts *o, struct wgm_resolver **out, char *err,
		     size_t errlen);
/* TXT look-up: on OK, one string per RR. Returns as the fetch.h look-ups do. budget_ms: give
 * up with TIMEOUT after that long (0: when c-ares' own tries run out). */
int wgm_resolver_txt(struct wgm_resolver *res, const char *name, unsigned budget_ms,
		     struct wgm_fetch_result *r);
/* A and AAAA look-up: on OK, one address text per entry. */
int wgm_resolver_addrs(struct wgm_resolver *res, const char *name, unsigned budget_ms,
		       struct wgm_fetch_result *r);
void wgm_resolver_free(struct wgm_resolver *res);
/* One TXT look-up in this process (c-ares in our address space): for wgmesh-dnsfetch itself
 * and tests; programs ask through the child (fetch.h). */
int wgm_fetch_txt(const struct wgm_fetch_opts *o, const char *name, struct wgm_fetch_result *r);

#endif
