/* Endpoint choice across run rounds (netmgr/endpoint.c), with time given: the wait, a live
 * session never moved, a roamed endpoint kept while it lives, families tried in order, and
 * the round memory forgetting peers that left. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "endpoint.h"

static struct sockaddr_storage addr(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, ip, &s4->sin_addr);
	}
	return ss;
}

static const char *text(const struct sockaddr_storage *ss)
{
	static char buf[80];

	if (!ss)
		return "(none)";
	sockaddr_format(ss, buf, sizeof(buf));
	return buf;
}

/* The device as the kernel would report it: this endpoint, that handshake. */
static void device(struct wgdev_config *dev, struct wgdev_peer *peer, const struct desired_peer *p,
		   const struct sockaddr_storage *ep, time_t handshake)
{
	memset(dev, 0, sizeof(*dev));
	memset(peer, 0, sizeof(*peer));
	peer->public_key = p->public_key;
	if (ep) {
		peer->has_endpoint = true;
		peer->endpoint = *ep;
	}
	peer->last_handshake.tv_sec = handshake;
	dev->n_peers = 1;
	dev->peers = peer;
}

/* One round of the run loop for one peer: pick, then the device has what was picked. */
static const char *round_for(struct endpoint_memory *m, const struct desired_peer *p,
			     struct sockaddr_storage *dev_ep, time_t handshake, unsigned families, time_t now)
{
	struct wgdev_config dev;
	struct wgdev_peer peer;
	const struct sockaddr_storage *to;

	device(&dev, &peer, p, dev_ep->ss_family ? dev_ep : NULL, handshake);
	if (m)
		endpoint_round_begin(m);
	to = endpoint_pick(m, p, &dev, families, now);
	if (m)
		endpoint_round_end(m);
	if (to)
		*dev_ep = *to;
	return text(to);
}

static void test_rotation(struct endpoint_memory *m)
{
	struct desired_peer p = { .ifname = "wg4", .hostname = "far", .n_endpoints = 2 };
	struct sockaddr_storage dev_ep = { 0 };
	const unsigned both = ENDPOINT_FAMILY_V4 | ENDPOINT_FAMILY_V6;
	time_t t = 1000000;

	memset(p.public_key.b, 4, sizeof(p.public_key.b));
	p.endpoints[0] = addr("198.51.100.99", 21201);
	p.endpoints[1] = addr("198.51.100.14", 21201);
	/* never answers: the first candidate until the wait is over, then the next */
	CHECK_STREQ(round_for(m, &p, &dev_ep, 0, both, t), "198.51.100.99:21201");
	CHECK_INTEQ(m->next_due, t + 30);
	CHECK_STREQ(round_for(m, &p, &dev_ep, 0, both, t + 29), "198.51.100.99:21201");
	CHECK_STREQ(round_for(m, &p, &dev_ep, 0, both, t + 30), "198.51.100.14:21201");
	CHECK_INTEQ(m->next_due, t + 60);
	/* answers there: kept, however long the rounds go on, while handshakes come */
	CHECK_STREQ(round_for(m, &p, &dev_ep, t + 31, both, t + 40), "198.51.100.14:21201");
	CHECK_INTEQ(m->next_due, 0);
	CHECK_STREQ(round_for(m, &p, &dev_ep, t + 31, both, t + 31 + WG_SESSION_SECS - 1),
		    "198.51.100.14:21201");
	CHECK_STREQ(round_for(m, &p, &dev_ep, t + 200, both, t + 200 + WG_SESSION_SECS - 1),
		    "198.51.100.14:21201");
	/* the session died (no handshake for WG_SESSION_SECS, past the wait): next candidate */
	CHECK_STREQ(round_for(m, &p, &dev_ep, t + 200, both, t + 200 + WG_SESSION_SECS),
		    "198.51.100.99:21201");
	/* outside the run loop (up, apply) nobody is moved */
	dev_ep = p.endpoints[0];
	CHECK_STREQ(round_for(NULL, &p, &dev_ep, 0, both, t + 100000), "198.51.100.99:21201");
}

static void test_roamed(struct endpoint_memory *m)
{
	struct desired_peer p = { .ifname = "wg2", .hostname = "six", .n_endpoints = 2 };
	struct sockaddr_storage dev_ep = addr("2001:db8:1::77", 21201); /* where it reached us from */
	time_t t = 2000000;

	memset(p.public_key.b, 2, sizeof(p.public_key.b));
	p.endpoints[0] = addr("2001:db8:1::12", 21201);
	p.endpoints[1] = addr("2001:db8:1::1200", 21201);
	CHECK_STREQ(round_for(m, &p, &dev_ep, t - 10, ENDPOINT_FAMILY_V6, t), "[2001:db8:1::77]:21201");
	/* once its session is gone, back to the candidates */
	CHECK_STREQ(round_for(m, &p, &dev_ep, t - 10, ENDPOINT_FAMILY_V6, t + WG_SESSION_SECS),
		    "[2001:db8:1::12]:21201");
}

static void test_families(void)
{
	struct desired_peer p = { .ifname = "wg1", .hostname = "dual", .n_endpoints = 2 };
	struct wgdev_config dev = { 0 };

	p.endpoints[0] = addr("192.0.2.11", 21202);
	p.endpoints[1] = addr("2001:db8:1::11", 21202);
	CHECK_STREQ(text(endpoint_pick(NULL, &p, &dev, ENDPOINT_FAMILY_V6, 0)), "[2001:db8:1::11]:21202");
	CHECK_STREQ(text(endpoint_pick(NULL, &p, &dev, ENDPOINT_FAMILY_V4, 0)), "192.0.2.11:21202");
	CHECK_STREQ(text(endpoint_pick(NULL, &p, &dev, 0, 0)), "192.0.2.11:21202");
	p.n_endpoints = 0;
	CHECK(endpoint_pick(NULL, &p, &dev, 0, 0) == NULL);
}

static void test_forget(struct endpoint_memory *m)
{
	struct desired_peer a = { .ifname = "wg5", .n_endpoints = 2 }, b = a;
	struct wgdev_config dev = { 0 };

	memset(a.public_key.b, 5, sizeof(a.public_key.b));
	memset(b.public_key.b, 6, sizeof(b.public_key.b));
	a.endpoints[0] = b.endpoints[0] = addr("192.0.2.5", 1);
	a.endpoints[1] = b.endpoints[1] = addr("192.0.2.6", 1);
	endpoint_round_begin(m);
	endpoint_pick(m, &a, &dev, 0, 10);
	endpoint_pick(m, &b, &dev, 0, 10);
	endpoint_round_end(m);
	CHECK_INTEQ(m->n, 2);
	endpoint_round_begin(m);
	endpoint_pick(m, &a, &dev, 0, 11);
	endpoint_round_end(m);
	CHECK_INTEQ(m->n, 1);
}

int main(void)
{
	struct endpoint_memory *m = calloc(1, sizeof(*m));

	if (!m)
		return 1;
	m->wait = 30;
	test_rotation(m);
	test_roamed(m);
	test_families();
	test_forget(m);
	free(m);
	return check_exit();
}
