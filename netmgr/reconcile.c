/* Diff and ordered apply with a journal (journal.c) of every change, undone in reverse when
 * this run or a later step of the deploy fails. Reads come from one snapshot per namespace
 * (actual.c); nothing is written that the snapshot shows is already so, which is what makes an
 * unchanged record a no-op. Devices of peers that left go only at commit, after all else. */
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
#include "journal.h"
#include "link.h"
#include "log.h"
#include "names.h"
#include "netns.h"
#include "netns_new.h"
#include "ports.h"
#include "sysctl.h"
#include "uapi_limits.h"
#include "view.h"

struct reconcile {
	const struct desired_state *d;
	const struct wgm_node_names *n;
	enum wgdev_backend be;
	bool dry_run;
	struct endpoint_memory *ep; /* the run loop's; NULL: no peer is moved */
	struct mesh_view v;
	struct reconcile_result *res;
	struct journal j;
	/* per desired peer, its device as read before this run changed anything (ifname empty:
	 * there was none): the port check and step_peer share this one reading */
	struct wgdev_config *cur;
	/* reconcile_plan: the readings come from here, not the kernel (a dry run) */
	const struct reconcile_readings *in;
};

static void change(struct reconcile *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void change(struct reconcile *r, const char *fmt, ...)
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

/* The one line of what failed: what this step was doing, then the error and the kernel's text
 * of the call that failed (e, NULL when the failure was not the kernel's). */
static int fail(struct reconcile *r, int ret, const struct nl_err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct reconcile *r, int ret, const struct nl_err *e, const char *fmt, ...)
{
	char what[300], why[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->res->err, sizeof(r->res->err), "%s: %s", what, nl_err_str(e, ret, why, sizeof(why)));
	return ret;
}

static struct nlconn *conn(struct reconcile *r, bool in_priv)
{
	return in_priv ? &r->v.priv : &r->v.under;
}

/* Undo everything journaled; the summary goes after what failed in err. */
static void rollback(struct reconcile *r, char *err, size_t errlen)
{
	size_t undone, len = strlen(err);
	int first = journal_undo(&r->j, &r->v, &undone);

	snprintf(err + len, errlen - len, "; rolled back %zu change%s%s%s", undone,
		 undone == 1 ? "" : "s", first ? ", undo failed: " : "", first ? strerror(-first) : "");
}

static int ensure_up(struct reconcile *r, bool in_priv, const char *name, int ifindex, unsigned flags)
{
	struct nl_err nle = { 0 };
	int ret;

	if (flags & IFF_UP)
		return 0;
	change(r, "set %s up", name);
	if (r->dry_run)
		return 0;
	ret = journal_reserve(&r->j);
	if (ret == 0)
		ret = link_set_up(conn(r, in_priv), ifindex, true, &nle);
	if (ret < 0)
		return fail(r, ret, &nle, "setting %s up", name);
	struct jentry e = { .kind = J_UP, .in_priv = in_priv, .ifindex = ifindex };
	snprintf(e.name, sizeof(e.name), "%s", name);
	journal_push(&r->j, &e);
	return 0;
}

static int ensure_addr(struct reconcile *r, bool in_priv, const char *name, int ifindex,
		       const struct wgm_prefix *p)
{
	struct nl_err nle = { 0 };
	struct actual_ns *a = in_priv ? &r->v.a_priv : &r->v.a_under;
	char txt[INET6_ADDRSTRLEN];
	int ret;

	if (ifindex > 0 && actual_has_addr(a, ifindex, p))
		return 0;
	inet_ntop(p->addr.family, &p->addr.v6, txt, sizeof(txt));
	change(r, "add address %s/%u to %s", txt, p->len, name);
	if (r->dry_run)
		return 0;
	ret = journal_reserve(&r->j);
	if (ret == 0)
		ret = addr_add(conn(r, in_priv), ifindex, p, &nle);
	if (ret < 0)
		return fail(r, ret, &nle, "adding %s/%u to %s", txt, p->len, name);
	struct jentry e = { .kind = J_ADDR, .in_priv = in_priv, .ifindex = ifindex, .p = *p };
	snprintf(e.name, sizeof(e.name), "%s", name);
	journal_push(&r->j, &e);
	return 0;
}

/* Does the private namespace exist (before this run made it)? */
static bool have_priv(const struct reconcile *r)
{
	return r->in ? r->in->have_priv : r->v.priv_fd >= 0;
}

static int step_namespace(struct reconcile *r)
{
	int ret;

	if (have_priv(r))
		return 0;
	change(r, "create namespace %s", r->n->netns);
	if (r->dry_run)
		return 0;
	ret = journal_reserve(&r->j);
	if (ret == 0)
		ret = netns_create(r->n->netns);
	if (ret < 0)
		return fail(r, ret, NULL, "creating namespace %s", r->n->netns);
	struct jentry e = { .kind = J_NETNS };
	snprintf(e.name, sizeof(e.name), "%s", r->n->netns);
	journal_push(&r->j, &e);
	return mesh_view_open_private(r->n->netns, &r->v, r->res->err, sizeof(r->res->err));
}

/* Looks a link up in a snapshot, or (after this run made it) in the kernel. */
static int find_link(struct reconcile *r, bool in_priv, const char *name, int *ifindex, unsigned *flags)
{
	const struct actual_link *l = actual_link_by_name(in_priv ? &r->v.a_priv : &r->v.a_under, name);

	if (l) {
		*ifindex = l->ifindex;
		*flags = l->flags;
		return 0;
	}
	if (r->dry_run || (in_priv && !r->v.priv.sk))
		return -ENODEV;
	return link_lookup(conn(r, in_priv), name, ifindex, flags, NULL);
}

static int step_veth(struct reconcile *r)
{
	struct nl_err nle = { 0 };
	const struct desired_state *d = r->d;
	int out_idx = 0, in_idx = 0, ret;
	unsigned out_flags = 0, in_flags = 0;
	bool have_out = find_link(r, false, d->names.veth_outer, &out_idx, &out_flags) == 0;
	bool have_in = find_link(r, true, d->names.veth_inner, &in_idx, &in_flags) == 0;

	if (have_out != have_in) {
		/* A veth end whose peer is elsewhere (preflight checked): deleting it takes the
		 * peer too, which no undo can bring back; it was of no use to this node. */
		change(r, "delete the lone veth end %s", have_out ? d->names.veth_outer : d->names.veth_inner);
		if (!r->dry_run) {
			ret = link_delete(conn(r, have_in), have_out ? out_idx : in_idx, NULL, &nle);
			if (ret < 0)
				return fail(r, ret, &nle, "deleting the lone veth end");
		}
		have_out = have_in = false;
	}
	if (!have_out) {
		change(r, "create veth %s (underlay) <-> %s (%s)", d->names.veth_outer,
		       d->names.veth_inner, d->names.netns);
		if (!r->dry_run) {
			ret = journal_reserve(&r->j);
			if (ret == 0)
				ret = link_veth_create(&r->v.under, d->names.veth_outer, d->names.veth_inner, r->v.priv_fd, &nle);
			if (ret < 0)
				return fail(r, ret, &nle, "creating veth %s", d->names.veth_outer);
			struct jentry e = { .kind = J_LINK };
			snprintf(e.name, sizeof(e.name), "%s", d->names.veth_outer);
			journal_push(&r->j, &e);
			ret = link_lookup(&r->v.under, d->names.veth_outer, &out_idx, &out_flags, &nle);
			if (ret == 0)
				ret = link_lookup(&r->v.priv, d->names.veth_inner, &in_idx, &in_flags, &nle);
			if (ret < 0)
				return fail(r, ret, &nle, "finding the new veth %s", d->names.veth_inner);
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

static int step_trust(struct reconcile *r)
{
	struct nl_err nle = { 0 };
	const struct wgm_node_names *n = r->n;
	int idx = 0, ret;
	unsigned flags = 0;

	if (!n->trust_if[0])
		return 0;
	if (find_link(r, true, n->trust_if, &idx, &flags) < 0) {
		struct jentry e = { .kind = J_MOVED_IN };
		const struct actual_link *l = actual_link_by_name(&r->v.a_under, n->trust_if);

		if (!l)
			return fail(r, -ENODEV, NULL, "trust interface %s vanished", n->trust_if);
		idx = e.ifindex = l->ifindex;
		snprintf(e.name, sizeof(e.name), "%s", n->trust_if);
		change(r, "move trust interface %s into %s", n->trust_if, n->netns);
		if (!r->dry_run) {
			ret = journal_save_link(&r->v.a_under, idx, &e.moved);
			if (ret == 0 && (ret = journal_reserve(&r->j)) == 0 &&
			    (ret = link_move(&r->v.under, idx, r->v.priv_fd, &nle)) < 0)
				journal_moved_free(e.moved);
			if (ret < 0)
				return fail(r, ret, &nle, "moving %s into %s", n->trust_if, n->netns);
			journal_push(&r->j, &e);
			ret = link_lookup(&r->v.priv, n->trust_if, &idx, &flags, &nle);
			if (ret < 0)
				return fail(r, ret, &nle, "finding %s in %s", n->trust_if, n->netns);
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

static int step_routes(struct reconcile *r)
{
	struct nl_err nle = { 0 };
	int idx = 0, ret;
	unsigned flags;

	if (find_link(r, true, r->d->names.veth_inner, &idx, &flags) < 0 && !r->dry_run)
		return fail(r, -ENODEV, NULL, "veth %s vanished", r->d->names.veth_inner);
	for (size_t i = 0; i < 2; i++) {
		const struct wgm_prefix *dst = &r->d->halves[i];
		char txt[INET_ADDRSTRLEN];

		if (idx > 0 && actual_has_route(&r->v.a_priv, dst, &r->d->gateway, idx))
			continue;
		inet_ntop(AF_INET, &dst->addr.v4, txt, sizeof(txt));
		change(r, "add route %s/%u via the veth in %s", txt, dst->len, r->n->netns);
		if (r->dry_run)
			continue;
		ret = journal_reserve(&r->j);
		if (ret == 0)
			ret = route_add(&r->v.priv, dst, &r->d->gateway, idx, &nle);
		if (ret < 0)
			return fail(r, ret, &nle, "adding route %s/%u in %s", txt, dst->len, r->n->netns);
		struct jentry e = { .kind = J_ROUTE, .in_priv = true, .ifindex = idx, .p = *dst,
				    .gw = r->d->gateway };
		snprintf(e.name, sizeof(e.name), "route %s/%u", txt, dst->len);
		journal_push(&r->j, &e);
	}
	return 0;
}

static int step_sysctls(struct reconcile *r)
{
	for (size_t i = 0; i < r->d->n_sysctls; i++) {
		const struct desired_sysctl *s = &r->d->sysctls[i];
		struct jentry e = { .kind = J_SYSCTL, .in_priv = !s->underlay };
		const char *where = s->underlay ? "the underlay" : r->n->netns;
		int fd = s->underlay ? -1 : r->v.priv_fd, ret;

		if (s->underlay || have_priv(r)) {
			ret = 0;
			if (r->in)
				snprintf(e.old, sizeof(e.old), "%s", r->in->sysctls[i]);
			else
				ret = ns_sysctl_read(fd, s->key, e.old, sizeof(e.old));
			if (ret < 0)
				return fail(r, ret, NULL, "reading %s in %s", s->key, where);
			if (!strcmp(e.old, s->value))
				continue;
		}
		change(r, "set %s = %s in %s", s->key, s->value, where);
		if (r->dry_run)
			continue;
		ret = journal_reserve(&r->j);
		if (ret == 0)
			ret = ns_sysctl_write(fd, s->key, s->value);
		if (ret < 0)
			return fail(r, ret, NULL, "writing %s in %s", s->key, where);
		snprintf(e.name, sizeof(e.name), "%s", s->key);
		journal_push(&r->j, &e);
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

static int create_device(struct reconcile *r, const struct desired_peer *p, int *idx)
{
	struct nl_err nle = { 0 };
	struct jentry e = { .kind = J_WGDEV };
	int ret;

	change(r, "create WireGuard device %s (port %u, peer %s)", p->ifname, p->listen_port, p->hostname);
	if (r->dry_run)
		return 0;
	ret = journal_reserve(&r->j);
	if (ret == 0)
		ret = wgdev_create(r->be, p->ifname, idx, &nle);
	if (ret < 0)
		return fail(r, ret, &nle, "creating %s", p->ifname);
	snprintf(e.name, sizeof(e.name), "%s", p->ifname);
	journal_push(&r->j, &e);
	ret = link_move(&r->v.under, *idx, r->v.priv_fd, &nle);
	if (ret < 0)
		return fail(r, ret, &nle, "moving %s into %s", p->ifname, r->n->netns);
	journal_last(&r->j)->in_priv = true;
	ret = link_lookup(&r->v.priv, p->ifname, idx, NULL, &nle);
	if (ret < 0)
		return fail(r, ret, &nle, "finding %s in %s", p->ifname, r->n->netns);
	return 0;
}

static int read_device(struct reconcile *r, const struct desired_peer *p, struct wgdev_config *cur)
{
	struct nl_err nle = { 0 };
	/* planning: a device the readings hold no reading of is not there to read */
	int ret = r->in ? -ENODEV : wgdev_get(r->be, r->v.priv_fd, p->ifname, cur, &nle);

	if (ret < 0)
		return fail(r, ret, &nle, "reading WireGuard device %s in %s (a link of that name that is not ours? remove or rename it)",
			    p->ifname, r->n->netns);
	return 0;
}

/* Every device the snapshot shows for a desired peer, read once before anything changes. */
static int read_devices(struct reconcile *r)
{
	r->cur = calloc(r->d->n_peers ? r->d->n_peers : 1, sizeof(*r->cur));
	if (!r->cur)
		return fail(r, -ENOMEM, NULL, "reading the WireGuard devices");
	for (size_t i = 0; i < r->d->n_peers; i++) {
		const struct desired_peer *p = &r->d->peers[i];
		int ret;

		if (r->in)
			r->cur[i] = r->in->devices[i];
		else if (actual_link_by_name(&r->v.a_priv, p->ifname) &&
			 (ret = read_device(r, p, &r->cur[i])) < 0)
			return ret;
	}
	return 0;
}

static void free_devices(struct reconcile *r)
{
	/* readings of reconcile_plan belong to its caller */
	for (size_t i = 0; r->cur && !r->in && i < r->d->n_peers; i++)
		wgdev_config_free(&r->cur[i]);
	free(r->cur);
	r->cur = NULL;
}

static int step_peer(struct reconcile *r, size_t i)
{
	const struct desired_peer *p = &r->d->peers[i];
	struct wgdev_config cfg, *cur = &r->cur[i];
	struct wgdev_peer peer;
	bool exists, changed = false;
	struct nl_err nle = { 0 };
	int idx = 0, ret;
	unsigned flags = 0;

	exists = find_link(r, true, p->ifname, &idx, &flags) == 0;
	/* a device the snapshot did not show but the kernel has: someone made it meanwhile */
	if (exists && !cur->ifname[0] && (ret = read_device(r, p, cur)) < 0)
		return ret;
	if (!exists && (ret = create_device(r, p, &idx)) < 0)
		return ret;

	fill_device(&cfg, &peer, r->d, p, endpoint_pick(r->ep, p, exists ? cur : NULL,
							   endpoint_families(&r->v.a_under), time(NULL)));
	if (r->dry_run) {
		if (exists && device_differs(cur, &cfg))
			change(r, "update the peer of %s (%s)", p->ifname, p->hostname);
	} else {
		ret = journal_reserve(&r->j);
		if (ret < 0) {
			fail(r, ret, &nle, "configuring %s", p->ifname);
			goto out;
		}
		ret = exists ? wgdev_sync_from(r->be, r->v.priv_fd, cur, &cfg, &changed, &nle)
			     : wgdev_sync(r->be, r->v.priv_fd, &cfg, &changed, &nle);
		/* A device we did not make goes back to all it had (a failed sync may have written
		 * part); the snapshot, private key included, moves into the journal. */
		if (exists && (ret < 0 || changed)) {
			struct jentry e = { .kind = J_WGSET, .in_priv = true, .dev = *cur };
			snprintf(e.name, sizeof(e.name), "%s", p->ifname);
			journal_push(&r->j, &e);
			/* the journal holds the key and the peers now; no copy stays behind */
			wgdev_config_wipe(&e.dev);
			*cur = (struct wgdev_config){ 0 };
		}
		if (ret < 0) {
			fail(r, ret, NULL, "configuring %s", p->ifname);
			goto out;
		}
		if (changed && exists)
			change(r, "update the peer of %s (%s)", p->ifname, p->hostname);
	}
	ret = ensure_addr(r, true, p->ifname, idx, &p->tunnel_addr);
	if (ret == 0)
		ret = ensure_up(r, true, p->ifname, idx, exists ? flags : 0);
out:
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

/* Peers that left the mesh: their devices go, nothing else is touched. Last of all, once the
 * whole deploy succeeded, because a removed device cannot be given back. Every one is tried;
 * a failure leaves that device for the next run. */
static int remove_stale_devices(struct reconcile *r)
{
	int first = 0;

	for (size_t i = 0; i < r->v.a_priv.n_links; i++) {
		const struct actual_link *l = &r->v.a_priv.links[i];
		struct nl_err nle = { 0 };
		int ret;

		if (!wgm_is_mesh_wg_name(l->name) || desired_has_if(r->d, l->name))
			continue;
		change(r, "remove WireGuard device %s (peer left the mesh)", l->name);
		if (r->dry_run)
			continue;
		ret = wgdev_destroy(wgdev_backend_of_kind(l->kind), l->name, r->v.priv_fd, &nle);
		if (ret < 0 && !first)
			first = fail(r, ret, &nle, "removing %s (the peer left the mesh; tried again next run)", l->name);
	}
	return first;
}

/* The ports the devices are yet to bind, before anything changes: a clash is refused with
 * nothing touched. (The interfaces were checked by the deploy's preflight, on this view.) */
static int check_ports(struct reconcile *r)
{
	uint16_t ports[WGM_MAX_HOSTS];
	const char *owners[WGM_MAX_HOSTS];
	size_t n_check = 0;
	int ret = read_devices(r);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < r->d->n_peers; i++)
		ports[i] = r->d->peers[i].listen_port;
	ports_warn_ephemeral(ports, r->d->n_peers);
	if (r->be == WGDEV_USERSPACE && !r->in) { /* planning reads no host state */
		size_t n_new = 0;

		for (size_t i = 0; i < r->d->n_peers; i++)
			n_new += !r->cur[i].ifname[0];
		ret = wg_uapi_check_capacity(n_new, r->res->err, sizeof(r->res->err));
		if (ret < 0)
			return ret;
	}
	/* A port our device already listens on is held by that device, by construction: only the
	 * ports a device is yet to bind are looked up (none in a no-op round). */
	for (size_t i = 0; i < r->d->n_peers; i++) {
		const struct desired_peer *p = &r->d->peers[i];

		if (r->cur[i].ifname[0] && r->cur[i].listen_port == p->listen_port)
			continue;
		ports[n_check] = p->listen_port;
		owners[n_check++] = r->cur[i].ifname[0] ? p->ifname : NULL;
	}
	/* the port check asks the kernel: not part of planning on readings */
	return r->in ? 0 : ports_find_conflict(ports, owners, n_check, r->res->err, sizeof(r->res->err));
}

static void close_all(struct reconcile *r)
{
	/* reconcile_plan's snapshots belong to its caller */
	if (r->in)
		r->v.a_under = r->v.a_priv = (struct actual_ns){ 0 };
	mesh_view_close(&r->v);
	journal_free(&r->j);
	free_devices(r);
	free(r);
}

static int apply(const struct desired_state *d, struct mesh_view *v, enum wgdev_backend be,
		 bool dry_run, struct endpoint_memory *ep, const struct reconcile_readings *in,
		 struct reconcile_result *res, struct reconcile **out)
{
	struct reconcile *r = calloc(1, sizeof(*r));
	int ret;

	memset(res, 0, sizeof(*res));
	*out = NULL;
	if (!r) {
		snprintf(res->err, sizeof(res->err), "out of memory");
		return -ENOMEM;
	}
	*r = (struct reconcile){ .d = d, .n = &d->names, .be = be, .dry_run = dry_run,
				  .ep = ep, .res = res, .j = { .be = be }, .in = in };
	mesh_view_move(&r->v, v);
	ret = check_ports(r);
	if (ret < 0)
		goto fail;
	ret = step_namespace(r);
	if (ret == 0)
		ret = step_veth(r);
	if (ret == 0)
		ret = step_trust(r);
	if (ret == 0)
		ret = step_routes(r);
	if (ret == 0)
		ret = step_sysctls(r);
	for (size_t i = 0; ret == 0 && i < d->n_peers; i++)
		ret = step_peer(r, i);
	if (ret == 0) {
		*out = r;
		return 0;
	}
	rollback(r, res->err, sizeof(res->err));
fail:
	close_all(r);
	return ret;
}

int reconcile_apply(const struct desired_state *d, struct mesh_view *v, enum wgdev_backend be,
		    bool dry_run, struct endpoint_memory *ep, struct reconcile_result *res,
		    struct reconcile **out)
{
	return apply(d, v, be, dry_run, ep, NULL, res, out);
}

int reconcile_plan(const struct desired_state *d, const struct reconcile_readings *in,
		   struct reconcile_result *res)
{
	struct mesh_view v = MESH_VIEW_CLOSED;
	struct reconcile *r;
	int ret;

	v.a_under = in->under;
	v.a_priv = in->priv;
	ret = apply(d, &v, WGDEV_USERSPACE, true, NULL, in, res, &r);
	return ret < 0 ? ret : reconcile_commit(r);
}

int reconcile_commit(struct reconcile *r)
{
	int ret = remove_stale_devices(r);

	close_all(r);
	return ret;
}

void reconcile_abort(struct reconcile *r, char *err, size_t errlen)
{
	rollback(r, err, errlen);
	close_all(r);
}

int reconcile_down(const struct wgm_node_names *n, bool dry_run, struct reconcile_result *res)
{
	struct nl_err nle = { 0 };
	struct reconcile r = { .n = n, .dry_run = dry_run, .res = res };
	int ret, idx;
	unsigned flags;

	memset(res, 0, sizeof(*res));
	ret = mesh_view_open(r.n->netns, &r.v, res->err, sizeof(res->err));
	if (ret < 0 || r.v.priv_fd < 0)
		goto out;
	for (size_t i = 0; i < r.v.a_priv.n_links; i++) {
		const struct actual_link *l = &r.v.a_priv.links[i];

		if (!wgm_is_mesh_wg_name(l->name))
			continue;
		change(&r, "remove WireGuard device %s", l->name);
		if (!dry_run && (ret = wgdev_destroy(wgdev_backend_of_kind(l->kind), l->name, r.v.priv_fd, &nle)) < 0) {
			fail(&r, ret, &nle, "removing %s", l->name);
			goto out;
		}
	}
	if (n->trust_if[0] && find_link(&r, true, n->trust_if, &idx, &flags) == 0) {
		change(&r, "give trust interface %s back to the underlay", n->trust_if);
		if (!dry_run) {
			ret = link_move(&r.v.priv, idx, r.v.self_fd, &nle);
			if (ret == 0)
				ret = link_lookup(&r.v.under, n->trust_if, &idx, &flags, &nle);
			if (ret == 0 && n->has_trust_ip)
				ret = addr_add(&r.v.under, idx, &n->trust_ip, &nle);
			if (ret == 0)
				ret = link_set_up(&r.v.under, idx, true, &nle);
			if (ret < 0) {
				fail(&r, ret, &nle, "giving %s back", n->trust_if);
				goto out;
			}
		}
	}
	if (find_link(&r, false, n->veth_outer, &idx, &flags) == 0) {
		change(&r, "delete veth %s", n->veth_outer);
		if (!dry_run && (ret = link_delete(&r.v.under, idx, NULL, &nle)) < 0) {
			fail(&r, ret, &nle, "deleting veth %s", n->veth_outer);
			goto out;
		}
	}
	change(&r, "delete namespace %s", n->netns);
	if (!dry_run && (ret = netns_delete(n->netns)) < 0)
		fail(&r, ret, &nle, "deleting namespace %s", n->netns);
out:
	mesh_view_close(&r.v);
	return ret < 0 ? ret : 0;
}
