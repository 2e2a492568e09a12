/* What a deploy checks before the kernel is touched, so that a typo or an unwritable directory
 * is refused with one line and nothing built: every interface the host state names, that no
 * other mesh on the node builds under our names, and every place the deploy writes to
 * (directories made where missing, once all checks passed). */
#ifndef NETMGR_PREFLIGHT_H
#define NETMGR_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"
#include "plan.h"
#include "view.h"

/* v: the node as the deploy found it. dry_run: checks only, makes no directory. */
int preflight_run(const struct netmgr_opts *o, const struct host_ctx *h,
		  const struct wgm_node_plan *plan, const struct mesh_view *v, bool dry_run,
		  char *err, size_t errlen);

#endif
