/* wgmesh 1.0 DNATed its WireGuard ports to the private end of its veth, 169.254.<octet>.2, where
 * wg-quick's sockets lived. Those connection-tracking entries outlive the DNAT rule: a peer that
 * keeps calling keeps its entry alive, and its packets keep going to the old address instead of
 * our socket in the underlay. This finds and deletes exactly those entries. */
#ifndef NETMGR_COMPAT10_FLOWS10_H
#define NETMGR_COMPAT10_FLOWS10_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"

/* UDP flows in the current namespace whose inner end is 169.254.<octet>.2 on one of ports[]:
 * counts them (*found), and with delete removes them (*deleted). No conntrack module or table:
 * 0 found. */
int conntrack_10_flows(uint8_t octet, const uint16_t *ports, size_t n_ports, bool delete,
		       size_t *found, size_t *deleted, struct nl_err *e);

#endif
