#include "endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "log.h"

unsigned endpoint_families(const struct actual_ns *under)
{
	unsigned f = 0;

	for (size_t i = 0; i < under->n_addrs; i++) {
		const struct wgm_ip *ip = &under->addrs[i].p.addr;

		if (ip->family == AF_INET) {
			uint32_t a = ntohl(ip->v4.s_addr);
			/* loopback, and the veth's link-local 169.254.<octet>.1 */
			if ((a >> 24) != 127 && (a >> 16) != 0xa9fe)
				f |= ENDPOINT_FAMILY_V4;
		} else if (ip->family == AF_INET6 && !IN6_IS_ADDR_LOOPBACK(&ip->v6) &&
			   !IN6_IS_ADDR_LINKLOCAL(&ip->v6)) {
			f |= ENDPOINT_FAMILY_V6;
		}
	}
	return f;
}

void endpoint_round_begin(struct endpoint_memory *m)
{
	m->n_round = 0;
	m->next_due = 0;
}

void endpoint_round_end(struct endpoint_memory *m)
{
	memcpy(m->seen, m->round, m->n_round * sizeof(m->round[0]));
	m->n = m->n_round;
}

static bool family_usable(const struct sockaddr_storage *ss, unsigned families)
{
	if (!families)
		return true; /* nothing known: try every candidate in order */
	return (ss->ss_family == AF_INET && (families & ENDPOINT_FAMILY_V4)) ||
	       (ss->ss_family == AF_INET6 && (families & ENDPOINT_FAMILY_V6));
}

/* The candidates in trying order: usable families first, record order within each. */
static size_t trying_order(const struct desired_peer *p, unsigned families,
			   const struct sockaddr_storage *out[WGM_MAX_ENDPOINTS])
{
	size_t n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < p->n_endpoints; i++)
			if (family_usable(&p->endpoints[i], families) == (pass == 0))
				out[n++] = &p->endpoints[i];
	return n;
}

static time_t remembered_since(const struct endpoint_memory *m, const struct wgm_key *key,
			       const struct sockaddr_storage *ep, time_t now)
{
	for (size_t i = 0; i < m->n; i++)
		if (wgm_key_equal(&m->seen[i].public_key, key))
			return sockaddr_equal(&m->seen[i].endpoint, ep) ? m->seen[i].since : now;
	return now;
}

static void remember(struct endpoint_memory *m, const struct wgm_key *key,
		     const struct sockaddr_storage *ep, time_t since, bool waiting)
{
	if (m->n_round < WGM_MAX_HOSTS)
		m->round[m->n_round++] = (struct endpoint_seen){ .public_key = *key, .endpoint = *ep,
								 .since = since };
	if (waiting && (!m->next_due || since + (time_t)m->wait < m->next_due))
		m->next_due = since + (time_t)m->wait;
}

static const struct sockaddr_storage *pick(struct endpoint_memory *m, const struct desired_peer *p,
					  const struct wgdev_peer *cur, unsigned families, time_t now)
{
	const struct sockaddr_storage *order[WGM_MAX_ENDPOINTS], *to;
	time_t hs = cur ? cur->last_handshake.tv_sec : 0, since = now;
	bool live = hs > 0 && now - hs < WG_SESSION_SECS;
	size_t n = trying_order(p, families, order), k = n;

	if (!n)
		return NULL;
	for (size_t i = 0; cur && cur->has_endpoint && i < n; i++)
		if (sockaddr_equal(&cur->endpoint, order[i]))
			k = i;
	if (cur && cur->has_endpoint && (k < n || live)) {
		/* Where the device is, or where the peer reached us from while the session lives. */
		to = &cur->endpoint;
		if (m)
			since = remembered_since(m, &p->public_key, to, now);
		if (m && !live && n > 1 && now - (hs > since ? hs : since) >= (time_t)m->wait) {
			char was[80], next[80];

			sockaddr_format(to, was, sizeof(was));
			to = order[(k + 1) % n];
			sockaddr_format(to, next, sizeof(next));
			log_notice("%s (%s): no handshake at %s for %u s: trying %s", p->ifname,
				   p->hostname, was, m->wait, next);
			since = now;
		} else if (hs > since) {
			since = hs;
		}
	} else {
		to = order[0];
	}
	if (m)
		remember(m, &p->public_key, to, since, !live && n > 1);
	return to;
}

const struct sockaddr_storage *endpoint_pick(struct endpoint_memory *m, const struct desired_peer *p,
					     const struct wgdev_config *dev, unsigned families,
					     time_t now)
{
	const struct wgdev_peer *cur = NULL;

	for (size_t i = 0; dev && i < dev->n_peers; i++)
		if (wgm_key_equal(&dev->peers[i].public_key, &p->public_key))
			cur = &dev->peers[i];
	return pick(m, p, cur, families, now);
}
