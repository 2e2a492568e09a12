#include "flows10.h"

#include <arpa/inet.h>

#include "conntrack.h"

struct inner_end {
	uint32_t addr; /* network order */
	const uint16_t *ports;
	size_t n_ports;
};

static bool is_mesh_port(const struct inner_end *in, uint16_t port)
{
	for (size_t i = 0; i < in->n_ports; i++)
		if (in->ports[i] == port)
			return true;
	return false;
}

/* The inner socket is the source of the original direction (it called first, SNATed out) or
 * of the reply direction (the peer called first, DNATed in). */
static bool is_10_flow(const struct ct_tuple *orig, const struct ct_tuple *reply, void *ctx)
{
	const struct inner_end *in = ctx;

	return (orig->src == in->addr && is_mesh_port(in, orig->sport)) ||
	       (reply->src == in->addr && is_mesh_port(in, reply->sport));
}

int conntrack_10_flows(uint8_t octet, const uint16_t *ports, size_t n_ports, bool delete,
		       size_t *found, size_t *deleted, struct nl_err *e)
{
	struct inner_end in = {
		.addr = htonl(0xa9fe0002u | (uint32_t)octet << 8),
		.ports = ports,
		.n_ports = n_ports,
	};

	return ct_udp4_flows(is_10_flow, &in, delete, found, deleted, e);
}
