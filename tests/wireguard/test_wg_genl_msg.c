/* The kernel back end's SET_DEVICE messages without the module: a big change set is built
 * with several buffer sizes, every message is walked with libmnl, and the peers put back
 * together must be exactly the input: flags and endpoint once per peer, allowed IPs split
 * across messages resumed in order, device attributes only in the first message. The same
 * messages are read back with wg_genl_parse_device (the GET parser, same layout). */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "wg_genl.h"

#define N_PEERS 150
#define FAMILY_ID 0x2a

struct seen_peer {
	struct wgm_key key;
	uint32_t flags;
	int flag_count, endpoint_count, keepalive_count;
	struct sockaddr_storage endpoint;
	uint16_t keepalive;
	size_t n_allowed;
	struct { int family; uint8_t addr[16]; uint8_t cidr; } allowed[WGDEV_MAX_ALLOWED];
};

struct walk {
	struct seen_peer *peers;
	size_t n;
	int private_keys, ports, continuations;
	bool first_in_msg;
	bool bad;
	struct seen_peer *cur;
};

static void make_set(struct wgset *s)
{
	size_t i, j;

	memset(s, 0, sizeof(*s));
	snprintf(s->ifname, sizeof(s->ifname), "wg7");
	s->set_private_key = true;
	randombytes_buf(s->private_key.b, WGM_KEY_LEN);
	s->set_listen_port = true;
	s->listen_port = 21107;
	s->n_peers = N_PEERS;
	s->peers = calloc(N_PEERS, sizeof(*s->peers));
	for (i = 0; i < N_PEERS; i++) {
		struct wgset_peer *p = &s->peers[i];

		randombytes_buf(p->public_key.b, WGM_KEY_LEN);
		if (i % 10 == 3) {
			p->remove = true;
			continue;
		}
		if (i % 3) {
			struct sockaddr_in6 *s6 = (void *)&p->endpoint;

			s6->sin6_family = AF_INET6;
			inet_pton(AF_INET6, "2001:db8::1", &s6->sin6_addr);
			s6->sin6_addr.s6_addr[15] = (uint8_t)i;
			s6->sin6_port = htons((uint16_t)(21000 + i));
			p->set_endpoint = true;
		} else if (i % 2) {
			struct sockaddr_in *s4 = (void *)&p->endpoint;

			s4->sin_family = AF_INET;
			s4->sin_addr.s_addr = htonl(0xc0000200u + (uint32_t)i % 256); /* 192.0.2.x */
			s4->sin_port = htons((uint16_t)(21000 + i));
			p->set_endpoint = true;
		}
		p->set_keepalive = i % 4 != 0;
		p->keepalive = (uint16_t)(i % 30);
		p->replace_allowed = i % 7 != 0;
		p->n_allowed = p->replace_allowed ? i % 5 : 0;
		for (j = 0; j < p->n_allowed; j++) {
			p->allowed[j].family = j % 2 ? AF_INET6 : AF_INET;
			p->allowed[j].addr[0] = j % 2 ? 0xfd : 10;
			p->allowed[j].addr[1] = (uint8_t)i;
			p->allowed[j].addr[2] = (uint8_t)j;
			p->allowed[j].cidr = j % 2 ? 64 : 24;
		}
	}
}

static int allowed_attr(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	struct seen_peer *p = w->cur;
	const struct nlattr *tb[WGALLOWEDIP_A_MAX + 1] = { 0 };
	const struct nlattr *x;

	mnl_attr_for_each_nested(x, a)
		if (mnl_attr_get_type(x) <= WGALLOWEDIP_A_MAX)
			tb[mnl_attr_get_type(x)] = x;
	if (!tb[WGALLOWEDIP_A_FAMILY] || !tb[WGALLOWEDIP_A_IPADDR] || !tb[WGALLOWEDIP_A_CIDR_MASK] ||
	    p->n_allowed == WGDEV_MAX_ALLOWED) {
		w->bad = true;
		return MNL_CB_OK;
	}
	p->allowed[p->n_allowed].family = mnl_attr_get_u16(tb[WGALLOWEDIP_A_FAMILY]);
	memcpy(p->allowed[p->n_allowed].addr, mnl_attr_get_payload(tb[WGALLOWEDIP_A_IPADDR]),
	       mnl_attr_get_payload_len(tb[WGALLOWEDIP_A_IPADDR]));
	p->allowed[p->n_allowed].cidr = mnl_attr_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]);
	p->n_allowed++;
	return MNL_CB_OK;
}

static int peer_attr(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	struct seen_peer *p = w->cur;

	switch (mnl_attr_get_type(a)) {
	case WGPEER_A_FLAGS:
		p->flags |= mnl_attr_get_u32(a);
		p->flag_count++;
		break;
	case WGPEER_A_ENDPOINT:
		memcpy(&p->endpoint, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
		p->endpoint_count++;
		break;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		p->keepalive = mnl_attr_get_u16(a);
		p->keepalive_count++;
		break;
	case WGPEER_A_ALLOWEDIPS:
		mnl_attr_parse_nested(a, allowed_attr, w);
		break;
	}
	return MNL_CB_OK;
}

static int peers_attr(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	const struct nlattr *key = mnl_attr_get_payload(a);

	/* The public key comes first in every peer segment. */
	if (mnl_attr_get_type(key) != WGPEER_A_PUBLIC_KEY || mnl_attr_get_payload_len(key) != WGM_KEY_LEN) {
		w->bad = true;
		return MNL_CB_OK;
	}
	if (w->first_in_msg && w->n && !memcmp(w->peers[w->n - 1].key.b, mnl_attr_get_payload(key), WGM_KEY_LEN)) {
		w->continuations++;
	} else {
		memcpy(w->peers[w->n].key.b, mnl_attr_get_payload(key), WGM_KEY_LEN);
		w->n++;
	}
	w->first_in_msg = false;
	w->cur = &w->peers[w->n - 1];
	mnl_attr_parse_nested(a, peer_attr, w);
	return MNL_CB_OK;
}

static int device_attr(const struct nlattr *a, void *data)
{
	struct walk *w = data;

	switch (mnl_attr_get_type(a)) {
	case WGDEVICE_A_PRIVATE_KEY:
		w->private_keys++;
		break;
	case WGDEVICE_A_LISTEN_PORT:
		w->ports++;
		break;
	case WGDEVICE_A_PEERS:
		w->first_in_msg = true;
		mnl_attr_parse_nested(a, peers_attr, w);
		break;
	}
	return MNL_CB_OK;
}

static void check_peer(const struct wgset_peer *want, const struct seen_peer *got, const struct wgdev_peer *parsed)
{
	size_t j;
	uint32_t want_flags = want->remove ? WGPEER_F_REMOVE_ME : want->replace_allowed ? WGPEER_F_REPLACE_ALLOWEDIPS : 0;

	CHECK(!memcmp(want->public_key.b, got->key.b, WGM_KEY_LEN));
	CHECK_INTEQ(got->flags, want_flags);
	CHECK_INTEQ(got->flag_count, want_flags ? 1 : 0);
	CHECK_INTEQ(got->endpoint_count, want->set_endpoint ? 1 : 0);
	CHECK_INTEQ(got->keepalive_count, want->set_keepalive ? 1 : 0);
	if (want->set_endpoint)
		CHECK(!memcmp(&got->endpoint, &want->endpoint,
			      want->endpoint.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)));
	if (want->set_keepalive)
		CHECK_INTEQ(got->keepalive, want->keepalive);
	CHECK_INTEQ(got->n_allowed, want->n_allowed);
	CHECK_INTEQ(parsed->n_allowed, want->n_allowed);
	for (j = 0; j < want->n_allowed && j < got->n_allowed; j++) {
		CHECK_INTEQ(got->allowed[j].family, want->allowed[j].family);
		CHECK_INTEQ(got->allowed[j].cidr, want->allowed[j].cidr);
		CHECK(!memcmp(got->allowed[j].addr, want->allowed[j].addr, want->allowed[j].family == AF_INET ? 4 : 16));
		CHECK(!memcmp(parsed->allowed[j].addr, want->allowed[j].addr, 16));
	}
}

static void round_trip(const struct wgset *s, size_t bufsize, int *messages, int *continuations)
{
	struct wg_genl_cursor cur = { 0 };
	struct walk w = { 0 };
	struct wgdev_config parsed = { 0 };
	size_t cap = 0, i;
	uint8_t *buf = malloc(bufsize);
	bool done = false;
	int len;

	w.peers = calloc(N_PEERS, sizeof(*w.peers));
	*messages = 0;
	while (!done && *messages < 10000) {
		len = wg_genl_build_set(buf, bufsize, FAMILY_ID, 7, s, &cur, &done);
		CHECK(len > 0);
		if (len <= 0)
			break;
		const struct nlmsghdr *nlh = (const void *)buf;

		(*messages)++;
		CHECK((size_t)len <= bufsize);
		CHECK_INTEQ(nlh->nlmsg_len, len);
		CHECK_INTEQ(nlh->nlmsg_type, FAMILY_ID);
		CHECK(nlh->nlmsg_flags & NLM_F_ACK);
		CHECK_INTEQ(((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd, WG_CMD_SET_DEVICE);
		CHECK(mnl_attr_parse(nlh, sizeof(struct genlmsghdr), device_attr, &w) >= 0);
		CHECK_INTEQ(wg_genl_parse_device(nlh, &parsed, &cap), 0);
	}
	CHECK(done);
	CHECK(!w.bad);
	CHECK_INTEQ(w.private_keys, 1);
	CHECK_INTEQ(w.ports, 1);
	CHECK_INTEQ(w.n, s->n_peers);
	CHECK_INTEQ(parsed.n_peers, s->n_peers);
	CHECK(parsed.has_private_key && !memcmp(parsed.private_key.b, s->private_key.b, WGM_KEY_LEN));
	CHECK_INTEQ(parsed.listen_port, s->listen_port);
	for (i = 0; i < w.n && i < s->n_peers && i < parsed.n_peers; i++)
		check_peer(&s->peers[i], &w.peers[i], &parsed.peers[i]);
	*continuations = w.continuations;
	wgdev_config_free(&parsed);
	free(w.peers);
	free(buf);
}

static void test_split(void)
{
	const size_t sizes[] = { 120, 160, 200, 256, 512, 1024, MNL_SOCKET_BUFFER_SIZE };
	struct wgset s;
	struct wg_genl_cursor cur = { 0 };
	uint8_t small[100];
	bool done;
	size_t i;
	int messages, continuations, split_mid_peer = 0;

	make_set(&s);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		round_trip(&s, sizes[i], &messages, &continuations);
		fprintf(stderr, "buffer %zu: %d messages, %d peers continued across messages\n", sizes[i], messages,
			continuations);
		CHECK(messages > 1);
		split_mid_peer += continuations;
	}
	/* The small buffers must have cut some peer between its allowed IPs. */
	CHECK(split_mid_peer > 0);
	/* A buffer that cannot hold one peer is refused, not looped on. */
	s.set_private_key = s.set_listen_port = false;
	CHECK_INTEQ(wg_genl_build_set(small, 60, FAMILY_ID, 1, &s, &cur, &done), -EMSGSIZE);
	memset(&cur, 0, sizeof(cur));
	CHECK_INTEQ(wg_genl_build_set(small, 8, FAMILY_ID, 1, &s, &cur, &done), -EMSGSIZE);
	wgset_free(&s);
}

/* syncconf: only what differs ends up in the change set. */
static void set_allowed(struct wgdev_peer *p, const char *a4, uint8_t c4, const char *a6, uint8_t c6)
{
	p->n_allowed = 2;
	p->allowed[0].family = AF_INET;
	inet_pton(AF_INET, a4, p->allowed[0].addr);
	p->allowed[0].cidr = c4;
	p->allowed[1].family = AF_INET6;
	inet_pton(AF_INET6, a6, p->allowed[1].addr);
	p->allowed[1].cidr = c6;
}

static void set_endpoint4(struct wgdev_peer *p, const char *addr, uint16_t port)
{
	struct sockaddr_in *s4 = (void *)&p->endpoint;

	memset(&p->endpoint, 0, sizeof(p->endpoint));
	s4->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &s4->sin_addr);
	s4->sin_port = htons(port);
	p->has_endpoint = true;
}

static void test_diff(void)
{
	struct nl_err e = { 0 };
	struct wgdev_peer cur_peers[3] = { 0 }, want_peers[3] = { 0 };
	struct wgdev_config cur = { .peers = cur_peers, .n_peers = 2 };
	struct wgdev_config want = { .peers = want_peers, .n_peers = 2 };
	struct wgset s;
	int i;

	snprintf(want.ifname, sizeof(want.ifname), "wg2");
	randombytes_buf(cur.private_key.b, WGM_KEY_LEN);
	cur.has_private_key = want.has_private_key = true;
	want.private_key = cur.private_key;
	cur.listen_port = want.listen_port = 21102;
	for (i = 0; i < 3; i++) {
		randombytes_buf(cur_peers[i].public_key.b, WGM_KEY_LEN);
		want_peers[i].public_key = cur_peers[i].public_key;
		cur_peers[i].keepalive = want_peers[i].keepalive = 25;
		set_endpoint4(&cur_peers[i], "192.0.2.2", 21101);
		set_endpoint4(&want_peers[i], "192.0.2.2", 21101);
		/* The device keeps prefixes masked and in its own order; the desired list need not. */
		set_allowed(&cur_peers[i], "10.0.0.0", 8, "::", 0);
		set_allowed(&want_peers[i], "10.1.2.3", 8, "::", 0);
		want_peers[i].allowed[0] = cur_peers[i].allowed[1];
		want_peers[i].allowed[1].family = AF_INET;
		inet_pton(AF_INET, "10.1.2.3", want_peers[i].allowed[1].addr);
		want_peers[i].allowed[1].cidr = 8;
		cur_peers[i].last_handshake.tv_sec = 1000 + i;
		cur_peers[i].rx_bytes = 99;
	}

	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK(wgset_is_empty(&s));
	wgset_free(&s);

	want.listen_port = 0; /* "any": not a difference */
	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK(wgset_is_empty(&s));
	wgset_free(&s);
	want.listen_port = 21103;
	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK(s.set_listen_port && s.listen_port == 21103 && !s.set_private_key && s.n_peers == 0);
	wgset_free(&s);
	want.listen_port = 21102;

	/* a bit clamping keeps (b[0]'s low bits would compare equal to a clamped random key) */
	want.private_key.b[1] ^= 1;
	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK(s.set_private_key && !s.set_listen_port && s.n_peers == 0);
	wgset_free(&s);
	want.private_key.b[1] ^= 1;

	set_endpoint4(&want_peers[1], "192.0.2.3", 21101);
	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK_INTEQ(s.n_peers, 1);
	CHECK(s.n_peers == 1 && !memcmp(s.peers[0].public_key.b, want_peers[1].public_key.b, WGM_KEY_LEN) &&
	      s.peers[0].set_endpoint && !s.peers[0].set_keepalive && !s.peers[0].replace_allowed && !s.peers[0].remove);
	wgset_free(&s);
	set_endpoint4(&want_peers[1], "192.0.2.2", 21101);

	/* A roamed endpoint stays when the desired peer names none (it calls us). */
	want_peers[0].has_endpoint = false;
	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK(wgset_is_empty(&s));
	wgset_free(&s);
	want_peers[0].has_endpoint = true;

	want_peers[0].keepalive = 0;
	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK(s.n_peers == 1 && s.peers[0].set_keepalive && s.peers[0].keepalive == 0 && !s.peers[0].set_endpoint);
	wgset_free(&s);
	want_peers[0].keepalive = 25;

	want_peers[0].allowed[1].cidr = 16;
	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK(s.n_peers == 1 && s.peers[0].replace_allowed && s.peers[0].n_allowed == 2);
	wgset_free(&s);
	want_peers[0].allowed[1].cidr = 8;

	cur_peers[0].allowed_truncated = true;
	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK(s.n_peers == 1 && s.peers[0].replace_allowed);
	wgset_free(&s);
	cur_peers[0].allowed_truncated = false;

	/* Peer 1 leaves, peer 2 joins: one removal, one full addition, peer 0 untouched. */
	want_peers[1] = want_peers[2];
	CHECK_INTEQ(wgset_diff(&cur, &want, &s, NULL), 0);
	CHECK_INTEQ(s.n_peers, 2);
	CHECK(s.n_peers == 2 && s.peers[0].remove && !memcmp(s.peers[0].public_key.b, cur_peers[1].public_key.b, 32));
	CHECK(s.n_peers == 2 && !s.peers[1].remove && s.peers[1].set_endpoint && s.peers[1].set_keepalive &&
	      s.peers[1].replace_allowed && !memcmp(s.peers[1].public_key.b, cur_peers[2].public_key.b, 32));
	wgset_free(&s);

	want_peers[1] = want_peers[0];
	/* the reason travels back with the call, naming the peers: nothing is logged */
	CHECK_FAILS_NAMING(wgset_diff(&cur, &want, &s, &e), -EINVAL, e.text,
			   "peers 0 and 1 have the same public key");
	CHECK(s.peers == NULL);
	CHECK_INTEQ(e.code, -EINVAL);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_split();
	test_diff();
	return check_exit();
}
