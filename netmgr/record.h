/* The deploy record, from DNS (through the unprivileged fetcher) or from a record file (one TXT
 * string per line), opened with the host key and the site key PINNED in the host state. */
#ifndef NETMGR_RECORD_H
#define NETMGR_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"
#include "options.h"
#include "records.h"
#include "sitekey.h"

/* The site-key rollover's part of fetching a record (netmgr/node/sitekey.h): the node's rollover
 * state going in, what the site record announced and which key opened the record coming out. */
struct record_trust {
	struct sitekey_state st;
	struct site_seen site;
	bool via_retired;
};

int record_from_file(const char *path, const struct host_ctx *h, struct record_trust *t,
		     struct wgm_deploy_record *rec, char *err, size_t errlen);
/* *unavailable: DNS failed or the record is missing, which must never tear the mesh down. */
int record_from_dns(struct wgm_fetcher *f, const struct host_ctx *h, struct record_trust *t,
		    struct wgm_deploy_record *rec, bool *unavailable, char *err, size_t errlen);

#endif
