#include "tester.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "link.h"
#include "log.h"
#include "names.h"
#include "netns.h"
#include "sysctl.h"
#include "view.h"

static struct wgm_prefix v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t len)
{
	struct wgm_prefix p = { .addr = { .family = AF_INET }, .len = len };

	p.addr.v4.s_addr = htonl((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d);
	return p;
}

/* Adds what is missing; EEXIST means it is there already. */
static int add_addr(struct nlconn *c, int idx, struct wgm_prefix p)
{
	int ret = addr_add(c, idx, &p);

	return ret == -EEXIST ? 0 : ret;
}

static int node_octet(const struct wgm_node_names *n, uint8_t *octet, char *err, size_t errlen)
{
	struct mesh_view v;
	int ret = mesh_view_open(n->netns, &v, err, errlen);

	if (ret == 0 && v.priv_fd < 0)
		ret = -ENOENT;
	if (ret == 0)
		ret = actual_veth_octet(&v.a_priv, n->veth_inner, octet);
	if (ret == 0 && *octet > 155)
		ret = -ERANGE;
	if (ret < 0 && ret != -EIO)
		snprintf(err, errlen, "the mesh in %s is not up (or octet > 155): run wgmesh-net up first",
			 n->netns);
	mesh_view_close(&v);
	return ret;
}

int tester_up(const struct wgm_node_names *n, bool dry_run, char *err, size_t errlen)
{
	struct nlconn priv = { 0 }, tst = { 0 };
	int priv_fd = -1, tst_fd = -1, pidx, tidx, ret;
	uint8_t octet, net;
	char ifname[WGM_IFNAMSIZ];
	bool in_priv, in_tst;

	ret = node_octet(n, &octet, err, errlen);
	if (ret < 0)
		return ret;
	net = 100 + octet;
	wgm_tester_ifname(octet, ifname);
	if (dry_run) {
		printf("would bring up namespace %s with %s, 192.168.%u.0/24\n", WGM_TESTER_NETNS, ifname, net);
		return 0;
	}
	if (!netns_exists(WGM_TESTER_NETNS) && (ret = netns_create(WGM_TESTER_NETNS)) < 0)
		goto fail;
	priv_fd = netns_open(n->netns);
	tst_fd = netns_open(WGM_TESTER_NETNS);
	if (priv_fd < 0 || tst_fd < 0) {
		ret = priv_fd < 0 ? priv_fd : tst_fd;
		goto fail;
	}
	ret = nlconn_open(&priv, priv_fd);
	if (ret == 0)
		ret = nlconn_open(&tst, tst_fd);
	if (ret < 0)
		goto fail;
	in_priv = link_lookup(&priv, ifname, &pidx, NULL) == 0;
	in_tst = link_lookup(&tst, ifname, &tidx, NULL) == 0;
	/* Half a pair: its other end went with an old private namespace that something (a BIRD
	 * started in it) still holds. Make it whole again. */
	if (in_priv != in_tst)
		ret = link_delete(in_priv ? &priv : &tst, in_priv ? pidx : tidx);
	if (ret == 0 && !(in_priv && in_tst))
		ret = link_veth_create(&priv, ifname, ifname, tst_fd);
	if (ret == 0)
		ret = link_lookup(&priv, ifname, &pidx, NULL);
	if (ret == 0)
		ret = link_lookup(&tst, ifname, &tidx, NULL);
	if (ret == 0)
		ret = add_addr(&priv, pidx, v4(192, 168, net, 1, 24));
	if (ret == 0)
		ret = link_set_up(&priv, pidx, true);
	for (unsigned i = 0; ret == 0 && i < 3; i++)
		ret = add_addr(&tst, tidx, v4(192, 168, net, (uint8_t[]){ 10, 100, 200 }[i], 24));
	if (ret == 0)
		ret = link_set_up(&tst, tidx, true);
	if (ret == 0) {
		struct wgm_prefix dflt = v4(0, 0, 0, 0, 0), gw = v4(192, 168, net, 1, 32);
		ret = route_add(&tst, &dflt, &gw.addr, tidx);
		if (ret == -EEXIST)
			ret = 0;
	}
	if (ret == 0)
		ret = ns_sysctl_write(tst_fd, "net/ipv4/ip_forward", "1");
	if (ret == 0)
		ret = ns_sysctl_write(tst_fd, "net/ipv6/conf/all/forwarding", "1");
	if (ret < 0)
		goto fail;
	log_info("tester namespace up: %s, 192.168.%u.0/24", ifname, net);
	goto out;
fail:
	snprintf(err, errlen, "bringing up the tester namespace: %s%s%s", strerror(-ret),
		 *link_last_error() ? " / " : "", link_last_error());
out:
	nlconn_close(&priv);
	nlconn_close(&tst);
	if (priv_fd >= 0)
		close(priv_fd);
	if (tst_fd >= 0)
		close(tst_fd);
	return ret;
}

int tester_down(const struct wgm_node_names *n, bool dry_run, char *err, size_t errlen)
{
	struct nlconn tst = { 0 };
	int tst_fd, ret = 0;

	if (dry_run) {
		printf("would remove namespace %s\n", WGM_TESTER_NETNS);
		return 0;
	}
	tst_fd = netns_open(WGM_TESTER_NETNS);
	if (tst_fd == -ENOENT)
		return 0;
	if (tst_fd < 0) {
		ret = tst_fd;
		goto fail;
	}
	/* Deleting our end of each tester veth takes the private end with it. */
	ret = nlconn_open(&tst, tst_fd);
	struct actual_ns a = { 0 };
	if (ret == 0)
		ret = actual_read(&tst, &a);
	for (size_t i = 0; ret == 0 && i < a.n_links; i++)
		if (wgm_is_tester_ifname(a.links[i].name))
			ret = link_delete(&tst, a.links[i].ifindex);
	actual_free(&a);
	nlconn_close(&tst);
	close(tst_fd);
	if (ret == 0)
		ret = netns_delete(WGM_TESTER_NETNS);
	if (ret == 0)
		return 0;
fail:
	snprintf(err, errlen, "removing the tester namespace of %s: %s", n->netns, strerror(-ret));
	return ret;
}
