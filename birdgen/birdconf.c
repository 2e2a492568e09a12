#include "birdconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomicfile.h"
#include "safename.h"

static int path_printf(char *out, size_t outlen, const char *fmt, const char *dir,
		       const char *netns)
{
	int n;

	if (!dir || !*dir || !wgm_safe_name(netns))
		return -EINVAL;
	n = snprintf(out, outlen, fmt, dir, netns);
	if (n < 0)
		return -EINVAL;
	return (size_t)n < outlen ? 0 : -ENAMETOOLONG;
}

int birdgen_conf_path(const char *bird_dir, const char *netns, char *out, size_t outlen)
{
	return path_printf(out, outlen, "%s/bird_%s.conf", bird_dir, netns);
}

int birdgen_local_dir(const char *bird_dir, const char *netns, char *out, size_t outlen)
{
	return path_printf(out, outlen, "%s/bird_%s_local.d", bird_dir, netns);
}

int birdgen_drain_path(const char *bird_dir, const char *netns, char *out, size_t outlen)
{
	return path_printf(out, outlen, "%s/bird_%s_drain.conf", bird_dir, netns);
}

int birdgen_socket_path(const char *run_dir, const char *netns, char *out, size_t outlen)
{
	return path_printf(out, outlen, "%s/bird-%s.sock",
			   run_dir ? run_dir : BIRDGEN_DEFAULT_RUN_DIR, netns);
}

/* Why this file differs from what wgmesh 1.0 rendered; it heads every generated config so an
 * operator comparing the two finds the reasons next to the changes. */
static const char header[] =
	"# wgmesh - BIRD configuration of the private namespace \"%s\"\n"
	"#  GENERATED FILE - DO NOT EDIT BY HAND: local additions go to\n"
	"#  %s/*.conf\n"
	"#\n"
	"# Differences from wgmesh 1.0, on purpose:\n"
	"#  - IPv4 import accepts 172.16.0.0/12+ (1.0: 172.16.0.0/16+ dropped most of the\n"
	"#    private range, 172.22.15.0/24 of the README among it).\n"
	"#  - \"direct\" skips our veth by its real name \"%s\" (1.0's \"-private*\"\n"
	"#    matched no interface, so the 169.254 link subnet leaked into BGP).\n"
	"#  - BFD: %u ms x 5 = %u ms detection (wgmesh-net --bfd-interval; unless given\n"
	"#    10 ms, slower past 25 peers, links that flap slowed by wgmesh-net run), and\n"
	"#    \"bfd on\" instead of \"bfd graceful\":\n"
	"#    a dead link withdraws its routes at once instead of keeping them stale for\n"
	"#    the graceful restart time (120 s).\n"
	"#  - After a BFD or BGP failure the session retries within seconds (error wait\n"
	"#    time 1..16 s, connect retry 5 s, connect delay 1 s) instead of BIRD's\n"
	"#    60..300 s and 120 s defaults. Graceful restart stays on for BGP session\n"
	"#    resets; a peer's BIRD restart now counts as a dead link (BFD cannot tell\n"
	"#    them apart) and traffic moves to the other links at once.\n"
	"#  - UNREACHABLE4: a private destination whose mesh route went away is refused\n"
	"#    here; 1.0 sent it to the underlay's default route, out of the mesh.\n"
	"#  - Tunnel addresses are written in canonical IPv6 form.\n"
	"#  - Drain (RFC 8326 graceful shutdown): a route a peer marks with the\n"
	"#    GRACEFUL_SHUTDOWN community (65535, 0) gets local preference 0, so any\n"
	"#    other path wins; while this node is drained (wgmesh-net drain, and down\n"
	"#    before it tears the links down) it marks the routes it passes on so\n"
	"#    (transit; its own LAN has no other path and stays unmarked).\n"
	"\n";

static const char globals[] =
	"log syslog { debug, trace, info, remote, warning, error, auth, fatal, bug };\n"
	"router id %s;\n"
	"roa4 table roa_v4;\n"
	"roa6 table roa_v6;\n"
	"\n"
	"protocol device DEVICE { }\n"
	"\n"
	"protocol direct DIRECT {\n"
	"   ipv4 { export all; };\n"
	"   ipv6 { export all; };\n"
	"   interface \"-%s\";\n"
	"   interface \"*\";\n"
	"}\n"
	"\n"
	"protocol kernel KERNEL4 {\n"
	"   learn;\n"
	"   merge paths;\n"
	"   persist;\n"
	"   ipv4 { import all; export all; };\n"
	"}\n"
	"\n"
	"protocol kernel KERNEL6 {\n"
	"   learn;\n"
	"   merge paths;\n"
	"   persist;\n"
	"   ipv6 { import all; export all; };\n"
	"}\n"
	"\n"
	"# Private destinations without a mesh route are unreachable here instead of following\n"
	"# 0.0.0.0/1 and 128.0.0.0/1 to the underlay, where they would leave unencrypted. For the\n"
	"# kernel only: the lowest preference loses to any learned route, and BGP never exports it.\n"
	"protocol static UNREACHABLE4 {\n"
	"   ipv4 { preference 1; };\n"
	"   route 10.0.0.0/8 unreachable;\n"
	"   route 172.16.0.0/12 unreachable;\n"
	"   route 192.168.0.0/16 unreachable;\n"
	"}\n"
	"\n";

/* BFD: the node's interval on every link, and before it (BIRD takes the first pattern that
 * matches) the links that flapped and were slowed (wgmesh-net run, netmgr/bird/bfddamp.h).
 * BIRD retimes a running session on reconfigure (BFD's poll sequence): no session resets. */
static const char bfd_head[] = "protocol bfd {\n";
static const char bfd_link[] =
	"  interface \"%s\" {   # slowed after repeated flaps\n"
	"    interval %u ms;\n"
	"    multiplier %u;\n"
	"  };\n";
static const char bfd_tail[] =
	"  interface \"*\" {\n"
	"    interval %u ms;\n"
	"    multiplier %u;\n"
	"  };\n"
	"}\n"
	"\n";

/* The drain state, rendered on its own (birdgen_render_drain) so that `wgmesh-net drain` and a
 * stopping BIRD unit switch it without the node's record; defines WGMESH_DRAINED. */
static const char drain_include[] =
	"# 0: not drained; 1: drained by wgmesh-net drain (until undrain); 2: drained for a down\n"
	"# or a stop of BIRD. While not 0, every exported route carries GRACEFUL_SHUTDOWN.\n"
	"include \"%s\";\n"
	"\n";

/* Graceful shutdown (RFC 8326) at both ends: a route a draining peer marked with
 * GRACEFUL_SHUTDOWN (65535, 0) gets local preference 0, below the default 100 of every other
 * route, so any other path wins; eBGP carries no local preference, so the lowered value stays
 * on the receiver. While WGMESH_DRAINED is not 0 this node marks the routes it passes on
 * (source RTS_BGP: transit), not its own LAN and link nets: they have no path but through it,
 * and marking them would only make each peer prefer, until the mark reached all of them,
 * another peer's still unmarked copy, a loop of a few milliseconds that loses packets.
 *
 * error wait time: BIRD's pause before restarting a session that went down on an error, BFD
 * down included; doubling from 1 s up to 16 s damps a flapping link without making a healed
 * one wait a minute. error forget time: how long a quiet session must stay up before the
 * back-off starts again from 1 s. */
static const char template_bgp[] =
	"template bgp mesh_partner {\n"
	"  local as %u;\n"
	"  ipv4 {\n"
	"    import filter {\n"
	"      if ( (65535, 0) ~ bgp_community ) then bgp_local_pref = 0;\n"
	"      if ( net ~ [ 172.16.0.0/12+, 10.0.0.0/8+, 192.168.0.0/16+ ] ) then accept;\n"
	"      reject;\n"
	"    };\n"
	"    export filter {\n"
	"      if ( proto = \"UNREACHABLE4\" ) then reject;\n"
	"      if ( WGMESH_DRAINED != 0 && source = RTS_BGP ) then bgp_community.add((65535, 0));\n"
	"      accept;\n"
	"    };\n"
	"    preference 160;\n"
	"    extended next hop;\n"
	"   };\n"
	"   ipv6 {\n"
	"     import filter {\n"
	"       if ( (65535, 0) ~ bgp_community ) then bgp_local_pref = 0;\n"
	"       if ( net ~ [ 0::/0+ ] ) then accept;\n"
	"       reject;\n"
	"     };\n"
	"     export filter {\n"
	"       if ( WGMESH_DRAINED != 0 && source = RTS_BGP ) then bgp_community.add((65535, 0));\n"
	"       accept;\n"
	"     };\n"
	"  };\n"
	"  hold time 6;\n"
	"  bfd on;\n"
	"  graceful restart;\n"
	"  connect delay time 1;\n"
	"  connect retry time 5;\n"
	"  error wait time 1, 16;\n"
	"  error forget time 60;\n"
	"  enable extended messages;\n"
	"}\n"
	"\n";

static const char peer_bgp[] =
	"\n"
	"protocol bgp %s from mesh_partner {\n"
	"  interface \"%s\";\n"
	"  neighbor %s as %u external;\n"
	"}\n"
	"\n";

int birdgen_render(const struct wgm_node_plan *plan, const char *bird_dir, struct wgm_buf *out)
{
	char local_dir[4096], drain[4096], router_id[INET_ADDRSTRLEN], neighbor[INET6_ADDRSTRLEN];
	unsigned bfd_ms = plan->bfd_interval_ms ? plan->bfd_interval_ms
						: wgm_bfd_default_interval(plan->n_peers);
	size_t i;
	int ret;

	if (plan->n_peers > WGM_MAX_HOSTS || !wgm_safe_name(plan->veth_inner) ||
	    bfd_ms < WGM_BFD_INTERVAL_MS_MIN || bfd_ms > WGM_BFD_INTERVAL_MS_MAX)
		return -EINVAL;
	ret = birdgen_local_dir(bird_dir, plan->netns, local_dir, sizeof(local_dir));
	if (!ret)
		ret = birdgen_drain_path(bird_dir, plan->netns, drain, sizeof(drain));
	if (ret)
		return ret;
	if (!inet_ntop(AF_INET, &plan->router_id, router_id, sizeof(router_id)))
		return -errno;

	ret = wgm_buf_appendf(out, header, plan->netns, local_dir, plan->veth_inner, bfd_ms,
			      bfd_ms * WGM_BFD_MULTIPLIER);
	if (!ret)
		ret = wgm_buf_appendf(out, globals, router_id, plan->veth_inner);
	if (!ret)
		ret = wgm_buf_appendf(out, bfd_head);
	for (i = 0; !ret && i < plan->n_peers; i++) {
		const struct wgm_peer_plan *peer = &plan->peers[i];

		if (!peer->bfd_interval_ms || peer->bfd_interval_ms == bfd_ms)
			continue;
		if (!wgm_safe_name(peer->ifname) || peer->bfd_interval_ms < WGM_BFD_INTERVAL_MS_MIN ||
		    peer->bfd_interval_ms > WGM_BFD_INTERVAL_MS_MAX)
			return -EINVAL;
		ret = wgm_buf_appendf(out, bfd_link, peer->ifname, peer->bfd_interval_ms,
				      WGM_BFD_MULTIPLIER);
	}
	if (!ret)
		ret = wgm_buf_appendf(out, bfd_tail, bfd_ms, WGM_BFD_MULTIPLIER);
	if (!ret)
		ret = wgm_buf_appendf(out, drain_include, drain);
	if (!ret)
		ret = wgm_buf_appendf(out, template_bgp, (unsigned)plan->asn);
	for (i = 0; !ret && i < plan->n_peers; i++) {
		const struct wgm_peer_plan *peer = &plan->peers[i];

		if (!wgm_safe_name(peer->ifname))
			return -EINVAL;
		if (!inet_ntop(AF_INET6, &peer->peer_addr, neighbor, sizeof(neighbor)))
			return -errno;
		/* The protocol is named after its link, as in 1.0, so "show protocols" and the
		 * interface list line up. */
		ret = wgm_buf_appendf(out, peer_bgp, peer->ifname, peer->ifname, neighbor,
				      (unsigned)peer->asn);
	}
	if (!ret)
		ret = wgm_buf_appendf(out, "\ninclude \"%s/*.conf\";\n", local_dir);
	return ret;
}

int birdgen_render_drain(enum birdgen_drain state, struct wgm_buf *out)
{
	static const char *const why[] = {
		[BIRDGEN_UNDRAINED] = "not drained",
		[BIRDGEN_DRAINED] = "drained by wgmesh-net drain, until wgmesh-net undrain",
		[BIRDGEN_DRAINED_STOP] = "drained while the mesh goes down or BIRD stops",
	};

	if ((unsigned)state > BIRDGEN_DRAINED_STOP)
		return -EINVAL;
	return wgm_buf_appendf(out,
			       "# wgmesh - drain state of this node (GENERATED FILE - DO NOT EDIT BY HAND:\n"
			       "# wgmesh-net drain / undrain DOMAIN): %s\n"
			       "define WGMESH_DRAINED = %d;\n",
			       why[state], (int)state);
}

int birdgen_read_drain(const char *bird_dir, const char *netns, enum birdgen_drain *state)
{
	char path[4096], *text = NULL, *def;
	size_t len;
	int ret = birdgen_drain_path(bird_dir, netns, path, sizeof(path));

	*state = BIRDGEN_UNDRAINED;
	if (!ret)
		ret = wgm_read_file(path, 4096, &text, &len);
	if (ret)
		return ret;
	def = strstr(text, "define WGMESH_DRAINED = ");
	if (def && def[24] >= '0' && def[24] <= '2' && def[25] == ';')
		*state = (enum birdgen_drain)(def[24] - '0');
	else
		ret = -EBADMSG;
	free(text);
	return ret;
}

int birdgen_write_drain(const char *bird_dir, const char *netns, enum birdgen_drain state,
			bool *changed, char *err, size_t errlen)
{
	struct wgm_buf text = { 0 };
	char path[4096];
	int ret = birdgen_drain_path(bird_dir, netns, path, sizeof(path));

	*changed = false;
	if (ret) {
		snprintf(err, errlen, "bad BIRD directory \"%s\" or namespace name \"%s\"",
			 bird_dir ? bird_dir : "", netns);
		return ret;
	}
	ret = birdgen_render_drain(state, &text);
	if (!ret)
		ret = wgm_write_if_changed(path, text.p, text.len, 0644, changed);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	wgm_buf_free(&text);
	return ret;
}

static int make_dir(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int e;

	if (mkdir(path, 0755) == 0)
		return 0;
	e = errno;
	if (e == EEXIST)
		e = stat(path, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e)
		snprintf(err, errlen, "cannot create the %s %s: %s", what, path, strerror(e));
	return -e;
}

/* The first interface name render refused, for the error message. */
static const char *bad_ifname(const struct wgm_node_plan *plan)
{
	size_t i;

	if (!wgm_safe_name(plan->veth_inner))
		return plan->veth_inner;
	for (i = 0; i < plan->n_peers && i < WGM_MAX_HOSTS; i++)
		if (!wgm_safe_name(plan->peers[i].ifname))
			return plan->peers[i].ifname;
	return "";
}

int birdgen_write(const struct wgm_node_plan *plan, const char *bird_dir, bool *changed,
		  char *err, size_t errlen)
{
	struct wgm_buf conf = { 0 };
	char path[4096], local_dir[4096];
	bool drain_changed = false;
	int ret;

	*changed = false;
	if (birdgen_conf_path(bird_dir, plan->netns, path, sizeof(path)) ||
	    birdgen_local_dir(bird_dir, plan->netns, local_dir, sizeof(local_dir))) {
		snprintf(err, errlen,
			 "bad BIRD directory \"%s\" or namespace name \"%s\": use a short path and "
			 "a name of letters, digits, '_', '.', '-'",
			 bird_dir ? bird_dir : "", plan->netns);
		return -EINVAL;
	}
	ret = birdgen_render(plan, bird_dir, &conf);
	if (ret == -EINVAL) {
		snprintf(err, errlen,
			 "cannot render %s: interface name \"%s\" is not letters, digits, '_', "
			 "'.', '-'", path, bad_ifname(plan));
		goto out;
	}
	if (ret) {
		snprintf(err, errlen, "cannot render %s: %s", path, strerror(-ret));
		goto out;
	}
	/* BIRD's package makes its directory; a host that installs BIRD later still gets its
	 * config in place for the day it does. */
	ret = make_dir("BIRD directory", bird_dir, err, errlen);
	if (!ret)
		ret = make_dir("BIRD include directory", local_dir, err, errlen);
	if (ret)
		goto out;
	/* The drain file first: the configuration includes it, and BIRD refuses a missing one. */
	ret = birdgen_write_drain(bird_dir, plan->netns,
				  plan->drained ? BIRDGEN_DRAINED : BIRDGEN_UNDRAINED, &drain_changed,
				  err, errlen);
	if (ret)
		goto out;
	ret = wgm_write_if_changed(path, conf.p, conf.len, 0644, changed);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	*changed = *changed || drain_changed;
out:
	wgm_buf_free(&conf);
	return ret;
}
