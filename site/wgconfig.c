/* wgconfig DOMAIN: the node's first contact with a site. Fetches the site record (or takes
 * -l/-P), pins the site key, and records the local interfaces in <state-dir>/<domain>.yaml.
 * A pinned key is never replaced by what DNS says: that is the point of pinning. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../dnsfetch/fetch.h"
#include "cli.h"
#include "hoststate.h"
#include "ifcheck.h"
#include "log.h"
#include "plan.h"
#include "records.h"
#include "txtchunk.h"
#include "uuid.h"

struct wgconfig_opts {
	const char *state_dir;
	const char *domain;
	const char *public_if;
	const char *trust_if;
	const char *trust_ip;
	const char *outbound;
	const char *locus;
	const char *site_key;
	const char *firewall;
	const char *netns;
	bool has_hold_down;
	unsigned long long hold_down;
	bool repin;
	struct wgm_fetch_opts dns;
};

static void usage(void)
{
	printf("Usage: wgconfig [options] DOMAIN\n"
	       "Pins the site key of DOMAIN and writes <state-dir>/DOMAIN.yaml.\n"
	       "  -i IF              public (internet) interface\n"
	       "  -T IF              trust (LAN) interface, moved into the private namespace\n"
	       "  -I ADDR/PREFIX     address of the trust interface\n"
	       "  -o VETH            underlay end of the veth pair (default ve-<locus>)\n"
	       "  -l LOCUS -P KEY    site locus and public key, instead of asking DNS; the only\n"
	       "                     way to change a pinned locus (DNS cannot)\n"
	       "  --dns ADDR[:PORT]  DNS server to ask for the site record\n"
	       "  --firewall shorewall|nftables|none\n"
	       "  --netns NAME       private namespace name (default: the locus)\n"
	       "  --repin            with -l/-P: replace the pinned site key (the last resort of a\n"
	       "                     site-key rollover)\n"
	       "  --hold-down SECS   how long a site-key handover must be seen before it is pinned\n"
	       "                     (default 2592000, 30 days; 0 back to the default)\n"
	       "  --state-dir DIR    default " WGM_DEFAULT_STATE_DIR "\n"
	       "  -v, -q, -d         more, less, debug output (the most verbose given wins)\n");
}

static int parse_args(int argc, char **argv, struct wgconfig_opts *o)
{
	enum { OPT_DNS = 256, OPT_FIREWALL, OPT_NETNS, OPT_STATEDIR, OPT_HOLD, OPT_REPIN };
	static const struct option longopts[] = {
		{ "dns", required_argument, NULL, OPT_DNS },
		{ "firewall", required_argument, NULL, OPT_FIREWALL },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "state-dir", required_argument, NULL, OPT_STATEDIR },
		{ "hold-down", required_argument, NULL, OPT_HOLD },
		{ "repin", no_argument, NULL, OPT_REPIN },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct wgm_prefix p;
	int c;

	o->state_dir = WGM_DEFAULT_STATE_DIR;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "i:T:I:o:l:P:vqd", longopts, NULL)) != -1) {
		if (wgm_log_verbosity(c))
			continue;
		switch (c) {
		case 'i': o->public_if = optarg; break;
		case 'T': o->trust_if = optarg; break;
		case 'I': o->trust_ip = optarg; break;
		case 'o': o->outbound = optarg; break;
		case 'l': o->locus = optarg; break;
		case 'P': o->site_key = optarg; break;
		case OPT_FIREWALL: o->firewall = optarg; break;
		case OPT_NETNS: o->netns = optarg; break;
		case OPT_STATEDIR: o->state_dir = optarg; break;
		case OPT_REPIN: o->repin = true; break;
		case OPT_HOLD:
			if (!wgm_parse_u64(optarg, 0, 10ull * 365 * 24 * 3600, &o->hold_down))
				return wgm_cli_usage_error("--hold-down '%s' must be seconds, 0..315360000", optarg);
			o->has_hold_down = true;
			break;
		case OPT_DNS:
			if (wgm_cli_dns_option(&o->dns, optarg))
				return 1;
			break;
		default:
			return wgm_cli_other_option(c, argv, usage);
		}
	}
	if (wgm_cli_one_domain(argc, argv, &o->domain))
		return 1;
	if (!!o->locus != !!o->site_key)
		return wgm_cli_usage_error("-l LOCUS and -P SITEKEY go together");
	if (o->repin && !o->site_key)
		return wgm_cli_usage_error("--repin takes the new key from -l LOCUS -P SITEKEY, never from DNS");
	if (o->public_if && !wgm_ifname_valid(o->public_if))
		return wgm_cli_usage_error("-i '%s' is not an interface name", o->public_if);
	if (o->trust_if && !wgm_ifname_valid(o->trust_if))
		return wgm_cli_usage_error("-T '%s' is not an interface name", o->trust_if);
	if (o->outbound && !wgm_ifname_valid(o->outbound))
		return wgm_cli_usage_error("-o '%s' is not an interface name", o->outbound);
	if (o->trust_ip && (wgm_prefix_parse(o->trust_ip, &p) || !strchr(o->trust_ip, '/')))
		return wgm_cli_usage_error("-I '%s' is not ADDRESS/PREFIX", o->trust_ip);
	if (o->firewall && strcmp(o->firewall, "shorewall") && strcmp(o->firewall, "nftables") &&
	    strcmp(o->firewall, "none"))
		return wgm_cli_usage_error("--firewall '%s' must be shorewall, nftables or none",
					   o->firewall);
	if (o->netns && (!wgm_netns_name_valid(o->netns)))
		return wgm_cli_usage_error("--netns '%s' is not a namespace name", o->netns);
	return 0;
}

/* The site record, from the command line or from DNS. */
static int site_record_get(const struct wgconfig_opts *o, struct wgm_site_record *rec)
{
	struct wgm_fetch_result res = { 0 };
	struct wgm_buf payload = { 0 };
	char err[256];
	int ret;

	memset(rec, 0, sizeof(*rec));
	if (o->locus) {
		if (!wgm_cli_copy(rec->locus, sizeof(rec->locus), o->locus) || !o->locus[0]) {
			log_err("-l '%s' is not a usable locus", o->locus);
			return -EINVAL;
		}
		if (wgm_key_from_b64(&rec->public_key, o->site_key)) {
			log_err("-P '%s' is not a base64 public key (44 characters)", o->site_key);
			return -EINVAL;
		}
		return 0;
	}
	ret = wgm_fetch_txt_sandboxed(&o->dns, o->domain, &res);
	if (!ret && res.status != WGM_FETCH_OK) {
		log_err("no site record for %s in DNS (%s%s%s); publish it (wgsite) or give -l and "
			"-P", o->domain, wgm_fetch_status_str(res.status), res.detail[0] ? ": " : "",
			res.detail);
		ret = -ENOENT;
	} else if (ret) {
		log_err("cannot look up TXT %s: %s", o->domain, res.detail[0] ? res.detail : strerror(-ret));
	} else if ((ret = wgm_txt_decode((const char *const *)res.txt.v, res.txt.n, &payload, err, sizeof(err))) ||
		   (ret = wgm_site_record_decode(payload.p, payload.len, rec, err, sizeof(err)))) {
		log_err("site record TXT %s is invalid: %s", o->domain, err);
	}
	wgm_buf_free(&payload);
	wgm_fetch_result_free(&res);
	return ret;
}

/* The interfaces named on the command line, where wgmesh-net will look for them. The trust
 * interface may already be in the private namespace: wgmesh-net up moved it there. */
static int check_interfaces(const struct wgconfig_opts *o, const char *netns)
{
	if (o->public_if && !wgm_if_exists(o->public_if, NULL)) {
		log_err("-i %s: no such interface on this host; give the public interface (see ip link)",
			o->public_if);
		return -ENODEV;
	}
	if (o->trust_if && !wgm_if_exists(o->trust_if, NULL) && !wgm_if_exists(o->trust_if, netns)) {
		log_err("-T %s: no such interface on this host nor in namespace %s; give the trust (LAN) interface (see ip link)",
			o->trust_if, netns);
		return -ENODEV;
	}
	/* wgmesh-net makes this veth, and mends a lone end of it by deleting it. */
	if (o->outbound && wgm_if_exists(o->outbound, NULL) && !wgm_if_is_veth(o->outbound)) {
		log_err("-o %s: that is an existing interface, not a veth; -o names the veth wgmesh-net makes: give a free name",
			o->outbound);
		return -EEXIST;
	}
	return 0;
}

static int set_default_key_files(struct wgm_host_state *hs, const char *state_dir)
{
	int n;

	if (strlen(state_dir) > 3900)
		return -ENAMETOOLONG;
	if (!hs->private_key_file[0]) {
		n = snprintf(hs->private_key_file, sizeof(hs->private_key_file), "%.3900s/%.60s_priv",
			     state_dir, hs->locus);
		if (n < 0 || (size_t)n >= sizeof(hs->private_key_file))
			return -ENAMETOOLONG;
	}
	if (!hs->public_key_file[0]) {
		n = snprintf(hs->public_key_file, sizeof(hs->public_key_file), "%.3900s/%.60s_pub",
			     state_dir, hs->locus);
		if (n < 0 || (size_t)n >= sizeof(hs->public_key_file))
			return -ENAMETOOLONG;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct wgconfig_opts o = { 0 };
	struct wgm_host_state hs = { 0 };
	struct wgm_site_record rec;
	char path[4096], abs_dir[PATH_MAX], err[512], pinned[WGM_KEY_B64_LEN + 1], offered[WGM_KEY_B64_LEN + 1];
	bool fresh, repin;
	int ret;

	wgm_log_init("wgconfig");
	if (sodium_init() < 0) {
		log_err("libsodium failed to initialise");
		return 1;
	}
	if (parse_args(argc, argv, &o))
		return 1;
	if (wgm_host_state_path(o.state_dir, o.domain, path, sizeof(path))) {
		log_err("state path for %s under %s is too long", o.domain, o.state_dir);
		return 1;
	}
	fresh = access(path, F_OK) != 0 && errno == ENOENT;
	if (!fresh) {
		ret = wgm_host_state_load(path, &hs, err, sizeof(err));
		if (ret) {
			log_err("%s", err);
			return 1;
		}
	} else {
		snprintf(hs.domain, sizeof(hs.domain), "%s", o.domain);
		snprintf(hs.cmdfping, sizeof(hs.cmdfping), "/usr/sbin/fping");
		if (gethostname(hs.hostname, sizeof(hs.hostname) - 1))
			snprintf(hs.hostname, sizeof(hs.hostname), "localhost");
		hs.firewall = WGM_FW_SHOREWALL;
		wgm_uuid4(hs.uuid);
	}

	ret = site_record_get(&o, &rec);
	if (ret)
		goto out;
	/* A node that already pinned the successor of a site-key handover under way is ahead of
	 * the site record, not at odds with it. */
	repin = hs.has_site_key && !wgm_key_equal(&hs.site_public_key, &rec.public_key) &&
		!(!o.site_key && rec.has_next_key && wgm_key_equal(&hs.site_public_key, &rec.next_key));
	wgm_key_to_b64(&hs.site_public_key, pinned);
	wgm_key_to_b64(&rec.public_key, offered);
	/* What DNS says never replaces a pinned key; --repin with a key typed in is the operator's
	 * deliberate act, the last resort of a site-key rollover (docs/operating.md). */
	if (repin && !o.repin) {
		log_err("site %s offers key %s but %s pins %s; refusing (if the site really changed "
			"its key, re-pin it: wgconfig --repin -l %s -P KEY %s)", o.domain, offered, path,
			pinned, rec.locus, o.domain);
		ret = -EPERM;
		goto out;
	}
	/* The locus names the namespace, the veth and the BIRD and nft files: pinned like the key,
	 * so DNS cannot point this node at another mesh's namespace. Only the operator's -l moves
	 * it. */
	if (hs.has_site_key && hs.locus[0] && strcmp(hs.locus, rec.locus)) {
		if (!o.locus) {
			wgm_key_to_b64(&hs.site_public_key, pinned);
			log_err("site %s now says locus '%s' but %s pins '%s'; refusing (if the site "
				"really moved it, run wgconfig -l %s -P %s %s)", o.domain, rec.locus, path,
				hs.locus, rec.locus, pinned, o.domain);
			ret = -EPERM;
			goto out;
		}
		log_notice("locus of %s changed from '%s' to '%s' (-l)", o.domain, hs.locus, rec.locus);
	}
	ret = check_interfaces(&o, o.netns ? o.netns : hs.netns[0] ? hs.netns : rec.locus);
	if (ret)
		goto out;
	if (!hs.has_site_key || repin)
		hs.site_public_key = rec.public_key;
	hs.has_site_key = true;
	snprintf(hs.locus, sizeof(hs.locus), "%s", rec.locus);
	if (!hs.uuid[0])
		wgm_uuid4(hs.uuid);
	if (mkdir(o.state_dir, 0755) && errno != EEXIST) {
		ret = -errno;
		log_err("cannot create state directory %s: %s", o.state_dir, strerror(errno));
		goto out;
	}
	/* Key paths are stored absolute: wghost and wgmesh-net run from anywhere. */
	if (!realpath(o.state_dir, abs_dir)) {
		ret = -errno;
		log_err("cannot resolve state directory %s: %s", o.state_dir, strerror(errno));
		goto out;
	}
	ret = set_default_key_files(&hs, abs_dir);
	if (ret) {
		log_err("key file paths under %s are too long", abs_dir);
		goto out;
	}
	if (o.public_if)
		snprintf(hs.interface_public, sizeof(hs.interface_public), "%s", o.public_if);
	if (o.trust_if)
		snprintf(hs.interface_trust, sizeof(hs.interface_trust), "%s", o.trust_if);
	if (o.trust_ip)
		snprintf(hs.interface_trust_ip, sizeof(hs.interface_trust_ip), "%s", o.trust_ip);
	if (o.outbound)
		snprintf(hs.interface_outbound, sizeof(hs.interface_outbound), "%s", o.outbound);
	if (o.netns)
		snprintf(hs.netns, sizeof(hs.netns), "%s", o.netns);
	if (o.has_hold_down)
		hs.hold_down = o.hold_down;
	if (o.firewall)
		hs.firewall = !strcmp(o.firewall, "none")       ? WGM_FW_NONE
			      : !strcmp(o.firewall, "nftables") ? WGM_FW_NFTABLES
								: WGM_FW_SHOREWALL;

	ret = wgm_host_state_save(path, &hs, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		goto out;
	}
	if (repin) {
		char sk[4096];

		/* A re-pin by hand ends whatever rollover the node was following (or was revoked). */
		snprintf(sk, sizeof(sk), "%s/%s%s", o.state_dir, o.domain, WGM_SITEKEY_SUFFIX);
		if (unlink(sk) && errno != ENOENT)
			log_warn("cannot remove %s: %s", sk, strerror(errno));
		log_notice("site key of %s re-pinned by hand: %s -> %s", o.domain, pinned, offered);
	}
	wgm_key_to_b64(&hs.site_public_key, pinned);
	printf("%s %s: site %s (locus %s, key %s), uuid %s.\nNext: run 'wghost %s%s%s'.\n", path,
	       fresh ? "written" : "updated", o.domain, hs.locus, pinned, hs.uuid, o.domain,
	       strcmp(o.state_dir, WGM_DEFAULT_STATE_DIR) ? " --state-dir " : "",
	       strcmp(o.state_dir, WGM_DEFAULT_STATE_DIR) ? o.state_dir : "");
out:
	wgm_host_state_free(&hs);
	return ret ? 1 : 0;
}
