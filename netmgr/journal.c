#include "journal.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "log.h"
#include "netns.h"
#include "sysctl.h"

int journal_reserve(struct journal *j)
{
	struct jentry *e;
	size_t cap;

	if (j->n < j->cap)
		return 0;
	cap = j->cap ? j->cap * 2 : 32;
	e = realloc(j->e, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	j->e = e;
	j->cap = cap;
	return 0;
}

void journal_push(struct journal *j, const struct jentry *e)
{
	/* journal_reserve made room: a change the kernel took is never dropped here */
	if (j->n >= j->cap)
		abort();
	j->e[j->n++] = *e;
}

struct jentry *journal_last(struct journal *j)
{
	return j->n ? &j->e[j->n - 1] : NULL;
}

void journal_moved_free(struct jmoved *m)
{
	if (!m)
		return;
	free(m->addrs);
	free(m->routes);
	free(m);
}

int journal_save_link(const struct actual_ns *a, int ifindex, struct jmoved **out)
{
	struct jmoved *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_links; i++)
		if (a->links[i].ifindex == ifindex)
			m->was_up = a->links[i].flags & IFF_UP;
	m->addrs = calloc(a->n_addrs + 1, sizeof(*m->addrs));
	m->routes = calloc(a->n_routes + 1, sizeof(*m->routes));
	if (!m->addrs || !m->routes) {
		journal_moved_free(m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < a->n_addrs; i++) {
		const struct actual_addr *aa = &a->addrs[i];

		if (aa->ifindex == ifindex && !(aa->p.addr.family == AF_INET6 &&
						IN6_IS_ADDR_LINKLOCAL(&aa->p.addr.v6)))
			m->addrs[m->n_addrs++] = aa->p;
	}
	/* Routes without a gateway through it are the addresses' own prefixes: they come back
	 * with the addresses. */
	for (size_t i = 0; i < a->n_routes; i++)
		if (a->routes[i].ifindex == ifindex && a->routes[i].has_gw)
			m->routes[m->n_routes++] = (struct jroute){ a->routes[i].dst, a->routes[i].gw };
	*out = m;
	return 0;
}

static struct nlconn *conn(struct mesh_view *v, bool in_priv)
{
	return in_priv ? &v->priv : &v->under;
}

/* By name: the move in may have renumbered the link (its ifindex was taken there); the move
 * back asks for its old number. */
static int move_back(struct mesh_view *v, const struct jentry *e, struct nl_err *nle)
{
	const struct jmoved *m = e->moved;
	int idx = 0, ret = link_lookup(&v->priv, e->name, &idx, NULL, nle);

	if (ret == 0)
		ret = link_move_as(&v->priv, idx, v->self_fd, e->ifindex, nle);
	if (ret == 0)
		ret = link_lookup(&v->under, e->name, &idx, NULL, nle);
	for (size_t k = 0; ret == 0 && k < m->n_addrs; k++) {
		ret = addr_add(&v->under, idx, &m->addrs[k], nle);
		if (ret == -EEXIST)
			ret = 0;
	}
	if (ret == 0 && m->was_up)
		ret = link_set_up(&v->under, idx, true, nle);
	for (size_t k = 0; ret == 0 && k < m->n_routes; k++) {
		ret = route_add(&v->under, &m->routes[k].dst, &m->routes[k].gw, idx, nle);
		if (ret == -EEXIST)
			ret = 0;
	}
	return ret;
}

/* Sets the device's whole configuration as it was. A peer's endpoint cannot be unset, so a
 * peer that had none but has one now is removed first and then added back as it was. */
static int restore_device(enum wgdev_backend be, int nsfd, struct wgdev_config *was, struct nl_err *nle)
{
	struct wgdev_config now = { 0 }, without = *was;
	bool changed, readd = false;
	int ret;

	/* A device that had no private key gets the all-zero one, which both back ends read as
	 * "none" (was->private_key is zero then: wgdev_get clears it). */
	was->has_private_key = true;
	ret = wgdev_get(be, nsfd, was->ifname, &now, nle);
	if (ret < 0)
		return ret;
	without.peers = calloc(was->n_peers + 1, sizeof(*without.peers));
	if (!without.peers) {
		ret = -ENOMEM;
		goto out;
	}
	without.n_peers = 0;
	for (size_t i = 0; i < was->n_peers; i++) {
		bool has_ep_now = false;

		for (size_t k = 0; k < now.n_peers; k++)
			if (wgm_key_equal(&now.peers[k].public_key, &was->peers[i].public_key))
				has_ep_now = now.peers[k].has_endpoint;
		if (!was->peers[i].has_endpoint && has_ep_now)
			readd = true;
		else
			without.peers[without.n_peers++] = was->peers[i];
	}
	if (readd)
		ret = wgdev_sync(be, nsfd, &without, &changed, nle);
	if (ret == 0)
		ret = wgdev_sync(be, nsfd, was, &changed, nle);
out:
	free(without.peers);
	wgdev_config_wipe(&without);
	wgdev_config_free(&now);
	return ret;
}

/* An object already gone is undone: an IPv6 address goes with its link's down state, a route
 * with its address or link. */
static int gone_is_done(int ret)
{
	return ret == -ENODEV || ret == -EADDRNOTAVAIL ? 0 : ret;
}

static int undo_one(struct journal *j, struct mesh_view *v, struct jentry *e, struct nl_err *nle)
{
	int idx = 0, ret;

	switch (e->kind) {
	case J_NETNS:
		nlconn_close(&v->priv);
		return netns_delete(e->name);
	case J_LINK:
		ret = link_lookup(conn(v, e->in_priv), e->name, &idx, NULL, nle);
		return gone_is_done(ret < 0 ? ret : link_delete(conn(v, e->in_priv), idx, NULL, nle));
	case J_MOVED_IN:
		return move_back(v, e, nle);
	case J_ADDR:
		return gone_is_done(addr_del(conn(v, e->in_priv), e->ifindex, &e->p, nle));
	case J_ROUTE:
		return gone_is_done(route_del(conn(v, e->in_priv), &e->p, &e->gw, e->ifindex, nle));
	case J_SYSCTL:
		return ns_sysctl_write(e->in_priv ? v->priv_fd : -1, e->name, e->old);
	case J_WGDEV:
		return wgdev_destroy(j->be, e->name, e->in_priv ? v->priv_fd : -1, nle);
	case J_WGSET:
		return restore_device(j->be, v->priv_fd, &e->dev, nle);
	case J_UP:
		return gone_is_done(link_set_up(conn(v, e->in_priv), e->ifindex, false, nle));
	}
	return -EINVAL;
}

static void entry_free(struct jentry *e)
{
	journal_moved_free(e->moved);
	e->moved = NULL;
	wgdev_config_free(&e->dev);
}

int journal_undo(struct journal *j, struct mesh_view *v, size_t *undone)
{
	int first = 0;

	*undone = 0;
	while (j->n > 0) {
		struct jentry *e = &j->e[--j->n];
		struct nl_err nle = { 0 };
		char why[300];
		int ret = undo_one(j, v, e, &nle);

		if (ret < 0) {
			log_err("undoing a change to %s failed: %s", e->name[0] ? e->name : "a link",
				nl_err_str(&nle, ret, why, sizeof(why)));
			if (!first)
				first = ret;
		}
		entry_free(e);
		(*undone)++;
	}
	return first;
}

void journal_free(struct journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		entry_free(&j->e[i]);
	free(j->e);
	j->e = NULL;
	j->n = j->cap = 0;
}
