/* `status`: the mesh as the kernel and the WireGuard devices see it (peers, endpoints,
 * handshakes, bytes). */
#ifndef NETMGR_STATUS_H
#define NETMGR_STATUS_H

#include <stdbool.h>

#include "desired.h"

/* drained: the operator's drain (wgmesh-net drain), shown beside the namespace. */
int status_show(const struct wgm_node_names *n, bool drained, bool json);

#endif
