/* Octet and ASN allocation: 1.0's numbering (max+1, first free ASN), what happens at the ends
 * of the ranges, and numbers held by removed hosts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "check.h"

#define LO 4200000000u

static void site_init(struct wgm_site *s, uint32_t lo, uint32_t hi)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "/tmp/site.yaml");
	s->n_asns = hi - lo + 1;
	s->asns = calloc(s->n_asns, sizeof(*s->asns));
	for (size_t i = 0; i < s->n_asns; i++)
		s->asns[i] = lo + (uint32_t)i;
	s->hosts = calloc(WGM_MAX_HOSTS + 2, sizeof(*s->hosts));
}

static void site_fini(struct wgm_site *s)
{
	free(s->asns);
	free(s->hosts);
}

/* Imports one host the way wgsite -i does: allocate, then append. */
static int import(struct wgm_site *s, const char *name, char *err, size_t errlen)
{
	struct wgm_site_host *h = &s->hosts[s->n_hosts];
	int ret;

	memset(h, 0, sizeof(*h));
	snprintf(h->hostname, sizeof(h->hostname), "%s", name);
	ret = wgm_alloc_octet(s, NULL, &h->octet, err, errlen);
	if (ret == 0)
		ret = wgm_alloc_asn(s, NULL, &h->asn, err, errlen);
	if (ret == 0)
		s->n_hosts++;
	return ret;
}

static void test_sequence(void)
{
	struct wgm_site s;
	char err[256] = "", name[64];

	site_init(&s, LO, LO + 10);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "h%d.example.net", i);
		CHECK(import(&s, name, err, sizeof(err)) == 0);
		CHECK_INTEQ(s.hosts[i].octet, i + 1);
		CHECK_INTEQ(s.hosts[i].asn, LO + (uint32_t)i);
	}
	site_fini(&s);
}

static void test_collisions(void)
{
	struct wgm_site s;
	char err[256] = "";
	uint8_t octet;
	uint32_t asn;

	/* A hand-edited file: the numbers in use are not contiguous. */
	site_init(&s, LO, LO + 10);
	s.n_hosts = 3;
	s.hosts[0].octet = 1, s.hosts[0].asn = LO + 1;
	s.hosts[1].octet = 7, s.hosts[1].asn = LO;
	s.hosts[2].octet = 7, s.hosts[2].asn = LO + 1; /* collides with both */
	CHECK(wgm_alloc_octet(&s, &s.hosts[2], &octet, err, sizeof(err)) == 0);
	CHECK_INTEQ(octet, 8);
	CHECK(wgm_alloc_asn(&s, &s.hosts[2], &asn, err, sizeof(err)) == 0);
	CHECK_INTEQ(asn, LO + 2);
	/* self's own numbers do not count against it. */
	CHECK(wgm_alloc_octet(&s, &s.hosts[1], &octet, err, sizeof(err)) == 0);
	CHECK_INTEQ(octet, 8);
	s.hosts[2].octet = 8;
	s.hosts[2].asn = LO + 2;
	CHECK(wgm_alloc_asn(&s, &s.hosts[1], &asn, err, sizeof(err)) == 0);
	CHECK_INTEQ(asn, LO);
	site_fini(&s);
}

static void test_exhausted_asn(void)
{
	struct wgm_site s;
	char err[256] = "";

	site_init(&s, LO, LO + 1);
	CHECK(import(&s, "a.example.net", err, sizeof(err)) == 0);
	CHECK(import(&s, "b.example.net", err, sizeof(err)) == 0);
	CHECK(import(&s, "c.example.net", err, sizeof(err)) == -ENOSPC);
	CHECK_STREQ(err, "ASN range 4200000000:4200000001 exhausted: widen asn_range in "
			 "/tmp/site.yaml or remove a host");
	CHECK_INTEQ(s.n_hosts, 2);
	free(s.asns);
	s.asns = NULL;
	s.n_asns = 0;
	CHECK_FAILS_NAMING(import(&s, "c.example.net", err, sizeof(err)), -ENOENT, err,
			   "no asn_range in /tmp/site.yaml");
	site_fini(&s);
}

static void test_octet_ends(void)
{
	struct wgm_site s;
	char err[256] = "", name[64];
	uint8_t octet;

	site_init(&s, 1, 300);
	for (int i = 0; i < 255; i++) {
		snprintf(name, sizeof(name), "h%d.example.net", i);
		CHECK(import(&s, name, err, sizeof(err)) == 0);
	}
	CHECK_INTEQ(s.hosts[254].octet, 255);
	CHECK_FAILS_NAMING(import(&s, "h255.example.net", err, sizeof(err)), -ENOSPC, err, "no free octet");
	CHECK_INTEQ(s.n_hosts, 255);

	/* Past 255 the lowest free octet is reused, once a host is purged from the file. */
	s.hosts[41] = s.hosts[--s.n_hosts]; /* purge octet 42: the last host takes its slot */
	s.hosts[10] = s.hosts[--s.n_hosts]; /* purge octet 11 */
	CHECK(wgm_alloc_octet(&s, NULL, &octet, err, sizeof(err)) == 0);
	CHECK_INTEQ(octet, 11);
	site_fini(&s);
}

static void test_removed_hosts_hold_numbers(void)
{
	struct wgm_site s;
	char err[256] = "";

	site_init(&s, LO, LO + 10);
	CHECK(import(&s, "a.example.net", err, sizeof(err)) == 0);
	CHECK(import(&s, "b.example.net", err, sizeof(err)) == 0);
	CHECK(import(&s, "c.example.net", err, sizeof(err)) == 0);
	/* The last and the first host removed but not purged: their numbers stay taken. */
	s.hosts[2].removed = true;
	s.hosts[0].removed = true;
	CHECK(import(&s, "d.example.net", err, sizeof(err)) == 0);
	CHECK_INTEQ(s.hosts[3].octet, 4);
	CHECK_INTEQ(s.hosts[3].asn, LO + 3);
	/* Purged: the ASN of the first host is free again; octets go on at max+1. */
	s.hosts[0] = s.hosts[--s.n_hosts];
	CHECK(import(&s, "e.example.net", err, sizeof(err)) == 0);
	CHECK_INTEQ(s.hosts[s.n_hosts - 1].asn, LO);
	CHECK_INTEQ(s.hosts[s.n_hosts - 1].octet, 5);
	site_fini(&s);
}

int main(void)
{
	test_sequence();
	test_collisions();
	test_exhausted_asn();
	test_octet_ends();
	test_removed_hosts_hold_numbers();
	return check_exit();
}
