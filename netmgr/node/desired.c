#include "desired.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>


static void set_sockaddr(struct sockaddr_storage *ss, const struct wgm_ip *ip, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr = ip->v4;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = ip->v6;
	}
}

/* WireGuard can send to a unicast address only. */
static bool endpoint_ip_usable(const struct wgm_ip *ip)
{
	if (ip->family == AF_INET) {
		uint32_t a = ntohl(ip->v4.s_addr);
		return a != 0 && a != 0xffffffffu && (a >> 28) != 0xe;
	}
	return ip->family == AF_INET6 && !IN6_IS_ADDR_UNSPECIFIED(&ip->v6) &&
	       !IN6_IS_ADDR_MULTICAST(&ip->v6);
}

static void add_candidates(struct desired_peer *dp, const struct wgm_peer_plan *pp,
			   desired_resolve_fn resolve, void *ctx)
{
	for (size_t i = 0; i < pp->n_endpoints && dp->n_endpoints < WGM_MAX_ENDPOINTS; i++) {
		const struct wgm_endpoint *ep = &pp->endpoints[i];
		struct wgm_ip ips[WGM_MAX_ENDPOINTS];
		size_t n = 0;

		if (!ep->port)
			continue;
		if (ep->is_ip) {
			ips[0] = ep->ip;
			n = 1;
		} else if (!resolve || resolve(ctx, ep->host, ips, WGM_MAX_ENDPOINTS, &n) < 0) {
			continue;
		}
		for (size_t k = 0; k < n && dp->n_endpoints < WGM_MAX_ENDPOINTS; k++)
			if (endpoint_ip_usable(&ips[k]))
				set_sockaddr(&dp->endpoints[dp->n_endpoints++], &ips[k], ep->port);
	}
}

void desired_build(const struct wgm_node_plan *plan, desired_resolve_fn resolve, void *ctx,
		   struct desired_state *d)
{
	/* peers[] is cleared entry by entry as it fills: most of it is never used */
	memset(d, 0, offsetof(struct desired_state, peers));
	/* the plan's names: what down, verify and tester derive from the host state alike */
	wgm_plan_node_names(plan, &d->names);
	d->octet = plan->octet;
	d->veth_outer_addr = (struct wgm_prefix){ .addr = { .family = AF_INET, .v4 = plan->veth_outer_addr }, .len = 24 };
	d->veth_inner_addr = (struct wgm_prefix){ .addr = { .family = AF_INET, .v4 = plan->veth_inner_addr }, .len = 24 };
	d->gateway = d->veth_outer_addr.addr;
	d->halves[0] = (struct wgm_prefix){ .addr = { .family = AF_INET, .v4 = { htonl(0) } }, .len = 1 };
	d->halves[1] = (struct wgm_prefix){ .addr = { .family = AF_INET, .v4 = { htonl(0x80000000u) } }, .len = 1 };
	d->sysctls[d->n_sysctls++] = (struct desired_sysctl){ "net/ipv4/ip_forward", "1" };
	d->sysctls[d->n_sysctls++] = (struct desired_sysctl){ "net/ipv6/conf/all/forwarding", "1" };
	/* The LAN's IPv4 traffic to the internet leaves through the veth and the underlay, so the
	 * underlay forwards it: 1.0 left that to Shorewall's IP_FORWARDING, which nftables nodes
	 * do not have. `down` leaves it on: other services may rely on it by then. */
	d->sysctls[d->n_sysctls++] = (struct desired_sysctl){ "net/ipv4/ip_forward", "1", true };
	d->private_key = plan->private_key;

	for (size_t i = 0; i < plan->n_peers; i++) {
		const struct wgm_peer_plan *pp = &plan->peers[i];
		struct desired_peer *dp = &d->peers[d->n_peers++];

		memset(dp, 0, sizeof(*dp));
		snprintf(dp->hostname, sizeof(dp->hostname), "%s", pp->hostname);
		snprintf(dp->ifname, sizeof(dp->ifname), "%s", pp->ifname);
		dp->listen_port = pp->listen_port;
		dp->tunnel_addr = (struct wgm_prefix){ .addr = { .family = AF_INET6, .v6 = pp->local_addr }, .len = 64 };
		dp->peer_addr = (struct wgm_ip){ .family = AF_INET6, .v6 = pp->peer_addr };
		dp->public_key = pp->public_key;
		dp->keepalive = pp->keepalive;
		add_candidates(dp, pp, resolve, ctx);
	}
}

void desired_wipe(struct desired_state *d)
{
	wgm_key_wipe(&d->private_key);
}

void sockaddr_format(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(out, outlen, "%s:%u", ip, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(out, outlen, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		snprintf(out, outlen, "(none)");
	}
}

bool sockaddr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
	}
	return false;
}
