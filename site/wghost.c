/* wghost DOMAIN: makes this node's key if it has none and prints the registration message the
 * site operator imports with 'wgsite -i'. Needs the host state wgconfig wrote (the pinned site
 * key seals the message). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "addrdetect.h"
#include "cli.h"
#include "fingerprint.h"
#include "hoststate.h"
#include "key.h"
#include "log.h"
#include "plan.h"
#include "records.h"

struct wghost_opts {
	const char *state_dir;
	const char *domain;
	const char *hostname;
	bool no_detect;
	char local_ipv4[WGM_ADDRLIST_MAX];
	char local_ipv6[WGM_ADDRLIST_MAX];
	size_t n_addrs;
};

static void usage(void)
{
	printf("Usage: wghost [-a ADDR]... [-n] [-h NAME] [--state-dir DIR] DOMAIN\n"
	       "Prints this host's registration message for 'wgsite -i'.\n"
	       "  -a ADDR           endpoint address or name peers reach us at (repeatable)\n"
	       "  -n                do not detect public addresses (behind NAT: peers wait for us)\n"
	       "  -h NAME           host name in the mesh (default: this machine's)\n"
	       "  --state-dir DIR   default " WGM_DEFAULT_STATE_DIR "\n"
	       "  -v, -q, -d        more, less, debug output (the most verbose given wins)\n");
}

static int add_address(struct wghost_opts *o, const char *addr)
{
	struct wgm_endpoint ep;
	char err[256], *list;
	size_t n, len, cap = WGM_ADDRLIST_MAX;

	if (strchr(addr, ',') || wgm_endpoints_parse(addr, 1, &ep, 1, &n, err, sizeof(err)) ||
	    n != 1)
		return wgm_cli_usage_error("-a '%s' is not an IP address or host name", addr);
	if (++o->n_addrs > WGM_MAX_ENDPOINTS)
		return wgm_cli_usage_error("more than %d -a addresses", WGM_MAX_ENDPOINTS);
	list = ep.is_ip && ep.ip.family == AF_INET6 ? o->local_ipv6 : o->local_ipv4;
	len = strlen(list);
	if (len + strlen(ep.host) + 2 > cap)
		return wgm_cli_usage_error("-a addresses are longer than %zu bytes", cap - 1);
	snprintf(list + len, cap - len, "%s%s", len ? "," : "", ep.host);
	return 0;
}

static int parse_args(int argc, char **argv, struct wghost_opts *o)
{
	enum { OPT_STATEDIR = 256 };
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, OPT_STATEDIR },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->state_dir = WGM_DEFAULT_STATE_DIR;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "a:nh:vqd", longopts, NULL)) != -1) {
		if (wgm_log_verbosity(c))
			continue;
		switch (c) {
		case 'a':
			if (add_address(o, optarg))
				return 1;
			break;
		case 'n': o->no_detect = true; break;
		case 'h': o->hostname = optarg; break;
		case OPT_STATEDIR: o->state_dir = optarg; break;
		default:
			return wgm_cli_other_option(c, argv, usage);
		}
	}
	if (wgm_cli_one_domain(argc, argv, &o->domain))
		return 1;
	if (o->hostname && !wgm_hostname_valid(o->hostname))
		return wgm_cli_usage_error("-h '%s' is not a DNS name", o->hostname);
	return 0;
}

/* Loads the host key, or makes one when there is none or when a 1.0 controller or peer could
 * not decode its public half (only the public key leaves this host). */
static int host_key_get(const struct wgm_host_state *hs, struct wgm_key *sk, struct wgm_key *pk)
{
	struct wgm_key on_disk;
	int ret = wgm_key_load(sk, hs->private_key_file, true);

	if (ret == 0) {
		ret = wgm_key_public(sk, pk);
		if (ret) {
			log_err("host key %s is not a usable key", hs->private_key_file);
			return ret;
		}
		if (!wgm_key_is_10_safe(pk)) {
			log_warn("public key of %s cannot be read by wgmesh 1.0; making a new key",
				 hs->private_key_file);
			ret = -ENOENT;
		}
	}
	if (ret == -ENOENT) {
		ret = wgm_key_generate(sk, pk, true);
		if (!ret)
			ret = wgm_key_save(sk, hs->private_key_file, true, false);
		if (ret) {
			log_err("cannot write host key %s: %s", hs->private_key_file, strerror(-ret));
			return ret;
		}
		log_notice("made a new host key %s", hs->private_key_file);
	} else if (ret) {
		char msg[512];

		wgm_key_load_error(ret, "host key", hs->private_key_file, msg, sizeof(msg));
		log_err("%s", msg);
		return ret;
	}
	if (wgm_key_load(&on_disk, hs->public_key_file, false) || !wgm_key_equal(&on_disk, pk)) {
		ret = wgm_key_save(pk, hs->public_key_file, false, false);
		if (ret)
			log_err("cannot write public key %s: %s", hs->public_key_file,
				strerror(-ret));
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct wghost_opts o = { 0 };
	struct wgm_host_state hs = { 0 };
	struct wgm_registration *reg = calloc(1, sizeof(*reg));
	struct wgm_key sk = { 0 }, pk;
	struct wgm_buf msg = { 0 };
	char path[4096], err[512], fp[WGM_FINGERPRINT_LEN + 1];
	int ret = -EINVAL;

	wgm_log_init("wghost");
	if (!reg || sodium_init() < 0) {
		log_err("cannot initialise");
		free(reg);
		return 1;
	}
	if (parse_args(argc, argv, &o))
		goto out;
	if (wgm_host_state_path(o.state_dir, o.domain, path, sizeof(path))) {
		log_err("state path for %s under %s is too long", o.domain, o.state_dir);
		goto out;
	}
	if (access(path, F_OK)) {
		log_err("no host state %s; run 'wgconfig %s' first", path, o.domain);
		goto out;
	}
	ret = wgm_host_state_load(path, &hs, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		goto out;
	}
	ret = -EINVAL;
	if (!hs.has_site_key || !hs.uuid[0] || !hs.private_key_file[0] || !hs.public_key_file[0]) {
		log_err("%s has no pinned site key, uuid or key files; run 'wgconfig %s' first", path,
			o.domain);
		goto out;
	}
	if (o.n_addrs == 0 && !o.no_detect) {
		ret = wgm_addr_detect(o.local_ipv4, sizeof(o.local_ipv4), o.local_ipv6,
				      sizeof(o.local_ipv6));
		if (ret) {
			log_err("cannot list local addresses: %s; give them with -a", strerror(-ret));
			goto out;
		}
		if (!o.local_ipv4[0] && !o.local_ipv6[0])
			log_warn("no public address found: peers cannot reach this host, it has to "
				 "call them (use -a ADDR if it is reachable)");
	}
	ret = host_key_get(&hs, &sk, &pk);
	if (ret)
		goto out;

	if (o.hostname)
		snprintf(reg->hostname, sizeof(reg->hostname), "%s", o.hostname);
	else if (gethostname(reg->hostname, sizeof(reg->hostname) - 1) || !reg->hostname[0] ||
		 !wgm_hostname_valid(reg->hostname)) {
		log_err("this machine's host name '%s' is not usable; give one with -h NAME",
			reg->hostname);
		ret = -EINVAL;
		goto out;
	}
	snprintf(reg->uuid, sizeof(reg->uuid), "%s", hs.uuid);
	reg->public_key = pk;
	snprintf(reg->public_key_file, sizeof(reg->public_key_file), "%s", hs.public_key_file);
	snprintf(reg->private_key_file, sizeof(reg->private_key_file), "%s", hs.private_key_file);
	snprintf(reg->local_ipv4, sizeof(reg->local_ipv4), "%s", o.local_ipv4);
	snprintf(reg->local_ipv6, sizeof(reg->local_ipv6), "%s", o.local_ipv6);
	ret = wgm_registration_encode(reg, &sk, &hs.site_public_key, &msg);
	if (ret) {
		log_err("cannot seal the registration message: %s", strerror(-ret));
		goto out;
	}
	wgm_key_fingerprint(&pk, fp);
	log_notice("host key fingerprint %s: 'wgsite show MESSAGE FILE' shows the controller the same",
		   fp);
	printf("Message to Home: %s\n", (const char *)msg.p);
out:
	wgm_key_wipe(&sk);
	wgm_buf_free(&msg);
	sodium_memzero(reg, sizeof(*reg));
	free(reg);
	wgm_host_state_free(&hs);
	return ret ? 1 : 0;
}
