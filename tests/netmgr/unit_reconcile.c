/* reconcile's planning on data (reconcile_plan: the dry run of a deploy over readings given as
 * plain structs, no kernel): a node exactly as `up` builds it needs no change; from nothing it
 * gets everything, in order; a peer that joined, one that left, a port or a key that changed,
 * a sysctl someone reset each give exactly their own changes; what must be refused is, in one
 * line naming the link. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reconcile.h"

/* The node alpha of a two-node mesh: octet 1, peer beta over wg2. */
static struct desired_state d;
static struct actual_link under_links[4], priv_links[8];
static struct actual_addr under_addrs[4], priv_addrs[8];
static struct actual_route priv_routes[4];
static struct wgdev_peer dev_peers[4];
static struct wgdev_config devices[4];
static const char *sysctls[3];
static struct reconcile_readings rd;

static struct wgm_prefix prefix(const char *text)
{
	struct wgm_prefix p;

	CHECK_INTEQ(wgm_prefix_parse(text, &p), 0);
	return p;
}

static struct sockaddr_storage sockaddr4(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s4->sin_addr);
	return ss;
}

static void add_peer(const char *host, const char *ifname, uint16_t port, uint8_t key,
		     const char *tunnel, const char *endpoint_ip, uint16_t endpoint_port)
{
	struct desired_peer *p = &d.peers[d.n_peers++];

	snprintf(p->hostname, sizeof(p->hostname), "%s", host);
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	p->listen_port = port;
	p->tunnel_addr = prefix(tunnel);
	memset(p->public_key.b, key, sizeof(p->public_key.b));
	p->keepalive = 25;
	p->n_endpoints = 1;
	p->endpoints[0] = sockaddr4(endpoint_ip, endpoint_port);
}

static void desired_alpha(void)
{
	memset(&d, 0, sizeof(d));
	snprintf(d.names.netns, sizeof(d.names.netns), "n1lab");
	snprintf(d.names.veth_outer, sizeof(d.names.veth_outer), "ve-lab");
	snprintf(d.names.veth_inner, sizeof(d.names.veth_inner), "vi-lab");
	snprintf(d.names.trust_if, sizeof(d.names.trust_if), "lan0");
	d.names.has_trust_ip = true;
	d.names.trust_ip = prefix("10.20.1.1/24");
	d.octet = 1;
	d.veth_outer_addr = prefix("169.254.1.1/24");
	d.veth_inner_addr = prefix("169.254.1.2/24");
	d.gateway = d.veth_outer_addr.addr;
	d.halves[0] = prefix("0.0.0.0/1");
	d.halves[1] = prefix("128.0.0.0/1");
	d.sysctls[0] = (struct desired_sysctl){ "net/ipv4/ip_forward", "1" };
	d.sysctls[1] = (struct desired_sysctl){ "net/ipv6/conf/all/forwarding", "1" };
	d.sysctls[2] = (struct desired_sysctl){ "net/ipv4/ip_forward", "1", true };
	d.n_sysctls = 3;
	memset(d.private_key.b, 0x11, sizeof(d.private_key.b));
	add_peer("beta.example.net", "wg2", 31002, 0x22, "fd42:7a3b:19c0:201::1/64", "198.51.100.20", 31001);
}

static void link_at(struct actual_ns *a, struct actual_link *links, const char *name,
		    const char *kind, int ifindex)
{
	struct actual_link *l = &links[a->n_links++];

	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	l->ifindex = ifindex;
	l->flags = IFF_UP;
	l->peer_elsewhere = !strcmp(kind, "veth");
}

static void addr_at(struct actual_ns *a, struct actual_addr *addrs, int ifindex, const char *p)
{
	addrs[a->n_addrs++] = (struct actual_addr){ .ifindex = ifindex, .p = prefix(p) };
}

/* A peer's device as `up` configured it. */
static void device_of(size_t i, int ifindex)
{
	const struct desired_peer *p = &d.peers[i];
	struct wgdev_config *c = &devices[i];
	struct wgdev_peer *dp = &dev_peers[i];

	link_at(&rd.priv, priv_links, p->ifname, "tun", ifindex);
	priv_addrs[rd.priv.n_addrs++] = (struct actual_addr){ .ifindex = ifindex, .p = p->tunnel_addr };
	memset(c, 0, sizeof(*c));
	memset(dp, 0, sizeof(*dp));
	snprintf(c->ifname, sizeof(c->ifname), "%s", p->ifname);
	c->private_key = d.private_key;
	c->has_private_key = true;
	c->listen_port = p->listen_port;
	c->n_peers = 1;
	c->peers = dp;
	dp->public_key = p->public_key;
	dp->keepalive = p->keepalive;
	dp->has_endpoint = true;
	dp->endpoint = p->endpoints[0];
}

/* The node exactly as `up` leaves it for d. */
static void built_alpha(void)
{
	memset(&rd, 0, sizeof(rd));
	rd.under.links = under_links;
	rd.under.addrs = under_addrs;
	rd.priv.links = priv_links;
	rd.priv.addrs = priv_addrs;
	rd.priv.routes = priv_routes;
	rd.have_priv = true;
	link_at(&rd.under, under_links, "eth0", "", 2);
	link_at(&rd.under, under_links, "ve-lab", "veth", 5);
	addr_at(&rd.under, under_addrs, 2, "192.0.2.10/24");
	addr_at(&rd.under, under_addrs, 5, "169.254.1.1/24");
	link_at(&rd.priv, priv_links, "vi-lab", "veth", 3);
	link_at(&rd.priv, priv_links, "lan0", "", 4);
	addr_at(&rd.priv, priv_addrs, 3, "169.254.1.2/24");
	addr_at(&rd.priv, priv_addrs, 4, "10.20.1.1/24");
	for (int i = 0; i < 2; i++)
		priv_routes[rd.priv.n_routes++] = (struct actual_route){
			.dst = d.halves[i], .has_gw = true, .gw = d.gateway, .ifindex = 3 };
	for (size_t i = 0; i < d.n_peers; i++)
		device_of(i, 6 + (int)i);
	for (size_t i = 0; i < 3; i++)
		sysctls[i] = "1";
	rd.devices = devices;
	rd.sysctls = sysctls;
}

/* The plan's "would ..." lines, one string; ret and res as reconcile_plan left them. */
static char *plan(int *ret, struct reconcile_result *res)
{
	FILE *saved = stdout, *mem;
	char *out = NULL;
	size_t len = 0;

	mem = open_memstream(&out, &len);
	if (!mem)
		exit(1);
	stdout = mem;
	*ret = reconcile_plan(&d, &rd, res);
	stdout = saved;
	fclose(mem);
	return out;
}

/* Expects exactly these changes, in this order ("would " and "\n" added here). */
static void expect_plan(const char *what, const char *const *want, size_t n)
{
	struct reconcile_result res;
	char expected[4096] = "";
	char *got;
	int ret;

	for (size_t i = 0; i < n; i++) {
		strcat(expected, "would ");
		strcat(expected, want[i]);
		strcat(expected, "\n");
	}
	got = plan(&ret, &res);
	fprintf(stderr, "%s:\n", what);
	CHECK_INTEQ(ret, 0);
	CHECK_STREQ(res.err, "");
	CHECK_STREQ(got, expected);
	CHECK_INTEQ(res.changes, n);
	free(got);
}

static void test_equal_is_no_change(void)
{
	desired_alpha();
	built_alpha();
	expect_plan("as built", NULL, 0);
	/* a second peer built too: still nothing */
	add_peer("gamma.example.net", "wg3", 31003, 0x33, "fd42:7a3b:19c0:301::1/64", "198.51.100.30", 31001);
	built_alpha();
	expect_plan("two peers as built", NULL, 0);
}

static void test_from_nothing(void)
{
	static const char *const want[] = {
		"create namespace n1lab",
		"create veth ve-lab (underlay) <-> vi-lab (n1lab)",
		"add address 169.254.1.1/24 to ve-lab",
		"set ve-lab up",
		"add address 169.254.1.2/24 to vi-lab",
		"set vi-lab up",
		"move trust interface lan0 into n1lab",
		"add address 10.20.1.1/24 to lan0",
		"set lan0 up",
		"add route 0.0.0.0/1 via the veth in n1lab",
		"add route 128.0.0.0/1 via the veth in n1lab",
		"set net/ipv4/ip_forward = 1 in n1lab",
		"set net/ipv6/conf/all/forwarding = 1 in n1lab",
		"create WireGuard device wg2 (port 31002, peer beta.example.net)",
		"add address fd42:7a3b:19c0:201::1/64 to wg2",
		"set wg2 up",
	};
	struct actual_link lan0 = { .name = "lan0", .ifindex = 4, .flags = IFF_UP };

	desired_alpha();
	built_alpha();
	/* the operator's node before the mesh: the underlay with its LAN interface, no namespace */
	rd.under.n_links = 1;
	rd.under.links[rd.under.n_links++] = lan0;
	rd.under.n_addrs = 1;
	rd.priv = (struct actual_ns){ 0 };
	rd.have_priv = false;
	memset(devices, 0, sizeof(devices));
	expect_plan("from nothing", want, sizeof(want) / sizeof(want[0]));
}

static void test_peer_joins_and_leaves(void)
{
	static const char *const joined[] = {
		"create WireGuard device wg3 (port 31003, peer gamma.example.net)",
		"add address fd42:7a3b:19c0:301::1/64 to wg3",
		"set wg3 up",
	};
	static const char *const left[] = { "remove WireGuard device wg3 (peer left the mesh)" };

	desired_alpha();
	built_alpha();
	add_peer("gamma.example.net", "wg3", 31003, 0x33, "fd42:7a3b:19c0:301::1/64", "198.51.100.30", 31001);
	memset(&devices[1], 0, sizeof(devices[1]));
	expect_plan("gamma joined", joined, 3);

	/* built with gamma, then gamma left the record */
	built_alpha();
	d.n_peers = 1;
	expect_plan("gamma left", left, 1);
	/* a link that is not one of ours (not wg<digits>) is never removed */
	snprintf(priv_links[3].name, sizeof(priv_links[3].name), "wg3x");
	expect_plan("wg3x is not ours", NULL, 0);
}

static void test_peer_changed(void)
{
	static const char *const update[] = { "update the peer of wg2 (beta.example.net)" };

	desired_alpha();
	built_alpha();
	d.peers[0].listen_port = 31102;
	expect_plan("port changed", update, 1);
	desired_alpha();
	d.peers[0].public_key.b[0] ^= 1;
	expect_plan("peer key changed", update, 1);
	desired_alpha();
	d.private_key.b[5] ^= 1;
	expect_plan("our key changed", update, 1);
	desired_alpha();
	d.peers[0].endpoints[0] = sockaddr4("198.51.100.21", 31001);
	expect_plan("endpoint changed", update, 1);
	/* a peer that calls us (no endpoint in the record) keeps the endpoint it came from */
	desired_alpha();
	d.peers[0].n_endpoints = 0;
	expect_plan("peer without endpoint", NULL, 0);
}

static void test_kernel_drifted(void)
{
	static const char *const sysctl[] = { "set net/ipv4/ip_forward = 1 in the underlay" };
	static const char *const down[] = { "set wg2 up" };
	static const char *const route[] = { "add route 128.0.0.0/1 via the veth in n1lab" };

	desired_alpha();
	built_alpha();
	sysctls[2] = "0";
	expect_plan("forwarding reset in the underlay", sysctl, 1);
	built_alpha();
	priv_links[2].flags = 0;
	expect_plan("wg2 set down", down, 1);
	built_alpha();
	rd.priv.n_routes = 1;
	expect_plan("a route deleted", route, 1);
}

static void test_refused(void)
{
	struct reconcile_result res;
	char *got;
	int ret;

	/* preflight refuses a missing trust interface before anything is read (preflight.sh);
	 * one that vanishes between preflight and the apply is still refused here, unchanged */
	desired_alpha();
	built_alpha();
	snprintf(priv_links[1].name, sizeof(priv_links[1].name), "lan9");
	got = plan(&ret, &res);
	CHECK_FAILS_NAMING(ret, -ENODEV, res.err, "trust interface lan0 vanished");
	CHECK_STREQ(got, "");
	free(got);
}

int main(void)
{
	test_equal_is_no_change();
	test_from_nothing();
	test_peer_joins_and_leaves();
	test_peer_changed();
	test_kernel_drifted();
	test_refused();
	return check_exit();
}
