/* `verify`: 1.0's TODO checks (forwarding in both namespaces, addresses on WireGuard links,
 * links up, veth present and addressed, UDP port conflicts), the handshake age per peer (and
 * why there is none when the address families say there never will be), and routing: BIRD
 * answers and runs in this namespace, each link's BGP session Established and BFD Up, and
 * each peer's LAN in the namespace's kernel table; and what wgmesh 1.0 left behind. o->json
 * prints every check and the per-link data as JSON; o->metrics_path (NULL: none) gets the same
 * in node_exporter's textfile format, written atomically. Returns the exit code: 0 healthy,
 * 1 degraded, 2 broken. */
#ifndef NETMGR_VERIFY_H
#define NETMGR_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "desired.h"
#include "options.h"

/* A handshake older than this (keepalive 25 s, rekey 120 s) means the link is not talking. */
#define VERIFY_HANDSHAKE_MAX_AGE 180

int verify_run(const struct wgm_node_names *n, const struct netmgr_opts *o, const char *domain);

#endif
