/* `retire-1.0`: after `up`, what 1.0 left that `up` does not replace: its conntrack flows, its
 * files (the wg-quick files hold the host key), and the systemctl lines for its units. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flows10.h"
#include "leftovers.h"
#include "legacy.h"
#include "log.h"

int legacy_retire(const struct netmgr_opts *o, const char *domain, const struct wgm_node_names *n)
{
	struct leftovers *l = calloc(1, sizeof(*l));
	struct dev10 devs[MAX_DEVICES];
	uint16_t ports[MAX_DEVICES];
	size_t n_ports, found = 0, deleted = 0, dnat = 0;
	struct mesh_view v;
	uint8_t octet;
	char err[256], why[300];
	struct nl_err nle = { 0 };
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
	if (l10_find_devices(&v, devs, MAX_DEVICES, ports, &n_ports) || l10_find_veth(&v, n->veth_inner, &octet)) {
		log_err("%s still runs the wgmesh 1.0 way: run wgmesh-net up %s first", n->netns, domain);
		ret = -EBUSY;
		goto out;
	}
	l10_find_files(o, l);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == LO_DNAT) {
			log_warn("%s still %s: remove the line (wgmesh-net up %s rewrites the file with "
				 "firewall: shorewall) and run shorewall reload, or the flows come back",
				 l->v[i].path, l->v[i].why, domain);
			dnat++;
		}
	ret = conntrack_10_flows(octet, ports, n_ports, !o->dry_run, &found, &deleted, &nle);
	if (ret < 0) {
		log_err("cannot delete 1.0's conntrack flows: %s", nl_err_str(&nle, ret, why, sizeof(why)));
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
