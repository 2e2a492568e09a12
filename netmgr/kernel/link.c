/* rtnetlink through libnl-route. Every call asks for an ACK (libnl's default) and turns the
 * error into -errno, with libnl's text in the caller's struct nl_err for the message the user
 * sees. */
#include "link.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
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

static int nl_to_errno(int nlerr, struct nl_err *e)
{
	int ret;

	if (nlerr >= 0)
		return nlerr;
	switch (-nlerr) {
	case NLE_EXIST: ret = -EEXIST; break;
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND: ret = -ENODEV; break;
	case NLE_PERM: ret = -EPERM; break;
	case NLE_NOACCESS: ret = -EACCES; break;
	case NLE_NOMEM: ret = -ENOMEM; break;
	case NLE_INVAL: ret = -EINVAL; break;
	case NLE_BUSY: ret = -EBUSY; break;
	case NLE_NOADDR: ret = -EADDRNOTAVAIL; break;
	case NLE_OPNOTSUPP: ret = -EOPNOTSUPP; break;
	case NLE_RANGE: ret = -ERANGE; break;
	default: ret = -EIO; break;
	}
	return nl_err_set(e, ret, nl_geterror(nlerr));
}

/* The debug count of requests and writes (nl_counts), for libnl's side. */
static int count_out(struct nl_msg *msg, void *arg)
{
	uint16_t type = nlmsg_hdr(msg)->nlmsg_type;

	(void)arg;
	nl_counts.requests++;
	if (type >= RTM_BASE && (type - RTM_BASE) % 4 != RTM_GETLINK - RTM_BASE)
		nl_counts.writes++;
	return NL_OK;
}

int nlconn_open(struct nlconn *c, int nsfd, struct nl_err *e)
{
	int saved = -1, ret;

	c->sk = nl_socket_alloc();
	if (!c->sk)
		return nl_err_set(e, -ENOMEM, NULL);
	nl_socket_modify_cb(c->sk, NL_CB_MSG_OUT, NL_CB_CUSTOM, count_out, NULL);
	if (nsfd >= 0) {
		ret = netns_enter(nsfd, &saved);
		if (ret < 0) {
			nl_err_set(e, ret, "entering the namespace");
			goto fail;
		}
	}
	ret = nl_to_errno(nl_connect(c->sk, NETLINK_ROUTE), e);
	if (saved >= 0)
		netns_leave(saved);
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

int link_lookup(struct nlconn *c, const char *name, int *ifindex, unsigned *flags, struct nl_err *e)
{
	struct rtnl_link *link = NULL;
	int ret = rtnl_link_get_kernel(c->sk, 0, name, &link);

	/* Absent is an answer, not a failure worth a message. */
	if (ret == -NLE_NODEV || ret == -NLE_OBJ_NOTFOUND)
		return nl_err_set(e, -ENODEV, NULL);
	if (ret < 0)
		return nl_to_errno(ret, e);
	if (ifindex)
		*ifindex = rtnl_link_get_ifindex(link);
	if (flags)
		*flags = rtnl_link_get_flags(link);
	rtnl_link_put(link);
	return 0;
}

/* Applies "change" to the link with ifindex (libnl falls back to RTM_SETLINK if needed). */
static int link_change(struct nlconn *c, int ifindex, struct rtnl_link *change, struct nl_err *e)
{
	struct rtnl_link *orig = rtnl_link_alloc();
	int ret;

	if (!orig)
		return nl_err_set(e, -ENOMEM, NULL);
	rtnl_link_set_ifindex(orig, ifindex);
	ret = nl_to_errno(rtnl_link_change(c->sk, orig, change, 0), e);
	rtnl_link_put(orig);
	return ret;
}

int link_set_up(struct nlconn *c, int ifindex, bool up, struct nl_err *e)
{
	struct rtnl_link *change = rtnl_link_alloc();
	int ret;

	if (!change)
		return nl_err_set(e, -ENOMEM, NULL);
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	ret = link_change(c, ifindex, change, e);
	rtnl_link_put(change);
	return ret;
}

int link_move(struct nlconn *c, int ifindex, int target_nsfd, struct nl_err *e)
{
	struct rtnl_link *change = rtnl_link_alloc();
	int ret;

	if (!change)
		return nl_err_set(e, -ENOMEM, NULL);
	rtnl_link_set_ns_fd(change, target_nsfd);
	ret = link_change(c, ifindex, change, e);
	rtnl_link_put(change);
	return ret;
}

int link_move_as(struct nlconn *c, int ifindex, int target_nsfd, int new_ifindex, struct nl_err *e)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	int ret;

	if (!msg)
		return nl_err_set(e, -ENOMEM, NULL);
	ret = nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	if (ret == 0)
		ret = nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)target_nsfd);
	if (ret == 0)
		ret = nla_put_s32(msg, IFLA_NEW_IFINDEX, new_ifindex);
	if (ret < 0) {
		nlmsg_free(msg);
		return nl_to_errno(ret, e);
	}
	ret = nl_to_errno(nl_send_sync(c->sk, msg), e); /* asks for the ACK, waits, frees msg */
	/* Kernels before 6.5 ignore IFLA_NEW_IFINDEX; a number taken there is refused. */
	if (ret == -EBUSY || ret == -EEXIST)
		ret = link_move(c, ifindex, target_nsfd, e);
	return ret;
}

int link_delete(struct nlconn *c, int ifindex, const char *name, struct nl_err *e)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int ret;

	if (!link)
		return nl_err_set(e, -ENOMEM, NULL);
	if (ifindex > 0)
		rtnl_link_set_ifindex(link, ifindex);
	else
		rtnl_link_set_name(link, name);
	ret = nl_to_errno(rtnl_link_delete(c->sk, link), e);
	rtnl_link_put(link);
	return ret;
}

int link_delete_in(int nsfd, const char *name, struct nl_err *e)
{
	struct nlconn c;
	int ret = nlconn_open(&c, nsfd, e);

	if (ret == 0)
		ret = link_delete(&c, 0, name, e);
	nlconn_close(&c);
	return ret;
}

int link_create_kind(const char *ifname, const char *kind, int *ifindex, struct nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *linkinfo;
	unsigned int idx;
	int ret;

	ret = netlink_open(-1, NETLINK_ROUTE, &nl, e);
	if (ret)
		return ret;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, linkinfo);
	nl_counts.writes++;
	ret = netlink_do(nl, nlh, NLM_F_CREATE | NLM_F_EXCL, NULL, NULL, e);
	mnl_socket_close(nl);
	if (ret)
		return ret;
	idx = if_nametoindex(ifname);
	if (!idx)
		return nl_err_set(e, -errno, NULL);
	*ifindex = (int)idx;
	return 0;
}

int link_veth_create(struct nlconn *c, const char *outer, const char *inner, int inner_nsfd, struct nl_err *e)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
	int ret;

	if (!link)
		return nl_err_set(e, -ENOMEM, NULL);
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(link, outer);
	rtnl_link_set_name(peer, inner);
	rtnl_link_set_ns_fd(peer, inner_nsfd);
	ret = nl_to_errno(rtnl_link_add(c->sk, link, NLM_F_CREATE | NLM_F_EXCL), e);
	rtnl_link_put(peer);
	rtnl_link_veth_release(link);
	return ret;
}

int link_set_lo_up_here(void)
{
	struct nlconn c;
	int ret = nlconn_open(&c, -1, NULL), ifindex = 0;

	if (ret < 0)
		return ret;
	ret = link_lookup(&c, "lo", &ifindex, NULL, NULL);
	if (ret == 0)
		ret = link_set_up(&c, ifindex, true, NULL);
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

int addr_add(struct nlconn *c, int ifindex, const struct wgm_prefix *p, struct nl_err *e)
{
	struct rtnl_addr *addr = build_addr(ifindex, p);
	int ret;

	if (!addr)
		return nl_err_set(e, -ENOMEM, NULL);
	ret = nl_to_errno(rtnl_addr_add(c->sk, addr, NLM_F_EXCL), e);
	rtnl_addr_put(addr);
	return ret;
}

int addr_del(struct nlconn *c, int ifindex, const struct wgm_prefix *p, struct nl_err *e)
{
	struct rtnl_addr *addr = build_addr(ifindex, p);
	int ret;

	if (!addr)
		return nl_err_set(e, -ENOMEM, NULL);
	ret = nl_to_errno(rtnl_addr_delete(c->sk, addr, 0), e);
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

int route_add(struct nlconn *c, const struct wgm_prefix *dst, const struct wgm_ip *gw, int ifindex, struct nl_err *e)
{
	struct rtnl_route *r = build_route(dst, gw, ifindex);
	int ret;

	if (!r)
		return nl_err_set(e, -ENOMEM, NULL);
	ret = nl_to_errno(rtnl_route_add(c->sk, r, NLM_F_EXCL), e);
	rtnl_route_put(r);
	return ret;
}

int route_del(struct nlconn *c, const struct wgm_prefix *dst, const struct wgm_ip *gw, int ifindex, struct nl_err *e)
{
	struct rtnl_route *r = build_route(dst, gw, ifindex);
	int ret;

	if (!r)
		return nl_err_set(e, -ENOMEM, NULL);
	ret = nl_to_errno(rtnl_route_delete(c->sk, r, 0), e);
	rtnl_route_put(r);
	return ret;
}
