/* Checks shared by the firewall renderers. */
#ifndef WGM_FWNAME_H
#define WGM_FWNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

#include "plan.h"
#include "safename.h"

/* "a.b.c.d/len" of the network a prefix lies in. */
void fw_ipv4_network(struct in_addr addr, unsigned len, char *out, size_t outlen);
/* The IPv4 sources we masquerade: the veth /24 and, when there is one, the LAN behind the
 * private namespace. Comma-joined into out. */
int fw_masq_sources(const struct wgm_node_plan *plan, char *out, size_t outlen);

#endif
