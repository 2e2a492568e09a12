#include "plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "errmsg.h"

unsigned wgm_bfd_default_interval(size_t n_peers)
{
	unsigned ms = (unsigned)((n_peers * 1000 + WGM_BFD_DEFAULT_PPS - 1) / WGM_BFD_DEFAULT_PPS);

	return ms < WGM_BFD_INTERVAL_MS_DEFAULT ? WGM_BFD_INTERVAL_MS_DEFAULT : ms;
}

void wgm_tunnel_net(const struct in6_addr *site48, uint8_t a, uint8_t b, struct in6_addr *net)
{
	memset(net, 0, sizeof(*net));
	memcpy(net->s6_addr, site48->s6_addr, 6);
	net->s6_addr[6] = a > b ? a : b;
	net->s6_addr[7] = a > b ? b : a;
}

static int compare_peer_octet(const void *a, const void *b)
{
	const struct wgm_peer_plan *pa = a, *pb = b;

	return (int)pa->octet - (int)pb->octet;
}

static void copy_name(char *dst, size_t dstlen, const char *src)
{
	snprintf(dst, dstlen, "%s", src);
}

static int plan_peer(const struct wgm_deploy_record *rec, const struct wgm_deploy_peer *p,
		     struct wgm_node_plan *plan, bool used[256], char *err, size_t errlen)
{
	struct wgm_peer_plan *pp = &plan->peers[plan->n_peers];
	uint32_t octet;
	int ret;

	memset(pp, 0, sizeof(*pp));
	if (!wgm_hostname_valid(p->hostname))
		return wgm_fail(err, errlen, -EINVAL, "deploy record peer name '%s' is not a host name",
				p->hostname);
	if (p->localport <= rec->portbase || p->localport - rec->portbase > 255)
		return wgm_fail(err, errlen, -EINVAL,
				"deploy record peer '%s': localport %u is outside portbase %u + 1..255",
				p->hostname, p->localport, rec->portbase);
	octet = (uint32_t)p->localport - rec->portbase;
	if (octet == rec->octet)
		return wgm_fail(err, errlen, -EINVAL,
				"deploy record peer '%s' has our own octet %u (localport %u)",
				p->hostname, octet, p->localport);
	if (used[octet])
		return wgm_fail(err, errlen, -EINVAL,
				"deploy record peer '%s': octet %u (localport %u) is used by another peer",
				p->hostname, octet, p->localport);
	used[octet] = true;
	if (p->remoteport != (uint32_t)rec->portbase + rec->octet)
		return wgm_fail(err, errlen, -EINVAL,
				"deploy record peer '%s': remoteport %u, expected portbase + our octet = %u",
				p->hostname, p->remoteport, (unsigned)(rec->portbase + rec->octet));
	if (p->asn == 0)
		return wgm_fail(err, errlen, -EINVAL, "deploy record peer '%s': ASN 0 is not usable",
				p->hostname);
	if (p->asn == rec->asn)
		return wgm_fail(err, errlen, -EINVAL,
				"deploy record peer '%s' has our own ASN %u: eBGP needs distinct ASNs",
				p->hostname, p->asn);

	copy_name(pp->hostname, sizeof(pp->hostname), p->hostname);
	pp->octet = (uint8_t)octet;
	pp->asn = p->asn;
	pp->public_key = p->key;
	wgm_wg_ifname(pp->octet, pp->ifname);
	pp->listen_port = p->localport;
	pp->remote_port = p->remoteport;
	wgm_tunnel_net(&plan->site_prefix, rec->octet, pp->octet, &pp->tunnel_net);
	pp->local_addr = pp->tunnel_net;
	pp->local_addr.s6_addr[15] = rec->octet;
	pp->peer_addr = pp->tunnel_net;
	pp->peer_addr.s6_addr[15] = pp->octet;
	pp->keepalive = WGM_KEEPALIVE;
	ret = wgm_endpoints_parse(p->remote, p->remoteport, pp->endpoints, WGM_MAX_ENDPOINTS,
				  &pp->n_endpoints, err, errlen);
	if (ret < 0) {
		char inner[512];

		snprintf(inner, sizeof(inner), "%s", err ? err : "");
		return wgm_fail(err, errlen, ret, "deploy record peer '%s': %s", p->hostname, inner);
	}
	plan->n_peers++;
	return 0;
}

static int plan_site_prefix(const struct wgm_deploy_record *rec, struct wgm_node_plan *plan,
			    char *err, size_t errlen)
{
	struct wgm_prefix p;
	size_t i;

	if (wgm_prefix_parse(rec->remote, &p) < 0 || p.addr.family != AF_INET6 || p.len != 48)
		return wgm_fail(err, errlen, -EINVAL,
				"deploy record remote '%s' is not an IPv6 /48 prefix", rec->remote);
	for (i = 6; i < 16; i++)
		if (p.addr.v6.s6_addr[i])
			return wgm_fail(err, errlen, -EINVAL,
					"deploy record remote '%s' has bits set past the /48", rec->remote);
	plan->site_prefix = p.addr.v6;
	return 0;
}

int wgm_node_names_build(const struct wgm_host_state *hs, struct wgm_node_names *n, char *err,
			 size_t errlen)
{
	const char *netns = wgm_netns_name(hs->netns, hs->locus);

	memset(n, 0, sizeof(*n));
	if (!hs->locus[0])
		return wgm_fail(err, errlen, -EINVAL,
				"host state for '%s' has no site locus: run wgconfig again", hs->domain);
	if (!wgm_netns_name_valid(netns))
		return wgm_fail(err, errlen, -EINVAL,
				"namespace name '%s' is not usable (1-63 of [A-Za-z0-9._-], not "
				"starting with '.' or '-'): set netns: with wgconfig --netns", netns);
	/* the tester namespace hangs off the private one and goes first with down */
	if (!strcmp(netns, WGM_TESTER_NETNS))
		return wgm_fail(err, errlen, -EINVAL,
				"namespace name '%s' is the tester namespace's: set another with "
				"wgconfig --netns", netns);
	copy_name(n->locus, sizeof(n->locus), hs->locus);
	copy_name(n->netns, sizeof(n->netns), netns);
	wgm_veth_names(hs->locus, hs->interface_outbound, n->veth_outer, n->veth_inner);
	if (!wgm_ifname_valid(n->veth_outer) || !wgm_ifname_valid(n->veth_inner))
		return wgm_fail(err, errlen, -EINVAL,
				"veth names '%s'/'%s' from locus '%s' are not interface names: set "
				"interface_outbound with wgconfig -o", n->veth_outer, n->veth_inner,
				hs->locus);
	if (!strcmp(n->veth_outer, n->veth_inner))
		return wgm_fail(err, errlen, -EINVAL,
				"interface_outbound '%s' clashes with the private veth end", n->veth_outer);
	copy_name(n->public_if, sizeof(n->public_if), hs->interface_public);
	copy_name(n->trust_if, sizeof(n->trust_if), hs->interface_trust);
	if (hs->interface_trust_ip[0]) {
		if (wgm_prefix_parse(hs->interface_trust_ip, &n->trust_ip) < 0)
			return wgm_fail(err, errlen, -EINVAL,
					"interface_trust_ip '%s' is not address/prefix: fix it with wgconfig -I",
					hs->interface_trust_ip);
		n->has_trust_ip = true;
	}
	return 0;
}

static int plan_names(const struct wgm_host_state *hs, struct wgm_node_plan *plan, char *err,
		      size_t errlen)
{
	struct wgm_node_names n;
	int ret = wgm_node_names_build(hs, &n, err, errlen);

	if (ret < 0)
		return ret;
	copy_name(plan->locus, sizeof(plan->locus), n.locus);
	copy_name(plan->netns, sizeof(plan->netns), n.netns);
	copy_name(plan->tester_netns, sizeof(plan->tester_netns), WGM_TESTER_NETNS);
	copy_name(plan->veth_outer, sizeof(plan->veth_outer), n.veth_outer);
	copy_name(plan->veth_inner, sizeof(plan->veth_inner), n.veth_inner);
	copy_name(plan->public_if, sizeof(plan->public_if), n.public_if);
	copy_name(plan->trust_if, sizeof(plan->trust_if), n.trust_if);
	plan->has_trust_ip = n.has_trust_ip;
	plan->trust_ip = n.trust_ip;
	return 0;
}

void wgm_plan_node_names(const struct wgm_node_plan *plan, struct wgm_node_names *n)
{
	memset(n, 0, sizeof(*n));
	copy_name(n->locus, sizeof(n->locus), plan->locus);
	copy_name(n->netns, sizeof(n->netns), plan->netns);
	copy_name(n->veth_outer, sizeof(n->veth_outer), plan->veth_outer);
	copy_name(n->veth_inner, sizeof(n->veth_inner), plan->veth_inner);
	copy_name(n->public_if, sizeof(n->public_if), plan->public_if);
	copy_name(n->trust_if, sizeof(n->trust_if), plan->trust_if);
	n->has_trust_ip = plan->has_trust_ip;
	n->trust_ip = plan->trust_ip;
}

static void plan_addresses(struct wgm_node_plan *plan)
{
	uint8_t o = plan->octet;
	static const uint8_t tester_hosts[3] = { 10, 100, 200 };
	size_t i;

	plan->router_id.s_addr = htonl(0x01000001u | (uint32_t)o << 8);
	plan->veth_outer_addr.s_addr = htonl(0xa9fe0001u | (uint32_t)o << 8);
	plan->veth_inner_addr.s_addr = htonl(0xa9fe0002u | (uint32_t)o << 8);
	wgm_tester_ifname(o, plan->tester_if);
	plan->tester_ok = o <= 155;
	if (!plan->tester_ok)
		return;
	plan->tester_gw.s_addr = htonl(0xc0a80001u | (uint32_t)(100 + o) << 8);
	for (i = 0; i < 3; i++)
		plan->tester_addrs[i].s_addr = htonl(0xc0a80000u | (uint32_t)(100 + o) << 8 |
						     tester_hosts[i]);
}

int wgm_plan_build(const struct wgm_deploy_record *rec, const struct wgm_host_state *hs,
		   const struct wgm_key *private_key, struct wgm_node_plan *plan, char *err,
		   size_t errlen)
{
	bool used[256] = { false };
	size_t i;
	int ret;

	/* peers[] is cleared entry by entry as it fills (plan_peer): most of it is never used */
	memset(plan, 0, offsetof(struct wgm_node_plan, peers));
	if (strcasecmp(rec->site, hs->domain)) {
		ret = wgm_fail(err, errlen, -EINVAL,
			       "deploy record is for site '%s', this host state is for '%s'", rec->site,
			       hs->domain);
		goto out;
	}
	if (rec->octet == 0) {
		ret = wgm_fail(err, errlen, -EINVAL, "deploy record octet 0 is outside 1..255");
		goto out;
	}
	if (rec->asn == 0) {
		ret = wgm_fail(err, errlen, -EINVAL, "deploy record ASN 0 is not usable");
		goto out;
	}
	if (rec->portbase == 0 || (uint32_t)rec->portbase + 255 > 65535) {
		ret = wgm_fail(err, errlen, -EINVAL,
			       "deploy record portbase %u leaves no room for 255 ports below 65536",
			       rec->portbase);
		goto out;
	}
	if (rec->n_hosts > WGM_MAX_HOSTS) {
		ret = wgm_fail(err, errlen, -E2BIG, "deploy record lists %zu peers, at most %d",
			       rec->n_hosts, WGM_MAX_HOSTS);
		goto out;
	}
	copy_name(plan->site, sizeof(plan->site), rec->site);
	plan->octet = rec->octet;
	plan->asn = rec->asn;
	plan->portbase = rec->portbase;
	plan->has_serial = rec->has_serial;
	plan->serial = rec->serial;
	plan->firewall = hs->firewall;
	ret = plan_site_prefix(rec, plan, err, errlen);
	if (ret < 0)
		goto out;
	ret = plan_names(hs, plan, err, errlen);
	if (ret < 0)
		goto out;
	plan_addresses(plan);
	used[rec->octet] = true;
	for (i = 0; i < rec->n_hosts; i++) {
		ret = plan_peer(rec, &rec->hosts[i], plan, used, err, errlen);
		if (ret < 0)
			goto out;
	}
	qsort(plan->peers, plan->n_peers, sizeof(plan->peers[0]), compare_peer_octet);
	plan->private_key = *private_key;
	ret = wgm_key_public(&plan->private_key, &plan->public_key);
	if (ret < 0) {
		wgm_fail(err, errlen, ret, "cannot derive the public key from the host key");
		goto out;
	}
	for (i = 0; i < plan->n_peers; i++) {
		if (wgm_key_equal(&plan->peers[i].public_key, &plan->public_key)) {
			ret = wgm_fail(err, errlen, -EINVAL,
				       "deploy record peer '%s' has this host's own public key",
				       plan->peers[i].hostname);
			goto out;
		}
	}
	return 0;
out:
	wgm_plan_wipe(plan);
	return ret;
}

void wgm_plan_wipe(struct wgm_node_plan *plan)
{
	/* the one secret in a plan */
	sodium_memzero(&plan->private_key, sizeof(plan->private_key));
}
