/* Connection tracking over ctnetlink (NFNL_SUBSYS_CTNETLINK): one dump of the IPv4 flows, every
 * attribute length-checked, and a delete per flow the caller picked. */
#include "conntrack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"

/* More than a node's peers can make; past it the rest is found on the next run. */
#define CT_MAX_FLOWS 512

static int nested(const struct nlattr *nest, int max, const struct nlattr **tb)
{
	const struct nlattr *a;

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	mnl_attr_for_each_nested(a, nest) {
		int type = mnl_attr_get_type(a);
		if (type <= max)
			tb[type] = a;
	}
	return 0;
}

/* CTA_TUPLE_ORIG or CTA_TUPLE_REPLY: IPv4 addresses and the L4 protocol and ports, all
 * length-checked. */
static struct ct_tuple read_tuple(const struct nlattr *t)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1], *pr[CTA_PROTO_MAX + 1];
	struct ct_tuple r = { 0 };

	nested(t, CTA_TUPLE_MAX, tb);
	if (!tb[CTA_TUPLE_IP] || !tb[CTA_TUPLE_PROTO])
		return r;
	nested(tb[CTA_TUPLE_IP], CTA_IP_MAX, ip);
	nested(tb[CTA_TUPLE_PROTO], CTA_PROTO_MAX, pr);
	if (!ip[CTA_IP_V4_SRC] || !ip[CTA_IP_V4_DST] || !pr[CTA_PROTO_NUM] ||
	    mnl_attr_validate(ip[CTA_IP_V4_SRC], MNL_TYPE_U32) ||
	    mnl_attr_validate(ip[CTA_IP_V4_DST], MNL_TYPE_U32) ||
	    mnl_attr_validate(pr[CTA_PROTO_NUM], MNL_TYPE_U8))
		return r;
	r.src = mnl_attr_get_u32(ip[CTA_IP_V4_SRC]);
	r.dst = mnl_attr_get_u32(ip[CTA_IP_V4_DST]);
	r.proto = mnl_attr_get_u8(pr[CTA_PROTO_NUM]);
	if (r.proto != IPPROTO_UDP || !pr[CTA_PROTO_SRC_PORT] || !pr[CTA_PROTO_DST_PORT] ||
	    mnl_attr_validate(pr[CTA_PROTO_SRC_PORT], MNL_TYPE_U16) ||
	    mnl_attr_validate(pr[CTA_PROTO_DST_PORT], MNL_TYPE_U16))
		return r;
	r.sport = ntohs(mnl_attr_get_u16(pr[CTA_PROTO_SRC_PORT]));
	r.dport = ntohs(mnl_attr_get_u16(pr[CTA_PROTO_DST_PORT]));
	r.ok = true;
	return r;
}

struct ct_scan {
	ct_keep_fn keep;
	void *ctx;
	size_t n;
	struct ct_tuple flows[CT_MAX_FLOWS];
};

static int scan_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_scan *s = data;
	const struct nlattr *a, *orig_a = NULL, *reply_a = NULL;
	struct ct_tuple orig, reply;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == CTA_TUPLE_ORIG)
			orig_a = a;
		else if (mnl_attr_get_type(a) == CTA_TUPLE_REPLY)
			reply_a = a;
	}
	if (!orig_a || !reply_a)
		return MNL_CB_OK;
	orig = read_tuple(orig_a);
	reply = read_tuple(reply_a);
	if (!orig.ok || !reply.ok || !s->keep(&orig, &reply, s->ctx))
		return MNL_CB_OK;
	if (s->n < CT_MAX_FLOWS)
		s->flows[s->n++] = orig;
	return MNL_CB_OK;
}

static struct nlmsghdr *ct_request(char *buf, uint16_t msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

static int ct_delete(struct mnl_socket *nl, const struct ct_tuple *t, struct nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = ct_request(buf, IPCTNL_MSG_CT_DELETE);
	struct nlattr *tuple, *ip, *proto;

	tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, t->src);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, t->dst);
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
	return netlink_do(nl, nlh, 0, NULL, NULL, e);
}

int ct_udp4_flows(ct_keep_fn keep, void *ctx, bool delete, size_t *found, size_t *deleted,
		  struct nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = NULL;
	struct ct_scan *s = calloc(1, sizeof(*s));
	int ret;

	*found = *deleted = 0;
	if (!s)
		return nl_err_set(e, -ENOMEM, NULL);
	s->keep = keep;
	s->ctx = ctx;
	ret = netlink_open(-1, NETLINK_NETFILTER, &nl, e);
	if (ret == 0)
		ret = netlink_dump(nl, ct_request(buf, IPCTNL_MSG_CT_GET), scan_cb, s, e);
	/* No connection tracking in this kernel or namespace: nothing to clear. */
	if (ret == -ENOENT || ret == -EPROTONOSUPPORT || ret == -EOPNOTSUPP) {
		ret = 0;
		goto out;
	}
	if (ret < 0)
		goto out;
	*found = s->n;
	for (size_t i = 0; delete && i < s->n; i++) {
		ret = ct_delete(nl, &s->flows[i], e);
		if (ret == -ENOENT) /* expired meanwhile */
			ret = 0;
		if (ret < 0)
			goto out;
		(*deleted)++;
	}
out:
	if (nl)
		mnl_socket_close(nl);
	free(s);
	return ret;
}
