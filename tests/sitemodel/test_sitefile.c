/* The site file: 1.0's files load with their quirks, save reproduces what 1.0 wrote, unknown
 * keys survive, and every kind of bad input is one line naming the value. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "check.h"
#include "key.h"
#include "records.h"
#include "sitefile.h"
#include "testfiles.h"

#define ALPHA_UUID "6fc94b76-f857-4dce-942c-47df480cdda3"
#define BETA_UUID "7dd3ebe3-e116-4121-b4ac-4405149a930e"
#define SITE_PUB "Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y="

static int load(const char *path, struct wgm_site *s)
{
	char err[512] = "";
	int ret = wgm_site_load(path, s, err, sizeof(err));

	if (ret < 0)
		fprintf(stderr, "load %s: %s\n", path, err);
	return ret;
}

static int save(struct wgm_site *s)
{
	char err[512] = "";
	int ret = wgm_site_save(s, err, sizeof(err));

	if (ret < 0)
		fprintf(stderr, "save %s: %s\n", s->path, err);
	return ret;
}

static void check_key_file(const struct wgm_key *k, const char *rel)
{
	struct wgm_key file;
	char *text = test_read(fixture(rel));

	CHECK(text && wgm_key_from_b64(&file, text) == 0);
	CHECK(wgm_key_equal(k, &file));
	free(text);
}

static void check_fixture_site(struct wgm_site *s)
{
	struct wgm_site_host *a = wgm_site_find_host(s, "alpha.example.net");
	struct wgm_site_host *b = wgm_site_find_uuid(s, BETA_UUID);
	struct wgm_key site_sk, site_pk;
	char key_path[4096];

	CHECK_STREQ(s->domain, "wg.example.com");
	CHECK_STREQ(s->alerts, "alerts@wg.example.com");
	CHECK_STREQ(s->ipv6, "fd42:7a3b:19c0::/48");
	CHECK(s->prefix.s6_addr[0] == 0xfd && s->prefix.s6_addr[5] == 0xc0 && s->prefix.s6_addr[6] == 0);
	CHECK_STREQ(s->locus, "lab");
	CHECK_INTEQ(s->portbase, 31000);
	CHECK_INTEQ(s->n_asns, 11);
	CHECK_INTEQ(s->asns[0], 4200000000u);
	CHECK_INTEQ(s->asns[10], 4200000010u);
	CHECK_STREQ(s->privatekey_path, "site.key");
	CHECK_STREQ(s->aws_secret_access_key, "");
	/* The public key in the file is the one of the site key next to it. */
	CHECK(s->has_public_key);
	CHECK(wgm_site_key_path(s, key_path, sizeof(key_path)) == 0);
	CHECK(wgm_key_load(&site_sk, fixture("site/site.key"), false) == 0);
	CHECK(wgm_key_public(&site_sk, &site_pk) == 0 && wgm_key_equal(&site_pk, &s->public_key));
	wgm_key_wipe(&site_sk);

	CHECK_INTEQ(s->n_hosts, 2);
	CHECK(a && b);
	if (!a || !b)
		return;
	CHECK_STREQ(a->uuid, ALPHA_UUID);
	CHECK_INTEQ(a->octet, 1);
	CHECK_INTEQ(a->asn, 4200000000u);
	CHECK_STREQ(a->local_ipv4, "192.0.2.10");
	CHECK_STREQ(a->local_ipv6, ""); /* 1.0's [''] */
	CHECK_STREQ(a->public_key_file, "/etc/wireguard/lab_pub");
	CHECK_STREQ(a->private_key_file, "/etc/wireguard/lab_priv");
	CHECK(!a->removed);
	check_key_file(&a->public_key, "hosts/alpha.example.net/etc-wireguard/lab_pub");
	CHECK_STREQ(b->hostname, "beta.example.net");
	CHECK_INTEQ(b->octet, 2);
	CHECK_INTEQ(b->asn, 4200000001u);
	CHECK_STREQ(b->local_ipv4, "198.51.100.20");
	check_key_file(&b->public_key, "hosts/beta.example.net/etc-wireguard/lab_pub");
}

static void test_load_fixtures(void)
{
	struct wgm_site s;

	CHECK(load(fixture("site/site.yaml"), &s) == 0);
	check_fixture_site(&s);
	CHECK(wgm_site_find_host(&s, "gamma.example.net") == NULL);
	CHECK(wgm_site_find_uuid(&s, "00000000-0000-4000-8000-000000000000") == NULL);
	CHECK(wgm_site_find_host(&s, "ALPHA.example.net") == &s.hosts[0]);
	wgm_site_free(&s);

	CHECK(load(fixture("site/site.initial.yaml"), &s) == 0);
	CHECK_STREQ(s.domain, "wg.example.com");
	CHECK_INTEQ(s.portbase, 31000);
	CHECK_INTEQ(s.n_asns, 11);
	CHECK_INTEQ(s.asns[3], 4200000003u);
	CHECK(!s.has_public_key);
	CHECK_INTEQ(s.n_hosts, 0);
	wgm_site_free(&s);
}

static void test_key_path(void)
{
	struct wgm_site s = { 0 };
	char out[4096];

	snprintf(s.path, sizeof(s.path), "/srv/mesh/site.yaml");
	snprintf(s.privatekey_path, sizeof(s.privatekey_path), "site.key");
	CHECK(wgm_site_key_path(&s, out, sizeof(out)) == 0);
	CHECK_STREQ(out, "/srv/mesh/site.key");
	snprintf(s.privatekey_path, sizeof(s.privatekey_path), "keys/site.key");
	CHECK(wgm_site_key_path(&s, out, sizeof(out)) == 0);
	CHECK_STREQ(out, "/srv/mesh/keys/site.key");
	snprintf(s.privatekey_path, sizeof(s.privatekey_path), "/etc/wgmesh/site.key");
	CHECK(wgm_site_key_path(&s, out, sizeof(out)) == 0);
	CHECK_STREQ(out, "/etc/wgmesh/site.key");
	snprintf(s.path, sizeof(s.path), "site.yaml");
	snprintf(s.privatekey_path, sizeof(s.privatekey_path), "site.key");
	CHECK(wgm_site_key_path(&s, out, sizeof(out)) == 0);
	CHECK_STREQ(out, "site.key");
	CHECK(wgm_site_key_path(&s, out, 4) == -ENAMETOOLONG);
	s.privatekey_path[0] = '\0';
	CHECK(wgm_site_key_path(&s, out, sizeof(out)) == -ENOENT);
}

/* An unmodified 1.0 file comes back byte for byte, and reloads to the same values. */
static void test_roundtrip_10(void)
{
	const char *path = test_copy("site/site.yaml", "site.yaml");
	char *before, *after;
	struct wgm_site s;

	CHECK(path != NULL);
	CHECK(load(path, &s) == 0);
	CHECK(save(&s) == 0);
	wgm_site_free(&s);
	before = test_read(fixture("site/site.yaml"));
	after = test_read(path);
	CHECK(before && after);
	if (before && after && strcmp(before, after))
		fprintf(stderr, "--- 1.0 wrote:\n%s--- we wrote:\n%s", before, after);
	CHECK(before && after && !strcmp(before, after));
	free(before);
	free(after);
	CHECK(load(path, &s) == 0);
	check_fixture_site(&s);
	wgm_site_free(&s);
}

/* The hand-written initial file comes out in 1.0's layout: sorted, numbers quoted. */
static void test_initial_rewritten_like_10(void)
{
	const char *path = test_copy("site/site.initial.yaml", "initial.yaml");
	struct wgm_site s, again;
	char *text;

	CHECK(load(path, &s) == 0);
	CHECK(save(&s) == 0);
	text = test_read(path);
	CHECK(text && strstr(text, "  portbase: '31000'\n"));
	/* The range keeps the form its author wrote; 1.0 reads it. */
	CHECK(text && strstr(text, "  asn_range: 4200000000:4200000010\n"));
	CHECK(text && strstr(text, "global:\n  alerts: alerts@wg.example.com\n  asn_range:"));
	CHECK(text && strstr(text, "  route53: ''\nhosts: {}\n"));
	free(text);
	CHECK(load(path, &again) == 0);
	CHECK_INTEQ(again.portbase, s.portbase);
	CHECK_INTEQ(again.n_asns, s.n_asns);
	CHECK_STREQ(again.ipv6, s.ipv6);
	CHECK_STREQ(again.locus, s.locus);
	wgm_site_free(&again);
	wgm_site_free(&s);
}

static void test_unknown_keys_survive(void)
{
	char *orig = test_read(fixture("site/site.yaml")), *t1, *t2, *text;
	const char *path = test_path("unknown.yaml");
	struct wgm_site s;

	t1 = test_subst(orig, "  alerts:", "  zz_operator_note: keep me\n  alerts:");
	t2 = t1 ? test_subst(t1, "    local_networks: ''", "    local_networks: ''\n    rack: '42'") : NULL;
	text = t2 ? malloc(strlen(t2) + 64) : NULL;
	CHECK(text != NULL);
	if (!text)
		goto out;
	sprintf(text, "%sextra_top:\n- one\n- 2\n", t2);
	CHECK(test_write(path, text));
	free(text);
	CHECK(load(path, &s) == 0);
	s.portbase = 32000; /* a change, so the file really is rewritten */
	CHECK(save(&s) == 0);
	wgm_site_free(&s);
	text = test_read(path);
	CHECK(text && strstr(text, "  zz_operator_note: keep me\n"));
	CHECK(text && strstr(text, "    rack: '42'\n"));
	CHECK(text && strstr(text, "extra_top:\n- one\n- 2\n"));
	CHECK(text && strstr(text, "  portbase: '32000'\n"));
	free(text);
	CHECK(load(path, &s) == 0);
	CHECK_INTEQ(s.portbase, 32000);
	wgm_site_free(&s);
out:
	free(orig);
	free(t1);
	free(t2);
}

static void test_edit_hosts(void)
{
	const char *path = test_copy("site/site.yaml", "edit.yaml");
	struct wgm_site_host *h, *grown;
	struct wgm_site s;
	struct wgm_key sk;
	char *text;

	CHECK(load(path, &s) == 0);
	/* A new host, appended the way wgsite -i does. */
	grown = realloc(s.hosts, (s.n_hosts + 1) * sizeof(*s.hosts));
	CHECK(grown != NULL);
	s.hosts = grown;
	h = &s.hosts[s.n_hosts++];
	memset(h, 0, sizeof(*h));
	snprintf(h->hostname, sizeof(h->hostname), "gamma.example.net");
	snprintf(h->uuid, sizeof(h->uuid), "0b5c1d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e");
	h->octet = 3;
	h->asn = 4200000002u;
	CHECK(wgm_key_generate(&sk, &h->public_key, true) == 0);
	wgm_key_wipe(&sk);
	snprintf(h->local_ipv4, sizeof(h->local_ipv4), "203.0.113.7,203.0.113.8");
	snprintf(h->local_ipv6, sizeof(h->local_ipv6), "2001:db8::7");
	/* beta removed (reserved), alpha renamed: its entry keeps its place and unknown keys. */
	wgm_site_find_host(&s, "beta.example.net")->removed = true;
	snprintf(s.hosts[0].hostname, sizeof(s.hosts[0].hostname), "alpha2.example.net");
	CHECK(save(&s) == 0);
	wgm_site_free(&s);

	text = test_read(path);
	CHECK(text && strstr(text, "  gamma.example.net:\n    asn: '4200000002'\n    local_ipv4:\n"
				   "    - 203.0.113.7\n    - 203.0.113.8\n    local_ipv6:\n    - 2001:db8::7\n"
				   "    local_networks: ''\n    octet: '3'\n"));
	CHECK(text && strstr(text, "  alpha2.example.net:\n") && !strstr(text, "  alpha.example.net:"));
	CHECK(text && strstr(text, "    removed: '"));
	free(text);

	CHECK(load(path, &s) == 0);
	CHECK_INTEQ(s.n_hosts, 3);
	h = wgm_site_find_host(&s, "gamma.example.net");
	CHECK(h && h->octet == 3 && h->asn == 4200000002u);
	CHECK(h && !strcmp(h->local_ipv4, "203.0.113.7,203.0.113.8"));
	CHECK(h && !strcmp(h->local_ipv6, "2001:db8::7"));
	h = wgm_site_find_uuid(&s, BETA_UUID);
	CHECK(h && h->removed);
	h = wgm_site_find_uuid(&s, ALPHA_UUID);
	CHECK(h && !strcmp(h->hostname, "alpha2.example.net") && h->octet == 1);

	/* Purge beta, reactivate nothing else: its entry disappears from the file. */
	h = wgm_site_find_uuid(&s, BETA_UUID);
	if (h) {
		*h = s.hosts[--s.n_hosts];
	}
	CHECK(save(&s) == 0);
	wgm_site_free(&s);
	text = test_read(path);
	CHECK(text && !strstr(text, "beta.example.net") && !strstr(text, "removed:"));
	free(text);
}

/* A site made in memory (no file read before) is saved and reads back. */
static void test_new_site(void)
{
	struct wgm_site s = { 0 }, again;
	uint32_t asns[3] = { 64512, 64513, 64514 };

	snprintf(s.path, sizeof(s.path), "%s", test_path("new.yaml"));
	snprintf(s.domain, sizeof(s.domain), "mesh.example.com");
	snprintf(s.ipv6, sizeof(s.ipv6), "fd86:ea04:1116::/48");
	snprintf(s.locus, sizeof(s.locus), "private");
	snprintf(s.privatekey_path, sizeof(s.privatekey_path), "site.key");
	s.portbase = 21100;
	s.asns = asns;
	s.n_asns = 3;
	CHECK(save(&s) == 0);
	CHECK(load(s.path, &again) == 0);
	CHECK_STREQ(again.domain, "mesh.example.com");
	CHECK_INTEQ(again.n_asns, 3);
	CHECK_INTEQ(again.asns[2], 64514);
	CHECK_INTEQ(again.portbase, 21100);
	wgm_site_free(&again);
	s.asns = NULL;
	wgm_site_free(&s);
}

/* 1.0's workflow at the model level: the initial file, the two registrations imported in
 * order, numbers allocated, the site key's public half filled in. The hosts come out as 1.0
 * wrote them, byte for byte; only asn_range keeps the form the operator wrote. */
static void test_import_like_10(void)
{
	static const char *const regs[] = { "hosts/alpha.example.net.registration",
					    "hosts/beta.example.net.registration" };
	const char *path = test_copy("site/site.initial.yaml", "import.yaml");
	char *ours, *theirs, err[512] = "";
	struct wgm_site s;
	struct wgm_key site_sk;
	size_t i;

	CHECK(load(path, &s) == 0);
	CHECK(wgm_key_load(&site_sk, fixture("site/site.key"), false) == 0);
	CHECK(wgm_key_public(&site_sk, &s.public_key) == 0);
	s.has_public_key = true;
	for (i = 0; i < 2; i++) {
		char *msg = test_read(fixture(regs[i]));
		struct wgm_registration r;
		struct wgm_site_host h = { 0 }, *grown;
		int ret;

		CHECK(msg != NULL);
		if (!msg)
			break;
		msg[strcspn(msg, "\n")] = '\0';
		ret = wgm_registration_decode(msg, &site_sk, &r, err, sizeof(err));
		free(msg);
		CHECK(ret == 0);
		if (ret) {
			fprintf(stderr, "%s: %s\n", regs[i], err);
			break;
		}
		snprintf(h.hostname, sizeof(h.hostname), "%s", r.hostname);
		snprintf(h.uuid, sizeof(h.uuid), "%s", r.uuid);
		h.public_key = r.public_key;
		snprintf(h.local_ipv4, sizeof(h.local_ipv4), "%s", r.local_ipv4);
		snprintf(h.local_ipv6, sizeof(h.local_ipv6), "%s", r.local_ipv6);
		snprintf(h.public_key_file, sizeof(h.public_key_file), "%s", r.public_key_file);
		snprintf(h.private_key_file, sizeof(h.private_key_file), "%s", r.private_key_file);
		CHECK(wgm_alloc_octet(&s, &h, &h.octet, err, sizeof(err)) == 0);
		CHECK(wgm_alloc_asn(&s, &h, &h.asn, err, sizeof(err)) == 0);
		grown = realloc(s.hosts, (s.n_hosts + 1) * sizeof(*s.hosts));
		CHECK(grown != NULL);
		if (!grown)
			break;
		s.hosts = grown;
		s.hosts[s.n_hosts++] = h;
	}
	wgm_key_wipe(&site_sk);
	CHECK(save(&s) == 0);
	wgm_site_free(&s);
	ours = test_read(path);
	theirs = test_read(fixture("site/site.yaml"));
	CHECK(ours && theirs && strstr(ours, "\nhosts:\n") && strstr(theirs, "\nhosts:\n"));
	if (ours && theirs && strstr(ours, "\nhosts:\n") && strstr(theirs, "\nhosts:\n")) {
		CHECK_STREQ(strstr(ours, "\nhosts:\n"), strstr(theirs, "\nhosts:\n"));
		CHECK(strstr(ours, "  publickey: " SITE_PUB "\n"));
	}
	free(ours);
	free(theirs);
	CHECK(load(path, &s) == 0);
	check_fixture_site(&s);
	wgm_site_free(&s);
}

/* The other spellings 1.0 and humans use for the same things. */
static void test_input_forms(void)
{
	char *orig = test_read(fixture("site/site.initial.yaml")), *t1, *t2;
	const char *path = test_path("forms.yaml");
	struct wgm_site s;

	t1 = test_subst(orig, "asn_range: 4200000000:4200000010", "asn_range:\n  - 64512\n  - '64514'");
	t2 = t1 ? test_subst(t1, "hosts: {}", "hosts:") : NULL;
	CHECK(t2 && test_write(path, t2));
	CHECK(load(path, &s) == 0);
	CHECK_INTEQ(s.n_asns, 2);
	CHECK_INTEQ(s.asns[1], 64514);
	CHECK_INTEQ(s.n_hosts, 0);
	wgm_site_free(&s);
	free(t1);
	free(t2);

	t1 = test_subst(orig, "asn_range: 4200000000:4200000010", "asn_range: ' 64512:64513 '");
	CHECK(t1 && test_write(path, t1));
	CHECK(load(path, &s) == 0);
	CHECK_INTEQ(s.n_asns, 2);
	wgm_site_free(&s);
	free(t1);
	free(orig);

	/* Addresses as a comma-joined string instead of a list. */
	orig = test_read(fixture("site/site.yaml"));
	t1 = test_subst(orig, "    local_ipv4:\n    - 192.0.2.10\n", "    local_ipv4: 192.0.2.10, 192.0.2.11\n");
	t2 = t1 ? test_subst(t1, "    local_ipv6:\n    - ''\n", "    local_ipv6: ''\n") : NULL;
	CHECK(t2 && test_write(path, t2));
	CHECK(load(path, &s) == 0);
	CHECK_STREQ(s.hosts[0].local_ipv4, "192.0.2.10,192.0.2.11");
	CHECK_STREQ(s.hosts[0].local_ipv6, "");
	wgm_site_free(&s);
	free(t1);
	free(t2);
	free(orig);
}

/* Writes text with one substitution applied, expects the load to fail naming needle. */
static void expect_load_error(const char *base, const char *from, const char *to,
			      const char *needle)
{
	char *orig = test_read(fixture(base)), *text = from ? test_subst(orig, from, to)
							   : strdup(to);
	const char *path = test_path("bad.yaml");
	char err[512] = "";
	struct wgm_site s;
	int ret;

	CHECK(text != NULL);
	if (!text) {
		fprintf(stderr, "fixture text '%s' not found\n", from);
		free(orig);
		return;
	}
	CHECK(test_write(path, text));
	ret = wgm_site_load(path, &s, err, sizeof(err));
	CHECK_FAILS_NAMING(ret, 0, err, needle);
	if (ret == 0)
		wgm_site_free(&s);
	free(text);
	free(orig);
}

static void test_bad_input(void)
{
	const char *y = "site/site.yaml", *i = "site/site.initial.yaml";

	expect_load_error(y, "fd42:7a3b:19c0::/48", "fd42:7a3b:19c0::/64", "fd42:7a3b:19c0::/64");
	expect_load_error(y, "fd42:7a3b:19c0::/48", "192.0.2.0/24", "192.0.2.0/24");
	expect_load_error(y, "fd42:7a3b:19c0::/48", "garbage", "'garbage'");
	expect_load_error(y, "fd42:7a3b:19c0::/48", "fd42:7a3b:19c0:1::/48", "past the /48");
	expect_load_error(y, "'31000'", "'65300'", "'portbase' is 65300");
	expect_load_error(y, "'31000'", "'0'", "'portbase' is 0");
	expect_load_error(y, "'31000'", "abc", "'abc'");
	expect_load_error(y, "'31000'", "[1, 2]", "'portbase' must be a number, not a list");
	expect_load_error(y, "domain: wg.example.com", "domain: 'bad domain'", "'bad domain'");
	expect_load_error(y, "  domain: wg.example.com\n", "", "missing key 'domain'");
	expect_load_error(i, "4200000000:4200000010", "4200000010:4200000000", "low is above high");
	expect_load_error(i, "4200000000:4200000010", "1:70000", "at most 65536");
	expect_load_error(i, "4200000000:4200000010", "4294967295:4294967296", "4294967296");
	expect_load_error(i, "4200000000:4200000010", "'[64512, 64513, 64512]'", "ASN 64512 twice");
	expect_load_error(i, "4200000000:4200000010", "'[64512, x]'", "entry 'x'");
	expect_load_error(i, "4200000000:4200000010", "{a: 1}", "not a mapping");
	expect_load_error(i, "4200000000:4200000010", "64512", "'64512'");
	expect_load_error(y, "octet: '2'", "octet: '1'", "both have octet 1");
	expect_load_error(y, "asn: '4200000001'", "asn: '4200000000'", "both have asn 4200000000");
	expect_load_error(y, BETA_UUID, ALPHA_UUID, "both have uuid " ALPHA_UUID);
	expect_load_error(y, "uuid: " BETA_UUID, "uuid: 7dd3ebe3-e116-4121-b4ac", "'7dd3ebe3-e116-4121-b4ac'");
	expect_load_error(y, "octet: '2'", "octet: '256'", "'octet' is 256");
	expect_load_error(y, "octet: '2'", "octet: '0'", "'octet' is 0");
	expect_load_error(y, "octet: '2'", "octet: '1.5'", "'1.5'");
	expect_load_error(y, "octet: '2'", "octet:\n      a: 1", "'octet' must be a number, not a mapping");
	expect_load_error(y, "oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw=", "oe2p+sSbMcBe1l/dJlfM1IrMvlRF",
			  "'oe2p+sSbMcBe1l/dJlfM1IrMvlRF'");
	expect_load_error(y, "- 198.51.100.20", "- 198.51.100.300", "198.51.100.300");
	expect_load_error(y, "    - 198.51.100.20\n    local_ipv6:\n    - ''",
			  "    - 198.51.100.20, 198.51.100.21, 198.51.100.22, 198.51.100.23, 198.51.100.24\n"
			  "    local_ipv6:\n    - 2001:db8::1\n    - 2001:db8::2\n    - 2001:db8::3\n"
			  "    - 2001:db8::4", "more than 8 endpoints");
	expect_load_error(y, "beta.example.net:", "-beta.example.net:", "'-beta.example.net'");
	expect_load_error(y, "  beta.example.net:\n", "  beta.example.net: 7\n  x.example.net:\n",
			  "must be a mapping");
	expect_load_error(y, "hosts:\n", "hosts:\n- a\nx:\n", "'hosts' must be a mapping");
	expect_load_error(i, NULL, "global:\n- a\n", "'global' must be a mapping");
	expect_load_error(i, NULL, "- just\n- a list\n", "must be a mapping");
	expect_load_error(i, "global:\n", "global: &g\n", "anchor");
	expect_load_error(i, "hosts: {}", "hosts: {}\nother: *g", "alias");
	expect_load_error(i, NULL, "global: {domain: [\n", "YAML syntax error");
	expect_load_error(i, NULL, "\x01\x02\x03 not yaml at all: [", "YAML");
	expect_load_error(i, "locus: lab", "locus: 'a/b'", "'a/b'");
}

/* A host whose ASN a narrowed range no longer covers still loads (1.0 allowed it). */
static void test_asn_outside_range_warns(void)
{
	char *orig = test_read(fixture("site/site.yaml"));
	char *text = test_subst(orig, "asn: '4200000001'", "asn: '4200000099'");
	struct wgm_site s;

	CHECK(text && test_write(test_path("narrow.yaml"), text));
	CHECK(load(test_path("narrow.yaml"), &s) == 0);
	CHECK_INTEQ(wgm_site_find_host(&s, "beta.example.net")->asn, 4200000099u);
	wgm_site_free(&s);
	free(text);
	free(orig);
}

/* A save that cannot happen changes nothing. */
static void test_save_refused(void)
{
	const char *path = test_copy("site/site.yaml", "refuse.yaml");
	char *before = test_read(path), *after, err[512] = "";
	struct wgm_site s;

	CHECK(load(path, &s) == 0);
	s.hosts[1].octet = s.hosts[0].octet;
	CHECK_FAILS_NAMING(wgm_site_save(&s, err, sizeof(err)), -EINVAL, err, "both have octet 1");
	s.hosts[1].octet = 2;
	snprintf(s.path, sizeof(s.path), "%s", test_path("no-such-dir/site.yaml"));
	err[0] = '\0';
	CHECK_FAILS_NAMING(wgm_site_save(&s, err, sizeof(err)), 0, err, "no-such-dir/site.yaml");
	wgm_site_free(&s);
	after = test_read(path);
	CHECK(before && after && !strcmp(before, after));
	free(before);
	free(after);
}

int main(int argc, char **argv)
{
	if (test_setup(argc, argv) < 0)
		return 1;
	test_load_fixtures();
	test_key_path();
	test_roundtrip_10();
	test_initial_rewritten_like_10();
	test_unknown_keys_survive();
	test_edit_hosts();
	test_input_forms();
	test_import_like_10();
	test_new_site();
	test_bad_input();
	test_asn_outside_range_warns();
	test_save_refused();
	test_teardown();
	return check_exit();
}
