/* The journal without a kernel: a slot reserved before every change and filled after, entries
 * kept in the order they were made (undo walks them newest first), journal_last following the
 * newest, ownership of a moved link's saved state; and journal_save_link, which computes what
 * moving a link back must restore from a plain snapshot of its namespace. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "journal.h"

static struct wgm_prefix prefix(const char *text)
{
	struct wgm_prefix p;

	CHECK_INTEQ(wgm_prefix_parse(text, &p), 0);
	return p;
}

static struct wgm_ip ip(const char *text)
{
	struct wgm_ip a;

	CHECK_INTEQ(wgm_ip_parse(text, &a), 0);
	return a;
}

static bool prefix_eq(const struct wgm_prefix *a, const struct wgm_prefix *b)
{
	return a->len == b->len && wgm_ip_equal(&a->addr, &b->addr);
}

/* Reserve, then push: room comes before the change, every change made is kept, in order. */
static void test_order(void)
{
	struct journal j = { 0 };

	CHECK(journal_last(&j) == NULL);
	for (int i = 0; i < 100; i++) {
		struct jentry e = { .kind = i % 2 ? J_ADDR : J_LINK, .ifindex = i };

		CHECK_INTEQ(journal_reserve(&j), 0);
		CHECK(j.cap > j.n); /* the push that follows cannot fail */
		snprintf(e.name, sizeof(e.name), "link%d", i);
		journal_push(&j, &e);
		CHECK_INTEQ(journal_last(&j)->ifindex, i);
	}
	CHECK_INTEQ(j.n, 100);
	for (size_t i = 0; i < j.n; i++) {
		char want[32];

		snprintf(want, sizeof(want), "link%zu", i);
		CHECK_STREQ(j.e[i].name, want);
		CHECK_INTEQ(j.e[i].kind, i % 2 ? J_ADDR : J_LINK);
	}
	/* reserving again with room left changes nothing */
	size_t cap = j.cap;

	if (j.n < j.cap) {
		CHECK_INTEQ(journal_reserve(&j), 0);
		CHECK_INTEQ(j.cap, cap);
	}
	/* journal_last follows an object that moved: the newest entry, changed in place */
	journal_last(&j)->in_priv = true;
	CHECK(j.e[j.n - 1].in_priv);
	journal_free(&j);
	CHECK_INTEQ(j.n + j.cap, 0);
	CHECK(j.e == NULL && journal_last(&j) == NULL);
}

/* What a link had in the underlay, for moving it back: its up flag, its addresses but the
 * IPv6 link-local ones (the kernel makes those again), the gateway routes through it; no
 * other link's addresses or routes, no gatewayless route (it comes with its address). */
static void test_save_link(void)
{
	struct actual_link links[] = {
		{ .name = "eth1", .ifindex = 3, .flags = IFF_UP },
		{ .name = "eth0", .ifindex = 2, .flags = IFF_UP },
		{ .name = "eth2", .ifindex = 4, .flags = 0 },
	};
	struct actual_addr addrs[] = {
		{ .ifindex = 3, .p = prefix("192.0.2.10/24") },
		{ .ifindex = 3, .p = prefix("fe80::1/64") },
		{ .ifindex = 3, .p = prefix("2001:db8::10/64") },
		{ .ifindex = 2, .p = prefix("198.51.100.5/24") },
	};
	struct actual_route routes[] = {
		{ .dst = prefix("192.0.2.0/24"), .ifindex = 3 },
		{ .dst = prefix("0.0.0.0/0"), .has_gw = true, .gw = ip("192.0.2.1"), .ifindex = 3 },
		{ .dst = prefix("203.0.113.0/24"), .has_gw = true, .gw = ip("192.0.2.254"), .ifindex = 3 },
		{ .dst = prefix("0.0.0.0/1"), .has_gw = true, .gw = ip("198.51.100.1"), .ifindex = 2 },
	};
	struct actual_ns a = { .n_links = 3, .n_addrs = 4, .n_routes = 4, .links = links,
			       .addrs = addrs, .routes = routes };
	struct wgm_prefix want_route = prefix("203.0.113.0/24");
	struct wgm_ip want_gw = ip("192.0.2.254");
	struct jmoved *m = NULL;
	struct journal j = { 0 };
	struct jentry e = { .kind = J_MOVED_IN, .ifindex = 3, .name = "eth1" };

	CHECK_INTEQ(journal_save_link(&a, 3, &m), 0);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(m->was_up);
	CHECK_INTEQ(m->n_addrs, 2);
	CHECK(prefix_eq(&m->addrs[0], &addrs[0].p));
	CHECK(prefix_eq(&m->addrs[1], &addrs[2].p));
	CHECK_INTEQ(m->n_routes, 2);
	CHECK(m->n_routes == 2 && prefix_eq(&m->routes[1].dst, &want_route) &&
	      wgm_ip_equal(&m->routes[1].gw, &want_gw));
	/* the journal takes the saved state over and frees it */
	CHECK_INTEQ(journal_reserve(&j), 0);
	e.moved = m;
	journal_push(&j, &e);
	CHECK(journal_last(&j)->moved == m);
	journal_free(&j);

	/* a link that is down, with nothing on it */
	CHECK_INTEQ(journal_save_link(&a, 4, &m), 0);
	CHECK(m && !m->was_up && m->n_addrs == 0 && m->n_routes == 0);
	journal_moved_free(m);
}

int main(void)
{
	test_order();
	test_save_link();
	return check_exit();
}
