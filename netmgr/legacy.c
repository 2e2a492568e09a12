/* wgmesh 1.0's leftovers on a node upgraded in place (see legacy.h): found by their marks,
 * reported one line each, retired without leaving a dead link. */
#include "legacy.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "conntrack.h"
#include "link.h"
#include "log.h"
#include "netns.h"
#include "portcheck.h"
#include "names.h"
#include "wgdev.h"

/* The first lines 1.0 rendered into each file it owned (tests/fixtures/wgmesh-1.0-2node). */
#define MARK_WGCONF "# Peering template generated template for"
#define MARK_SCRIPT "## wgmesh - wgdeploy /usr/local/sbin/"
#define MAX_LEFTOVERS 64
#define MAX_DEVICES 256

static const char *const scripts_10[] = { "ns-private", "ns-tester", "mesh_wg_restart" };

enum leftover_kind { LO_FILE, LO_UNIT, LO_DNAT };

struct leftover {
	enum leftover_kind kind;
	char path[512]; /* LO_FILE, LO_DNAT: the file; LO_UNIT: the unit's name */
	char why[160];
};

struct leftovers {
	size_t n;
	struct leftover v[MAX_LEFTOVERS];
};

struct dev10 {
	char name[WGM_IFNAMSIZ];
	char kind[16];
	uint16_t port;
	pid_t pid; /* the process holding the socket, 0 for the kernel's */
};

/* A message line; a long one is cut, which is fine for a message. */
static void say(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

static void add(struct leftovers *l, enum leftover_kind kind, const char *path, const char *why)
{
	if (l->n == MAX_LEFTOVERS)
		return;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == kind && !strcmp(l->v[i].path, path))
			return;
	l->v[l->n].kind = kind;
	snprintf(l->v[l->n].path, sizeof(l->v[l->n].path), "%s", path);
	snprintf(l->v[l->n].why, sizeof(l->v[l->n].why), "%s", why);
	l->n++;
}

static bool file_has(const char *path, const char *mark)
{
	char *data;
	size_t len;
	bool yes;

	if (wgm_read_file(path, 1 << 20, &data, &len) < 0)
		return false;
	yes = strstr(data, mark) != NULL;
	free(data);
	return yes;
}

/* "wg" digits ".conf" / "wg-quick@wg" digits ".service": k is the digits. */
static bool wg_name_with(const char *name, const char *prefix, const char *suffix, char *ifname)
{
	size_t lp = strlen(prefix), ls = strlen(suffix), ln = strlen(name);
	char dev[WGM_IFNAMSIZ];

	if (ln <= lp + ls || strncmp(name, prefix, lp) || strcmp(name + ln - ls, suffix) ||
	    ln - lp - ls + 2 >= sizeof(dev))
		return false;
	snprintf(dev, sizeof(dev), "wg%.*s", (int)(ln - lp - ls), name + lp);
	if (!wgm_is_mesh_wg_name(dev))
		return false;
	if (ifname)
		snprintf(ifname, WGM_IFNAMSIZ, "%s", dev);
	return true;
}

static void find_wgconfs(const struct netmgr_opts *o, struct leftovers *l)
{
	char path[512], why[160];
	struct dirent *e;
	DIR *dir = opendir(o->state_dir);

	while (dir && (e = readdir(dir))) {
		if (!wg_name_with(e->d_name, "wg", ".conf", NULL))
			continue;
		snprintf(path, sizeof(path), "%s/%s", o->state_dir, e->d_name);
		if (!file_has(path, MARK_WGCONF))
			continue;
		say(why, sizeof(why), "1.0's wg-quick file (it copies the host key)");
		add(l, LO_FILE, path, why);
	}
	if (dir)
		closedir(dir);
}

static void find_scripts(struct leftovers *l)
{
	char path[512];

	for (size_t i = 0; i < sizeof(scripts_10) / sizeof(scripts_10[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", LEGACY_SBIN_DIR, scripts_10[i]);
		if (file_has(path, MARK_SCRIPT))
			add(l, LO_FILE, path, "1.0's start script");
	}
}

/* wg-quick@wg<k> (1.0's links) and units that run 1.0's scripts, enabled or not. */
static void find_units_in(const struct netmgr_opts *o, const char *dir_path, struct leftovers *l)
{
	char path[1024], why[160], dev[WGM_IFNAMSIZ], conf[600];
	struct dirent *e;
	DIR *dir = opendir(dir_path);

	while (dir && (e = readdir(dir))) {
		size_t ln = strlen(e->d_name);

		if (ln < 9 || strcmp(e->d_name + ln - 8, ".service"))
			continue;
		if (wg_name_with(e->d_name, "wg-quick@wg", ".service", dev)) {
			/* An operator's own wg-quick link has its own .conf: not ours to name. */
			say(conf, sizeof(conf), "%s/%s.conf", o->state_dir, dev);
			if (access(conf, F_OK) == 0 && !file_has(conf, MARK_WGCONF))
				continue;
			say(why, sizeof(why), "1.0 brought %s up with wg-quick", dev);
			add(l, LO_UNIT, e->d_name, why);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir_path, e->d_name);
		for (size_t i = 0; i < sizeof(scripts_10) / sizeof(scripts_10[0]); i++) {
			char script[128];

			snprintf(script, sizeof(script), "%s/%s", LEGACY_SBIN_DIR, scripts_10[i]);
			if (file_has(path, script)) {
				say(why, sizeof(why), "it runs 1.0's %s", script);
				add(l, LO_UNIT, e->d_name, why);
				break;
			}
		}
	}
	if (dir)
		closedir(dir);
}

static void find_units(const struct netmgr_opts *o, struct leftovers *l)
{
	char sub[1024];
	struct dirent *e;
	DIR *dir = opendir(LEGACY_UNIT_DIR);

	find_units_in(o, LEGACY_UNIT_DIR, l);
	while (dir && (e = readdir(dir))) {
		size_t ln = strlen(e->d_name);

		if (ln > 6 && !strcmp(e->d_name + ln - 6, ".wants")) {
			snprintf(sub, sizeof(sub), "%s/%s", LEGACY_UNIT_DIR, e->d_name);
			find_units_in(o, sub, l);
		}
	}
	if (dir)
		closedir(dir);
}

/* 1.0's "DNAT:info net loc:169.254.<octet>.2 udp <port>" lines. */
static void find_dnat(const struct netmgr_opts *o, struct leftovers *l)
{
	char path[512], why[160], *data, *line, *save = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/rules", o->shorewall_dir);
	if (wgm_read_file(path, 1 << 20, &data, &len) < 0)
		return;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char action[32], src[32], dst[64], proto[8], port[16];

		if (sscanf(line, "%31s %31s %63s %7s %15s", action, src, dst, proto, port) != 5 ||
		    strncmp(action, "DNAT", 4) || strncmp(dst, "loc:169.254.", 12))
			continue;
		say(why, sizeof(why), "DNATs %s %s to %s (1.0)", proto, port, dst + 4);
		add(l, LO_DNAT, path, why);
	}
	free(data);
}

static void find_files(const struct netmgr_opts *o, struct leftovers *l)
{
	find_wgconfs(o, l);
	find_scripts(l);
	find_units(o, l);
	find_dnat(o, l);
}

/* Keeps the candidates whose UDP port has a socket bound inside the private namespace: one
 * sock_diag dump for all of them (the run loop does this every round). */
static size_t keep_inside(const struct mesh_view *v, struct dev10 *c, size_t n)
{
	uint16_t ports[MAX_DEVICES];
	struct port_holder *h;
	size_t found = 0, kept = 0, max = 2 * n + 8;
	int saved, ret;

	if (!n || !(h = calloc(max, sizeof(*h))))
		return 0;
	for (size_t i = 0; i < n; i++)
		ports[i] = c[i].port;
	if (netns_enter(v->priv_fd, &saved) < 0) {
		free(h);
		return 0;
	}
	ret = portcheck_udp(ports, n, h, max, &found);
	if (netns_leave(saved) < 0) {
		log_err("cannot return to the underlay namespace");
		abort();
	}
	for (size_t i = 0; ret == 0 && i < n; i++)
		for (size_t k = 0; k < found && k < max; k++)
			if (h[k].port == c[i].port) {
				c[i].pid = h[k].pid;
				c[kept++] = c[i];
				break;
			}
	free(h);
	return ret == 0 ? kept : 0;
}

/* wg-quick's wireguard-go daemonized itself: the pid its UAPI socket names is its parent's,
 * long gone, so wgdev_destroy cannot wait for it. Until it exits it may still unlink the UAPI
 * socket our own daemon is about to open (a dead wg2 under load): wait until its UDP socket is
 * gone, asking the process that holds it to stop if it lingers. */
static int wait_gone(const struct mesh_view *v, const char *netns, const struct dev10 *dv)
{
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 150; i++) { /* 3 s */
			struct dev10 probe = *dv;

			if (keep_inside(v, &probe, 1) == 0)
				return 0;
			nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
		}
		if (round || dv->pid <= 0)
			break;
		log_warn("pid %d still holds UDP %u in %s after wgmesh 1.0's %s went: sending SIGTERM",
			 (int)dv->pid, dv->port, netns, dv->name);
		kill(dv->pid, SIGTERM);
	}
	return -ETIMEDOUT;
}

static void candidate(struct dev10 *c, const struct actual_link *l, uint16_t port)
{
	snprintf(c->name, sizeof(c->name), "%s", l->name);
	snprintf(c->kind, sizeof(c->kind), "%s", l->kind);
	c->port = port;
	c->pid = 0;
}

/* 1.0's devices: wg<k> whose UDP socket is inside the private namespace (wg-quick made them
 * there). Ours are born in the underlay and keep their socket there. ports[] gets every wg<k>
 * device's port. */
static size_t find_devices(const struct mesh_view *v, struct dev10 *out, size_t max,
			   uint16_t *ports, size_t *n_ports)
{
	size_t n = 0;

	*n_ports = 0;
	for (size_t i = 0; v->priv_fd >= 0 && i < v->a_priv.n_links && n < max; i++) {
		const struct actual_link *l = &v->a_priv.links[i];
		struct wgdev_config cfg = { 0 };

		if (!wgm_is_mesh_wg_name(l->name) || wgdev_get(backend_of_kind(l->kind), v->priv_fd, l->name, &cfg) < 0)
			continue;
		if (cfg.listen_port) {
			ports[(*n_ports)++] = cfg.listen_port;
			candidate(&out[n++], l, cfg.listen_port);
		}
		wgdev_config_free(&cfg);
	}
	return keep_inside(v, out, n);
}

/* 1.0's veth: any veth in the private namespace but ours holding 169.254.<octet>.2/24. */
static const struct actual_link *find_veth(const struct mesh_view *v, const char *ours, uint8_t *octet)
{
	for (size_t i = 0; v->priv_fd >= 0 && i < v->a_priv.n_links; i++) {
		const struct actual_link *l = &v->a_priv.links[i];

		if (!strcmp(l->kind, "veth") && strcmp(l->name, ours) &&
		    actual_veth_octet(&v->a_priv, l->name, octet) == 0)
			return l;
	}
	return NULL;
}

static bool trust_in_10_netns(const struct wgm_node_names *n)
{
	struct mesh_view p;
	char err[256];
	bool yes = false;

	if (!n->trust_if[0] || !strcmp(n->netns, WGM_NETNS_10) || !netns_exists(WGM_NETNS_10))
		return false;
	if (mesh_view_open(WGM_NETNS_10, &p, err, sizeof(err)) == 0 && p.priv_fd >= 0)
		yes = actual_link_by_name(&p.a_priv, n->trust_if) != NULL;
	mesh_view_close(&p);
	return yes;
}

void legacy_scan(const struct netmgr_opts *o, const char *domain, const struct wgm_node_names *n,
		 const struct mesh_view *v, bool after_up, legacy_emit_fn emit, void *ctx)
{
	struct leftovers *l = calloc(1, sizeof(*l));
	struct dev10 devs[MAX_DEVICES];
	uint16_t ports[MAX_DEVICES];
	size_t n_devs, n_ports, found = 0, deleted;
	const struct actual_link *veth;
	char what[64], how[400];
	uint8_t octet = 0;

	n_devs = n_ports = 0;
	if (!l)
		return;
	if (strcmp(n->netns, WGM_NETNS_10) && netns_exists(WGM_NETNS_10)) {
		say(how, sizeof(how), "wgmesh 1.0's namespace %s is there%s: keep it with "
			 "wgconfig --netns %s %s before up (README: Upgrading from 1.0)", WGM_NETNS_10,
			 trust_in_10_netns(n) ? ", holding the trust interface" : "", WGM_NETNS_10, domain);
		emit(ctx, "1.0 namespace", how);
	}
	/* a read of every device: one request each, which a no-op up need not pay twice */
	if (!after_up)
		n_devs = find_devices(v, devs, MAX_DEVICES, ports, &n_ports);
	for (size_t i = 0; i < n_devs; i++) {
		say(what, sizeof(what), "1.0 device %s", devs[i].name);
		say(how, sizeof(how), "%s is wgmesh 1.0's: its UDP socket %u is inside %s, reached "
			 "by DNAT; wgmesh-net up %s replaces it", devs[i].name, devs[i].port, n->netns, domain);
		emit(ctx, what, how);
	}
	veth = find_veth(v, n->veth_inner, &octet);
	if (veth) {
		say(what, sizeof(what), "1.0 veth %s", veth->name);
		say(how, sizeof(how), "%s (169.254.%u.2/24) is wgmesh 1.0's veth; wgmesh-net up %s "
			 "replaces it with %s", veth->name, octet, domain, n->veth_inner);
		emit(ctx, what, how);
	} else if (v->priv_fd >= 0) {
		actual_veth_octet(&v->a_priv, n->veth_inner, &octet);
	}
	/* The conntrack table can be large on a busy router: read only while 1.0 left a trace. */
	find_files(o, l);
	if (after_up && (veth || l->n) && octet)
		n_devs = find_devices(v, devs, MAX_DEVICES, ports, &n_ports);
	if ((n_devs || veth || l->n) && octet && n_ports &&
	    conntrack_10_flows(octet, ports, n_ports, false, &found, &deleted) == 0 && found) {
		say(how, sizeof(how), "%zu UDP flow%s still DNATed to 169.254.%u.2 (1.0): once 1.0's "
			 "DNAT rule is gone, wgmesh-net retire-1.0 %s deletes them", found,
			 found == 1 ? "" : "s", octet, domain);
		emit(ctx, "1.0 conntrack", how);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct leftover *e = &l->v[i];

		if (e->kind == LO_FILE)
			say(how, sizeof(how), "%s is %s: wgmesh-net retire-1.0 %s removes it", e->path,
				 e->why, domain);
		else if (e->kind == LO_UNIT)
			say(how, sizeof(how), "unit %s (%s): run systemctl disable --now %s", e->path,
				 e->why, e->path);
		else
			say(how, sizeof(how), "%s %s: wgmesh-net up %s rewrites it (firewall: shorewall; "
				 "else remove the line), then run shorewall reload", e->path, e->why, domain);
		say(what, sizeof(what), "1.0 %s", e->kind == LO_UNIT ? "unit" :
			 e->kind == LO_DNAT ? "DNAT" : "file");
		emit(ctx, what, how);
	}
	free(l);
}

int legacy_refuse(const char *domain, const struct wgm_node_names *n, char *err, size_t errlen)
{
	if (!trust_in_10_netns(n))
		return 0;
	snprintf(err, errlen, "trust interface %s is in wgmesh 1.0's namespace %s: keep that name with "
		 "wgconfig --netns %s %s, then up again", n->trust_if, WGM_NETNS_10, WGM_NETNS_10, domain);
	return -EBUSY;
}

int legacy_converge(const struct netmgr_opts *o, const char *domain, const struct desired_state *d,
		    struct mesh_view *v, unsigned *changes, char *err, size_t errlen)
{
	const struct wgm_node_names *n = &d->names;
	struct dev10 devs[MAX_DEVICES];
	uint16_t ports[MAX_DEVICES];
	size_t n_devs = 0, found = 0, deleted = 0;
	const struct actual_link *veth;
	uint8_t octet;
	bool touched = false;
	int ret = 0;

	*changes = 0;
	if (v->priv_fd < 0)
		return 0;
	/* The desired ports, not a read of every device: this runs in every round of the loop. */
	for (size_t i = 0; i < d->n_peers && n_devs < MAX_DEVICES; i++) {
		const struct actual_link *l = actual_link_by_name(&v->a_priv, d->peers[i].ifname);

		if (l)
			candidate(&devs[n_devs++], l, d->peers[i].listen_port);
	}
	n_devs = keep_inside(v, devs, n_devs);
	for (size_t i = 0; i < n_devs; i++) {
		(*changes)++;
		if (o->dry_run) {
			printf("would replace wgmesh 1.0's %s (UDP %u inside %s, reached by DNAT) with ours\n",
			       devs[i].name, devs[i].port, n->netns);
			continue;
		}
		touched = true;
		ret = wgdev_destroy(backend_of_kind(devs[i].kind), devs[i].name, v->priv_fd);
		if (ret == 0)
			ret = wait_gone(v, n->netns, &devs[i]);
		if (ret < 0) {
			snprintf(err, errlen, "removing wgmesh 1.0's %s from %s: %s", devs[i].name,
				 n->netns, strerror(-ret));
			goto out;
		}
		log_notice("replaced wgmesh 1.0's %s: its UDP socket %u was inside %s, reached by DNAT; "
			   "ours has the same name, key and port, socket in the underlay", devs[i].name,
			   devs[i].port, n->netns);
	}
	/* Only a veth holding our own addresses: it is in the way of ours, and it is 1.0's. */
	veth = find_veth(v, n->veth_inner, &octet);
	if (veth && octet == d->octet) {
		(*changes)++;
		if (o->dry_run) {
			printf("would replace wgmesh 1.0's veth %s with %s\n", veth->name, n->veth_inner);
		} else {
			touched = true;
			ret = link_delete(&v->priv, veth->ifindex);
			if (ret < 0) {
				snprintf(err, errlen, "removing wgmesh 1.0's veth %s from %s: %s",
					 veth->name, n->netns, strerror(-ret));
				goto out;
			}
			log_notice("replaced wgmesh 1.0's veth %s (169.254.%u.2/24) with %s", veth->name,
				   octet, n->veth_inner);
		}
	}
	/* Only on the run that retires 1.0's devices: a DNAT rule still in place makes new flows,
	 * and deleting them every round would be a change every round. */
	for (size_t i = 0; i < d->n_peers && i < MAX_DEVICES; i++)
		ports[i] = d->peers[i].listen_port;
	if (n_devs && !o->dry_run) {
		ret = conntrack_10_flows(d->octet, ports, d->n_peers < MAX_DEVICES ? d->n_peers : MAX_DEVICES,
					 true, &found, &deleted);
		if (ret < 0)
			log_warn("cannot clear 1.0's conntrack flows: %s (wgmesh-net retire-1.0 %s tries again)",
				 strerror(-ret), domain);
		else if (deleted)
			log_notice("deleted %zu UDP flow%s wgmesh 1.0 DNATed to 169.254.%u.2", deleted,
				   deleted == 1 ? "" : "s", d->octet);
	}
	ret = 0;
out:
	if (touched) {
		char why[256];
		int reread = mesh_view_reread(n->netns, v, why, sizeof(why));

		if (reread < 0 && ret == 0) {
			snprintf(err, errlen, "%s", why);
			ret = reread;
		}
	}
	return ret;
}

int legacy_retire(const struct netmgr_opts *o, const char *domain, const struct wgm_node_names *n)
{
	struct leftovers *l = calloc(1, sizeof(*l));
	struct dev10 devs[MAX_DEVICES];
	uint16_t ports[MAX_DEVICES];
	size_t n_ports, found = 0, deleted = 0, dnat = 0;
	struct mesh_view v;
	uint8_t octet;
	char err[256];
	int ret;

	if (!l)
		return -ENOMEM;
	ret = mesh_view_open(n->netns, &v, err, sizeof(err));
	if (ret < 0) {
		log_err("%s", err);
		goto out;
	}
	if (v.priv_fd < 0 || actual_veth_octet(&v.a_priv, n->veth_inner, &octet) < 0) {
		log_err("namespace %s is not built by wgmesh 2 yet: run wgmesh-net up %s first", n->netns, domain);
		ret = -ENOENT;
		goto out;
	}
	if (find_devices(&v, devs, MAX_DEVICES, ports, &n_ports) || find_veth(&v, n->veth_inner, &octet)) {
		log_err("%s still runs the wgmesh 1.0 way: run wgmesh-net up %s first", n->netns, domain);
		ret = -EBUSY;
		goto out;
	}
	find_files(o, l);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == LO_DNAT) {
			log_warn("%s still %s: remove the line (wgmesh-net up %s rewrites the file with "
				 "firewall: shorewall) and run shorewall reload, or the flows come back",
				 l->v[i].path, l->v[i].why, domain);
			dnat++;
		}
	ret = conntrack_10_flows(octet, ports, n_ports, !o->dry_run, &found, &deleted);
	if (ret < 0) {
		log_err("cannot delete 1.0's conntrack flows: %s", strerror(-ret));
		goto out;
	}
	if (found)
		printf("%s %zu UDP flow%s wgmesh 1.0 DNATed to 169.254.%u.2\n",
		       o->dry_run ? "would delete" : "deleted", o->dry_run ? found : deleted,
		       found == 1 ? "" : "s", octet);
	for (size_t i = 0; i < l->n; i++) {
		const struct leftover *e = &l->v[i];

		if (e->kind != LO_FILE)
			continue;
		if (!o->dry_run && unlink(e->path) < 0 && errno != ENOENT) {
			ret = -errno;
			log_err("cannot remove %s: %s", e->path, strerror(errno));
			goto out;
		}
		printf("%s %s\n", o->dry_run ? "would remove" : "removed", e->path);
	}
	/* The manager runs no programs: units are the operator's to stop. */
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == LO_UNIT)
			printf("systemctl disable --now %s\n", l->v[i].path);
	ret = dnat ? -EAGAIN : 0;
out:
	mesh_view_close(&v);
	free(l);
	return ret;
}
