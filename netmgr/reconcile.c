/* Diff and ordered apply with a journal of what this run created, undone in reverse on
 * failure. Reads come from one snapshot per namespace (actual.c); nothing is written that the
 * snapshot shows is already so, which is what makes an unchanged record a no-op. */
#include "reconcile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actual.h"
#include "link.h"
#include "log.h"
#include "netns.h"
#include "ports.h"
#include "sysctl.h"
#include "view.h"

enum jkind { J_NETNS, J_LINK, J_MOVED_IN, J_ADDR, J_ROUTE, J_SYSCTL, J_WGDEV, J_UP };

#define MAX_SAVED_ADDRS 8

struct jentry {
	enum jkind kind;
	bool in_priv;
	int ifindex;
	struct wgm_prefix p;
	struct wgm_ip gw;
	char name[64];
	char old[32];
	bool was_up;    /* J_MOVED_IN: the link's underlay state and addresses, put back on undo */
	size_t n_saved;
	struct wgm_prefix saved[MAX_SAVED_ADDRS];
};

struct rc {
	const struct desired_state *d;
	const struct node_names *n;
	enum wgdev_backend be;
	bool dry_run;
	struct endpoint_memory *ep; /* the run loop's; NULL: no peer is moved */
	struct mesh_view v;
	struct reconcile_result *res;
	size_t n_journal;
	struct jentry *journal;
};

/* Our per-peer devices: w, g, then the peer's octet (FORMAT.md). */
bool is_mesh_wg_name(const char *name)
{
	if (name[0] != 'w' || name[1] != 'g' || !name[2])
		return false;
	for (const char *p = name + 2; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

enum wgdev_backend backend_of_kind(const char *kind)
{
	return !strcmp(kind, "wireguard") ? WGDEV_KERNEL : WGDEV_USERSPACE;
}

static void change(struct rc *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void change(struct rc *r, const char *fmt, ...)
{
	char line[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->res->changes++;
	if (r->dry_run)
		printf("would %s\n", line);
	else
		log_info("%s", line);
}

static int fail(struct rc *r, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct rc *r, int ret, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->res->err, sizeof(r->res->err), "%s: %s%s%s", what, strerror(-ret),
		 *link_last_error() ? " / " : "", link_last_error());
	return ret;
}

static int journal(struct rc *r, const struct jentry *e)
{
	struct jentry *j;

	if (r->n_journal % 32 == 0) {
		j = realloc(r->journal, (r->n_journal + 32) * sizeof(*j));
		if (!j)
			return -ENOMEM;
		r->journal = j;
	}
	r->journal[r->n_journal++] = *e;
	return 0;
}

static struct nlconn *conn(struct rc *r, bool in_priv)
{
	return in_priv ? &r->v.priv : &r->v.under;
}

/* Undo in reverse; every step is tried, the first failure is reported. */
static void rollback(struct rc *r)
{
	int first = 0;
	size_t undone = 0;

	for (size_t i = r->n_journal; i-- > 0;) {
		struct jentry *e = &r->journal[i];
		int ret = 0;

		switch (e->kind) {
		case J_NETNS:
			nlconn_close(&r->v.priv);
			ret = netns_delete(e->name);
			break;
		case J_LINK:
			ret = link_delete(conn(r, e->in_priv), e->ifindex);
			break;
		case J_MOVED_IN: {
			/* By name: a move may renumber a link whose ifindex is taken on the other side. */
			int idx = 0;
			ret = link_lookup(&r->v.priv, e->name, &idx, NULL);
			if (ret == 0)
				ret = link_move(&r->v.priv, idx, r->v.self_fd);
			if (ret == 0)
				ret = link_lookup(&r->v.under, e->name, &idx, NULL);
			for (size_t k = 0; ret == 0 && k < e->n_saved; k++)
				addr_add(&r->v.under, idx, &e->saved[k]);
			if (ret == 0 && e->was_up)
				ret = link_set_up(&r->v.under, idx, true);
			break;
		}
		case J_ADDR:
			ret = addr_del(conn(r, e->in_priv), e->ifindex, &e->p);
			break;
		case J_ROUTE:
			ret = route_del(conn(r, e->in_priv), &e->p, &e->gw, e->ifindex);
			break;
		case J_SYSCTL:
			ret = ns_sysctl_write(e->in_priv ? r->v.priv_fd : -1, e->name, e->old);
			break;
		case J_WGDEV:
			ret = wgdev_destroy(r->be, e->name, e->in_priv ? r->v.priv_fd : -1);
			break;
		case J_UP:
			ret = link_set_up(conn(r, e->in_priv), e->ifindex, false);
			break;
		}
		if (ret < 0 && !first)
			first = ret;
		undone++;
	}
	size_t len = strlen(r->res->err);
	snprintf(r->res->err + len, sizeof(r->res->err) - len, "; rolled back %zu change%s%s%s",
		 undone, undone == 1 ? "" : "s", first ? ", undo failed: " : "",
		 first ? strerror(-first) : "");
}

static int ensure_up(struct rc *r, bool in_priv, const char *name, int ifindex, unsigned flags)
{
	int ret;

	if (flags & IFF_UP)
		return 0;
	change(r, "set %s up", name);
	if (r->dry_run)
		return 0;
	ret = link_set_up(conn(r, in_priv), ifindex, true);
	if (ret < 0)
		return fail(r, ret, "setting %s up", name);
	return journal(r, &(struct jentry){ .kind = J_UP, .in_priv = in_priv, .ifindex = ifindex });
}

static int ensure_addr(struct rc *r, bool in_priv, const char *name, int ifindex,
		       const struct wgm_prefix *p)
{
	struct actual_ns *a = in_priv ? &r->v.a_priv : &r->v.a_under;
	char txt[INET6_ADDRSTRLEN];
	int ret;

	if (ifindex > 0 && actual_has_addr(a, ifindex, p))
		return 0;
	inet_ntop(p->addr.family, &p->addr.v6, txt, sizeof(txt));
	change(r, "add address %s/%u to %s", txt, p->len, name);
	if (r->dry_run)
		return 0;
	ret = addr_add(conn(r, in_priv), ifindex, p);
	if (ret < 0)
		return fail(r, ret, "adding %s/%u to %s", txt, p->len, name);
	return journal(r, &(struct jentry){ .kind = J_ADDR, .in_priv = in_priv, .ifindex = ifindex, .p = *p });
}

static int step_namespace(struct rc *r)
{
	int ret;

	if (r->v.priv_fd >= 0)
		return 0;
	change(r, "create namespace %s", r->n->netns);
	if (r->dry_run)
		return 0;
	ret = netns_create(r->n->netns);
	if (ret < 0)
		return fail(r, ret, "creating namespace %s", r->n->netns);
	struct jentry e = { .kind = J_NETNS };
	snprintf(e.name, sizeof(e.name), "%s", r->n->netns);
	ret = journal(r, &e);
	if (ret < 0)
		return ret;
	return mesh_view_open_private(r->n->netns, &r->v, r->res->err, sizeof(r->res->err));
}

/* Looks a link up in a snapshot, or (after this run made it) in the kernel. */
static int find_link(struct rc *r, bool in_priv, const char *name, int *ifindex, unsigned *flags)
{
	const struct actual_link *l = actual_link_by_name(in_priv ? &r->v.a_priv : &r->v.a_under, name);

	if (l) {
		*ifindex = l->ifindex;
		*flags = l->flags;
		return 0;
	}
	if (r->dry_run || (in_priv && !r->v.priv.sk))
		return -ENODEV;
	return link_lookup(conn(r, in_priv), name, ifindex, flags);
}

static int step_veth(struct rc *r)
{
	const struct desired_state *d = r->d;
	int out_idx = 0, in_idx = 0, ret;
	unsigned out_flags = 0, in_flags = 0;
	bool have_out = find_link(r, false, d->names.veth_outer, &out_idx, &out_flags) == 0;
	bool have_in = find_link(r, true, d->names.veth_inner, &in_idx, &in_flags) == 0;

	if (have_out != have_in) {
		/* Half a pair (the other end was deleted by hand): make it whole again. */
		change(r, "delete the lone veth end %s", have_out ? d->names.veth_outer : d->names.veth_inner);
		if (!r->dry_run) {
			ret = link_delete(conn(r, have_in), have_out ? out_idx : in_idx);
			if (ret < 0)
				return fail(r, ret, "deleting the lone veth end");
		}
		have_out = have_in = false;
	}
	if (!have_out) {
		change(r, "create veth %s (underlay) <-> %s (%s)", d->names.veth_outer,
		       d->names.veth_inner, d->names.netns);
		if (!r->dry_run) {
			ret = link_veth_create(&r->v.under, d->names.veth_outer, d->names.veth_inner, r->v.priv_fd);
			if (ret < 0)
				return fail(r, ret, "creating veth %s", d->names.veth_outer);
			ret = link_lookup(&r->v.under, d->names.veth_outer, &out_idx, &out_flags);
			if (ret == 0)
				ret = journal(r, &(struct jentry){ .kind = J_LINK, .ifindex = out_idx });
			if (ret == 0)
				ret = link_lookup(&r->v.priv, d->names.veth_inner, &in_idx, &in_flags);
			if (ret < 0)
				return fail(r, ret, "finding the new veth %s", d->names.veth_inner);
		}
	}
	ret = ensure_addr(r, false, d->names.veth_outer, out_idx, &d->veth_outer_addr);
	if (ret == 0)
		ret = ensure_up(r, false, d->names.veth_outer, out_idx, out_flags);
	if (ret == 0)
		ret = ensure_addr(r, true, d->names.veth_inner, in_idx, &d->veth_inner_addr);
	if (ret == 0)
		ret = ensure_up(r, true, d->names.veth_inner, in_idx, in_flags);
	return ret;
}

static int step_trust(struct rc *r)
{
	const struct node_names *n = r->n;
	int idx = 0, ret;
	unsigned flags = 0;

	if (!n->trust_if[0])
		return 0;
	if (find_link(r, true, n->trust_if, &idx, &flags) < 0) {
		struct jentry e = { .kind = J_MOVED_IN };
		const struct actual_link *l = actual_link_by_name(&r->v.a_under, n->trust_if);

		if (!l)
			return fail(r, -ENODEV, "trust interface %s is in neither the underlay nor %s (check interface_trust in the host state)",
				    n->trust_if, n->netns);
		idx = e.ifindex = l->ifindex;
		e.was_up = l->flags & IFF_UP;
		snprintf(e.name, sizeof(e.name), "%s", n->trust_if);
		for (size_t i = 0; i < r->v.a_under.n_addrs && e.n_saved < MAX_SAVED_ADDRS; i++) {
			const struct actual_addr *aa = &r->v.a_under.addrs[i];
			if (aa->ifindex == idx && !(aa->p.addr.family == AF_INET6 &&
						    IN6_IS_ADDR_LINKLOCAL(&aa->p.addr.v6)))
				e.saved[e.n_saved++] = aa->p;
		}
		change(r, "move trust interface %s into %s", n->trust_if, n->netns);
		if (!r->dry_run) {
			ret = link_move(&r->v.under, idx, r->v.priv_fd);
			if (ret < 0)
				return fail(r, ret, "moving %s into %s", n->trust_if, n->netns);
			ret = journal(r, &e);
			if (ret == 0)
				ret = link_lookup(&r->v.priv, n->trust_if, &idx, &flags);
			if (ret < 0)
				return fail(r, ret, "finding %s in %s", n->trust_if, n->netns);
		}
		flags = 0;
	}
	ret = 0;
	if (n->has_trust_ip)
		ret = ensure_addr(r, true, n->trust_if, idx, &n->trust_ip);
	if (ret == 0)
		ret = ensure_up(r, true, n->trust_if, idx, flags);
	return ret;
}

static int step_routes(struct rc *r)
{
	int idx = 0, ret;
	unsigned flags;

	if (find_link(r, true, r->d->names.veth_inner, &idx, &flags) < 0 && !r->dry_run)
		return fail(r, -ENODEV, "veth %s vanished", r->d->names.veth_inner);
	for (size_t i = 0; i < 2; i++) {
		const struct wgm_prefix *dst = &r->d->halves[i];
		char txt[INET_ADDRSTRLEN];

		if (idx > 0 && actual_has_route(&r->v.a_priv, dst, &r->d->gateway, idx))
			continue;
		inet_ntop(AF_INET, &dst->addr.v4, txt, sizeof(txt));
		change(r, "add route %s/%u via the veth in %s", txt, dst->len, r->n->netns);
		if (r->dry_run)
			continue;
		ret = route_add(&r->v.priv, dst, &r->d->gateway, idx);
		if (ret < 0)
			return fail(r, ret, "adding route %s/%u in %s", txt, dst->len, r->n->netns);
		ret = journal(r, &(struct jentry){ .kind = J_ROUTE, .in_priv = true, .ifindex = idx,
						    .p = *dst, .gw = r->d->gateway });
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int step_sysctls(struct rc *r)
{
	for (size_t i = 0; i < r->d->n_sysctls; i++) {
		const struct desired_sysctl *s = &r->d->sysctls[i];
		struct jentry e = { .kind = J_SYSCTL, .in_priv = true };
		int ret;

		if (r->v.priv_fd >= 0) {
			ret = ns_sysctl_read(r->v.priv_fd, s->key, e.old, sizeof(e.old));
			if (ret < 0)
				return fail(r, ret, "reading %s in %s", s->key, r->n->netns);
			if (!strcmp(e.old, s->value))
				continue;
		}
		change(r, "set %s = %s in %s", s->key, s->value, r->n->netns);
		if (r->dry_run)
			continue;
		ret = ns_sysctl_write(r->v.priv_fd, s->key, s->value);
		if (ret < 0)
			return fail(r, ret, "writing %s in %s", s->key, r->n->netns);
		snprintf(e.name, sizeof(e.name), "%s", s->key);
		ret = journal(r, &e);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void fill_device(struct wgdev_config *cfg, struct wgdev_peer *peer, const struct desired_state *d,
			const struct desired_peer *p, const struct sockaddr_storage *ep)
{
	memset(cfg, 0, sizeof(*cfg));
	memset(peer, 0, sizeof(*peer));
	snprintf(cfg->ifname, sizeof(cfg->ifname), "%s", p->ifname);
	cfg->private_key = d->private_key;
	cfg->has_private_key = true;
	cfg->listen_port = p->listen_port;
	cfg->n_peers = 1;
	cfg->peers = peer;
	peer->public_key = p->public_key;
	peer->keepalive = p->keepalive;
	if (ep) {
		peer->has_endpoint = true;
		peer->endpoint = *ep;
	}
	/* 1.0's AllowedIPs: BIRD routes over the link decide what goes where. */
	peer->n_allowed = 2;
	peer->allowed[0].family = AF_INET;
	peer->allowed[1].family = AF_INET6;
}

/* The dry run's view of what wgdev_sync would write. */
static bool device_differs(const struct wgdev_config *cur, const struct wgdev_config *want)
{
	const struct wgdev_peer *w = &want->peers[0];

	if (cur->listen_port != want->listen_port || cur->n_peers != 1 ||
	    (cur->has_private_key && !wgm_key_equal(&cur->private_key, &want->private_key)))
		return true;
	if (!wgm_key_equal(&cur->peers[0].public_key, &w->public_key) ||
	    cur->peers[0].keepalive != w->keepalive)
		return true;
	return w->has_endpoint && !(cur->peers[0].has_endpoint &&
				    sockaddr_equal(&cur->peers[0].endpoint, &w->endpoint));
}

static int create_device(struct rc *r, const struct desired_peer *p, int *idx)
{
	struct jentry e = { .kind = J_WGDEV };
	int ret;

	change(r, "create WireGuard device %s (port %u, peer %s)", p->ifname, p->listen_port, p->hostname);
	if (r->dry_run)
		return 0;
	ret = wgdev_create(r->be, p->ifname, idx);
	if (ret < 0)
		return fail(r, ret, "creating %s", p->ifname);
	snprintf(e.name, sizeof(e.name), "%s", p->ifname);
	ret = journal(r, &e);
	if (ret < 0)
		return ret;
	ret = link_move(&r->v.under, *idx, r->v.priv_fd);
	if (ret < 0)
		return fail(r, ret, "moving %s into %s", p->ifname, r->n->netns);
	r->journal[r->n_journal - 1].in_priv = true;
	ret = link_lookup(&r->v.priv, p->ifname, idx, NULL);
	if (ret < 0)
		return fail(r, ret, "finding %s in %s", p->ifname, r->n->netns);
	return 0;
}

static int step_peer(struct rc *r, const struct desired_peer *p)
{
	struct wgdev_config cfg, cur = { 0 };
	struct wgdev_peer peer;
	bool exists, have_cur = false, changed = false;
	int idx = 0, ret;
	unsigned flags = 0;

	exists = find_link(r, true, p->ifname, &idx, &flags) == 0;
	if (exists)
		have_cur = wgdev_get(r->be, r->v.priv_fd, p->ifname, &cur) == 0;
	else if ((ret = create_device(r, p, &idx)) < 0)
		return ret;

	fill_device(&cfg, &peer, r->d, p, endpoint_pick(r->ep, p, have_cur ? &cur : NULL,
							   endpoint_families(&r->v.a_under), time(NULL)));
	if (r->dry_run) {
		if (exists && (!have_cur || device_differs(&cur, &cfg)))
			change(r, "update the peer of %s (%s)", p->ifname, p->hostname);
	} else {
		ret = wgdev_sync(r->be, r->v.priv_fd, &cfg, &changed);
		if (ret < 0) {
			fail(r, ret, "configuring %s", p->ifname);
			goto out;
		}
		if (changed && exists)
			change(r, "update the peer of %s (%s)", p->ifname, p->hostname);
	}
	ret = ensure_addr(r, true, p->ifname, idx, &p->tunnel_addr);
	if (ret == 0)
		ret = ensure_up(r, true, p->ifname, idx, exists ? flags : 0);
out:
	if (have_cur)
		wgdev_config_free(&cur);
	wgdev_config_wipe(&cfg);
	return ret;
}

static bool desired_has_if(const struct desired_state *d, const char *name)
{
	for (size_t i = 0; i < d->n_peers; i++)
		if (!strcmp(d->peers[i].ifname, name))
			return true;
	return false;
}

/* A peer that left the mesh: its device goes, nothing else is touched. */
static int step_stale_devices(struct rc *r)
{
	for (size_t i = 0; i < r->v.a_priv.n_links; i++) {
		const struct actual_link *l = &r->v.a_priv.links[i];
		int ret;

		if (!is_mesh_wg_name(l->name) || desired_has_if(r->d, l->name))
			continue;
		change(r, "remove WireGuard device %s (peer left the mesh)", l->name);
		if (r->dry_run)
			continue;
		ret = wgdev_destroy(backend_of_kind(l->kind), l->name, r->v.priv_fd);
		if (ret < 0)
			return fail(r, ret, "removing %s", l->name);
	}
	return 0;
}

/* Checks that need no change: refused here, nothing has been touched yet. */
static int preflight(struct rc *r)
{
	uint16_t ports[WGM_MAX_HOSTS];
	size_t n_ports = 0, n_all = 0;
	uint16_t all[WGM_MAX_HOSTS];

	if (r->n->trust_if[0] && !actual_link_by_name(&r->v.a_priv, r->n->trust_if) &&
	    !actual_link_by_name(&r->v.a_under, r->n->trust_if))
		return fail(r, -ENODEV, "trust interface %s is in neither the underlay nor %s (check interface_trust in the host state)",
			    r->n->trust_if, r->n->netns);
	for (size_t i = 0; i < r->d->n_peers; i++) {
		all[n_all++] = r->d->peers[i].listen_port;
		/* A device we already run holds its own port. */
		if (!actual_link_by_name(&r->v.a_priv, r->d->peers[i].ifname))
			ports[n_ports++] = r->d->peers[i].listen_port;
	}
	ports_warn_ephemeral(all, n_all);
	return ports_find_conflict(ports, NULL, n_ports, r->res->err, sizeof(r->res->err));
}

static void close_all(struct rc *r)
{
	mesh_view_close(&r->v);
	free(r->journal);
}

int reconcile_apply(const struct desired_state *d, enum wgdev_backend be, bool dry_run,
		    struct endpoint_memory *ep, struct reconcile_result *res)
{
	struct rc r = { .d = d, .n = &d->names, .be = be, .dry_run = dry_run, .ep = ep, .res = res };
	int ret;

	memset(res, 0, sizeof(*res));
	ret = mesh_view_open(r.n->netns, &r.v, res->err, sizeof(res->err));
	if (ret == 0)
		ret = preflight(&r);
	if (ret < 0)
		goto out;
	ret = step_namespace(&r);
	if (ret == 0)
		ret = step_veth(&r);
	if (ret == 0)
		ret = step_trust(&r);
	if (ret == 0)
		ret = step_routes(&r);
	if (ret == 0)
		ret = step_sysctls(&r);
	for (size_t i = 0; ret == 0 && i < d->n_peers; i++)
		ret = step_peer(&r, &d->peers[i]);
	if (ret == 0)
		ret = step_stale_devices(&r);
	if (ret < 0 && !dry_run)
		rollback(&r);
out:
	close_all(&r);
	return ret;
}

int reconcile_down(const struct node_names *n, bool dry_run, struct reconcile_result *res)
{
	struct rc r = { .n = n, .dry_run = dry_run, .res = res };
	int ret, idx;
	unsigned flags;

	memset(res, 0, sizeof(*res));
	ret = mesh_view_open(r.n->netns, &r.v, res->err, sizeof(res->err));
	if (ret < 0 || r.v.priv_fd < 0)
		goto out;
	for (size_t i = 0; i < r.v.a_priv.n_links; i++) {
		const struct actual_link *l = &r.v.a_priv.links[i];

		if (!is_mesh_wg_name(l->name))
			continue;
		change(&r, "remove WireGuard device %s", l->name);
		if (!dry_run && (ret = wgdev_destroy(backend_of_kind(l->kind), l->name, r.v.priv_fd)) < 0) {
			fail(&r, ret, "removing %s", l->name);
			goto out;
		}
	}
	if (n->trust_if[0] && find_link(&r, true, n->trust_if, &idx, &flags) == 0) {
		change(&r, "give trust interface %s back to the underlay", n->trust_if);
		if (!dry_run) {
			ret = link_move(&r.v.priv, idx, r.v.self_fd);
			if (ret == 0)
				ret = link_lookup(&r.v.under, n->trust_if, &idx, &flags);
			if (ret == 0 && n->has_trust_ip)
				ret = addr_add(&r.v.under, idx, &n->trust_ip);
			if (ret == 0)
				ret = link_set_up(&r.v.under, idx, true);
			if (ret < 0) {
				fail(&r, ret, "giving %s back", n->trust_if);
				goto out;
			}
		}
	}
	if (find_link(&r, false, n->veth_outer, &idx, &flags) == 0) {
		change(&r, "delete veth %s", n->veth_outer);
		if (!dry_run && (ret = link_delete(&r.v.under, idx)) < 0) {
			fail(&r, ret, "deleting veth %s", n->veth_outer);
			goto out;
		}
	}
	change(&r, "delete namespace %s", n->netns);
	if (!dry_run && (ret = netns_delete(n->netns)) < 0)
		fail(&r, ret, "deleting namespace %s", n->netns);
out:
	close_all(&r);
	return ret < 0 ? ret : 0;
}
