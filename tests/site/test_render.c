/* Unit tests of the site commands' pure parts: deploy rendering from a site (peers, ports,
 * endpoint lists without empty entries, removed hosts left out) and public address detection
 * rules. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addrdetect.h"
#include "check.h"
#include "deploy_render.h"

static void add_host(struct wgm_site *s, const char *name, uint8_t octet, uint32_t asn,
		     const char *v4, const char *v6)
{
	struct wgm_site_host *h = &s->hosts[s->n_hosts++];

	memset(h, 0, sizeof(*h));
	snprintf(h->hostname, sizeof(h->hostname), "%s", name);
	snprintf(h->uuid, sizeof(h->uuid), "00000000-0000-4000-8000-%012u", octet);
	h->octet = octet;
	h->asn = asn;
	h->public_key.b[0] = octet;
	snprintf(h->local_ipv4, sizeof(h->local_ipv4), "%s", v4);
	snprintf(h->local_ipv6, sizeof(h->local_ipv6), "%s", v6);
}

static void test_render(void)
{
	struct wgm_site s = { 0 };
	struct wgm_site_host hosts[4];
	struct wgm_deploy_record *rec = calloc(1, sizeof(*rec));
	char err[256] = "";

	s.hosts = hosts;
	snprintf(s.domain, sizeof(s.domain), "mesh.example.com");
	snprintf(s.ipv6, sizeof(s.ipv6), "fd00:1::/48");
	s.portbase = 21100;
	add_host(&s, "a.example.net", 1, 64512, "192.0.2.1", "");
	add_host(&s, "b.example.net", 2, 64513, "198.51.100.2,", ",2001:db8::2");
	add_host(&s, "c.example.net", 7, 64514, "", "");
	add_host(&s, "d.example.net", 9, 64515, "203.0.113.9", "");
	hosts[3].removed = true;

	CHECK_INTEQ(wgm_deploy_render(&s, &hosts[0], 42, rec, err, sizeof(err)), 0);
	CHECK_INTEQ(rec->octet, 1);
	CHECK_INTEQ(rec->asn, 64512);
	CHECK_INTEQ(rec->portbase, 21100);
	CHECK(rec->has_serial && rec->serial == 42);
	CHECK_STREQ(rec->site, "mesh.example.com");
	CHECK_STREQ(rec->remote, "fd00:1::/48");
	CHECK_INTEQ(rec->n_hosts, 2); /* not itself, not the removed d */
	CHECK_STREQ(rec->hosts[0].hostname, "b.example.net");
	CHECK_INTEQ(rec->hosts[0].localport, 21102);
	CHECK_INTEQ(rec->hosts[0].remoteport, 21101);
	CHECK_STREQ(rec->hosts[0].remote, "198.51.100.2,2001:db8::2");
	CHECK_INTEQ(rec->hosts[0].key.b[0], 2);
	CHECK_STREQ(rec->hosts[1].hostname, "c.example.net");
	CHECK_INTEQ(rec->hosts[1].localport, 21107);
	CHECK_STREQ(rec->hosts[1].remote, "");

	/* Two hosts on one octet cannot both be rendered. */
	hosts[2].octet = 2;
	CHECK_FAILS_NAMING(wgm_deploy_render(&s, &hosts[0], 42, rec, err, sizeof(err)), -EINVAL, err,
			   "share octet 2");
	hosts[2].octet = 7;
	/* Ports past 65535. */
	s.portbase = 65400;
	CHECK(wgm_deploy_render(&s, &hosts[0], 42, rec, err, sizeof(err)) == -EINVAL);
	free(rec);
}

static bool is_public(const char *text)
{
	struct wgm_ip ip = { 0 };

	if (strchr(text, ':')) {
		ip.family = AF_INET6;
		inet_pton(AF_INET6, text, &ip.v6);
	} else {
		ip.family = AF_INET;
		inet_pton(AF_INET, text, &ip.v4);
	}
	return wgm_addr_is_public(&ip);
}

static void test_public_addresses(void)
{
	static const char *const private_ones[] = {
		"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1",
		"169.254.1.1", "100.64.0.1", "100.127.255.255", "0.0.0.0", "224.0.0.1",
		"255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "fc12::1", "ff02::1",
		"::ffff:192.0.2.1",
	};
	static const char *const public_ones[] = {
		"192.0.2.1", "198.51.100.7", "203.0.113.9", "172.32.0.1", "100.128.0.1",
		"2001:db8::1", "2a00:1450::1",
	};

	for (size_t i = 0; i < sizeof(private_ones) / sizeof(*private_ones); i++)
		if (is_public(private_ones[i])) {
			fprintf(stderr, "%s counted as public\n", private_ones[i]);
			CHECK(0);
		}
	for (size_t i = 0; i < sizeof(public_ones) / sizeof(*public_ones); i++)
		if (!is_public(public_ones[i])) {
			fprintf(stderr, "%s not counted as public\n", public_ones[i]);
			CHECK(0);
		}
}

int main(void)
{
	test_render();
	test_public_addresses();
	return check_exit();
}
