/* `status`: the mesh as the kernel and the WireGuard devices see it (peers, endpoints,
 * handshakes, bytes). */
#ifndef NETMGR_STATUS_H
#define NETMGR_STATUS_H

#include <stdbool.h>

#include "desired.h"

int status_show(const struct wgm_node_names *n, bool json);

#endif
