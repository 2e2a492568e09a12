/* Each check yields ok, degraded (the mesh works but something will bite) or broken (traffic
 * cannot flow as designed). What a check learns per link is kept for --json's "links" and for
 * --metrics, so the three outputs always agree. */
#include "verify.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomicfile.h"
#include "birdlife.h"
#include "bfddamp.h"
#include "birdstate.h"
#include "buf.h"
#include "drain.h"
#include "jsonout.h"
#include "legacy.h"
#include "linkwatch.h"
#include "esc.h"
#include "log.h"
#include "ports.h"
#include "sitekey.h"
#include "names.h"
#include "sysctl.h"
#include "view.h"
#include "wgdev.h"

enum sev { SEV_OK, SEV_DEGRADED, SEV_BROKEN };
static const char *const sev_name[] = { "ok", "degraded", "broken" };

/* What verify learned about one WireGuard link. */
struct link_info {
	char name[WGM_IFNAMSIZ];
	bool up;
	long long handshake_age; /* -1: never */
	uint64_t rx, tx;
	char endpoint[80];
	char bgp_state[24];      /* "" BIRD not asked or no session */
	char bfd_state[16];
	uint32_t peer_as;
	size_t lan_routes, lan_missing;
	char lan[160];           /* the peer's LAN prefixes, comma-joined */
	uint32_t flaps;          /* BFD Up -> Down, counted by run (linkwatch.h) */
	long long last_flap;     /* epoch seconds, 0: never */
	unsigned bfd_interval_ms; /* BIRD's transmit interval on the session, 0: unknown */
};

struct report {
	bool json;
	bool first;
	enum sev worst;
	unsigned n_failed;       /* checks not ok */
	struct bird_where bird;
	bool bird_read;          /* BIRD answered every question */
	bool drained;            /* the operator's drain (wgmesh-net drain) */
	struct bird_state bs;
	struct link_watch flaps; /* what run counted, <state-dir>/<domain>.flaps */
	size_t n_links;
	struct link_info links[WGM_MAX_HOSTS];
};

static void check(struct report *rep, const char *name, enum sev sev, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void check(struct report *rep, const char *name, enum sev sev, const char *fmt, ...)
{
	char detail[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (sev > rep->worst)
		rep->worst = sev;
	if (sev != SEV_OK)
		rep->n_failed++;
	if (!rep->json) {
		/* Details quote BIRD, the kernel and records: one line, no control byte. */
		wgm_printf_esc(stdout, "%-9s %-28s %s\n", sev_name[sev], name, detail);
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
		check(rep, name, strcmp(val, "1") ? off : SEV_OK, "%s = %s%s", key, val,
		      strcmp(val, "1") ? " (wgmesh-net up sets it)" : "");
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

static void check_veth(struct report *rep, const struct wgm_node_names *n, const struct mesh_view *v)
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

static const uint8_t *ip_bytes(const struct wgm_ip *ip)
{
	return ip->family == AF_INET ? (const uint8_t *)&ip->v4 : (const uint8_t *)&ip->v6;
}

static bool prefix_contains(const struct wgm_prefix *p, const struct wgm_ip *ip)
{
	const uint8_t *a = ip_bytes(&p->addr), *b = ip_bytes(ip);
	unsigned bits = p->len;

	if (p->addr.family != ip->family)
		return false;
	for (unsigned i = 0; bits; i++, bits = bits > 8 ? bits - 8 : 0) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		if ((a[i] ^ b[i]) & mask)
			return false;
	}
	return true;
}

/* A usable underlay address of the family: not loopback, link-local or our veth's. */
static bool underlay_has_family(const struct mesh_view *v, const struct wgm_node_names *n, int family)
{
	const struct actual_link *veth = actual_link_by_name(&v->a_under, n->veth_outer);

	for (size_t i = 0; i < v->a_under.n_addrs; i++) {
		const struct actual_addr *aa = &v->a_under.addrs[i];
		uint32_t a4 = ntohl(aa->p.addr.v4.s_addr);

		if (aa->p.addr.family != family || (veth && aa->ifindex == veth->ifindex))
			continue;
		if (family == AF_INET && (a4 >> 24) != 127 && (a4 >> 16) != 0xa9fe)
			return true;
		if (family == AF_INET6 && !IN6_IS_ADDR_LOOPBACK(&aa->p.addr.v6) &&
		    !IN6_IS_ADDR_LINKLOCAL(&aa->p.addr.v6))
			return true;
	}
	return false;
}

static bool underlay_routes_to(const struct mesh_view *v, const struct wgm_ip *ip)
{
	for (size_t i = 0; i < v->a_under.n_routes; i++)
		if (prefix_contains(&v->a_under.routes[i].dst, ip))
			return true;
	return false;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Why a link has no handshake, when the address families say it never will. */
static void check_handshake(struct report *rep, const struct wgm_node_names *n, const struct mesh_view *v,
			    const char *name, const struct wgdev_peer *p, struct link_info *li)
{
	if (p->last_handshake.tv_sec) {
		check(rep, name, li->handshake_age > VERIFY_HANDSHAKE_MAX_AGE ? SEV_DEGRADED : SEV_OK,
		      "%lld s ago", li->handshake_age);
		return;
	}
	if (p->has_endpoint) {
		struct wgm_ip ip = { .family = p->endpoint.ss_family };
		if (ip.family == AF_INET)
			ip.v4 = ((const struct sockaddr_in *)&p->endpoint)->sin_addr;
		else
			ip.v6 = ((const struct sockaddr_in6 *)&p->endpoint)->sin6_addr;
		if (!underlay_routes_to(v, &ip) && !underlay_has_family(v, n, ip.family)) {
			check(rep, name, SEV_DEGRADED,
			      "never: no common address family: the peer's endpoint %s is %s and this node has no %s address",
			      li->endpoint, family_name(ip.family), family_name(ip.family));
			return;
		}
		if (!underlay_routes_to(v, &ip)) {
			check(rep, name, SEV_DEGRADED, "none yet: no route to the peer's endpoint %s",
			      li->endpoint);
			return;
		}
		check(rep, name, SEV_DEGRADED, "none yet (endpoint %s)", li->endpoint);
		return;
	}
	bool v4 = underlay_has_family(v, n, AF_INET), v6 = underlay_has_family(v, n, AF_INET6);
	if (v4 != v6)
		check(rep, name, SEV_DEGRADED,
		      "never, unless the peer has %s: it has no endpoint (behind NAT) and must call us, and this node has %s only",
		      family_name(v4 ? AF_INET : AF_INET6), family_name(v4 ? AF_INET : AF_INET6));
	else
		check(rep, name, SEV_DEGRADED,
		      "none yet: the peer has no endpoint (behind NAT) and has not called us");
}

static void check_device(struct report *rep, const struct wgm_node_names *n, const struct mesh_view *v,
			 const struct actual_link *l, struct link_info *li)
{
	struct wgdev_config cfg = { 0 };
	struct nl_err nle = { 0 };
	char name[64], why[300];
	const char *owner = l->name;
	int ret;

	snprintf(li->name, sizeof(li->name), "%s", l->name);
	li->up = l->flags & IFF_UP;
	li->handshake_age = -1;
	snprintf(name, sizeof(name), "%s up", l->name);
	check(rep, name, li->up ? SEV_OK : SEV_BROKEN, "%s", li->up ? "up" : "down");
	snprintf(name, sizeof(name), "%s address", l->name);
	const struct actual_addr *aa = addr_on(&v->a_priv, l->ifindex, AF_INET6);
	char txt[INET6_ADDRSTRLEN] = "";
	if (aa)
		inet_ntop(AF_INET6, &aa->p.addr.v6, txt, sizeof(txt));
	check(rep, name, aa ? SEV_OK : SEV_BROKEN, "%s%s", aa ? txt : "no tunnel address", aa ? "/64" : "");

	ret = wgdev_get(wgdev_backend_of_kind(l->kind), v->priv_fd, l->name, &cfg, &nle);
	snprintf(name, sizeof(name), "%s device", l->name);
	if (ret < 0) {
		check(rep, name, SEV_BROKEN, "cannot read the WireGuard device: %s",
		      nl_err_str(&nle, ret, why, sizeof(why)));
		return;
	}
	char err[256];
	snprintf(name, sizeof(name), "%s port %u", l->name, cfg.listen_port);
	ret = ports_find_conflict(&cfg.listen_port, &owner, 1, err, sizeof(err));
	check(rep, name, ret < 0 ? SEV_BROKEN : SEV_OK, "%s", ret < 0 ? err : "held by this device only");
	snprintf(name, sizeof(name), "%s handshake", l->name);
	if (cfg.n_peers != 1) {
		check(rep, name, SEV_BROKEN, "%zu peers (want 1)", cfg.n_peers);
	} else {
		const struct wgdev_peer *p = &cfg.peers[0];

		li->rx = p->rx_bytes;
		li->tx = p->tx_bytes;
		if (p->last_handshake.tv_sec)
			li->handshake_age = (long long)(time(NULL) - p->last_handshake.tv_sec);
		if (p->has_endpoint)
			sockaddr_format(&p->endpoint, li->endpoint, sizeof(li->endpoint));
		else
			snprintf(li->endpoint, sizeof(li->endpoint), "(none)");
		check_handshake(rep, n, v, name, p, li);
	}
	wgdev_config_free(&cfg);
}

static void check_bird(struct report *rep, const struct wgm_node_names *n, const struct mesh_view *v,
		       char *err, size_t errlen)
{
	struct bird_where *w = &rep->bird;

	bird_locate(n->netns, v->priv_fd, w);
	if (!w->answers) {
		check(rep, "bird", SEV_BROKEN, "%s: start wgmesh-bird@%s.service", w->err, n->netns);
		return;
	}
	if (!w->pid)
		check(rep, "bird", SEV_OK, "answers on %s", w->sock);
	else
		check(rep, "bird", SEV_OK, "pid %d (%s) answers on %s", (int)w->pid, w->comm, w->sock);
	if (!w->netns_known)
		check(rep, "bird namespace", SEV_DEGRADED, "unknown: %s", w->err);
	else if (!w->same_netns)
		check(rep, "bird namespace", SEV_BROKEN,
		      "BIRD pid %d runs in another namespace than %s (left behind by a down and up?): its sessions cannot come up; wgmesh-net up tells it to shut down and its supervisor starts it in %s",
		      (int)w->pid, n->netns, n->netns);
	else
		check(rep, "bird namespace", SEV_OK, "runs in %s", n->netns);
	if (bird_state_read(w->sock, &rep->bs, err, errlen) < 0)
		check(rep, "bird state", SEV_BROKEN, "%s", err);
	else
		rep->bird_read = true;
}

static bool kernel_has_dst(const struct actual_ns *a, const struct wgm_prefix *dst)
{
	for (size_t i = 0; i < a->n_routes; i++) {
		const struct wgm_prefix *p = &a->routes[i].dst;
		if (p->len == dst->len && p->addr.family == dst->addr.family &&
		    !memcmp(ip_bytes(&p->addr), ip_bytes(&dst->addr), dst->addr.family == AF_INET ? 4 : 16))
			return true;
	}
	return false;
}

/* The peer's LAN: what it originates (its AS last on the path), less the site's tunnel /64s
 * (the /48 of our own tunnel address). Each must be in the namespace's kernel table. */
/* History, not health: a link that flapped and is Up again carries traffic. Counted by
 * `wgmesh-net run` between its rounds; a node run only by `up` has no count. */
static void check_flaps(struct report *rep, const char *ifname, struct link_info *li)
{
	const struct link_flaps *f = linkwatch_find(&rep->flaps, ifname);
	char name[64], when[40] = "";
	struct tm tm;

	snprintf(name, sizeof(name), "%s flaps", ifname);
	if (!f || !f->flaps) {
		check(rep, name, SEV_OK, "none counted");
		return;
	}
	li->flaps = f->flaps;
	li->last_flap = (long long)f->last_flap;
	if (gmtime_r(&f->last_flap, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (f->level)
		check(rep, name, SEV_OK, "%" PRIu32 ", the last at %s; BFD slowed %ux after repeated flaps, until %d minutes pass without one",
		      f->flaps, when, 1u << f->level, BFDDAMP_QUIET_S / 60);
	else
		check(rep, name, SEV_OK, "%" PRIu32 ", the last at %s", f->flaps, when);
}

static void check_routing(struct report *rep, const struct mesh_view *v, const struct actual_link *l,
			  struct link_info *li)
{
	const struct bird_link *bl = bird_state_link(&rep->bs, l->name);
	const struct actual_addr *own = addr_on(&v->a_priv, l->ifindex, AF_INET6);
	char name[64], missing[160] = "";
	size_t n_origin = 0; /* every route the peer originates, its tunnel /64s included */

	snprintf(name, sizeof(name), "%s bgp", l->name);
	if (!bl || !bl->bgp_state[0]) {
		check(rep, name, SEV_DEGRADED, "BIRD has no BGP session %s (its configuration not loaded?)", l->name);
	} else {
		snprintf(li->bgp_state, sizeof(li->bgp_state), "%s", bl->bgp_state);
		li->peer_as = bl->peer_as;
		check(rep, name, strcmp(bl->bgp_state, "Established") ? SEV_DEGRADED : SEV_OK, "%s%s%s",
		      bl->bgp_state, bl->last_error[0] ? ", last error: " : "", bl->last_error);
	}
	snprintf(name, sizeof(name), "%s bfd", l->name);
	if (bl && bl->bfd_state[0])
		snprintf(li->bfd_state, sizeof(li->bfd_state), "%s", bl->bfd_state);
	if (bl)
		li->bfd_interval_ms = bl->bfd_interval_ms;
	if (!strcmp(li->bfd_state, "Up") && li->bfd_interval_ms)
		check(rep, name, SEV_OK, "Up, every %u ms (down after %u missed)", li->bfd_interval_ms,
		      WGM_BFD_MULTIPLIER);
	else
		check(rep, name, !strcmp(li->bfd_state, "Up") ? SEV_OK : SEV_DEGRADED, "%s",
		      li->bfd_state[0] ? li->bfd_state : "no BFD session");
	check_flaps(rep, l->name, li);

	snprintf(name, sizeof(name), "%s lan routes", l->name);
	if (!li->peer_as) {
		check(rep, name, SEV_DEGRADED, "unknown: no BGP session tells the peer's AS");
		return;
	}
	for (size_t i = 0; i < rep->bs.n_routes; i++) {
		const struct bird_route *r = &rep->bs.routes[i];
		struct wgm_prefix site = { .len = 48 };
		char txt[INET6_ADDRSTRLEN + 4];
		size_t used;

		if (!r->primary || r->origin_as != li->peer_as)
			continue;
		n_origin++;
		if (own) {
			site.addr = own->p.addr;
			if (prefix_contains(&site, &r->dst.addr))
				continue;
		}
		inet_ntop(r->dst.addr.family, ip_bytes(&r->dst.addr), txt, sizeof(txt));
		snprintf(txt + strlen(txt), sizeof(txt) - strlen(txt), "/%u", r->dst.len);
		bool present = kernel_has_dst(&v->a_priv, &r->dst);
		char *list = present ? li->lan : missing;
		size_t cap = present ? sizeof(li->lan) : sizeof(missing);
		used = strlen(list);
		snprintf(list + used, cap - used, "%s%s", used ? "," : "", txt);
		present ? li->lan_routes++ : li->lan_missing++;
	}
	if (li->lan_missing)
		check(rep, name, SEV_DEGRADED, "learned from the peer but not in the kernel: %s", missing);
	else if (li->lan_routes)
		check(rep, name, SEV_OK, "%s in the kernel", li->lan);
	else if (!strcmp(li->bgp_state, "Established") && n_origin)
		check(rep, name, SEV_OK, "the peer announces no LAN");
	else if (!strcmp(li->bgp_state, "Established"))
		check(rep, name, SEV_DEGRADED, "nothing received from the peer yet");
	else
		check(rep, name, SEV_DEGRADED, "none: the session is down and no other path announces the peer's LAN");
}

static void json_links(const struct report *rep)
{
	printf(",\n  \"bird\": {\"socket\": ");
	json_string(stdout, rep->bird.sock);
	printf(", \"answers\": %s, \"pid\": %d, \"same_namespace\": %s},\n  \"links\": [",
	       rep->bird.answers ? "true" : "false", (int)rep->bird.pid,
	       rep->bird.same_netns ? "true" : "false");
	for (size_t i = 0; i < rep->n_links; i++) {
		const struct link_info *li = &rep->links[i];

		printf("%s\n    {\"interface\": ", i ? "," : "");
		json_string(stdout, li->name);
		printf(", \"up\": %s, \"endpoint\": ", li->up ? "true" : "false");
		json_string(stdout, li->endpoint);
		printf(", \"handshake_age\": %lld, \"rx_bytes\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
		       ", \"peer_as\": %" PRIu32 ", \"bgp_state\": ",
		       li->handshake_age, li->rx, li->tx, li->peer_as);
		json_string(stdout, li->bgp_state);
		printf(", \"bfd_state\": ");
		json_string(stdout, li->bfd_state);
		printf(", \"lan_routes\": [");
		for (const char *p = li->lan; *p;) {
			size_t len = strcspn(p, ",");
			char one[64];

			snprintf(one, sizeof(one), "%.*s", (int)len, p);
			if (p != li->lan)
				printf(", ");
			json_string(stdout, one);
			p += len + (p[len] == ',');
		}
		printf("], \"lan_routes_missing\": %zu, \"bfd_interval_ms\": %u, \"flaps\": %" PRIu32
		       ", \"last_flap\": %lld}",
		       li->lan_missing, li->bfd_interval_ms, li->flaps, li->last_flap);
	}
	printf("\n  ]");
}

/* Label values in the text format escape backslash, double quote and newline. */
static int label(struct wgm_buf *b, const char *s)
{
	int ret = 0;

	for (; *s && !ret; s++)
		ret = *s == '\\' || *s == '"' ? wgm_buf_appendf(b, "\\%c", *s)
		      : *s == '\n'           ? wgm_buf_appendf(b, "\\n")
					     : wgm_buf_appendf(b, "%c", *s);
	return ret;
}

static int metric_head(struct wgm_buf *b, const char *name, const char *type, const char *help)
{
	return wgm_buf_appendf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int metric(struct wgm_buf *b, const char *name, const char *netns, const char *link, double val)
{
	int ret = wgm_buf_appendf(b, "%s{namespace=\"", name);

	if (!ret)
		ret = label(b, netns);
	if (!ret && link) {
		ret = wgm_buf_appendf(b, "\",link=\"");
		if (!ret)
			ret = label(b, link);
	}
	if (!ret)
		ret = isinf(val) ? wgm_buf_appendf(b, "\"} +Inf\n") : wgm_buf_appendf(b, "\"} %.17g\n", val);
	return ret;
}

static int write_metrics(const struct report *rep, const char *netns, const char *path)
{
	static const struct {
		const char *name, *type, *help;
	} per_link[] = {
		{ "wgmesh_link_up", "gauge", "1 when the WireGuard link is up." },
		{ "wgmesh_link_handshake_age_seconds", "gauge", "Seconds since the last WireGuard handshake; +Inf when none ever." },
		{ "wgmesh_link_rx_bytes_total", "counter", "Bytes received from the link's peer." },
		{ "wgmesh_link_tx_bytes_total", "counter", "Bytes sent to the link's peer." },
		{ "wgmesh_link_bgp_established", "gauge", "1 when the link's BGP session is Established." },
		{ "wgmesh_link_bfd_up", "gauge", "1 when the link's BFD session is Up." },
		{ "wgmesh_link_lan_routes_missing", "gauge", "Prefixes the peer announces that are missing from the kernel table." },
		{ "wgmesh_link_flaps_total", "counter", "BFD sessions of the link that went from Up to Down, counted by wgmesh-net run." },
		{ "wgmesh_link_last_flap_timestamp_seconds", "gauge", "When the link last flapped; 0 when never." },
		{ "wgmesh_link_bfd_interval_seconds", "gauge", "The BFD session's transmit interval (slowed after repeated flaps); 0 when unknown." },
	};
	struct wgm_buf b = { 0 };
	int ret;

	ret = metric_head(&b, "wgmesh_health", "gauge", "Result of wgmesh-net verify: 0 healthy, 1 degraded, 2 broken.");
	if (!ret)
		ret = metric(&b, "wgmesh_health", netns, NULL, rep->worst);
	if (!ret)
		ret = metric_head(&b, "wgmesh_bird_up", "gauge", "1 when BIRD answers on its control socket and runs in this namespace.");
	if (!ret)
		ret = metric(&b, "wgmesh_bird_up", netns, NULL, rep->bird.answers && rep->bird.same_netns);
	if (!ret)
		ret = metric_head(&b, "wgmesh_drained", "gauge", "1 while the node is drained (wgmesh-net drain): its peers route around it.");
	if (!ret)
		ret = metric(&b, "wgmesh_drained", netns, NULL, rep->drained);
	if (!ret)
		ret = metric_head(&b, "wgmesh_verify_timestamp_seconds", "gauge", "When verify wrote this file.");
	if (!ret)
		ret = metric(&b, "wgmesh_verify_timestamp_seconds", netns, NULL, (double)time(NULL));
	for (size_t m = 0; !ret && m < sizeof(per_link) / sizeof(per_link[0]); m++) {
		ret = metric_head(&b, per_link[m].name, per_link[m].type, per_link[m].help);
		for (size_t i = 0; !ret && i < rep->n_links; i++) {
			const struct link_info *li = &rep->links[i];
			double val[] = {
				li->up,
				li->handshake_age < 0 ? INFINITY : (double)li->handshake_age,
				(double)li->rx,
				(double)li->tx,
				!strcmp(li->bgp_state, "Established"),
				!strcmp(li->bfd_state, "Up"),
				(double)li->lan_missing,
				(double)li->flaps,
				(double)li->last_flap,
				li->bfd_interval_ms / 1000.0,
			};
			ret = metric(&b, per_link[m].name, netns, li->name, val[m]);
		}
	}
	if (!ret)
		ret = wgm_write_atomic(path, b.p, b.len, 0644);
	wgm_buf_free(&b);
	return ret;
}

/* Drained is a state the operator chose, not a fault: ok, with the state in the detail. What
 * BIRD was given (the drain file) must say the same as the flag, else the peers see another
 * state than the operator asked for (degraded; up or a run round writes the file again). */
static void check_drain(struct report *rep, const struct netmgr_opts *o, const char *domain,
			const struct wgm_node_names *n)
{
	enum birdgen_drain file = BIRDGEN_UNDRAINED;
	int ret = drain_flag_read(o->state_dir, domain, &rep->drained);
	int fret = birdgen_read_drain(o->bird_dir, n->netns, &file);

	if (ret < 0)
		check(rep, "drain", SEV_DEGRADED, "cannot read the drain flag in %s: %s", o->state_dir,
		      strerror(-ret));
	else if (fret == 0 && file == BIRDGEN_DRAINED_STOP)
		check(rep, "drain", SEV_OK, "drained while the mesh goes down or BIRD stops");
	else if (fret == 0 && (file == BIRDGEN_DRAINED) != rep->drained)
		check(rep, "drain", SEV_DEGRADED,
		      "%s, but BIRD's drain file says %s: wgmesh-net up %s writes it again",
		      rep->drained ? "drained" : "not drained", file ? "drained" : "not drained", domain);
	else if (rep->drained)
		check(rep, "drain", SEV_OK,
		      "drained: the peers route around this node, its own LAN stays reachable (wgmesh-net undrain %s ends it)",
		      domain);
	else
		check(rep, "drain", SEV_OK, "not drained");
}

/* What wgmesh 1.0 left (legacy.c): the mesh may work, but each will bite. */
static void check_leftover(void *ctx, const char *what, const char *how)
{
	check(ctx, what, SEV_DEGRADED, "%s", how);
}

int verify_run(const struct wgm_node_names *n, const struct netmgr_opts *o, const char *domain)
{
	bool json = o->json;
	const char *metrics_path = o->metrics_path;
	struct report *rep = calloc(1, sizeof(*rep));
	struct mesh_view v;
	char err[256];
	int ret;

	if (!rep) {
		log_err("out of memory");
		return SEV_BROKEN;
	}
	rep->json = json;
	rep->first = true;
	if (json) {
		printf("{\"namespace\": ");
		json_string(stdout, n->netns);
		printf(", \"checks\": [");
	}
	ret = mesh_view_open(n->netns, &v, err, sizeof(err));
	if (ret < 0 || v.priv_fd < 0) {
		check(rep, "namespace", SEV_BROKEN, "%s", ret < 0 ? err : "the private namespace does not exist");
		goto out;
	}
	check(rep, "namespace", SEV_OK, "%s exists", n->netns);
	check_forwarding(rep, v.priv_fd, "private", "net/ipv4/ip_forward", SEV_BROKEN);
	check_forwarding(rep, v.priv_fd, "private", "net/ipv6/conf/all/forwarding", SEV_BROKEN);
	/* The LAN's IPv4 traffic to the internet leaves through the veth and the underlay; the
	 * mesh's IPv6 never does. */
	check_forwarding(rep, -1, "underlay", "net/ipv4/ip_forward", SEV_DEGRADED);
	check_veth(rep, n, &v);
	check_bird(rep, n, &v, err, sizeof(err));
	check_drain(rep, o, domain, n);
	if (linkwatch_load(o->state_dir, domain, &rep->flaps, err, sizeof(err)) < 0)
		check(rep, "flap counts", SEV_DEGRADED, "%s", err);
	for (size_t i = 0; i < v.a_priv.n_links && rep->n_links < WGM_MAX_HOSTS; i++) {
		const struct actual_link *l = &v.a_priv.links[i];
		struct link_info *li = &rep->links[rep->n_links];

		if (!wgm_is_mesh_wg_name(l->name))
			continue;
		check_device(rep, n, &v, l, li);
		if (rep->bird_read)
			check_routing(rep, &v, l, li);
		rep->n_links++;
	}
	check(rep, "wireguard devices", rep->n_links ? SEV_OK : SEV_BROKEN, "%zu%s", rep->n_links,
	      rep->n_links ? "" : " (no peer has joined the mesh yet, or up has not run)");
	{
		char detail[300];
		int sev = sitekey_health(o->state_dir, domain, detail, sizeof(detail));

		check(rep, "site key", (enum sev)sev, "%s", detail);
	}
out:
	legacy_scan(o, domain, n, &v, false, check_leftover, rep);
	mesh_view_close(&v);
	if (json) {
		printf("\n  ]");
		json_links(rep);
		printf(",\n  \"drained\": %s", rep->drained ? "true" : "false");
		printf(",\n  \"status\": \"%s\"}\n", rep->worst == SEV_OK ? "healthy" : sev_name[rep->worst]);
	} else {
		if (rep->worst == SEV_OK)
			printf("healthy\n");
		else
			printf("%s: %u check%s not ok\n", sev_name[rep->worst], rep->n_failed,
			       rep->n_failed == 1 ? "" : "s");
	}
	ret = rep->worst;
	if (metrics_path && (ret = write_metrics(rep, n->netns, metrics_path)) < 0) {
		log_err("cannot write the metrics file %s: %s (a directory node_exporter reads, writable by root)",
			metrics_path, strerror(-ret));
		ret = SEV_BROKEN;
	} else {
		ret = rep->worst;
	}
	bird_state_free(&rep->bs);
	free(rep);
	return ret;
}
