/* Netlink plumbing shared by the kernel back end, device removal and the port check: sockets
 * opened inside another namespace, and request/ACK exchanges that check seq and port id and
 * turn the kernel's refusal into -errno plus its extended-ack text. */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "wgset.h"

/* Dump replies come in pages of up to 32 KiB. */
#define WG_MNL_RECV_SIZE 32768
/* How long one reply may take: the kernel answers in microseconds, a busy one in milliseconds. */
#define WG_MNL_DEADLINE_S 10

int wg_mnl_open(int netns_fd, int bus, struct mnl_socket **out)
{
	struct mnl_socket *nl = NULL;
	struct timeval deadline = { .tv_sec = WG_MNL_DEADLINE_S };
	int orig = -1, ret = 0, one = 1;

	if (netns_fd >= 0) {
		orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (orig < 0)
			return -errno;
		if (setns(netns_fd, CLONE_NEWNET) < 0) {
			ret = -errno;
			goto cleanup;
		}
	}
	nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl)
		ret = -errno;
	/* A netlink socket stays bound to the namespace it was made in: switch straight back. */
	if (orig >= 0 && setns(orig, CLONE_NEWNET) < 0) {
		log_err("cannot return to the original network namespace: %s", strerror(errno));
		abort();
	}
	if (ret)
		goto cleanup;
	/* Extended acks carry the kernel's reason text; capped acks keep error replies small. */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	/* A reply that never comes is an error after a while, not a hung manager. */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof(deadline)) < 0) {
		ret = -errno;
		goto cleanup;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto cleanup;
	}
	*out = nl;
	nl = NULL;
cleanup:
	if (nl)
		mnl_socket_close(nl);
	if (orig >= 0)
		close(orig);
	return ret;
}

struct talk_ctx {
	int (*cb)(const struct nlmsghdr *, void *);
	void *data;
	int error;
	char extack[256];
};

static int talk_data(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct talk_ctx *t = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(t->extack, sizeof(t->extack), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int talk_error(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		t->error = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	t->error = e->error < 0 ? e->error : -e->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* With NLM_F_CAPPED only the header of our request is echoed before the TLVs. */
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, extack_attr, t);
	}
	return MNL_CB_ERROR;
}

static int talk_done(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;

	/* A dump that failed part way reports its error in NLMSG_DONE's payload. */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err;

		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			t->error = err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

/* One exchange; the caller has set the request's kind in nlmsg_flags (wg_mnl_do, wg_mnl_dump). */
static int exchange(struct mnl_socket *nl, struct nlmsghdr *nlh,
		    int (*cb)(const struct nlmsghdr *, void *), void *data)
{
	static uint32_t seq_counter;
	struct talk_ctx t = { .cb = cb, .data = data };
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = talk_error, [NLMSG_DONE] = talk_done };
	uint32_t portid = mnl_socket_get_portid(nl);
	char *buf;
	ssize_t n;
	int ret;

	if (!seq_counter)
		seq_counter = (uint32_t)time(NULL);
	wgdev_counts.requests++;
	nlh->nlmsg_seq = ++seq_counter;
	buf = malloc(WG_MNL_RECV_SIZE);
	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto cleanup;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, WG_MNL_RECV_SIZE);
		if (n < 0) {
			ret = (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT : -errno;
			goto cleanup;
		}
		errno = 0;
		ret = mnl_cb_run2(buf, (size_t)n, nlh->nlmsg_seq, portid, talk_data, &t, ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_STOP) {
			ret = 0;
			break;
		}
		if (ret < 0) {
			/* seq or port id mismatch (ESRCH, EPROTO), a callback's own error, or the kernel's */
			ret = t.error ? t.error : (errno ? -errno : -EPROTO);
			break;
		}
	}
	if (ret && t.extack[0])
		log_err("kernel: %s (%s)", t.extack, strerror(-ret));
cleanup:
	/* A device dump carries the private key: leave no copy of it on the heap. */
	sodium_memzero(buf, WG_MNL_RECV_SIZE);
	free(buf);
	return ret;
}

/* The kind of a request is the function, never read back from flag bits: NLM_F_EXCL and
 * NLM_F_MATCH are the same bit, and a create once taken for a dump asked for no ACK and hung. */
int wg_mnl_do(struct mnl_socket *nl, struct nlmsghdr *nlh, uint16_t flags,
	      int (*cb)(const struct nlmsghdr *, void *), void *data)
{
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return exchange(nl, nlh, cb, data);
}

int wg_mnl_dump(struct mnl_socket *nl, struct nlmsghdr *nlh,
		int (*cb)(const struct nlmsghdr *, void *), void *data)
{
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return exchange(nl, nlh, cb, data);
}

int wg_rtnl_dellink(const char *ifname, int netns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = NULL;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int ret;

	ret = wg_mnl_open(netns_fd, NETLINK_ROUTE, &nl);
	if (ret)
		return ret;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	wgdev_counts.writes++;
	ret = wg_mnl_do(nl, nlh, 0, NULL, NULL);
	mnl_socket_close(nl);
	return ret;
}
