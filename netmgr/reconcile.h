/* Brings the kernel to the desired state: reads the actual state, applies only the difference
 * in order (namespace, veth, trust interface, addresses, routes, sysctls, WireGuard devices and
 * peers), journaling each change with its inverse. The caller then commits (devices of peers
 * that left are removed, last) or aborts (everything is undone, the node is as found).
 * `down` removes what `up` built. */
#ifndef NETMGR_RECONCILE_H
#define NETMGR_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>

#include "desired.h"
#include "endpoint.h"
#include "view.h"
#include "wgdev.h"

struct reconcile_result {
	unsigned changes; /* what was done (or, dry run, would be done) */
	char err[512];    /* on failure: what failed, and what was rolled back */
};

/* An apply that went through and waits for the rest of the deploy: its journal and the
 * namespaces it holds open. */
struct reconcile;

/* v: the deploy's view of the node, read this run; the reconciler takes it over (v is left
 * closed) and works from its snapshots. On failure everything is already undone (res->err says
 * what failed and what was rolled back). On success *out must go to reconcile_commit or
 * reconcile_abort; d and res stay valid until then. */
int reconcile_apply(const struct desired_state *d, struct mesh_view *v, enum wgdev_backend be,
		    bool dry_run, struct endpoint_memory *ep, struct reconcile_result *res,
		    struct reconcile **out);
/* The deploy succeeded: removes the devices of peers that left (res->err on failure; the rest
 * stays applied) and forgets the journal. */
int reconcile_commit(struct reconcile *r);
/* A later step failed: undoes every change of the apply and appends what was rolled back to
 * err. */
void reconcile_abort(struct reconcile *r, char *err, size_t errlen);
int reconcile_down(const struct wgm_node_names *n, bool dry_run, struct reconcile_result *res);


#endif
