/* The actual state of one namespace, read over rtnetlink into plain arrays: links, addresses,
 * main-table routes. The reconciler diffs the desired state against it. */
#ifndef NETMGR_ACTUAL_H
#define NETMGR_ACTUAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link.h"
#include "plan.h"

struct actual_link {
	char name[WGM_IFNAMSIZ];
	char kind[16]; /* "veth", "tun", "wireguard", ... or "" */
	int ifindex;
	unsigned flags;
	bool peer_elsewhere; /* its peer (a veth's other end) is in another namespace */
};

struct actual_addr {
	int ifindex;
	struct wgm_prefix p;
};

struct actual_route {
	struct wgm_prefix dst;
	bool has_gw;
	struct wgm_ip gw;
	int ifindex;
};

struct actual_ns {
	size_t n_links, n_addrs, n_routes;
	struct actual_link *links;
	struct actual_addr *addrs;
	struct actual_route *routes;
};

int actual_read(struct nlconn *c, struct actual_ns *a);
void actual_free(struct actual_ns *a);

const struct actual_link *actual_link_by_name(const struct actual_ns *a, const char *name);
bool actual_has_addr(const struct actual_ns *a, int ifindex, const struct wgm_prefix *p);
bool actual_has_route(const struct actual_ns *a, const struct wgm_prefix *dst,
		      const struct wgm_ip *gw, int ifindex);
/* The node's octet, read off the private veth end's 169.254.<octet>.2/24. -ENOENT without. */
int actual_veth_octet(const struct actual_ns *a, const char *veth_inner, uint8_t *octet);
bool wgm_ip_equal(const struct wgm_ip *x, const struct wgm_ip *y);

#endif
