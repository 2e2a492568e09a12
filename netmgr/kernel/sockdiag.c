/* NETLINK_SOCK_DIAG: dumps of IPv4 and IPv6 UDP sockets filtered by local port, and the peer of
 * one UNIX socket. */
#include "sockdiag.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

struct udp_ctx {
	const uint16_t *ports;
	size_t n;
	sockdiag_udp_fn fn;
	void *ctx;
};

static int udp_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct udp_ctx *d = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	uint16_t port;
	size_t i;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_ERROR;
	port = ntohs(m->id.idiag_sport);
	for (i = 0; i < d->n; i++) {
		if (d->ports[i] != port)
			continue;
		d->fn(port, m->idiag_family, m->idiag_inode, d->ctx);
		break;
	}
	return MNL_CB_OK;
}

static int dump_family(struct mnl_socket *nl, int family, struct udp_ctx *d, struct nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_UDP;
	req->idiag_states = ~0u; /* bound UDP sockets are CLOSE, connected ones ESTABLISHED */
	return netlink_dump(nl, nlh, udp_msg_cb, d, e);
}

int sockdiag_udp(int netns_fd, const uint16_t *ports, size_t n, sockdiag_udp_fn fn, void *ctx,
		 struct nl_err *e)
{
	struct udp_ctx d = { .ports = ports, .n = n, .fn = fn, .ctx = ctx };
	struct mnl_socket *nl;
	int ret;

	ret = netlink_open(netns_fd, NETLINK_SOCK_DIAG, &nl, e);
	if (ret)
		return ret;
	ret = dump_family(nl, AF_INET, &d, e);
	if (!ret)
		ret = dump_family(nl, AF_INET6, &d, e);
	mnl_socket_close(nl);
	return ret;
}

static int peer_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_ERROR;
	mnl_attr_for_each(a, nlh, sizeof(*m))
		if (mnl_attr_get_type(a) == UNIX_DIAG_PEER && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

int sockdiag_unix_peer(int fd, uint32_t *peer, struct nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct unix_diag_req *req;
	struct mnl_socket *nl;
	struct stat st;
	int ret;

	if (fstat(fd, &st) < 0)
		return nl_err_set(e, -errno, NULL);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_UNIX;
	req->udiag_states = ~0u;
	req->udiag_ino = (uint32_t)st.st_ino;
	req->udiag_show = UDIAG_SHOW_PEER;
	req->udiag_cookie[0] = req->udiag_cookie[1] = INET_DIAG_NOCOOKIE;
	ret = netlink_open(-1, NETLINK_SOCK_DIAG, &nl, e);
	if (ret)
		return ret;
	*peer = 0;
	ret = netlink_do(nl, nlh, 0, peer_cb, peer, e);
	mnl_socket_close(nl);
	return ret ? ret : *peer ? 0 : nl_err_set(e, -ENOENT, NULL);
}
