#include "leftovers.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "names.h"
#include "portcheck.h"
#include "wgdev.h"

/* The first lines 1.0 rendered into each file it owned (tests/fixtures/wgmesh-1.0-2node). */
#define MARK_WGCONF "# Peering template generated template for"
#define MARK_SCRIPT "## wgmesh - wgdeploy /usr/local/sbin/"

static const char *const scripts_10[] = { "ns-private", "ns-tester", "mesh_wg_restart" };

/* A message line; a long one is cut, which is fine for a message. */
void l10_say(char *out, size_t len, const char *fmt, ...)
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
		l10_say(why, sizeof(why), "1.0's wg-quick file (it copies the host key)");
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
			l10_say(conf, sizeof(conf), "%s/%s.conf", o->state_dir, dev);
			if (access(conf, F_OK) == 0 && !file_has(conf, MARK_WGCONF))
				continue;
			l10_say(why, sizeof(why), "1.0 brought %s up with wg-quick", dev);
			add(l, LO_UNIT, e->d_name, why);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir_path, e->d_name);
		for (size_t i = 0; i < sizeof(scripts_10) / sizeof(scripts_10[0]); i++) {
			char script[128];

			snprintf(script, sizeof(script), "%s/%s", LEGACY_SBIN_DIR, scripts_10[i]);
			if (file_has(path, script)) {
				l10_say(why, sizeof(why), "it runs 1.0's %s", script);
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
		l10_say(why, sizeof(why), "DNATs %s %s to %s (1.0)", proto, port, dst + 4);
		add(l, LO_DNAT, path, why);
	}
	free(data);
}

void l10_find_files(const struct netmgr_opts *o, struct leftovers *l)
{
	find_wgconfs(o, l);
	find_scripts(l);
	find_units(o, l);
	find_dnat(o, l);
}

size_t legacy_devices_inside(struct dev10 *c, size_t n, const struct port_holder *h, size_t found)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < found; k++)
			if (h[k].port == c[i].port) {
				c[i].pid = h[k].pid;
				c[kept++] = c[i];
				break;
			}
	return kept;
}

/* One sock_diag dump for all the candidates (the run loop does this every round). */
size_t l10_keep_inside(const struct mesh_view *v, struct dev10 *c, size_t n)
{
	uint16_t ports[MAX_DEVICES];
	struct port_holder *h;
	size_t found = 0, kept = 0, max = 2 * n + 8;
	int ret;

	if (!n || !(h = calloc(max, sizeof(*h))))
		return 0;
	for (size_t i = 0; i < n; i++)
		ports[i] = c[i].port;
	ret = portcheck_udp(v->priv_fd, ports, n, h, max, &found, NULL);
	if (ret == 0)
		kept = legacy_devices_inside(c, n, h, found < max ? found : max);
	free(h);
	return kept;
}

void l10_candidate(struct dev10 *c, const struct actual_link *l, uint16_t port)
{
	snprintf(c->name, sizeof(c->name), "%s", l->name);
	snprintf(c->kind, sizeof(c->kind), "%s", l->kind);
	c->port = port;
	c->pid = 0;
}

/* 1.0's devices: wg<k> whose UDP socket is inside the private namespace (wg-quick made them
 * there). Ours are born in the underlay and keep their socket there. ports[] gets every wg<k>
 * device's port. */
size_t l10_find_devices(const struct mesh_view *v, struct dev10 *out, size_t max,
			   uint16_t *ports, size_t *n_ports)
{
	size_t n = 0;

	*n_ports = 0;
	for (size_t i = 0; v->priv_fd >= 0 && i < v->a_priv.n_links && n < max; i++) {
		const struct actual_link *l = &v->a_priv.links[i];
		struct wgdev_config cfg = { 0 };

		if (!wgm_is_mesh_wg_name(l->name) || wgdev_get(wgdev_backend_of_kind(l->kind), v->priv_fd, l->name, &cfg, NULL) < 0)
			continue;
		if (cfg.listen_port) {
			ports[(*n_ports)++] = cfg.listen_port;
			l10_candidate(&out[n++], l, cfg.listen_port);
		}
		wgdev_config_free(&cfg);
	}
	return l10_keep_inside(v, out, n);
}

const struct actual_link *legacy_veth_10(const struct actual_ns *priv, const char *ours,
					 uint8_t *octet)
{
	for (size_t i = 0; i < priv->n_links; i++) {
		const struct actual_link *l = &priv->links[i];

		if (!strcmp(l->kind, "veth") && strcmp(l->name, ours) &&
		    actual_veth_octet(priv, l->name, octet) == 0)
			return l;
	}
	return NULL;
}

const struct actual_link *l10_find_veth(const struct mesh_view *v, const char *ours, uint8_t *octet)
{
	return v->priv_fd >= 0 ? legacy_veth_10(&v->a_priv, ours, octet) : NULL;
}
