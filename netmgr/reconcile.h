/* Brings the kernel to the desired state: reads the actual state, applies only the difference
 * in order (namespace, veth, trust interface, addresses, routes, sysctls, WireGuard devices and
 * peers), and on failure undoes what this run created. `down` removes what `up` built. */
#ifndef NETMGR_RECONCILE_H
#define NETMGR_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>

#include "desired.h"
#include "endpoint.h"
#include "wgdev.h"

struct reconcile_result {
	unsigned changes; /* what was done (or, dry run, would be done) */
	char err[512];    /* on failure: what failed, and what was rolled back */
};

int reconcile_apply(const struct desired_state *d, enum wgdev_backend be, bool dry_run,
		    struct endpoint_memory *ep, struct reconcile_result *res);
int reconcile_down(const struct node_names *n, bool dry_run, struct reconcile_result *res);

/* Is this link one of our per-peer WireGuard devices ("wg" + digits)? */
bool is_mesh_wg_name(const char *name);
/* A link's kind tells the back end that made it. */
enum wgdev_backend backend_of_kind(const char *kind);

#endif
