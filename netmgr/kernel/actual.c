/* One dump per object type through libnl caches, copied into plain data so the rest of the
 * manager never holds libnl objects. */
#include "actual.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arrays grow in steps of 16 entries: a namespace has tens of links, not millions. */
static int grow(void **arr, size_t n, size_t size)
{
	void *p;

	if (n % 16)
		return 0;
	p = realloc(*arr, (n + 16) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

static bool ip_from_nl(struct nl_addr *na, struct wgm_ip *ip)
{
	int fam = nl_addr_get_family(na);
	unsigned len = nl_addr_get_len(na);

	memset(ip, 0, sizeof(*ip));
	if (fam == AF_INET && len == 4)
		memcpy(&ip->v4, nl_addr_get_binary_addr(na), 4);
	else if (fam == AF_INET6 && len == 16)
		memcpy(&ip->v6, nl_addr_get_binary_addr(na), 16);
	else if ((fam == AF_INET || fam == AF_INET6) && len == 0)
		; /* the default route's destination */
	else
		return false;
	ip->family = fam;
	return true;
}

static int read_links(struct nlconn *c, struct actual_ns *a)
{
	struct nl_cache *cache;
	int ret = rtnl_link_alloc_cache(c->sk, AF_UNSPEC, &cache);

	if (ret < 0)
		return -EIO;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		struct actual_link *al;
		const char *kind = rtnl_link_get_type(l);
		int32_t nsid;

		if (grow((void **)&a->links, a->n_links, sizeof(*a->links)) < 0) {
			ret = -ENOMEM;
			break;
		}
		al = &a->links[a->n_links++];
		memset(al, 0, sizeof(*al));
		snprintf(al->name, sizeof(al->name), "%s", rtnl_link_get_name(l));
		snprintf(al->kind, sizeof(al->kind), "%s", kind ? kind : "");
		al->ifindex = rtnl_link_get_ifindex(l);
		al->flags = rtnl_link_get_flags(l);
		al->peer_elsewhere = rtnl_link_get_link_netnsid(l, &nsid) == 0;
	}
	nl_cache_free(cache);
	return ret < 0 ? ret : 0;
}

static int read_addrs(struct nlconn *c, struct actual_ns *a)
{
	struct nl_cache *cache;
	int ret = rtnl_addr_alloc_cache(c->sk, &cache);

	if (ret < 0)
		return -EIO;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);
		struct actual_addr aa = { .ifindex = rtnl_addr_get_ifindex(ra) };

		if (!local || !ip_from_nl(local, &aa.p.addr))
			continue;
		aa.p.len = rtnl_addr_get_prefixlen(ra);
		if (grow((void **)&a->addrs, a->n_addrs, sizeof(*a->addrs)) < 0) {
			ret = -ENOMEM;
			break;
		}
		a->addrs[a->n_addrs++] = aa;
	}
	nl_cache_free(cache);
	return ret < 0 ? ret : 0;
}

static int read_routes(struct nlconn *c, struct actual_ns *a)
{
	struct nl_cache *cache;
	int ret = rtnl_route_alloc_cache(c->sk, AF_UNSPEC, 0, &cache);

	if (ret < 0)
		return -EIO;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		struct actual_route ar = { 0 };
		struct rtnl_nexthop *nh;

		if (rtnl_route_get_table(r) != RT_TABLE_MAIN || !dst || !ip_from_nl(dst, &ar.dst.addr))
			continue;
		ar.dst.len = nl_addr_get_prefixlen(dst);
		if (rtnl_route_get_nnexthops(r) == 1) {
			nh = rtnl_route_nexthop_n(r, 0);
			ar.ifindex = rtnl_route_nh_get_ifindex(nh);
			if (rtnl_route_nh_get_gateway(nh))
				ar.has_gw = ip_from_nl(rtnl_route_nh_get_gateway(nh), &ar.gw);
		}
		if (grow((void **)&a->routes, a->n_routes, sizeof(*a->routes)) < 0) {
			ret = -ENOMEM;
			break;
		}
		a->routes[a->n_routes++] = ar;
	}
	nl_cache_free(cache);
	return ret < 0 ? ret : 0;
}

int actual_read(struct nlconn *c, struct actual_ns *a)
{
	int ret;

	memset(a, 0, sizeof(*a));
	ret = read_links(c, a);
	if (ret == 0)
		ret = read_addrs(c, a);
	if (ret == 0)
		ret = read_routes(c, a);
	if (ret < 0)
		actual_free(a);
	return ret;
}

void actual_free(struct actual_ns *a)
{
	free(a->links);
	free(a->addrs);
	free(a->routes);
	memset(a, 0, sizeof(*a));
}

const struct actual_link *actual_link_by_name(const struct actual_ns *a, const char *name)
{
	for (size_t i = 0; i < a->n_links; i++)
		if (!strcmp(a->links[i].name, name))
			return &a->links[i];
	return NULL;
}

bool wgm_ip_equal(const struct wgm_ip *x, const struct wgm_ip *y)
{
	if (x->family != y->family)
		return false;
	return x->family == AF_INET ? x->v4.s_addr == y->v4.s_addr
				    : !memcmp(&x->v6, &y->v6, sizeof(x->v6));
}

bool actual_has_addr(const struct actual_ns *a, int ifindex, const struct wgm_prefix *p)
{
	for (size_t i = 0; i < a->n_addrs; i++)
		if (a->addrs[i].ifindex == ifindex && a->addrs[i].p.len == p->len &&
		    wgm_ip_equal(&a->addrs[i].p.addr, &p->addr))
			return true;
	return false;
}

bool actual_has_route(const struct actual_ns *a, const struct wgm_prefix *dst,
		      const struct wgm_ip *gw, int ifindex)
{
	for (size_t i = 0; i < a->n_routes; i++) {
		const struct actual_route *r = &a->routes[i];
		if (r->dst.len == dst->len && wgm_ip_equal(&r->dst.addr, &dst->addr) && r->has_gw &&
		    wgm_ip_equal(&r->gw, gw) && r->ifindex == ifindex)
			return true;
	}
	return false;
}

int actual_veth_octet(const struct actual_ns *a, const char *veth_inner, uint8_t *octet)
{
	const struct actual_link *l = actual_link_by_name(a, veth_inner);

	for (size_t i = 0; l && i < a->n_addrs; i++) {
		const struct actual_addr *aa = &a->addrs[i];
		uint32_t v4 = ntohl(aa->p.addr.v4.s_addr);

		if (aa->ifindex == l->ifindex && aa->p.addr.family == AF_INET && aa->p.len == 24 &&
		    (v4 >> 16) == 0xa9fe && (v4 & 0xff) == 2 && ((v4 >> 8) & 0xff)) {
			*octet = (v4 >> 8) & 0xff;
			return 0;
		}
	}
	return -ENOENT;
}
