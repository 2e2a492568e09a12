/* wgmesh 1.0's leftovers on a node upgraded in place (see legacy.h): found by their marks,
 * reported one line each, retired without leaving a dead link. */
#include "legacy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flows10.h"
#include "leftovers.h"
#include "link.h"
#include "log.h"
#include "names.h"
#include "netns.h"
#include "wgdev.h"

/* wg-quick's wireguard-go daemonized itself: the pid its UAPI socket names is its parent's,
 * long gone, so wgdev_destroy cannot wait for it. Until it exits it may still unlink the UAPI
 * socket our own daemon is about to open (a dead wg2 under load): wait until its UDP socket is
 * gone, asking the process that holds it to stop if it lingers. */
static int wait_gone(const struct mesh_view *v, const char *netns, const struct dev10 *dv)
{
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 150; i++) { /* 3 s */
			struct dev10 probe = *dv;

			if (l10_keep_inside(v, &probe, 1) == 0)
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
		l10_say(how, sizeof(how), "wgmesh 1.0's namespace %s is there%s: keep it with "
			 "wgconfig --netns %s %s before up (README: Upgrading from 1.0)", WGM_NETNS_10,
			 trust_in_10_netns(n) ? ", holding the trust interface" : "", WGM_NETNS_10, domain);
		emit(ctx, "1.0 namespace", how);
	}
	/* a read of every device: one request each, which a no-op up need not pay twice */
	if (!after_up)
		n_devs = l10_find_devices(v, devs, MAX_DEVICES, ports, &n_ports);
	for (size_t i = 0; i < n_devs; i++) {
		l10_say(what, sizeof(what), "1.0 device %s", devs[i].name);
		l10_say(how, sizeof(how), "%s is wgmesh 1.0's: its UDP socket %u is inside %s, reached "
			 "by DNAT; wgmesh-net up %s replaces it", devs[i].name, devs[i].port, n->netns, domain);
		emit(ctx, what, how);
	}
	veth = l10_find_veth(v, n->veth_inner, &octet);
	if (veth) {
		l10_say(what, sizeof(what), "1.0 veth %s", veth->name);
		l10_say(how, sizeof(how), "%s (169.254.%u.2/24) is wgmesh 1.0's veth; wgmesh-net up %s "
			 "replaces it with %s", veth->name, octet, domain, n->veth_inner);
		emit(ctx, what, how);
	} else if (v->priv_fd >= 0) {
		actual_veth_octet(&v->a_priv, n->veth_inner, &octet);
	}
	/* The conntrack table can be large on a busy router: read only while 1.0 left a trace. */
	l10_find_files(o, l);
	if (after_up && (veth || l->n) && octet)
		n_devs = l10_find_devices(v, devs, MAX_DEVICES, ports, &n_ports);
	if ((n_devs || veth || l->n) && octet && n_ports &&
	    conntrack_10_flows(octet, ports, n_ports, false, &found, &deleted, NULL) == 0 && found) {
		l10_say(how, sizeof(how), "%zu UDP flow%s still DNATed to 169.254.%u.2 (1.0): once 1.0's "
			 "DNAT rule is gone, wgmesh-net retire-1.0 %s deletes them", found,
			 found == 1 ? "" : "s", octet, domain);
		emit(ctx, "1.0 conntrack", how);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct leftover *e = &l->v[i];

		if (e->kind == LO_FILE)
			l10_say(how, sizeof(how), "%s is %s: wgmesh-net retire-1.0 %s removes it", e->path,
				 e->why, domain);
		else if (e->kind == LO_UNIT)
			l10_say(how, sizeof(how), "unit %s (%s): run systemctl disable --now %s", e->path,
				 e->why, e->path);
		else
			l10_say(how, sizeof(how), "%s %s: wgmesh-net up %s rewrites it (firewall: shorewall; "
				 "else remove the line), then run shorewall reload", e->path, e->why, domain);
		l10_say(what, sizeof(what), "1.0 %s", e->kind == LO_UNIT ? "unit" :
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
	struct nl_err nle = { 0 };
	char why[300];
	int ret = 0;

	*changes = 0;
	if (v->priv_fd < 0)
		return 0;
	/* The desired ports, not a read of every device: this runs in every round of the loop. */
	for (size_t i = 0; i < d->n_peers && n_devs < MAX_DEVICES; i++) {
		const struct actual_link *l = actual_link_by_name(&v->a_priv, d->peers[i].ifname);

		if (l)
			l10_candidate(&devs[n_devs++], l, d->peers[i].listen_port);
	}
	n_devs = l10_keep_inside(v, devs, n_devs);
	for (size_t i = 0; i < n_devs; i++) {
		(*changes)++;
		if (o->dry_run) {
			printf("would replace wgmesh 1.0's %s (UDP %u inside %s, reached by DNAT) with ours\n",
			       devs[i].name, devs[i].port, n->netns);
			continue;
		}
		touched = true;
		ret = wgdev_destroy(wgdev_backend_of_kind(devs[i].kind), devs[i].name, v->priv_fd, &nle);
		if (ret == 0)
			ret = wait_gone(v, n->netns, &devs[i]);
		if (ret < 0) {
			snprintf(err, errlen, "removing wgmesh 1.0's %s from %s: %s", devs[i].name,
				 n->netns, nl_err_str(&nle, ret, why, sizeof(why)));
			goto out;
		}
		log_notice("replaced wgmesh 1.0's %s: its UDP socket %u was inside %s, reached by DNAT; "
			   "ours has the same name, key and port, socket in the underlay", devs[i].name,
			   devs[i].port, n->netns);
	}
	/* Only a veth holding our own addresses: it is in the way of ours, and it is 1.0's. */
	veth = l10_find_veth(v, n->veth_inner, &octet);
	if (veth && octet == d->octet) {
		(*changes)++;
		if (o->dry_run) {
			printf("would replace wgmesh 1.0's veth %s with %s\n", veth->name, n->veth_inner);
		} else {
			touched = true;
			ret = link_delete(&v->priv, veth->ifindex, NULL, &nle);
			if (ret < 0) {
				snprintf(err, errlen, "removing wgmesh 1.0's veth %s from %s: %s",
					 veth->name, n->netns, nl_err_str(&nle, ret, why, sizeof(why)));
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
					 true, &found, &deleted, &nle);
		if (ret < 0)
			log_warn("cannot clear 1.0's conntrack flows: %s (wgmesh-net retire-1.0 %s tries again)",
				 nl_err_str(&nle, ret, why, sizeof(why)), domain);
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
