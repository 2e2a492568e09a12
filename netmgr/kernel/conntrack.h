/* Connection-tracking entries of the current namespace (ctnetlink): the IPv4 UDP flows a
 * caller picks, counted and, when asked, deleted. */
#ifndef NETMGR_KERNEL_CONNTRACK_H
#define NETMGR_KERNEL_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"

/* One direction of a flow. */
struct ct_tuple {
	uint32_t src, dst; /* network order */
	uint16_t sport, dport;
	uint8_t proto;
	bool ok; /* IPv4 UDP with both ports: the only flows handed to a ct_keep_fn */
};

/* Whether the flow with these original and reply directions is one the caller wants. */
typedef bool (*ct_keep_fn)(const struct ct_tuple *orig, const struct ct_tuple *reply, void *ctx);

/* Every IPv4 UDP flow keep() picks: counts them (*found), and with delete removes them
 * (*deleted). No conntrack module or table: 0 found. */
int ct_udp4_flows(ct_keep_fn keep, void *ctx, bool delete, size_t *found, size_t *deleted,
		  struct nl_err *e);

#endif
