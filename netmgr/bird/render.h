/* After the kernel is reconciled: the BIRD config and the firewall files, written only when
 * they change, and BIRD told to reconfigure over its control socket when it runs (or to shut
 * down when it runs in a namespace that is gone: birdlife.h). */
#ifndef NETMGR_RENDER_H
#define NETMGR_RENDER_H

#include <stddef.h>

#include "options.h"
#include "plan.h"

int render_configs(const struct netmgr_opts *o, const struct wgm_node_plan *plan, char *err,
		   size_t errlen);

#endif
