/* The 1.0 detection on data: the private namespace as wgmesh 1.0 left it on the fixture's
 * alpha (tests/fixtures/wgmesh-1.0-2node: its veth vpriv with 169.254.1.2/24, wg2 made inside
 * by wg-quick) against the same node after `up` (our vi-lab, wg2 with its socket in the
 * underlay), given as the snapshots and port readings legacy.c takes from the kernel; and
 * 1.0's files found by their marks (the fixture's own wg2.conf and shorewall rules), an
 * operator's look-alikes left alone. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "leftovers.h"
#include "legacy.h"

static const char *fixture;

static struct wgm_prefix prefix(const char *text)
{
	struct wgm_prefix p;

	CHECK_INTEQ(wgm_prefix_parse(text, &p), 0);
	return p;
}

/* alpha's private namespace under 1.0: its veth vpriv, the trust interface, wg2 (made there). */
static struct actual_link links_10[] = {
	{ .name = "lo", .ifindex = 1, .flags = IFF_UP },
	{ .name = "vpriv", .kind = "veth", .ifindex = 7, .flags = IFF_UP, .peer_elsewhere = true },
	{ .name = "eth1", .ifindex = 3, .flags = IFF_UP },
	{ .name = "wg2", .kind = "wireguard", .ifindex = 9, .flags = IFF_UP },
};
static struct actual_addr addrs_10[4];

/* the same namespace after `up`: our veth vi-lab holds the octet's address now */
static struct actual_link links_ours[] = {
	{ .name = "lo", .ifindex = 1, .flags = IFF_UP },
	{ .name = "vi-lab", .kind = "veth", .ifindex = 12, .flags = IFF_UP, .peer_elsewhere = true },
	{ .name = "eth1", .ifindex = 3, .flags = IFF_UP },
	{ .name = "wg2", .kind = "wireguard", .ifindex = 13, .flags = IFF_UP },
};
static struct actual_addr addrs_ours[4];

static void test_veth(void)
{
	struct actual_ns ns10 = { .n_links = 4, .n_addrs = 3, .links = links_10, .addrs = addrs_10 };
	struct actual_ns ours = { .n_links = 4, .n_addrs = 3, .links = links_ours, .addrs = addrs_ours };
	const struct actual_link *l;
	uint8_t octet = 0;

	addrs_10[0] = (struct actual_addr){ 7, prefix("169.254.1.2/24") };
	addrs_10[1] = (struct actual_addr){ 3, prefix("10.20.1.1/24") };
	addrs_10[2] = (struct actual_addr){ 9, prefix("fd42:7a3b:19c0:201::1/64") };
	addrs_ours[0] = (struct actual_addr){ 12, prefix("169.254.1.2/24") };
	addrs_ours[1] = (struct actual_addr){ 3, prefix("10.20.1.1/24") };
	addrs_ours[2] = (struct actual_addr){ 13, prefix("fd42:7a3b:19c0:201::1/64") };

	l = legacy_veth_10(&ns10, "vi-lab", &octet);
	CHECK(l && !strcmp(l->name, "vpriv"));
	CHECK_INTEQ(octet, 1);
	/* after up: vi-lab is ours, whatever it holds */
	CHECK(legacy_veth_10(&ours, "vi-lab", &octet) == NULL);
	/* an operator's veth without 1.0's address is not 1.0's; nor a .1 end, nor a /16 */
	addrs_10[0].p = prefix("192.0.2.7/24");
	CHECK(legacy_veth_10(&ns10, "vi-lab", &octet) == NULL);
	addrs_10[0].p = prefix("169.254.1.1/24");
	CHECK(legacy_veth_10(&ns10, "vi-lab", &octet) == NULL);
	addrs_10[0].p = prefix("169.254.1.2/16");
	CHECK(legacy_veth_10(&ns10, "vi-lab", &octet) == NULL);
	/* another node's octet reads as it is */
	addrs_10[0].p = prefix("169.254.77.2/24");
	CHECK(legacy_veth_10(&ns10, "vi-lab", &octet) != NULL);
	CHECK_INTEQ(octet, 77);
	/* 1.0's address on a link that is not a veth is no veth of 1.0 */
	snprintf(links_10[1].kind, sizeof(links_10[1].kind), "bridge");
	CHECK(legacy_veth_10(&ns10, "vi-lab", &octet) == NULL);
	snprintf(links_10[1].kind, sizeof(links_10[1].kind), "veth");
}

/* 1.0's devices are those with their UDP socket inside the private namespace. */
static void test_devices(void)
{
	struct dev10 c[3] = {
		{ .name = "wg2", .kind = "wireguard", .port = 31002 },
		{ .name = "wg3", .kind = "tun", .port = 31003 },
		{ .name = "wg5", .kind = "wireguard", .port = 31005 },
	};
	/* inside: 1.0's wg2 (a kernel socket) and wg5 (wireguard-go, pid 4242); 31003 is not */
	struct port_holder inside[] = {
		{ .port = 31005, .family = AF_INET6, .pid = 4242, .comm = "wireguard-go" },
		{ .port = 53, .family = AF_INET, .pid = 99 },
		{ .port = 31002, .family = AF_INET, .pid = 0 },
	};

	CHECK_INTEQ(legacy_devices_inside(c, 3, inside, 3), 2);
	CHECK_STREQ(c[0].name, "wg2");
	CHECK_INTEQ(c[0].pid, 0);
	CHECK_STREQ(c[1].name, "wg5");
	CHECK_INTEQ(c[1].pid, 4242);
	/* after up every socket is in the underlay: nothing inside, no 1.0 device */
	CHECK_INTEQ(legacy_devices_inside(c, 2, inside, 0), 0);
	CHECK_INTEQ(legacy_devices_inside(c, 0, inside, 3), 0);
}

struct found {
	size_t n;
	char what[16][64], how[16][400];
};

static void collect(void *ctx, const char *what, const char *how)
{
	struct found *f = ctx;

	if (f->n < 16) {
		snprintf(f->what[f->n], sizeof(f->what[f->n]), "%s", what);
		snprintf(f->how[f->n], sizeof(f->how[f->n]), "%s", how);
		f->n++;
	}
}

/* The finding whose how names path, NULL when none does. */
static const char *finding(const struct found *f, const char *what, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->what[i], what) && strstr(f->how[i], path))
			return f->how[i];
	return NULL;
}

static void copy(const char *rel, const char *to)
{
	char path[4096], *data;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", fixture, rel);
	if (wgm_read_file(path, 1 << 20, &data, &len) || wgm_write_atomic(to, data, len, 0600)) {
		fprintf(stderr, "cannot copy fixture %s to %s\n", path, to);
		exit(1);
	}
	free(data);
}

static void test_files(void)
{
	char tmpl[] = "/tmp/wgm-legacy.XXXXXX", path[512], sw[256];
	struct wgm_node_names n = { .netns = "private", .veth_inner = "vi-lab", .trust_if = "eth1" };
	struct mesh_view v = MESH_VIEW_CLOSED;
	struct netmgr_opts o;
	struct found f = { 0 };
	const char *dir = mkdtemp(tmpl);
	const char *how;

	CHECK(dir != NULL);
	if (!dir)
		return;
	netmgr_opts_defaults(&o);
	snprintf(sw, sizeof(sw), "%s/shorewall", dir);
	mkdir(sw, 0755);
	o.state_dir = dir;
	o.shorewall_dir = sw;
	/* alpha's files as 1.0 left them, and an operator's own wg0.conf */
	snprintf(path, sizeof(path), "%s/wg2.conf", dir);
	copy("hosts/alpha.example.net/etc-wireguard/wg2.conf", path);
	snprintf(path, sizeof(path), "%s/rules", sw);
	copy("hosts/alpha.example.net/etc-shorewall/rules", path);
	snprintf(path, sizeof(path), "%s/wg0.conf", dir);
	CHECK_INTEQ(wgm_write_atomic(path, "[Interface]\nListenPort = 51820\n", 31, 0600), 0);

	legacy_scan(&o, "wg.example.com", &n, &v, true, collect, &f);
	snprintf(path, sizeof(path), "%s/wg2.conf", dir);
	how = finding(&f, "1.0 file", path);
	CHECK(how && strstr(how, "1.0's wg-quick file (it copies the host key): wgmesh-net retire-1.0 wg.example.com removes it"));
	snprintf(path, sizeof(path), "%s/wg0.conf", dir);
	CHECK(finding(&f, "1.0 file", path) == NULL);
	how = finding(&f, "1.0 DNAT", sw);
	CHECK(how && strstr(how, "DNATs udp 31002 to 169.254.1.2 (1.0)"));
	/* nothing of the kernel was read: no namespace in the view */
	CHECK(finding(&f, "1.0 veth vpriv", "") == NULL);

	/* the files gone: nothing of ours is reported */
	snprintf(path, sizeof(path), "%s/wg2.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/rules", sw);
	unlink(path);
	f.n = 0;
	legacy_scan(&o, "wg.example.com", &n, &v, true, collect, &f);
	CHECK(finding(&f, "1.0 file", dir) == NULL && finding(&f, "1.0 DNAT", dir) == NULL);
	snprintf(path, sizeof(path), "%s/wg0.conf", dir);
	unlink(path);
	rmdir(sw);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
		return 2;
	}
	fixture = argv[1];
	test_veth();
	test_devices();
	test_files();
	return check_exit();
}
