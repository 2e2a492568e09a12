/* The address and port plan against what wgmesh 1.0 rendered for the 2-node fixture, plus the
 * record checks a hostile or broken deploy record must fail. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "check.h"
#include "hoststate.h"
#include "key.h"
#include "plan.h"
#include "records.h"

#define ALPHA_UUID "6fc94b76-f857-4dce-942c-47df480cdda3"
#define BETA_UUID "7dd3ebe3-e116-4121-b4ac-4405149a930e"

static const char *fixtures;

static char *fixture_path(const char *rel)
{
	static char path[4][4096];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s", fixtures, rel);
	return path[slot];
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	buf = calloc(1, 65536);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The value after "<key> = " or "<key> " on the first line starting with key (1.0's renders). */
static int rendered_value(const char *path, const char *key, char *out, size_t outlen)
{
	char *text = read_text(path), *line, *save = NULL;
	int ret = -ENOENT;

	if (!text)
		return -ENOENT;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v;

		while (*line == ' ')
			line++;
		if (strncmp(line, key, strlen(key)))
			continue;
		v = line + strlen(key);
		while (*v == ' ' || *v == '=')
			v++;
		snprintf(out, outlen, "%s", v);
		ret = 0;
		break;
	}
	free(text);
	return ret;
}

static void load_key(const char *rel, struct wgm_key *k)
{
	char *text = read_text(fixture_path(rel));

	CHECK(text && wgm_key_from_b64(k, text) == 0);
	free(text);
}

static int load_host(const char *host, struct wgm_host_state *hs)
{
	char rel[512], err[512] = "";
	int ret;

	snprintf(rel, sizeof(rel), "hosts/%s/etc-wireguard/wg.example.com.yaml", host);
	ret = wgm_host_state_load(fixture_path(rel), hs, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "host state %s: %s\n", host, err);
	return ret;
}

/* The host's deploy record, decrypted from 1.0's published TXT data with the host key. */
static int load_record(const char *host, const char *uuid, struct wgm_deploy_record *rec)
{
	char rel[512], err[512] = "", *text, *line, *save = NULL;
	struct wgm_key host_sk, site_pk;
	struct wgm_buf b64 = { 0 }, payload = { 0 };
	int ret;

	snprintf(rel, sizeof(rel), "hosts/%s/etc-wireguard/lab_priv", host);
	load_key(rel, &host_sk);
	CHECK(wgm_key_from_b64(&site_pk, "Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y=") == 0);
	snprintf(rel, sizeof(rel), "records/%s.wg.example.com.txt", uuid);
	text = read_text(fixture_path(rel));
	if (!text)
		return -ENOENT;
	/* Lines are "<i>:<base64>" in order in the fixture file. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		CHECK(wgm_buf_appendf(&b64, "%s", strchr(line, ':') + 1) == 0);
	ret = wgm_b64_decode((const char *)b64.p, b64.len, false, WGM_RECORD_MAX, &payload);
	if (ret == 0)
		ret = wgm_deploy_open(payload.p, payload.len, &host_sk, &site_pk, rec, err,
				      sizeof(err));
	if (ret < 0)
		fprintf(stderr, "record of %s: %d %s\n", host, ret, err);
	wgm_key_wipe(&host_sk);
	free(text);
	wgm_buf_free(&payload);
	wgm_buf_free(&b64);
	return ret;
}

static void ip6_text(const struct in6_addr *a, char *out)
{
	inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
}

static void ip4_text(const struct in_addr *a, char *out)
{
	inet_ntop(AF_INET, a, out, INET_ADDRSTRLEN);
}

static void test_tunnel_net(void)
{
	static const struct {
		uint8_t a, b;
		const char *net;
	} cases[] = {
		{ 1, 2, "fd42:7a3b:19c0:201::" },   { 2, 1, "fd42:7a3b:19c0:201::" },
		{ 17, 3, "fd42:7a3b:19c0:1103::" }, { 255, 254, "fd42:7a3b:19c0:fffe::" },
		{ 1, 255, "fd42:7a3b:19c0:ff01::" },
	};
	struct in6_addr site, net, want;
	char text[INET6_ADDRSTRLEN];
	size_t i;

	CHECK(inet_pton(AF_INET6, "fd42:7a3b:19c0::", &site) == 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wgm_tunnel_net(&site, cases[i].a, cases[i].b, &net);
		ip6_text(&net, text);
		CHECK(inet_pton(AF_INET6, cases[i].net, &want) == 1);
		CHECK_STREQ(text, cases[i].net);
		CHECK(!memcmp(&net, &want, sizeof(net)));
	}
}

/* Compares the plan with the files 1.0's wgdeploy rendered on that host. */
static void check_against_10(const char *host, const struct wgm_node_plan *plan)
{
	char path[512], value[512], want[512], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], *text;
	const struct wgm_peer_plan *peer = &plan->peers[0];
	char key_b64[WGM_KEY_B64_LEN + 1];
	struct wgm_key file_key;
	struct in6_addr addr;

	CHECK_INTEQ(plan->n_peers, 1);
	snprintf(path, sizeof(path), "%s/hosts/%s/etc-wireguard/%s.conf", fixtures, host,
		 peer->ifname);
	/* The interface name must be the one 1.0 used: its conf file exists under that name. */
	CHECK(rendered_value(path, "Address", value, sizeof(value)) == 0);
	CHECK(strlen(value) > 3 && !strcmp(value + strlen(value) - 3, "/64"));
	value[strlen(value) - 3] = '\0';
	CHECK(inet_pton(AF_INET6, value, &addr) == 1);
	CHECK(!memcmp(&addr, &peer->local_addr, sizeof(addr)));
	CHECK(rendered_value(path, "ListenPort", value, sizeof(value)) == 0);
	CHECK_INTEQ(atoi(value), peer->listen_port);
	CHECK(rendered_value(path, "PrivateKey", value, sizeof(value)) == 0);
	CHECK(wgm_key_from_b64(&file_key, value) == 0);
	CHECK(wgm_key_equal(&file_key, &plan->private_key));
	CHECK(rendered_value(path, "PublicKey", value, sizeof(value)) == 0);
	wgm_key_to_b64(&peer->public_key, key_b64);
	CHECK_STREQ(key_b64, value);
	CHECK(rendered_value(path, "Endpoint", value, sizeof(value)) == 0);
	CHECK_INTEQ(peer->n_endpoints, 1);
	snprintf(want, sizeof(want), "%s:%u", peer->endpoints[0].host, peer->endpoints[0].port);
	CHECK_STREQ(want, value);
	CHECK(peer->endpoints[0].is_ip && peer->endpoints[0].ip.family == AF_INET);
	CHECK(rendered_value(path, "PersistentKeepAlive", value, sizeof(value)) == 0);
	CHECK_INTEQ(atoi(value), peer->keepalive);

	snprintf(path, sizeof(path), "%s/hosts/%s/etc-bird/bird_private.conf", fixtures, host);
	CHECK(rendered_value(path, "router id", value, sizeof(value)) == 0);
	ip4_text(&plan->router_id, a);
	snprintf(want, sizeof(want), "%s;", a);
	CHECK_STREQ(value, want);
	CHECK(rendered_value(path, "local as", value, sizeof(value)) == 0);
	snprintf(want, sizeof(want), "%u;", plan->asn);
	CHECK_STREQ(value, want);
	/* 1.0 writes the tunnel address unabbreviated ("0201"); compare the parsed address. */
	CHECK(rendered_value(path, "neighbor", value, sizeof(value)) == 0);
	CHECK(strchr(value, ' ') != NULL);
	snprintf(want, sizeof(want), " as %u external;", peer->asn);
	CHECK_STREQ(strchr(value, ' '), want);
	if (strchr(value, ' ')) {
		*strchr(value, ' ') = '\0';
		CHECK(inet_pton(AF_INET6, value, &addr) == 1);
		CHECK(!memcmp(&addr, &peer->peer_addr, sizeof(addr)));
	}
	snprintf(want, sizeof(want), "interface \"%s\";", peer->ifname);
	text = read_text(path);
	CHECK(text && strstr(text, want));
	free(text);

	snprintf(path, sizeof(path), "%s/hosts/%s/usr-local-sbin/ns-private", fixtures, host);
	text = read_text(path);
	CHECK(text != NULL);
	if (text) {
		ip4_text(&plan->veth_outer_addr, a);
		ip4_text(&plan->veth_inner_addr, b);
		snprintf(want, sizeof(want), "ip addr add %s/24 brd + dev", a);
		CHECK(strstr(text, want));
		snprintf(want, sizeof(want), "ip netns exec $1 ip addr add %s/24 brd + dev", b);
		CHECK(strstr(text, want));
		snprintf(want, sizeof(want), "ip route add 0.0.0.0/1 via %s\n", a);
		CHECK(strstr(text, want));
		snprintf(want, sizeof(want), "ip link set netns $1 dev %s\n", plan->trust_if);
		CHECK(strstr(text, want));
		CHECK(plan->has_trust_ip && plan->trust_ip.addr.family == AF_INET);
		ip4_text(&plan->trust_ip.addr.v4, a);
		snprintf(want, sizeof(want), "ip addr add %s/%u brd + dev %s\n", a, plan->trust_ip.len,
			 plan->trust_if);
		CHECK(strstr(text, want));
		free(text);
	}

	snprintf(path, sizeof(path), "%s/hosts/%s/usr-local-sbin/ns-tester", fixtures, host);
	text = read_text(path);
	CHECK(text != NULL && plan->tester_ok);
	/* 1.0 named the tester veth "tester1" on every host; ours is tester<octet> (two nodes
	 * joined in one test bed would clash otherwise), so only the addresses are compared. */
	snprintf(want, sizeof(want), "tester%u", plan->octet);
	CHECK_STREQ(plan->tester_if, want);
	if (text) {
		ip4_text(&plan->tester_gw, a);
		snprintf(want, sizeof(want), "private ip addr add %s/24 brd + dev ", a);
		CHECK(strstr(text, want));
		snprintf(want, sizeof(want), "ip route add default via %s\n", a);
		CHECK(strstr(text, want));
		for (size_t i = 0; i < 3; i++) {
			ip4_text(&plan->tester_addrs[i], a);
			snprintf(want, sizeof(want), "ip netns exec tester ip addr add %s/24 brd + dev ",
				 a);
			CHECK(strstr(text, want));
		}
		free(text);
	}
}

static void test_fixture_host(const char *host, const char *uuid)
{
	struct wgm_deploy_record *rec = calloc(1, sizeof(*rec));
	struct wgm_node_plan *plan = calloc(1, sizeof(*plan));
	struct wgm_host_state hs = { 0 };
	struct wgm_key sk, pub;
	char rel[512], err[512] = "";
	int ret;

	snprintf(rel, sizeof(rel), "hosts/%s/etc-wireguard/lab_priv", host);
	load_key(rel, &sk);
	snprintf(rel, sizeof(rel), "hosts/%s/etc-wireguard/lab_pub", host);
	load_key(rel, &pub);
	CHECK(load_host(host, &hs) == 0);
	CHECK(load_record(host, uuid, rec) == 0);
	ret = wgm_plan_build(rec, &hs, &sk, plan, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "plan %s: %s\n", host, err);
	CHECK(ret == 0);
	if (ret == 0) {
		CHECK(wgm_key_equal(&plan->public_key, &pub));
		CHECK_STREQ(plan->netns, "lab");
		CHECK_STREQ(plan->veth_outer, "ve-lab");
		CHECK_STREQ(plan->veth_inner, "vi-lab");
		CHECK_STREQ(plan->tester_netns, "tester");
		CHECK_INTEQ(plan->firewall, WGM_FW_SHOREWALL);
		CHECK_INTEQ(plan->portbase, 31000);
		CHECK_STREQ(plan->public_if, hs.interface_public);
		check_against_10(host, plan);
	}
	wgm_plan_wipe(plan);
	wgm_key_wipe(&sk);
	wgm_host_state_free(&hs);
	free(plan);
	free(rec);
}

/* Alpha's deploy record and host state as 1.0 wrote them, built by hand so the record checks
 * below do not depend on the codecs. */
static void base_case(struct wgm_deploy_record *rec, struct wgm_host_state *hs)
{
	memset(rec, 0, sizeof(*rec));
	memset(hs, 0, sizeof(*hs));
	rec->asn = 4200000000u;
	snprintf(rec->site, sizeof(rec->site), "wg.example.com");
	rec->octet = 1;
	rec->portbase = 31000;
	snprintf(rec->remote, sizeof(rec->remote), "fd42:7a3b:19c0::/48");
	rec->n_hosts = 1;
	snprintf(rec->hosts[0].hostname, sizeof(rec->hosts[0].hostname), "beta.example.net");
	CHECK(wgm_key_from_b64(&rec->hosts[0].key, "oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw=") == 0);
	rec->hosts[0].asn = 4200000001u;
	rec->hosts[0].localport = 31002;
	rec->hosts[0].remoteport = 31001;
	snprintf(rec->hosts[0].remote, sizeof(rec->hosts[0].remote), "198.51.100.20");
	snprintf(hs->domain, sizeof(hs->domain), "wg.example.com");
	snprintf(hs->locus, sizeof(hs->locus), "lab");
	snprintf(hs->interface_public, sizeof(hs->interface_public), "eth0");
	snprintf(hs->interface_trust, sizeof(hs->interface_trust), "eth1");
	snprintf(hs->interface_trust_ip, sizeof(hs->interface_trust_ip), "10.20.1.1/24");
	hs->firewall = WGM_FW_SHOREWALL;
}

static void add_peer(struct wgm_deploy_record *rec, const char *name, uint8_t octet)
{
	struct wgm_deploy_peer *p = &rec->hosts[rec->n_hosts++];
	struct wgm_key sk;

	memset(p, 0, sizeof(*p));
	snprintf(p->hostname, sizeof(p->hostname), "%s", name);
	CHECK(wgm_key_generate(&sk, &p->key, false) == 0);
	wgm_key_wipe(&sk);
	p->asn = 4200000000u + octet;
	p->localport = (uint16_t)(rec->portbase + octet);
	p->remoteport = (uint16_t)(rec->portbase + rec->octet);
}

static struct wgm_key test_sk;

/* Expects the build to fail with one line quoting `needle`, and the plan left wiped. */
static void expect_plan_error(const struct wgm_deploy_record *rec, const struct wgm_host_state *hs,
			      const char *needle)
{
	struct wgm_node_plan *plan = calloc(1, sizeof(*plan));
	static const struct wgm_key zero;
	char err[512] = "";
	int ret = wgm_plan_build(rec, hs, &test_sk, plan, err, sizeof(err));

	CHECK(ret < 0);
	CHECK_ERROR_NAMES(err, needle);
	CHECK(wgm_key_equal(&plan->private_key, &zero));
	free(plan);
}

static int build(const struct wgm_deploy_record *rec, const struct wgm_host_state *hs,
		 struct wgm_node_plan *plan)
{
	char err[512] = "";
	int ret = wgm_plan_build(rec, hs, &test_sk, plan, err, sizeof(err));

	if (ret < 0)
		fprintf(stderr, "unexpected plan error: %s\n", err);
	return ret;
}

static void test_bad_records(void)
{
	struct wgm_deploy_record *rec = calloc(1, sizeof(*rec));
	struct wgm_host_state hs;
	static const char *const bad_prefixes[] = {
		"fd42:7a3b:19c0::/64", "192.0.2.0/24", "garbage", "fd42:7a3b:19c0:1::/48",
		"fd42:7a3b:19c0::", "fd42:7a3b:19c0::/048", "fd42:7a3b:19c0::/48 ", "",
	};
	size_t i;

	for (i = 0; i < sizeof(bad_prefixes) / sizeof(bad_prefixes[0]); i++) {
		base_case(rec, &hs);
		snprintf(rec->remote, sizeof(rec->remote), "%s", bad_prefixes[i]);
		expect_plan_error(rec, &hs, bad_prefixes[i][0] ? bad_prefixes[i] : "remote ''");
	}

	base_case(rec, &hs);
	snprintf(rec->site, sizeof(rec->site), "other.example.com");
	expect_plan_error(rec, &hs, "other.example.com");

	base_case(rec, &hs);
	rec->octet = 0;
	expect_plan_error(rec, &hs, "octet 0");

	/* A peer whose port maps to our own octet, another peer's octet, or no octet at all. */
	base_case(rec, &hs);
	rec->hosts[0].localport = 31001;
	expect_plan_error(rec, &hs, "own octet 1");
	base_case(rec, &hs);
	add_peer(rec, "gamma.example.net", 2);
	expect_plan_error(rec, &hs, "'gamma.example.net': octet 2 (localport 31002)");
	base_case(rec, &hs);
	rec->hosts[0].localport = 31000;
	expect_plan_error(rec, &hs, "localport 31000");
	base_case(rec, &hs);
	rec->hosts[0].localport = 31256;
	expect_plan_error(rec, &hs, "localport 31256");

	base_case(rec, &hs);
	rec->hosts[0].remoteport = 31002;
	expect_plan_error(rec, &hs, "remoteport 31002");

	base_case(rec, &hs);
	rec->portbase = 65300;
	expect_plan_error(rec, &hs, "portbase 65300");

	base_case(rec, &hs);
	rec->hosts[0].asn = rec->asn;
	expect_plan_error(rec, &hs, "own ASN 4200000000");

	base_case(rec, &hs);
	CHECK(wgm_key_public(&test_sk, &rec->hosts[0].key) == 0);
	expect_plan_error(rec, &hs, "own public key");

	base_case(rec, &hs);
	snprintf(rec->hosts[0].remote, sizeof(rec->hosts[0].remote), "198.51.100.300");
	expect_plan_error(rec, &hs, "198.51.100.300");

	base_case(rec, &hs);
	snprintf(rec->hosts[0].hostname, sizeof(rec->hosts[0].hostname), "bad name");
	expect_plan_error(rec, &hs, "'bad name'");

	base_case(rec, &hs);
	snprintf(hs.interface_trust_ip, sizeof(hs.interface_trust_ip), "10.20.1.1");
	expect_plan_error(rec, &hs, "'10.20.1.1'");

	base_case(rec, &hs);
	hs.locus[0] = '\0';
	expect_plan_error(rec, &hs, "no site locus");

	base_case(rec, &hs);
	snprintf(hs.netns, sizeof(hs.netns), "../etc");
	expect_plan_error(rec, &hs, "'../etc'");
	free(rec);
}

static void test_endpoints(void)
{
	struct wgm_deploy_record *rec = calloc(1, sizeof(*rec));
	struct wgm_node_plan *plan = calloc(1, sizeof(*plan));
	struct wgm_endpoint eps[WGM_MAX_ENDPOINTS];
	struct wgm_host_state hs;
	const struct wgm_peer_plan *p;
	char err[256], text[INET6_ADDRSTRLEN];
	size_t n;

	/* 1.0 wrote this list as one comma-joined Endpoint, which WireGuard rejects. */
	base_case(rec, &hs);
	snprintf(rec->hosts[0].remote, sizeof(rec->hosts[0].remote), "198.51.100.2,2001:db8::2");
	CHECK(build(rec, &hs, plan) == 0);
	p = &plan->peers[0];
	CHECK_INTEQ(p->n_endpoints, 2);
	CHECK(p->endpoints[0].is_ip && p->endpoints[0].ip.family == AF_INET);
	CHECK_STREQ(p->endpoints[0].host, "198.51.100.2");
	CHECK_INTEQ(p->endpoints[0].port, 31001);
	CHECK(p->endpoints[1].is_ip && p->endpoints[1].ip.family == AF_INET6);
	inet_ntop(AF_INET6, &p->endpoints[1].ip.v6, text, sizeof(text));
	CHECK_STREQ(text, "2001:db8::2");
	CHECK_INTEQ(p->endpoints[1].port, 31001);

	/* Behind NAT: no endpoint, the peer calls us. */
	base_case(rec, &hs);
	rec->hosts[0].remote[0] = '\0';
	CHECK(build(rec, &hs, plan) == 0);
	CHECK_INTEQ(plan->peers[0].n_endpoints, 0);

	/* 1.0 joins local_ipv4 and a [''] local_ipv6: trailing empties and spaces go. */
	CHECK(wgm_endpoints_parse(" 192.0.2.10 , ,gw.example.net,", 4000, eps, WGM_MAX_ENDPOINTS, &n,
				  err, sizeof(err)) == 0);
	CHECK_INTEQ(n, 2);
	CHECK_STREQ(eps[0].host, "192.0.2.10");
	CHECK(!eps[1].is_ip);
	CHECK_STREQ(eps[1].host, "gw.example.net");
	CHECK_INTEQ(eps[1].port, 4000);
	CHECK(wgm_endpoints_parse("2001:db8:0::2,2001:db8::2", 4000, eps, WGM_MAX_ENDPOINTS, &n, err,
				  sizeof(err)) == 0);
	CHECK_INTEQ(n, 1);

	static const char *const bad[] = { "1.2.3", "300.1.1.1", "2001:db8::zz", "bad!name",
					   "-lead.example.net", "[2001:db8::2]", "192.0.2.1:51820" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(wgm_endpoints_parse(bad[i], 4000, eps, WGM_MAX_ENDPOINTS, &n, err, sizeof(err)) < 0);
		CHECK(strstr(err, bad[i]) && !strchr(err, '\n'));
	}
	CHECK(wgm_endpoints_parse("192.0.2.1,192.0.2.2,192.0.2.3", 4000, eps, 2, &n, err,
				  sizeof(err)) == -E2BIG);
	CHECK(strstr(err, "more than 2"));
	free(plan);
	free(rec);
}

static void test_names_and_order(void)
{
	struct wgm_deploy_record *rec = calloc(1, sizeof(*rec));
	struct wgm_node_plan *plan = calloc(1, sizeof(*plan));
	struct wgm_host_state hs;
	char text[INET6_ADDRSTRLEN];

	base_case(rec, &hs);
	add_peer(rec, "e.example.net", 9);
	add_peer(rec, "c.example.net", 5);
	add_peer(rec, "d.example.net", 3);
	snprintf(hs.netns, sizeof(hs.netns), "mesh");
	snprintf(hs.interface_outbound, sizeof(hs.interface_outbound), "veth-mesh");
	hs.firewall = WGM_FW_NFTABLES;
	CHECK(build(rec, &hs, plan) == 0);
	CHECK_INTEQ(plan->n_peers, 4);
	CHECK_INTEQ(plan->peers[0].octet, 2);
	CHECK_INTEQ(plan->peers[1].octet, 3);
	CHECK_INTEQ(plan->peers[2].octet, 5);
	CHECK_INTEQ(plan->peers[3].octet, 9);
	CHECK_STREQ(plan->peers[1].hostname, "d.example.net");
	CHECK_STREQ(plan->peers[3].ifname, "wg9");
	CHECK_INTEQ(plan->peers[3].listen_port, 31009);
	ip6_text(&plan->peers[3].local_addr, text);
	CHECK_STREQ(text, "fd42:7a3b:19c0:901::1");
	ip6_text(&plan->peers[3].peer_addr, text);
	CHECK_STREQ(text, "fd42:7a3b:19c0:901::9");
	CHECK_STREQ(plan->netns, "mesh");
	CHECK_STREQ(plan->veth_outer, "veth-mesh");
	CHECK_STREQ(plan->veth_inner, "vi-lab");
	CHECK_INTEQ(plan->firewall, WGM_FW_NFTABLES);

	/* A long locus still gives legal (15-char) device names. */
	base_case(rec, &hs);
	snprintf(hs.locus, sizeof(hs.locus), "averyveryverylonglocus");
	CHECK(build(rec, &hs, plan) == 0);
	CHECK_STREQ(plan->veth_outer, "ve-averyveryver");
	CHECK_STREQ(plan->veth_inner, "vi-averyveryver");
	CHECK_STREQ(plan->netns, "averyveryverylonglocus");

	/* The top octets: 192.168.<100+octet> only exists up to octet 155. */
	base_case(rec, &hs);
	rec->octet = 155;
	rec->hosts[0].remoteport = 31155;
	CHECK(build(rec, &hs, plan) == 0);
	CHECK(plan->tester_ok);
	inet_ntop(AF_INET, &plan->tester_addrs[2], text, sizeof(text));
	CHECK_STREQ(text, "192.168.255.200");
	rec->octet = 255;
	rec->hosts[0].remoteport = 31255;
	CHECK(build(rec, &hs, plan) == 0);
	CHECK(!plan->tester_ok);
	inet_ntop(AF_INET, &plan->router_id, text, sizeof(text));
	CHECK_STREQ(text, "1.0.255.1");
	inet_ntop(AF_INET, &plan->veth_inner_addr, text, sizeof(text));
	CHECK_STREQ(text, "169.254.255.2");
	CHECK_STREQ(plan->tester_if, "tester255");
	ip6_text(&plan->peers[0].local_addr, text);
	CHECK_STREQ(text, "fd42:7a3b:19c0:ff02::ff");
	wgm_plan_wipe(plan);
	free(plan);
	free(rec);
}

static void test_parsers(void)
{
	struct wgm_prefix p;
	struct wgm_ip ip;

	CHECK(wgm_prefix_parse("10.20.1.1/24", &p) == 0 && p.addr.family == AF_INET && p.len == 24);
	CHECK(wgm_prefix_parse("2001:db8::1/128", &p) == 0 && p.len == 128);
	CHECK(wgm_prefix_parse("10.20.1.1/33", &p) == -EINVAL);
	CHECK(wgm_prefix_parse("10.20.1.1/+4", &p) == -EINVAL);
	CHECK(wgm_prefix_parse("10.20.1.1/24/1", &p) == -EINVAL);
	CHECK(wgm_prefix_parse(" 10.20.1.1/24", &p) == -EINVAL);
	CHECK(wgm_ip_parse("010.1.1.1", &ip) == -EINVAL);
	CHECK(wgm_ip_parse("fe80::1%eth0", &ip) == -EINVAL);
	CHECK(wgm_ip_parse("::ffff:192.0.2.1", &ip) == 0 && ip.family == AF_INET6);
}

int main(int argc, char **argv)
{
	struct wgm_key pub;

	fixtures = getenv("WGM_FIXTURES");
	if (!fixtures && argc > 1)
		fixtures = argv[1];
	if (!fixtures) {
		fprintf(stderr, "usage: %s FIXTURE-DIR (or set WGM_FIXTURES)\n", argv[0]);
		return 1;
	}
	CHECK(wgm_key_generate(&test_sk, &pub, false) == 0);
	test_parsers();
	test_tunnel_net();
	test_fixture_host("alpha.example.net", ALPHA_UUID);
	test_fixture_host("beta.example.net", BETA_UUID);
	test_endpoints();
	test_bad_records();
	test_names_and_order();
	wgm_key_wipe(&test_sk);
	return check_exit();
}
