#include "shorewall.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomicfile.h"
#include "fwname.h"

static bool plan_names_ok(const struct wgm_node_plan *plan)
{
	return wgm_safe_name(plan->public_if) && wgm_safe_name(plan->veth_outer);
}

/* Differences from 1.0: "loc" names our veth (1.0 left physical= empty) and has no
 * routefilter: packets from the LANs behind the private namespace arrive on the veth with
 * sources the underlay routes elsewhere, and reverse-path filtering would drop them. */
int firewall_render_shorewall_interfaces(const struct wgm_node_plan *plan, struct wgm_buf *out)
{
	if (!plan_names_ok(plan))
		return -EINVAL;
	return wgm_buf_appendf(out,
		"## wgmesh - /etc/shorewall/interfaces of the namespace \"%s\"\n"
		"#  GENERATED FILE - DO NOT EDIT BY HAND\n"
		"###############################################################################\n"
		"?FORMAT 2\n"
		"###############################################################################\n"
		"#ZONE\tINTERFACE\tOPTIONS\n"
		"net     NET_IF      tcpflags,nosmurfs,routefilter,sourceroute=0,physical=%s\n"
		"loc     LOC_IF      tcpflags,physical=%s\n",
		plan->netns, plan->public_if, plan->veth_outer);
}

/* 1.0's rules, except that the WireGuard ports are opened to the firewall itself instead of
 * DNATed to the private namespace: our WireGuard sockets stay in the underlay. */
int firewall_render_shorewall_rules(const struct wgm_node_plan *plan, struct wgm_buf *out)
{
	size_t i;
	int ret;

	if (!plan_names_ok(plan) || plan->n_peers > WGM_MAX_HOSTS)
		return -EINVAL;
	ret = wgm_buf_appendf(out,
		"## wgmesh - /etc/shorewall/rules of the namespace \"%s\"\n"
		"#  GENERATED FILE - DO NOT EDIT BY HAND\n"
		"######################################################################################################################################################################################################\n"
		"#ACTION\t\tSOURCE\t\tDEST\t\tPROTO\tDEST\tSOURCE\t\tORIGINAL\tRATE\t\tUSER/\tMARK\tCONNLIMIT\tTIME\t\tHEADERS\t\tSWITCH\t\tHELPER\n"
		"#\t\t\t\t\t\t\tPORT\tPORT(S)\t\tDEST\t\tLIMIT\t\tGROUP\n"
		"?SECTION ALL\n"
		"?SECTION ESTABLISHED\n"
		"?SECTION RELATED\n"
		"?SECTION INVALID\n"
		"?SECTION UNTRACKED\n"
		"?SECTION NEW\n"
		"\n"
		"# WireGuard links: one UDP port per peer, answered in the underlay (no DNAT)\n",
		plan->netns);
	for (i = 0; !ret && i < plan->n_peers; i++)
		ret = wgm_buf_appendf(out, "ACCEPT\t\tnet\t\t$FW\t\tudp\t%u\t# %s\n",
				      (unsigned)plan->peers[i].listen_port, plan->peers[i].ifname);
	if (ret)
		return ret;
	return wgm_buf_appendf(out,
		"\n"
		"# Don't allow connection pickup from the net\n"
		"Invalid(DROP)\tnet\tall\ttcp\n"
		"Invalid(DROP)\tnet\tall\tudp\n"
		"Invalid(DROP)\tloc\tnet:172.16.0.0/12,10.0.0.0/8,192.168.0.0/16\n"
		"\n"
		"# Accept DNS connections from the firewall to the Internet\n"
		"DNS(ACCEPT)\t$FW\t\tnet\n"
		"NTP(ACCEPT)\t$FW\t\tnet\n"
		"SNMP(ACCEPT)\t$FW\t\tnet\n"
		"SSH(ACCEPT)\t$FW\t\tnet\n"
		"\n"
		"# Accept SSH connections from the local network to the firewall and DMZ\n"
		"SSH(ACCEPT)\tnet\t\t$FW\n"
		"SSH(ACCEPT)\tloc\t\t$FW\n"
		"\n"
		"Ping(ACCEPT)\tnet\t\t$FW\n"
		"\n"
		"# Make ping work bi-directionally between the net, Firewall and local zone\n"
		"# (assumes that the loc-> net policy is ACCEPT).\n"
		"Ping(ACCEPT)\tloc\t\t$FW\n"
		"Ping(ACCEPT)\t$FW\t\tloc\n"
		"\n"
		"SNMP(ACCEPT)\tloc\t\t$FW\n"
		"\n"
		"Ping(ACCEPT)\t$FW\t\tnet\t\ticmp\n"
		"ACCEPT\t\t$FW\t\tloc\t\ticmp\n"
		"ACCEPT\t\t$FW\t\tloc\n"
		"\n"
		"ACCEPT\t\t$FW\t\tnet\t\ttcp\thttps\n"
		"ACCEPT\t\t$FW\t\tnet\t\ttcp\thttp\n");
}

/* New in wgmesh 2: 1.0 left masquerading to the operator. The private namespace reaches the
 * internet through the veth, so its traffic leaves with the public interface's address. */
int firewall_render_shorewall_snat(const struct wgm_node_plan *plan, struct wgm_buf *out)
{
	char sources[64];
	int ret;

	if (!plan_names_ok(plan))
		return -EINVAL;
	ret = fw_masq_sources(plan, sources, sizeof(sources));
	if (ret)
		return ret;
	return wgm_buf_appendf(out,
		"## wgmesh - /etc/shorewall/snat of the namespace \"%s\"\n"
		"#  GENERATED FILE - DO NOT EDIT BY HAND\n"
		"#ACTION\t\tSOURCE\t\t\tDEST\t\tPROTO\tPORT\tIPSEC\tMARK\tUSER\tSWITCH\tORIGDEST\tPROBABILITY\n"
		"MASQUERADE\t%s\t%s\n",
		plan->netns, sources, plan->public_if);
}

typedef int (*render_fn)(const struct wgm_node_plan *, struct wgm_buf *);

int firewall_write_shorewall(const struct wgm_node_plan *plan, const char *dir, bool *changed,
			     char *err, size_t errlen)
{
	static const struct {
		const char *name;
		render_fn render;
	} files[] = {
		{ "interfaces", firewall_render_shorewall_interfaces },
		{ "rules", firewall_render_shorewall_rules },
		{ "snat", firewall_render_shorewall_snat },
	};
	struct wgm_buf text[3] = { 0 };
	char path[4096];
	size_t i;
	int ret = 0;

	*changed = false;
	if (!*plan->public_if) {
		snprintf(err, errlen,
			 "Shorewall needs the public interface: set it with wgconfig -i IFACE, or "
			 "pick another firewall with wgconfig --firewall");
		return -EINVAL;
	}
	/* Render all three first so a bad name changes no file. */
	for (i = 0; i < 3 && !ret; i++) {
		ret = files[i].render(plan, &text[i]);
		if (ret)
			snprintf(err, errlen,
				 "cannot render Shorewall %s for interfaces \"%s\" and \"%s\": %s",
				 files[i].name, plan->public_if, plan->veth_outer, strerror(-ret));
	}
	for (i = 0; i < 3 && !ret; i++) {
		bool one = false;
		int n = snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);

		if (n < 0 || (size_t)n >= sizeof(path)) {
			snprintf(err, errlen, "Shorewall directory path too long: %s", dir);
			ret = -ENAMETOOLONG;
			break;
		}
		ret = wgm_write_if_changed(path, text[i].p, text[i].len, 0644, &one);
		if (ret)
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
		*changed = *changed || one;
	}
	for (i = 0; i < 3; i++)
		wgm_buf_free(&text[i]);
	return ret;
}
