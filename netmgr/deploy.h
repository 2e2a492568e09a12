/* One deploy: record -> serial check -> plan -> desired state -> reconcile -> BIRD/firewall
 * files -> hooks. Used by `up`, `apply` and each round of `run`. */
#ifndef NETMGR_DEPLOY_H
#define NETMGR_DEPLOY_H

#include <stdbool.h>

#include "endpoint.h"
#include "fetch.h"
#include "options.h"

struct deploy_outcome {
	unsigned changes;
	/* The record could not be had (DNS failure, record missing): nothing was touched. */
	bool record_unavailable;
	unsigned bfd_interval_ms; /* the node's, as applied (0: no plan was made) */
	char err[768];
};

/* file: deploy data from a record file; NULL: fetch it through DNS. ep: the run loop's endpoint
 * memory (NULL for `up` and `apply`: no peer is moved to another endpoint). */
int deploy_once(const struct netmgr_opts *o, struct host_ctx *h, const char *file,
		struct fetcher_slot *dns, struct endpoint_memory *ep, struct deploy_outcome *out);

#endif
