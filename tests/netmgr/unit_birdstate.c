/* birdstate's parser on replies of a real BIRD 2 (tests/fixtures/bird, captured by capture.sh
 * there): two BIRDs on one link, one with peers that never answer, before and after the link
 * went deaf; and on edits of them for what that run did not show (Connect, a reply cut short,
 * names that are not ours). No BIRD runs here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "birdstate.h"
#include "check.h"
#include "fixture_read.h"
#include "atomicfile.h"

static const char *dir;

static char *fixture(const char *name)
{
	return fixture_read(dir, name, NULL);
}

/* s with every "from" replaced by "to" (freshly allocated). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t n = 0, fl = strlen(from), tl = strlen(to);
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)); p += fl)
		n++;
	out = malloc(strlen(s) + n * tl + 1);
	if (!out)
		exit(1);
	for (o = out, p = s; *p;) {
		if (!strncmp(p, from, fl)) {
			memcpy(o, to, tl);
			o += tl;
			p += fl;
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
	return out;
}

static int parse_capture(const char *node, struct bird_state *s)
{
	char name[3][64];
	char *text[3];
	int ret;

	snprintf(name[0], sizeof(name[0]), "%s.protocols", node);
	snprintf(name[1], sizeof(name[1]), "%s.bfd", node);
	snprintf(name[2], sizeof(name[2]), "%s.routes", node);
	for (int i = 0; i < 3; i++)
		text[i] = fixture(name[i]);
	ret = bird_state_parse(text[0], text[1], text[2], s);
	for (int i = 0; i < 3; i++)
		free(text[i]);
	return ret;
}

static void check_link(const struct bird_state *s, const char *name, const char *bgp,
		       uint32_t as, const char *last_error, const char *bfd)
{
	const struct bird_link *l = bird_state_link(s, name);

	CHECK(l != NULL);
	if (!l) {
		fprintf(stderr, "  no link %s\n", name);
		return;
	}
	CHECK_STREQ(l->bgp_state, bgp);
	CHECK_INTEQ(l->peer_as, as);
	CHECK_STREQ(l->last_error, last_error);
	CHECK_STREQ(l->bfd_state, bfd);
}

static bool has_route(const struct bird_state *s, const char *prefix, uint32_t as)
{
	struct wgm_prefix p;

	if (wgm_prefix_parse(prefix, &p) < 0)
		return false;
	for (size_t i = 0; i < s->n_routes; i++)
		if (!memcmp(&s->routes[i].dst, &p, sizeof(p)) && s->routes[i].origin_as == as)
			return true;
	return false;
}

/* A up: wg2 Established with BFD Up; wg3 and wg5 (no link) Idle, no BFD session; the
 * protocols that are not per-peer BGP (DEVICE, KERNEL4, bfd1, ...) are not links. */
static void test_established(void)
{
	struct bird_state s;

	CHECK_INTEQ(parse_capture("up-a", &s), 0);
	CHECK_INTEQ(s.n_links, 3);
	check_link(&s, "wg2", "Established", 4200000001u, "", "Up");
	check_link(&s, "wg3", "Idle", 4200000002u, "", "");
	check_link(&s, "wg5", "Idle", 4200000004u, "", "");
	CHECK(bird_state_link(&s, "KERNEL4") == NULL);
	CHECK(bird_state_link(&s, "bfd1") == NULL);
	/* B's LAN routes came over wg2 from AS 4200000001; the table headers are no routes */
	CHECK_INTEQ(s.n_routes, 1);
	CHECK(has_route(&s, "fd42:7a3b:19c0:201::/64", 4200000001u));
	bird_state_free(&s);

	/* B: the routes of both tables, a blank line between them */
	CHECK_INTEQ(parse_capture("up-b", &s), 0);
	CHECK_INTEQ(s.n_links, 1);
	check_link(&s, "wg1", "Established", 4200000000u, "", "Up");
	CHECK_INTEQ(s.n_routes, 3);
	CHECK(has_route(&s, "10.98.0.0/24", 4200000000u));
	CHECK(has_route(&s, "192.168.77.0/24", 4200000000u));
	CHECK(has_route(&s, "fd42:7a3b:19c0:201::/64", 4200000000u));
	bird_state_free(&s);
}

/* After the link went deaf: each end's session Idle with BIRD's last error, its BFD session
 * Down; A then Active, calling B again; no BGP routes left. */
static void test_link_gone_deaf(void)
{
	struct bird_state s;

	CHECK_INTEQ(parse_capture("down-a", &s), 0);
	check_link(&s, "wg2", "Idle", 4200000001u, "Error: BFD session down", "Down");
	CHECK_INTEQ(s.n_routes, 0);
	bird_state_free(&s);
	CHECK_INTEQ(parse_capture("retry-a", &s), 0);
	check_link(&s, "wg2", "Active", 4200000001u, "Error: BFD session down", "Down");
	check_link(&s, "wg3", "Idle", 4200000002u, "", "");
	bird_state_free(&s);
	CHECK_INTEQ(parse_capture("down-b", &s), 0);
	check_link(&s, "wg1", "Idle", 4200000000u, "Error: BFD session down", "Down");
	CHECK_INTEQ(s.n_routes, 0);
	bird_state_free(&s);
}

/* Connect (the TCP call under way) and a BFD session in Init (the peer heard, not yet
 * confirmed) read like the other states: the capture's lines with the state changed. */
static void test_connect_init(void)
{
	char *p = fixture("retry-a.protocols"), *b = fixture("retry-a.bfd");
	char *c = replace_all(p, "Active", "Connect"), *i = replace_all(b, "Down", "Init");
	struct bird_state s;

	CHECK_INTEQ(bird_state_parse(c, i, NULL, &s), 0);
	check_link(&s, "wg2", "Connect", 4200000001u, "Error: BFD session down", "Init");
	bird_state_free(&s);
	free(c);
	free(i);
	free(p);
	free(b);
}

/* A reply cut short after a protocol's head line: the link is known, its fields are not
 * (empty state, AS 0), and the next protocol's lines are not taken for it. */
static void test_missing_fields(void)
{
	static const char cut[] = "2002-Name       Proto      Table      State  Since         Info\n"
				  "1002-wg4        BGP        ---        start  03:44:19.427  Connect\n"
				  "1002-wg6        BGP        ---        start  03:44:19.427  Idle\n"
				  "1006-  BGP state:          Idle\n"
				  "0000 \n";
	struct bird_state s;

	CHECK_INTEQ(bird_state_parse(cut, NULL, NULL, &s), 0);
	CHECK_INTEQ(s.n_links, 2);
	check_link(&s, "wg4", "", 0, "", "");
	check_link(&s, "wg6", "Idle", 0, "", "");
	bird_state_free(&s);
	/* nothing asked, nothing known */
	CHECK_INTEQ(bird_state_parse(NULL, NULL, NULL, &s), 0);
	CHECK_INTEQ(s.n_links + s.n_routes, 0);
	bird_state_free(&s);
}

/* Only our per-peer names count: "wg" + digits, shorter than an interface name, a BGP
 * protocol; a BFD row needs an address first. */
static void test_names(void)
{
	static const char protos[] =
		"1002-wg2a       BGP        ---        up     03:44:06.202  Established\n"
		"1006-  BGP state:          Established\n"
		"1002-wg7        Static     master4    up     03:44:06.202\n"
		"1006-  BGP state:          Established\n"
		"1002-wg123456789012345 BGP ---        up     03:44:06.202  Established\n"
		"1006-  BGP state:          Established\n"
		"1002-wg8        BGP        ---        up     03:44:06.202  Established\n"
		"1006-  BGP state:          Established\n"
		"     Neighbor AS:      64512\n"
		"0000 \n";
	static const char bfd[] =
		"1020-bfd1:\n"
		" IP address                Interface  State      Since         Interval  Timeout\n"
		" fd42::2                   wg9        Up         03:44:06.033    0.050    0.250\n"
		" fd42::3                   eth0       Up         03:44:06.033    0.050    0.250\n"
		" garbage                   wg8        Up         03:44:06.033    0.050    0.250\n"
		"0000 \n";
	struct bird_state s;

	CHECK_INTEQ(bird_state_parse(protos, bfd, NULL, &s), 0);
	CHECK_INTEQ(s.n_links, 2);
	check_link(&s, "wg8", "Established", 64512, "", "");
	/* a BFD session on a link BIRD has no protocol for yet is still that link's */
	check_link(&s, "wg9", "", 0, "", "Up");
	bird_state_free(&s);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	test_established();
	test_link_gone_deaf();
	test_connect_init();
	test_missing_fields();
	test_names();
	return check_exit();
}
