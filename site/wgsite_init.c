/* wgsite init FILE: a new site file with the global keys of docs/format.md#site-file and a
 * fresh site key beside it. Never overwrites either: a site key is the trust root of a running
 * mesh. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sodium.h>

#include "atomicfile.h"
#include "cli.h"
#include "log.h"
#include "plan.h"
#include "sitefile.h"
#include "wgsite.h"

/* "site.yaml" -> "site.key": the site key lives beside the site file (1.0's layout). */
static int key_name_for(const char *site_path, char *name, size_t len)
{
	char tmp[4096];
	char *base, *dot;

	if (!wgm_cli_copy(tmp, sizeof(tmp), site_path))
		return -ENAMETOOLONG;
	base = basename(tmp);
	dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	if ((size_t)snprintf(name, len, "%s.key", base) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int site_prefix_text(const char *given, char *out, size_t outlen)
{
	struct wgm_prefix p;
	char addr[INET6_ADDRSTRLEN];
	uint8_t b[5];

	if (!given) {
		/* RFC 4193: fd00::/8 plus a random 40-bit global ID. */
		randombytes_buf(b, sizeof(b));
		snprintf(out, outlen, "fd%02x:%02x%02x:%02x%02x::/48", b[0], b[1], b[2], b[3],
			 b[4]);
		return 0;
	}
	if (wgm_prefix_parse(given, &p) || p.addr.family != AF_INET6 || p.len != 48) {
		log_err("--ipv6 '%s' is not an IPv6 /48 prefix (e.g. fd42:7a3b:19c0::/48)", given);
		return -EINVAL;
	}
	for (int i = 6; i < 16; i++)
		if (p.addr.v6.s6_addr[i]) {
			log_err("--ipv6 '%s' has bits set past /48; use the network address", given);
			return -EINVAL;
		}
	if ((p.addr.v6.s6_addr[0] & 0xfe) != 0xfc)
		log_warn("--ipv6 %s is not a ULA (fc00::/7); tunnel addresses will come from it",
			 given);
	inet_ntop(AF_INET6, &p.addr.v6, addr, sizeof(addr));
	snprintf(out, outlen, "%s/48", addr);
	return 0;
}

int wgsite_init(const struct wgsite_opts *o, const char *path)
{
	char key_name[1024], key_path[4096], prefix[64], dir[4096], pub_b64[WGM_KEY_B64_LEN + 1];
	struct wgm_key sk = { 0 }, pk = { 0 };
	struct wgm_buf text = { 0 };
	struct wgm_site check = { 0 };
	struct stat st;
	char err[512];
	bool key_written = false;
	int ret;

	if (!o->domain || !o->locus)
		return wgm_cli_usage_error("wgsite init needs --domain and --locus");
	if (!wgm_hostname_valid(o->domain))
		return wgm_cli_usage_error("--domain '%s' is not a DNS name", o->domain);
	if (!wgm_locus_new_valid(o->locus))
		return wgm_cli_usage_error("--locus '%s' must be 1-12 letters, digits, '-' or '_'",
					   o->locus);
	if (site_prefix_text(o->ipv6, prefix, sizeof(prefix)))
		return 1;
	if (key_name_for(path, key_name, sizeof(key_name)) ||
	    !wgm_cli_copy(dir, sizeof(dir), path)) {
		log_err("site file path '%s' is too long", path);
		return 1;
	}
	snprintf(key_path, sizeof(key_path), "%s/%s", dirname(dir), key_name);
	if (lstat(path, &st) == 0 || errno != ENOENT) {
		log_err("%s already exists; refusing to overwrite a site file", path);
		return 1;
	}
	if (lstat(key_path, &st) == 0 || errno != ENOENT) {
		log_err("%s already exists; refusing to overwrite a site key", key_path);
		return 1;
	}

	ret = wgm_key_generate(&sk, &pk, true);
	if (ret) {
		log_err("cannot generate the site key: %s", strerror(-ret));
		goto out;
	}
	wgm_key_to_b64(&pk, pub_b64);
	/* Numbers and the range are quoted: PyYAML reads "1:59" as a base-60 integer. */
	ret = wgm_buf_appendf(&text,
			      "global:\n"
			      "  alerts: alerts@%s\n"
			      "  domain: %s\n"
			      "  ipv6: %s\n"
			      "  locus: %s\n"
			      "  portbase: %llu\n"
			      "  asn_range: '%llu:%llu'\n"
			      "  publickey: %s\n"
			      "  privatekey: %s\n"
			      "  route53: ''\n"
			      "  aws_access_key_id: ''\n"
			      "  aws_secret_access_key: ''\n"
			      "hosts: {}\n",
			      o->domain, o->domain, prefix, o->locus, o->portbase, o->asn_low,
			      o->asn_high, pub_b64, key_name);
	if (ret)
		goto out;
	ret = wgm_key_save(&sk, key_path, true, true);
	if (ret) {
		log_err("cannot write site key %s: %s", key_path, strerror(-ret));
		goto out;
	}
	key_written = true;
	ret = wgm_write_atomic(path, text.p, text.len, 0600);
	if (ret) {
		log_err("cannot write site file %s: %s", path, strerror(-ret));
		goto out;
	}
	/* What we wrote must be what we read: the loader is the judge of a valid site file. */
	ret = wgm_site_load(path, &check, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		unlink(path);
		goto out;
	}
	wgm_site_free(&check);
	printf("Created site %s in %s (site key %s, public key %s, prefix %s, ports %llu+, "
	       "ASNs %llu-%llu).\nNext: publish the site record shown by 'wgsite %s', or with "
	       "wgpub.\n",
	       o->domain, path, key_path, pub_b64, prefix, o->portbase, o->asn_low, o->asn_high,
	       path);
out:
	if (ret && key_written)
		unlink(key_path);
	wgm_key_wipe(&sk);
	wgm_buf_free(&text);
	return ret ? 1 : 0;
}
