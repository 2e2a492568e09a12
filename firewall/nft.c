#include "nft.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomicfile.h"
#include "fwname.h"

int firewall_nft_table_name(const char *netns, char *out, size_t outlen)
{
	int n;

	if (!wgm_safe_name(netns))
		return -EINVAL;
	n = snprintf(out, outlen, "wgmesh_%s", netns);
	return n >= 0 && (size_t)n < outlen ? 0 : -ENAMETOOLONG;
}

int firewall_nft_path(const char *dir, const char *netns, char *out, size_t outlen)
{
	int n;

	if (!dir || !*dir || !wgm_safe_name(netns))
		return -EINVAL;
	n = snprintf(out, outlen, "%s/wgmesh-%s.nft", dir, netns);
	return n >= 0 && (size_t)n < outlen ? 0 : -ENAMETOOLONG;
}

/* Accept rules in a table whose policy is accept change no verdict on their own: they count
 * the mesh's traffic and document it, and a host whose own table drops must open the same
 * ports there (an accept in one table cannot overrule a drop in another). The one verdict of
 * our own is on the veth: `up` turns on forwarding in the underlay for the LAN's way out, so
 * through the veth passes only that way out (the mesh's sources) and its replies; traffic
 * between the host's other interfaces is left to the operator's policy. */
int firewall_render_nft(const struct wgm_node_plan *plan, struct wgm_buf *out)
{
	char table[96], sources[64], in_public[48] = "", out_public[48] = "";
	size_t i;
	int ret;

	ret = firewall_nft_table_name(plan->netns, table, sizeof(table));
	if (ret)
		return ret;
	if (!wgm_safe_name(plan->veth_outer) || (*plan->public_if && !wgm_safe_name(plan->public_if)) ||
	    plan->n_peers > WGM_MAX_HOSTS)
		return -EINVAL;
	ret = fw_masq_sources(plan, sources, sizeof(sources));
	if (ret)
		return ret;
	/* Without a known public interface: any interface but our veth. */
	if (*plan->public_if) {
		snprintf(in_public, sizeof(in_public), "iifname \"%s\" ", plan->public_if);
		snprintf(out_public, sizeof(out_public), "oifname \"%s\" ", plan->public_if);
	} else {
		snprintf(out_public, sizeof(out_public), "oifname != \"%s\" ", plan->veth_outer);
	}

	/* Creating the table first makes the delete succeed on the first run too; the three
	 * commands are one transaction, so the old rules stay until the new ones are in. */
	ret = wgm_buf_appendf(out,
		"#!/usr/sbin/nft -f\n"
		"# wgmesh - nftables rules of the namespace \"%s\"\n"
		"#  GENERATED FILE - DO NOT EDIT BY HAND\n"
		"table inet %s {}\n"
		"delete table inet %s\n"
		"table inet %s {\n"
		"\tchain input {\n"
		"\t\ttype filter hook input priority filter; policy accept;\n",
		plan->netns, table, table, table);
	if (!ret && plan->n_peers) {
		ret = wgm_buf_appendf(out, "\t\t%sudp dport { ", in_public);
		for (i = 0; !ret && i < plan->n_peers; i++)
			ret = wgm_buf_appendf(out, "%s%u", i ? ", " : "",
					      (unsigned)plan->peers[i].listen_port);
		if (!ret)
			ret = wgm_buf_appendf(out, " } counter accept comment \"wgmesh WireGuard links\"\n");
	}
	if (ret)
		return ret;
	return wgm_buf_appendf(out,
		"\t}\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority filter; policy accept;\n"
		"\t\tiifname \"%s\" ip saddr { %s } counter accept comment \"wgmesh LAN and mesh out\"\n"
		"\t\toifname \"%s\" ct state established,related counter accept comment \"wgmesh replies\"\n"
		"\t\tiifname \"%s\" counter drop comment \"wgmesh: no other source\"\n"
		"\t\toifname \"%s\" counter drop comment \"wgmesh: no new flow in\"\n"
		"\t}\n"
		"\tchain postrouting {\n"
		"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
		"\t\t%sip saddr { %s } counter masquerade\n"
		"\t}\n"
		"}\n",
		plan->veth_outer, sources, plan->veth_outer, plan->veth_outer, plan->veth_outer,
		out_public, sources);
}

int firewall_write_nft(const struct wgm_node_plan *plan, const char *dir, bool *changed,
		       char *err, size_t errlen)
{
	struct wgm_buf script = { 0 };
	char path[4096];
	int ret;

	*changed = false;
	ret = firewall_nft_path(dir, plan->netns, path, sizeof(path));
	if (ret) {
		snprintf(err, errlen,
			 "bad nftables directory \"%s\" or namespace name \"%s\": use a short path "
			 "and a name of letters, digits, '_', '.', '-'",
			 dir ? dir : "", plan->netns);
		return ret;
	}
	ret = firewall_render_nft(plan, &script);
	if (ret) {
		snprintf(err, errlen, "cannot render %s for interfaces \"%s\" and \"%s\": %s", path,
			 plan->public_if, plan->veth_outer, strerror(-ret));
		goto out;
	}
	ret = wgm_write_if_changed(path, script.p, script.len, 0644, changed);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
out:
	wgm_buf_free(&script);
	return ret;
}
