/* Netlink plumbing shared by the kernel WireGuard back end, BIRD's and the port check's
 * sock_diag and 1.0's conntrack flows: sockets opened inside another namespace, and
 * request/ACK exchanges that check seq and port id and turn the kernel's refusal into -errno
 * plus its extended-ack text. */
#include "nl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "netns.h"

/* Dump replies come in pages of up to 32 KiB. */
#define NL_RECV_SIZE 32768

struct nl_counts nl_counts;

int nl_err_set(struct nl_err *e, int code, const char *text)
{
	if (e) {
		e->code = code;
		snprintf(e->text, sizeof(e->text), "%s", text ? text : "");
	}
	return code;
}

int nl_err_fmt(struct nl_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		e->code = code;
		va_start(ap, fmt);
		vsnprintf(e->text, sizeof(e->text), fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *nl_err_str(const struct nl_err *e, int ret, char *buf, size_t len)
{
	bool text = e && e->code == ret && e->text[0];

	snprintf(buf, len, "%s%s%s", strerror(-ret), text ? " / " : "", text ? e->text : "");
	return buf;
}

int netlink_open(int netns_fd, int bus, struct mnl_socket **out, struct nl_err *e)
{
	struct mnl_socket *nl = NULL;
	struct timeval deadline = { .tv_sec = NL_DEADLINE_S };
	int saved = -1, ret = 0, one = 1;

	if (netns_fd >= 0) {
		ret = netns_enter(netns_fd, &saved);
		if (ret < 0)
			return nl_err_set(e, ret, "entering the namespace");
	}
	nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl)
		ret = -errno;
	/* A netlink socket stays bound to the namespace it was made in: switch straight back. */
	if (saved >= 0)
		netns_leave(saved);
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
	return ret ? nl_err_set(e, ret, NULL) : 0;
}

struct talk_ctx {
	netlink_cb cb;
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

/* The end of a dump the kernel interrupted: the rest of buf[0..len) and what follows it are read
 * up to NLMSG_DONE, so the socket can serve the next request. Every message of such a dump
 * carries NLM_F_DUMP_INTR, which libmnl refuses, so this looks for the end by itself. */
static bool dump_ends_in(const char *buf, ssize_t n, uint32_t seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_seq == seq && (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR))
			return true;
	return false;
}

static void drain_dump(struct mnl_socket *nl, char *buf, ssize_t n, uint32_t seq)
{
	while (!dump_ends_in(buf, n, seq)) {
		n = mnl_socket_recvfrom(nl, buf, NL_RECV_SIZE);
		if (n <= 0)
			return;
	}
}

/* One exchange; the caller has set the request's kind in nlmsg_flags and says it in dump
 * (netlink_do, netlink_dump): NLM_F_DUMP's bits are NLM_F_REPLACE|NLM_F_EXCL's too. */
static int exchange(struct mnl_socket *nl, struct nlmsghdr *nlh, bool dump, netlink_cb cb, void *data,
		    struct nl_err *e)
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
	nl_counts.requests++;
	nlh->nlmsg_seq = ++seq_counter;
	buf = malloc(NL_RECV_SIZE);
	if (!buf)
		return nl_err_set(e, -ENOMEM, NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto cleanup;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, NL_RECV_SIZE);
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
		if (ret < 0 && !t.error && errno == EINTR && dump) {
			/* libmnl's word for NLM_F_DUMP_INTR: the objects changed while being dumped */
			drain_dump(nl, buf, n, nlh->nlmsg_seq);
			ret = -EAGAIN;
			break;
		}
		if (ret < 0) {
			/* seq or port id mismatch (ESRCH, EPROTO), a callback's own error, or the kernel's */
			ret = t.error ? t.error : (errno ? -errno : -EPROTO);
			break;
		}
	}
cleanup:
	/* A device dump carries the private key: leave no copy of it on the heap. */
	sodium_memzero(buf, NL_RECV_SIZE);
	free(buf);
	return ret ? nl_err_set(e, ret, t.extack) : 0;
}

/* The kind of a request is the function, never read back from flag bits: NLM_F_EXCL and
 * NLM_F_MATCH are the same bit, and a create once taken for a dump asked for no ACK and hung. */
int netlink_do(struct mnl_socket *nl, struct nlmsghdr *nlh, uint16_t flags, netlink_cb cb, void *data,
	  struct nl_err *e)
{
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return exchange(nl, nlh, false, cb, data, e);
}

int netlink_dump(struct mnl_socket *nl, struct nlmsghdr *nlh, netlink_cb cb, void *data,
	    struct nl_err *e)
{
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return exchange(nl, nlh, true, cb, data, e);
}
