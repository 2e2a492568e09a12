#include "testplan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SITE_PREFIX "fd42:7a3b:19c0::"
#define PORTBASE 31000
#define ASN_BASE 4200000000u

/* Computed here independently of common/plan.c: the /48, then the two octets larger first. */
static void tunnel_addr(uint8_t a, uint8_t b, uint8_t host, struct in6_addr *out)
{
	inet_pton(AF_INET6, SITE_PREFIX, out);
	out->s6_addr[6] = a > b ? a : b;
	out->s6_addr[7] = a > b ? b : a;
	out->s6_addr[15] = host;
}

static void add_peer(struct wgm_node_plan *plan, const char *hostname, uint8_t octet)
{
	struct wgm_peer_plan *p = &plan->peers[plan->n_peers++];

	snprintf(p->hostname, sizeof(p->hostname), "%s", hostname);
	p->octet = octet;
	p->asn = ASN_BASE + octet - 1;
	memset(p->public_key.b, octet, sizeof(p->public_key.b));
	snprintf(p->ifname, sizeof(p->ifname), "wg%u", octet);
	p->listen_port = PORTBASE + octet;
	p->remote_port = PORTBASE + plan->octet;
	tunnel_addr(plan->octet, octet, 0, &p->tunnel_net);
	tunnel_addr(plan->octet, octet, plan->octet, &p->local_addr);
	tunnel_addr(plan->octet, octet, octet, &p->peer_addr);
	p->keepalive = WGM_KEEPALIVE;
}

static void fill_node(struct wgm_node_plan *plan, uint8_t octet, const char *public_if,
		      const char *trust_if, const char *trust_ip)
{
	char text[32];

	memset(plan, 0, sizeof(*plan));
	snprintf(plan->site, sizeof(plan->site), "wg.example.com");
	snprintf(plan->locus, sizeof(plan->locus), "lab");
	snprintf(plan->netns, sizeof(plan->netns), "private");
	snprintf(plan->tester_netns, sizeof(plan->tester_netns), "tester");
	plan->octet = octet;
	plan->asn = ASN_BASE + octet - 1;
	plan->portbase = PORTBASE;
	inet_pton(AF_INET6, SITE_PREFIX, &plan->site_prefix);
	snprintf(text, sizeof(text), "1.0.%u.1", octet);
	inet_pton(AF_INET, text, &plan->router_id);
	snprintf(plan->veth_outer, sizeof(plan->veth_outer), "ve-lab");
	snprintf(plan->veth_inner, sizeof(plan->veth_inner), "vi-lab");
	snprintf(text, sizeof(text), "169.254.%u.1", octet);
	inet_pton(AF_INET, text, &plan->veth_outer_addr);
	snprintf(text, sizeof(text), "169.254.%u.2", octet);
	inet_pton(AF_INET, text, &plan->veth_inner_addr);
	snprintf(plan->public_if, sizeof(plan->public_if), "%s", public_if);
	snprintf(plan->trust_if, sizeof(plan->trust_if), "%s", trust_if);
	if (*trust_ip) {
		char addr[32];
		unsigned len;

		sscanf(trust_ip, "%31[^/]/%u", addr, &len);
		plan->has_trust_ip = true;
		plan->trust_ip.addr.family = AF_INET;
		inet_pton(AF_INET, addr, &plan->trust_ip.addr.v4);
		plan->trust_ip.len = (uint8_t)len;
	}
	snprintf(plan->tester_if, sizeof(plan->tester_if), "tester%u", octet);
	plan->tester_ok = octet <= 155;
	plan->firewall = WGM_FW_SHOREWALL;
}

int testplan_fill(const char *name, struct wgm_node_plan *plan)
{
	if (!strcmp(name, "alpha")) {
		fill_node(plan, 1, "eth0", "eth1", "10.20.1.1/24");
		add_peer(plan, "beta.example.net", 2);
	} else if (!strcmp(name, "beta")) {
		fill_node(plan, 2, "ens3", "ens4", "10.20.2.1/24");
		add_peer(plan, "alpha.example.net", 1);
	} else if (!strcmp(name, "three")) {
		fill_node(plan, 1, "eth0", "eth1", "10.20.1.1/24");
		add_peer(plan, "beta.example.net", 2);
		add_peer(plan, "gamma.example.net", 3);
		add_peer(plan, "epsilon.example.net", 5);
	} else if (!strcmp(name, "empty")) {
		fill_node(plan, 1, "eth0", "eth1", "10.20.1.1/24");
	} else if (!strcmp(name, "alpha-nolan")) {
		fill_node(plan, 1, "", "", "");
		add_peer(plan, "beta.example.net", 2);
	} else {
		return -ENOENT;
	}
	return 0;
}
