/* Each check yields ok, degraded (the mesh works but something will bite) or broken (traffic
 * cannot flow as designed). */
#include "verify.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonout.h"
#include "legacy.h"
#include "ports.h"
#include "reconcile.h"
#include "sysctl.h"
#include "view.h"

enum sev { SEV_OK, SEV_DEGRADED, SEV_BROKEN };
static const char *const sev_name[] = { "ok", "degraded", "broken" };

struct report {
	bool json;
	bool first;
	enum sev worst;
};

static void check(struct report *rep, const char *name, enum sev sev, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void check(struct report *rep, const char *name, enum sev sev, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (sev > rep->worst)
		rep->worst = sev;
	if (!rep->json) {
		printf("%-9s %-28s %s\n", sev_name[sev], name, detail);
		return;
	}
	printf("%s\n    {\"check\": ", rep->first ? "" : ",");
	json_string(stdout, name);
	printf(", \"result\": \"%s\", \"detail\": ", sev_name[sev]);
	json_string(stdout, detail);
	printf("}");
	rep->first = false;
}

static void check_forwarding(struct report *rep, int nsfd, const char *where, const char *key,
			     enum sev off)
{
	char name[96], val[16];
	int ret = ns_sysctl_read(nsfd, key, val, sizeof(val));

	snprintf(name, sizeof(name), "forwarding %s %s", where, strstr(key, "ipv6") ? "ipv6" : "ipv4");
	if (ret < 0)
		check(rep, name, off, "cannot read %s: %s", key, strerror(-ret));
	else
		check(rep, name, strcmp(val, "1") ? off : SEV_OK, "%s = %s", key, val);
}

static const struct actual_addr *addr_on(const struct actual_ns *a, int ifindex, int family)
{
	for (size_t i = 0; i < a->n_addrs; i++) {
		const struct actual_addr *aa = &a->addrs[i];
		if (aa->ifindex == ifindex && aa->p.addr.family == family &&
		    !(family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&aa->p.addr.v6)))
			return aa;
	}
	return NULL;
}

static void check_veth(struct report *rep, const struct node_names *n, const struct mesh_view *v)
{
	const struct actual_link *out = actual_link_by_name(&v->a_under, n->veth_outer);
	const struct actual_link *in = actual_link_by_name(&v->a_priv, n->veth_inner);
	uint8_t octet;

	if (!out || !in) {
		check(rep, "veth present", SEV_BROKEN, "%s (underlay) %s, %s (%s) %s", n->veth_outer,
		      out ? "present" : "missing", n->veth_inner, n->netns, in ? "present" : "missing");
		return;
	}
	check(rep, "veth present", (out->flags & in->flags & IFF_UP) ? SEV_OK : SEV_BROKEN,
	      "%s and %s %s", n->veth_outer, n->veth_inner,
	      (out->flags & in->flags & IFF_UP) ? "up" : "not both up");
	if (actual_veth_octet(&v->a_priv, n->veth_inner, &octet) < 0) {
		check(rep, "veth addressed", SEV_BROKEN, "%s has no 169.254.<octet>.2/24", n->veth_inner);
		return;
	}
	struct wgm_prefix want = { .addr = { .family = AF_INET }, .len = 24 };
	want.addr.v4.s_addr = htonl(0xa9fe0001u | (uint32_t)octet << 8);
	check(rep, "veth addressed", actual_has_addr(&v->a_under, out->ifindex, &want) ? SEV_OK : SEV_BROKEN,
	      "%s 169.254.%u.1/24, %s 169.254.%u.2/24", n->veth_outer, octet, n->veth_inner, octet);
}

static void check_device(struct report *rep, const struct mesh_view *v, const struct actual_link *l)
{
	struct wgdev_config cfg = { 0 };
	char name[64];
	const char *owner = l->name;
	int ret;

	snprintf(name, sizeof(name), "%s up", l->name);
	check(rep, name, (l->flags & IFF_UP) ? SEV_OK : SEV_BROKEN, "%s", (l->flags & IFF_UP) ? "up" : "down");
	snprintf(name, sizeof(name), "%s address", l->name);
	const struct actual_addr *aa = addr_on(&v->a_priv, l->ifindex, AF_INET6);
	char txt[INET6_ADDRSTRLEN] = "";
	if (aa)
		inet_ntop(AF_INET6, &aa->p.addr.v6, txt, sizeof(txt));
	check(rep, name, aa ? SEV_OK : SEV_BROKEN, "%s%s", aa ? txt : "no tunnel address", aa ? "/64" : "");

	ret = wgdev_get(backend_of_kind(l->kind), v->priv_fd, l->name, &cfg);
	snprintf(name, sizeof(name), "%s device", l->name);
	if (ret < 0) {
		check(rep, name, SEV_BROKEN, "cannot read the WireGuard device: %s", strerror(-ret));
		return;
	}
	char err[256];
	snprintf(name, sizeof(name), "%s port %u", l->name, cfg.listen_port);
	ret = ports_find_conflict(&cfg.listen_port, &owner, 1, err, sizeof(err));
	check(rep, name, ret < 0 ? SEV_BROKEN : SEV_OK, "%s", ret < 0 ? err : "held by this device only");
	snprintf(name, sizeof(name), "%s handshake", l->name);
	if (cfg.n_peers != 1) {
		check(rep, name, SEV_BROKEN, "%zu peers (want 1)", cfg.n_peers);
	} else if (!cfg.peers[0].last_handshake.tv_sec) {
		check(rep, name, SEV_DEGRADED, "no handshake yet");
	} else {
		time_t age = time(NULL) - cfg.peers[0].last_handshake.tv_sec;
		check(rep, name, age > VERIFY_HANDSHAKE_MAX_AGE ? SEV_DEGRADED : SEV_OK,
		      "%lld s ago", (long long)age);
	}
	wgdev_config_free(&cfg);
}

/* What wgmesh 1.0 left (legacy.c): the mesh may work, but each will bite. */
static void check_leftover(void *ctx, const char *what, const char *how)
{
	check(ctx, what, SEV_DEGRADED, "%s", how);
}

int verify_run(const struct node_names *n, const struct netmgr_opts *o, const char *domain)
{
	bool json = o->json;
	struct report rep = { .json = json, .first = true };
	struct mesh_view v;
	char err[256];
	int ret;

	if (json)
		printf("{\"namespace\": \"%s\", \"checks\": [", n->netns);
	ret = mesh_view_open(n->netns, &v, err, sizeof(err));
	if (ret < 0 || v.priv_fd < 0) {
		check(&rep, "namespace", SEV_BROKEN, "%s", ret < 0 ? err : "the private namespace does not exist");
		goto out;
	}
	check(&rep, "namespace", SEV_OK, "%s exists", n->netns);
	check_forwarding(&rep, v.priv_fd, "private", "net/ipv4/ip_forward", SEV_BROKEN);
	check_forwarding(&rep, v.priv_fd, "private", "net/ipv6/conf/all/forwarding", SEV_BROKEN);
	/* The LAN's IPv4 traffic to the internet leaves through the veth and the underlay; the
	 * mesh's IPv6 never does. */
	check_forwarding(&rep, -1, "underlay", "net/ipv4/ip_forward", SEV_DEGRADED);
	check_veth(&rep, n, &v);
	size_t n_wg = 0;
	for (size_t i = 0; i < v.a_priv.n_links; i++)
		if (is_mesh_wg_name(v.a_priv.links[i].name)) {
			check_device(&rep, &v, &v.a_priv.links[i]);
			n_wg++;
		}
	check(&rep, "wireguard devices", n_wg ? SEV_OK : SEV_BROKEN, "%zu", n_wg);
out:
	legacy_scan(o, domain, n, &v, check_leftover, &rep);
	mesh_view_close(&v);
	if (json)
		printf("\n  ],\n  \"status\": \"%s\"}\n", rep.worst == SEV_OK ? "healthy" : sev_name[rep.worst]);
	else
		printf("%s\n", rep.worst == SEV_OK ? "healthy" : sev_name[rep.worst]);
	return rep.worst;
}
