#include "fwname.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

void fw_ipv4_network(struct in_addr addr, unsigned len, char *out, size_t outlen)
{
	uint32_t mask = len ? htonl(~0u << (32 - (len > 32 ? 32 : len))) : 0;
	struct in_addr net = { .s_addr = addr.s_addr & mask };
	char text[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &net, text, sizeof(text));
	snprintf(out, outlen, "%s/%u", text, len);
}

int fw_masq_sources(const struct wgm_node_plan *plan, char *out, size_t outlen)
{
	char veth[32], lan[32] = "";
	int n;

	fw_ipv4_network(plan->veth_outer_addr, 24, veth, sizeof(veth));
	if (plan->has_trust_ip && plan->trust_ip.addr.family == AF_INET)
		fw_ipv4_network(plan->trust_ip.addr.v4, plan->trust_ip.len, lan, sizeof(lan));
	n = snprintf(out, outlen, "%s%s%s", veth, *lan ? "," : "", lan);
	return n >= 0 && (size_t)n < outlen ? 0 : -ENAMETOOLONG;
}
