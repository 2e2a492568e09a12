/* The kernel back end: the generic netlink family "wireguard" (WG_CMD_GET_DEVICE / SET_DEVICE,
 * attribute layout in <linux/wireguard.h>) and RTM_NEWLINK kind "wireguard" for creation.
 * A change set too big for one message is split the way wireguard-tools does it: the nests are
 * closed, the message is sent, and the next one resumes at the same peer and allowed IP. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "link.h"
#include "nl.h"
#include "wg_genl.h"

static int family_cb(const struct nlattr *attr, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID && mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_cb, data);
}

static int resolve_family(struct mnl_socket *nl, uint16_t *family_id, struct nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;
	uint16_t id = 0;
	int ret;

	nlh->nlmsg_type = GENL_ID_CTRL;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	ret = netlink_do(nl, nlh, 0, family_msg_cb, &id, e);
	if (ret)
		return ret;
	if (!id)
		return nl_err_set(e, -ENOENT, NULL);
	*family_id = id;
	return 0;
}

/* For the commands that need the family (the probe itself stays quiet). */
static int require_family(struct mnl_socket *nl, uint16_t *family_id, struct nl_err *e)
{
	int ret = resolve_family(nl, family_id, e);

	if (ret == -ENOENT)
		nl_err_set(e, ret, "the kernel has no WireGuard (genl family \"" WG_GENL_NAME "\"): load the wireguard module or set WGM_WG_BACKEND=userspace");
	return ret;
}

int wg_genl_family(int netns_fd, uint16_t *family_id)
{
	struct mnl_socket *nl;
	int ret = netlink_open(netns_fd, NETLINK_GENERIC, &nl, NULL);

	if (ret)
		return ret;
	ret = resolve_family(nl, family_id, NULL);
	mnl_socket_close(nl);
	return ret;
}

/* One socket per namespace, kept while the process works there: a node with 254 peers would
 * otherwise open (entering the namespace each time) a socket and resolve the family for every
 * read and every write of every device. Keyed by the namespace's inode, so a namespace made
 * anew gets a socket of its own; dropped after any failure, so no stray reply is read later. */
static struct {
	struct mnl_socket *nl;
	dev_t dev;
	ino_t ino;
	uint16_t family_id;
} conn;

static void conn_drop(void)
{
	if (conn.nl)
		mnl_socket_close(conn.nl);
	conn.nl = NULL;
}

void wg_genl_release(void)
{
	conn_drop();
}

static int conn_get(int netns_fd, struct mnl_socket **nl, uint16_t *family_id, struct nl_err *e)
{
	struct stat st;
	int ret;

	ret = netns_fd >= 0 ? fstat(netns_fd, &st) : stat("/proc/thread-self/ns/net", &st);
	if (ret < 0)
		return nl_err_set(e, -errno, NULL);
	if (!conn.nl || conn.dev != st.st_dev || conn.ino != st.st_ino) {
		conn_drop();
		ret = netlink_open(netns_fd, NETLINK_GENERIC, &conn.nl, e);
		if (ret)
			return ret;
		ret = require_family(conn.nl, &conn.family_id, e);
		if (ret) {
			conn_drop();
			return ret;
		}
		conn.dev = st.st_dev;
		conn.ino = st.st_ino;
	}
	*nl = conn.nl;
	*family_id = conn.family_id;
	return 0;
}

int wg_genl_create(const char *ifname, int *ifindex, struct nl_err *e)
{
	return link_create_kind(ifname, WG_GENL_NAME, ifindex, e);
}

int wg_genl_destroy(const char *ifname, int netns_fd, struct nl_err *e)
{
	int ret = link_delete_in(netns_fd, ifname, e);

	return ret == -ENODEV ? 0 : ret;
}

static bool put_allowed(struct nlmsghdr *nlh, size_t bufsize, const struct wgset_peer *p, size_t i)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, bufsize, 0);
	size_t alen = p->allowed[i].family == AF_INET ? 4 : 16;

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, bufsize, WGALLOWEDIP_A_FAMILY, (uint16_t)p->allowed[i].family) ||
	    !mnl_attr_put_check(nlh, bufsize, WGALLOWEDIP_A_IPADDR, alen, p->allowed[i].addr) ||
	    !mnl_attr_put_u8_check(nlh, bufsize, WGALLOWEDIP_A_CIDR_MASK, p->allowed[i].cidr)) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* The peer's own attributes, sent once: flags, endpoint, keepalive. */
static bool put_peer_head(struct nlmsghdr *nlh, size_t bufsize, const struct wgset_peer *p)
{
	uint32_t flags = 0;
	size_t elen;

	if (p->remove)
		flags |= WGPEER_F_REMOVE_ME;
	else if (p->replace_allowed)
		flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	if (flags && !mnl_attr_put_u32_check(nlh, bufsize, WGPEER_A_FLAGS, flags))
		return false;
	if (p->remove)
		return true;
	if (p->set_endpoint) {
		elen = p->endpoint.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		if (!mnl_attr_put_check(nlh, bufsize, WGPEER_A_ENDPOINT, elen, &p->endpoint))
			return false;
	}
	if (p->set_keepalive &&
	    !mnl_attr_put_u16_check(nlh, bufsize, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p->keepalive))
		return false;
	return true;
}

int wg_genl_build_set(void *buf, size_t bufsize, uint16_t family_id, uint32_t seq,
		      const struct wgset *s, struct wg_genl_cursor *cur, bool *done)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	struct nlattr *peers, *peer, *allowed;
	size_t in_msg = 0, allowed_before;
	bool dev_in_msg = false;

	*done = false;
	if (bufsize < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*genl)))
		return -EMSGSIZE;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = WG_CMD_SET_DEVICE;
	genl->version = WG_GENL_VERSION;
	if (!mnl_attr_put_strz_check(nlh, bufsize, WGDEVICE_A_IFNAME, s->ifname))
		return -EMSGSIZE;
	if (!cur->started) {
		if (s->set_private_key &&
		    !mnl_attr_put_check(nlh, bufsize, WGDEVICE_A_PRIVATE_KEY, WGM_KEY_LEN, s->private_key.b))
			return -EMSGSIZE;
		if (s->set_listen_port && !mnl_attr_put_u16_check(nlh, bufsize, WGDEVICE_A_LISTEN_PORT, s->listen_port))
			return -EMSGSIZE;
		cur->started = true;
		dev_in_msg = s->set_private_key || s->set_listen_port;
	}
	if (cur->peer >= s->n_peers)
		goto complete;
	peers = mnl_attr_nest_start_check(nlh, bufsize, WGDEVICE_A_PEERS);
	if (!peers)
		return dev_in_msg ? (int)nlh->nlmsg_len : -EMSGSIZE;
	for (; cur->peer < s->n_peers; cur->peer++, cur->peer_started = false, cur->allowed = 0) {
		const struct wgset_peer *p = &s->peers[cur->peer];

		peer = mnl_attr_nest_start_check(nlh, bufsize, 0);
		if (!peer)
			goto full;
		if (!mnl_attr_put_check(nlh, bufsize, WGPEER_A_PUBLIC_KEY, WGM_KEY_LEN, p->public_key.b) ||
		    (!cur->peer_started && !put_peer_head(nlh, bufsize, p))) {
			mnl_attr_nest_cancel(nlh, peer);
			goto full;
		}
		allowed_before = cur->allowed;
		if (!p->remove && p->replace_allowed && cur->allowed < p->n_allowed) {
			allowed = mnl_attr_nest_start_check(nlh, bufsize, WGPEER_A_ALLOWEDIPS);
			for (; allowed && cur->allowed < p->n_allowed; cur->allowed++)
				if (!put_allowed(nlh, bufsize, p, cur->allowed))
					break;
			if (allowed)
				mnl_attr_nest_end(nlh, allowed);
			if (cur->allowed < p->n_allowed) {
				/* Full inside this peer. A segment that carries none of its allowed IPs
				 * is dropped and the peer waits whole for the next message, unless its
				 * head alone is this message's only progress. */
				if (cur->allowed == allowed_before && (in_msg || dev_in_msg || cur->peer_started)) {
					mnl_attr_nest_cancel(nlh, peer);
					goto full;
				}
				mnl_attr_nest_end(nlh, peer);
				cur->peer_started = true;
				in_msg++;
				goto full;
			}
		}
		mnl_attr_nest_end(nlh, peer);
		in_msg++;
	}
	mnl_attr_nest_end(nlh, peers);
complete:
	*done = true;
	return (int)nlh->nlmsg_len;
full:
	if (!in_msg) {
		mnl_attr_nest_cancel(nlh, peers);
		return dev_in_msg ? (int)nlh->nlmsg_len : -EMSGSIZE;
	}
	mnl_attr_nest_end(nlh, peers);
	return (int)nlh->nlmsg_len;
}

int wg_genl_set(int netns_fd, const struct wgset *s, struct nl_err *e)
{
	struct wg_genl_cursor cur = { 0 };
	struct mnl_socket *nl;
	uint16_t family_id;
	bool done = false;
	char *buf;
	int ret;

	buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	if (!buf)
		return nl_err_set(e, -ENOMEM, NULL);
	ret = conn_get(netns_fd, &nl, &family_id, e);
	while (!ret && !done) {
		ret = wg_genl_build_set(buf, MNL_SOCKET_BUFFER_SIZE, family_id, 0, s, &cur, &done);
		if (ret > 0) {
			nl_counts.writes++;
			ret = netlink_do(nl, (struct nlmsghdr *)buf, 0, NULL, NULL, e);
		}
	}
	if (ret < 0)
		conn_drop();
	sodium_memzero(buf, MNL_SOCKET_BUFFER_SIZE);
	free(buf);
	return ret;
}

struct parse_ctx {
	struct wgdev_config *out;
	size_t *cap;
	struct wgdev_peer *peer;
	bool first_in_msg;
	int error;
};

static int parse_allowed_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type > 0 && type <= WGALLOWEDIP_A_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_allowed(const struct nlattr *attr, void *data)
{
	struct parse_ctx *c = data;
	const struct nlattr *tb[WGALLOWEDIP_A_MAX + 1] = { 0 };
	struct wgdev_peer *p = c->peer;
	uint16_t family;
	uint8_t cidr;
	size_t alen;

	if (mnl_attr_parse_nested(attr, parse_allowed_attr, tb) < 0 || !tb[WGALLOWEDIP_A_FAMILY] ||
	    !tb[WGALLOWEDIP_A_IPADDR] || !tb[WGALLOWEDIP_A_CIDR_MASK] ||
	    mnl_attr_validate(tb[WGALLOWEDIP_A_FAMILY], MNL_TYPE_U16) ||
	    mnl_attr_validate(tb[WGALLOWEDIP_A_CIDR_MASK], MNL_TYPE_U8))
		goto bad;
	family = mnl_attr_get_u16(tb[WGALLOWEDIP_A_FAMILY]);
	cidr = mnl_attr_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]);
	alen = mnl_attr_get_payload_len(tb[WGALLOWEDIP_A_IPADDR]);
	if (!((family == AF_INET && alen == 4 && cidr <= 32) || (family == AF_INET6 && alen == 16 && cidr <= 128)))
		goto bad;
	if (p->n_allowed == WGDEV_MAX_ALLOWED) {
		p->allowed_truncated = true;
		return MNL_CB_OK;
	}
	p->allowed[p->n_allowed].family = family;
	memset(p->allowed[p->n_allowed].addr, 0, 16);
	memcpy(p->allowed[p->n_allowed].addr, mnl_attr_get_payload(tb[WGALLOWEDIP_A_IPADDR]), alen);
	p->allowed[p->n_allowed].cidr = cidr;
	p->n_allowed++;
	return MNL_CB_OK;
bad:
	c->error = -EBADMSG;
	return MNL_CB_ERROR;
}

static int parse_peer_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type > 0 && type <= WGPEER_A_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_endpoint(const struct nlattr *attr, struct wgdev_peer *p)
{
	size_t len = mnl_attr_get_payload_len(attr);
	const struct sockaddr *sa = mnl_attr_get_payload(attr);

	if (len < sizeof(sa_family_t))
		return -EBADMSG;
	if ((sa->sa_family == AF_INET && len == sizeof(struct sockaddr_in)) ||
	    (sa->sa_family == AF_INET6 && len == sizeof(struct sockaddr_in6))) {
		memset(&p->endpoint, 0, sizeof(p->endpoint));
		memcpy(&p->endpoint, sa, len);
		p->has_endpoint = true;
		return 0;
	}
	return -EBADMSG;
}

static int parse_peer(const struct nlattr *attr, void *data)
{
	struct parse_ctx *c = data;
	const struct nlattr *tb[WGPEER_A_MAX + 1] = { 0 };
	struct wgdev_peer *last, *p;
	struct __kernel_timespec ts;
	bool continued;
	int ret;

	if (mnl_attr_parse_nested(attr, parse_peer_attr, tb) < 0 || !tb[WGPEER_A_PUBLIC_KEY] ||
	    mnl_attr_get_payload_len(tb[WGPEER_A_PUBLIC_KEY]) != WGM_KEY_LEN)
		goto bad;
	last = c->out->n_peers ? &c->out->peers[c->out->n_peers - 1] : NULL;
	continued = c->first_in_msg && last &&
		    !memcmp(last->public_key.b, mnl_attr_get_payload(tb[WGPEER_A_PUBLIC_KEY]), WGM_KEY_LEN);
	c->first_in_msg = false;
	if (continued) {
		p = last;
	} else {
		ret = wgdev_peer_append(c->out, c->cap, &p);
		if (ret) {
			c->error = ret;
			return MNL_CB_ERROR;
		}
		memcpy(p->public_key.b, mnl_attr_get_payload(tb[WGPEER_A_PUBLIC_KEY]), WGM_KEY_LEN);
	}
	if (tb[WGPEER_A_ENDPOINT] && parse_endpoint(tb[WGPEER_A_ENDPOINT], p))
		goto bad;
	if (tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]) {
		if (mnl_attr_validate(tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL], MNL_TYPE_U16))
			goto bad;
		p->keepalive = mnl_attr_get_u16(tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
	}
	if (tb[WGPEER_A_LAST_HANDSHAKE_TIME]) {
		if (mnl_attr_get_payload_len(tb[WGPEER_A_LAST_HANDSHAKE_TIME]) != sizeof(ts))
			goto bad;
		memcpy(&ts, mnl_attr_get_payload(tb[WGPEER_A_LAST_HANDSHAKE_TIME]), sizeof(ts));
		p->last_handshake.tv_sec = (time_t)ts.tv_sec;
		p->last_handshake.tv_nsec = (long)ts.tv_nsec;
	}
	if (tb[WGPEER_A_RX_BYTES]) {
		if (mnl_attr_validate(tb[WGPEER_A_RX_BYTES], MNL_TYPE_U64))
			goto bad;
		p->rx_bytes = mnl_attr_get_u64(tb[WGPEER_A_RX_BYTES]);
	}
	if (tb[WGPEER_A_TX_BYTES]) {
		if (mnl_attr_validate(tb[WGPEER_A_TX_BYTES], MNL_TYPE_U64))
			goto bad;
		p->tx_bytes = mnl_attr_get_u64(tb[WGPEER_A_TX_BYTES]);
	}
	if (tb[WGPEER_A_ALLOWEDIPS]) {
		c->peer = p;
		if (mnl_attr_parse_nested(tb[WGPEER_A_ALLOWEDIPS], parse_allowed, c) < 0)
			return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
bad:
	c->error = -EBADMSG;
	return MNL_CB_ERROR;
}

static int parse_device_attr(const struct nlattr *attr, void *data)
{
	struct parse_ctx *c = data;
	struct wgdev_config *out = c->out;

	switch (mnl_attr_get_type(attr)) {
	case WGDEVICE_A_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) ||
		    mnl_attr_get_payload_len(attr) > sizeof(out->ifname))
			goto bad;
		snprintf(out->ifname, sizeof(out->ifname), "%s", mnl_attr_get_str(attr));
		break;
	case WGDEVICE_A_PRIVATE_KEY:
		if (mnl_attr_get_payload_len(attr) != WGM_KEY_LEN)
			goto bad;
		memcpy(out->private_key.b, mnl_attr_get_payload(attr), WGM_KEY_LEN);
		/* The kernel reports an all-zero key when none is set. */
		out->has_private_key = !sodium_is_zero(out->private_key.b, WGM_KEY_LEN);
		break;
	case WGDEVICE_A_LISTEN_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16))
			goto bad;
		out->listen_port = mnl_attr_get_u16(attr);
		break;
	case WGDEVICE_A_PEERS:
		c->first_in_msg = true;
		if (mnl_attr_parse_nested(attr, parse_peer, c) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
bad:
	c->error = -EBADMSG;
	return MNL_CB_ERROR;
}

int wg_genl_parse_device(const struct nlmsghdr *nlh, struct wgdev_config *out, size_t *cap)
{
	struct parse_ctx c = { .out = out, .cap = cap };

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_device_attr, &c) < 0)
		return c.error ? c.error : -EBADMSG;
	return 0;
}

struct get_ctx {
	struct wgdev_config *out;
	size_t cap;
	int error;
};

static int get_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *g = data;

	g->error = wg_genl_parse_device(nlh, g->out, &g->cap);
	return g->error ? MNL_CB_ERROR : MNL_CB_OK;
}

/* A dump the kernel flags NLM_F_DUMP_INTR (the device changed while it was read) is read
 * again, as wg(8) does; a device that keeps changing under us is an error after a few. */
#define GET_ATTEMPTS 5

int wg_genl_get(int netns_fd, const char *ifname, struct wgdev_config *out, struct nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct get_ctx g;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	uint16_t family_id;
	int ret = -EAGAIN;

	for (int attempt = 0; ret == -EAGAIN && attempt < GET_ATTEMPTS; attempt++) {
		memset(out, 0, sizeof(*out));
		g = (struct get_ctx){ .out = out };
		ret = conn_get(netns_fd, &nl, &family_id, e);
		if (ret)
			return ret;
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = family_id;
		genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
		genl->cmd = WG_CMD_GET_DEVICE;
		genl->version = WG_GENL_VERSION;
		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
		ret = netlink_dump(nl, nlh, get_msg_cb, &g, e);
		if (ret && g.error)
			ret = nl_err_set(e, g.error, NULL);
		if (ret)
			wgdev_config_free(out);
		if (ret && ret != -EAGAIN)
			conn_drop();
	}
	return ret;
}
