/* rtnetlink through libnl-route. Every call asks for an ACK (libnl's default) and turns the
 * error into -errno, keeping libnl's text for the message the user sees. */
#include "link.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "wgdev.h"

static _Thread_local char last_error[128];

const char *link_last_error(void)
{
	return last_error;
}

static int nl_to_errno(int nlerr)
{
	if (nlerr >= 0)
		return nlerr;
	snprintf(last_error, sizeof(last_error), "%s", nl_geterror(nlerr));
	switch (-nlerr) {
	case NLE_EXIST: return -EEXIST;
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND: return -ENODEV;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_INVAL: return -EINVAL;
	case NLE_BUSY: return -EBUSY;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_RANGE: return -ERANGE;
	default: return -EIO;
	}
}

/* The debug count of requests and writes (wgdev_counts), for libnl's side. */
static int count_out(struct nl_msg *msg, void *arg)
{
	uint16_t type = nlmsg_hdr(msg)->nlmsg_type;

	(void)arg;
	wgdev_counts.requests++;
	if (type >= RTM_BASE && (type - RTM_BASE) % 4 != RTM_GETLINK - RTM_BASE)
		wgdev_counts.writes++;
	return NL_OK;
}

int nlconn_open(struct nlconn *c, int nsfd)
{
	int saved = -1, ret;

	c->sk = nl_socket_alloc();
	if (!c->sk)
		return -ENOMEM;
	nl_socket_modify_cb(c->sk, NL_CB_MSG_OUT, NL_CB_CUSTOM, count_out, NULL);
	if (nsfd >= 0) {
		ret = netns_enter(nsfd, &saved);
		if (ret < 0)
			goto fail;
	}
	ret = nl_to_errno(nl_connect(c->sk, NETLINK_ROUTE));
	if (saved >= 0 && netns_leave(saved) < 0 && ret == 0)
		ret = -EIO;
	if (ret < 0)
		goto fail;
	return 0;
fail:
	nl_socket_free(c->sk);
	c->sk = NULL;
	return ret;
}

void nlconn_close(struct nlconn *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

int link_lookup(struct nlconn *c, const char *name, int *ifindex, unsigned *flags)
{
	struct rtnl_link *link = NULL;
	int ret = rtnl_link_get_kernel(c->sk, 0, name, &link);

	/* Absent is an answer, not a failure worth a message. */
	if (ret == -NLE_NODEV || ret == -NLE_OBJ_NOTFOUND)
		return -ENODEV;
	if (ret < 0)
		return nl_to_errno(ret);
	if (ifindex)
		*ifindex = rtnl_link_get_ifindex(link);
	if (flags)
		*flags = rtnl_link_get_flags(link);
	rtnl_link_put(link);
	return 0;
}

/* Applies "change" to the link with ifindex (libnl falls back to RTM_SETLINK if needed). */
static int link_change(struct nlconn *c, int ifindex, struct rtnl_link *change)
{
	struct rtnl_link *orig = rtnl_link_alloc();
	int ret;

	if (!orig)
		return -ENOMEM;
	rtnl_link_set_ifindex(orig, ifindex);
	ret = nl_to_errno(rtnl_link_change(c->sk, orig, change, 0));
	rtnl_link_put(orig);
	return ret;
}

int link_set_up(struct nlconn *c, int ifindex, bool up)
{
	struct rtnl_link *change = rtnl_link_alloc();
	int ret;

	if (!change)
		return -ENOMEM;
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	ret = link_change(c, ifindex, change);
	rtnl_link_put(change);
	return ret;
}

int link_move(struct nlconn *c, int ifindex, int target_nsfd)
{
	struct rtnl_link *change = rtnl_link_alloc();
	int ret;

	if (!change)
		return -ENOMEM;
	rtnl_link_set_ns_fd(change, target_nsfd);
	ret = link_change(c, ifindex, change);
	rtnl_link_put(change);
	return ret;
}

int link_move_as(struct nlconn *c, int ifindex, int target_nsfd, int new_ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	if (ret == 0)
		ret = nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)target_nsfd);
	if (ret == 0)
		ret = nla_put_s32(msg, IFLA_NEW_IFINDEX, new_ifindex);
	if (ret < 0) {
		nlmsg_free(msg);
		return nl_to_errno(ret);
	}
	ret = nl_to_errno(nl_send_sync(c->sk, msg)); /* asks for the ACK, waits, frees msg */
	/* Kernels before 6.5 ignore IFLA_NEW_IFINDEX; a number taken there is refused. */
	if (ret == -EBUSY || ret == -EEXIST)
		ret = link_move(c, ifindex, target_nsfd);
	return ret;
}

int link_delete(struct nlconn *c, int ifindex)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int ret;

	if (!link)
		return -ENOMEM;
	rtnl_link_set_ifindex(link, ifindex);
	ret = nl_to_errno(rtnl_link_delete(c->sk, link));
	rtnl_link_put(link);
	return ret;
}

int link_veth_create(struct nlconn *c, const char *outer, const char *inner, int inner_nsfd)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
	int ret;

	if (!link)
		return -ENOMEM;
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(link, outer);
	rtnl_link_set_name(peer, inner);
	rtnl_link_set_ns_fd(peer, inner_nsfd);
	ret = nl_to_errno(rtnl_link_add(c->sk, link, NLM_F_CREATE | NLM_F_EXCL));
	rtnl_link_put(peer);
	rtnl_link_veth_release(link);
	return ret;
}

int link_set_lo_up_here(void)
{
	struct nlconn c;
	int ret = nlconn_open(&c, -1), ifindex = 0;

	if (ret < 0)
		return ret;
	ret = link_lookup(&c, "lo", &ifindex, NULL);
	if (ret == 0)
		ret = link_set_up(&c, ifindex, true);
	nlconn_close(&c);
	return ret;
}

static struct nl_addr *to_nl_addr(const struct wgm_ip *ip, int plen)
{
	struct nl_addr *a = ip->family == AF_INET ? nl_addr_build(AF_INET, &ip->v4, 4)
						  : nl_addr_build(AF_INET6, &ip->v6, 16);

	if (a && plen >= 0)
		nl_addr_set_prefixlen(a, plen);
	return a;
}

static struct rtnl_addr *build_addr(int ifindex, const struct wgm_prefix *p)
{
	struct rtnl_addr *addr = rtnl_addr_alloc();
	struct nl_addr *local = to_nl_addr(&p->addr, p->len);

	if (!addr || !local)
		goto fail;
	rtnl_addr_set_ifindex(addr, ifindex);
	rtnl_addr_set_family(addr, p->addr.family);
	if (rtnl_addr_set_local(addr, local) < 0)
		goto fail;
	if (p->addr.family == AF_INET && p->len < 31) {
		/* "brd +" as 1.0's scripts asked for. */
		struct in_addr b = p->addr.v4;
		uint32_t host = p->len ? 0xffffffffu >> p->len : 0xffffffffu;
		struct nl_addr *brd;

		b.s_addr |= htonl(host);
		brd = nl_addr_build(AF_INET, &b, 4);
		if (!brd)
			goto fail;
		rtnl_addr_set_broadcast(addr, brd);
		nl_addr_put(brd);
	} else if (p->addr.family == AF_INET6) {
		/* Point-to-point tunnels: nothing to detect duplicates against. */
		rtnl_addr_set_flags(addr, IFA_F_NODAD);
	}
	nl_addr_put(local);
	return addr;
fail:
	if (local)
		nl_addr_put(local);
	if (addr)
		rtnl_addr_put(addr);
	return NULL;
}

int addr_add(struct nlconn *c, int ifindex, const struct wgm_prefix *p)
{
	struct rtnl_addr *addr = build_addr(ifindex, p);
	int ret;

	if (!addr)
		return -ENOMEM;
	ret = nl_to_errno(rtnl_addr_add(c->sk, addr, NLM_F_EXCL));
	rtnl_addr_put(addr);
	return ret;
}

int addr_del(struct nlconn *c, int ifindex, const struct wgm_prefix *p)
{
	struct rtnl_addr *addr = build_addr(ifindex, p);
	int ret;

	if (!addr)
		return -ENOMEM;
	ret = nl_to_errno(rtnl_addr_delete(c->sk, addr, 0));
	rtnl_addr_put(addr);
	return ret;
}

static struct rtnl_route *build_route(const struct wgm_prefix *dst, const struct wgm_ip *gw,
				      int ifindex)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = to_nl_addr(&dst->addr, dst->len), *g = to_nl_addr(gw, -1);

	if (!r || !nh || !d || !g)
		goto fail;
	rtnl_route_set_family(r, dst->addr.family);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_BOOT);
	rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	rtnl_route_set_type(r, RTN_UNICAST);
	if (rtnl_route_set_dst(r, d) < 0)
		goto fail;
	rtnl_route_nh_set_gateway(nh, g);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(r, nh);
	nl_addr_put(d);
	nl_addr_put(g);
	return r;
fail:
	if (d)
		nl_addr_put(d);
	if (g)
		nl_addr_put(g);
	if (nh)
		rtnl_route_nh_free(nh);
	if (r)
		rtnl_route_put(r);
	return NULL;
}

int route_add(struct nlconn *c, const struct wgm_prefix *dst, const struct wgm_ip *gw, int ifindex)
{
	struct rtnl_route *r = build_route(dst, gw, ifindex);
	int ret;

	if (!r)
		return -ENOMEM;
	ret = nl_to_errno(rtnl_route_add(c->sk, r, NLM_F_EXCL));
	rtnl_route_put(r);
	return ret;
}

int route_del(struct nlconn *c, const struct wgm_prefix *dst, const struct wgm_ip *gw, int ifindex)
{
	struct rtnl_route *r = build_route(dst, gw, ifindex);
	int ret;

	if (!r)
		return -ENOMEM;
	ret = nl_to_errno(rtnl_route_delete(c->sk, r, 0));
	rtnl_route_put(r);
	return ret;
}
