/* wgsite: the site controller's file. init makes it; FILE checks the published site record;
 * -i imports a host's registration; list shows the hosts; remove takes a host out of the mesh
 * in two steps (marked removed, then --purge once its record is gone from DNS). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../dnsfetch/fetch.h"
#include "esc.h"
#include "cli.h"
#include "log.h"
#include "print.h"
#include "publish/publish.h"
#include "records.h"
#include "siteopen.h"
#include "sitefile.h"
#include "txtchunk.h"
#include "wgsite.h"

static void usage(void)
{
	printf("Usage:\n"
	       "  wgsite init FILE --domain DOMAIN --locus LOCUS [--ipv6 PREFIX/48] [--portbase N]\n"
	       "              [--asn-range LOW:HIGH]   make a site file and its key\n"
	       "  wgsite FILE [--dns ADDR[:PORT]]      check the site record in DNS (exit 0 right,\n"
	       "                                       2 missing or different, 3 DNS not answering)\n"
	       "  wgsite -i MESSAGE FILE               import or update a host (wghost's message)\n"
	       "  wgsite -i MESSAGE --dry-run FILE     show who is asking and what -i would do\n"
	       "  wgsite show MESSAGE FILE             the same\n"
	       "  wgsite list FILE                     list the hosts\n"
	       "  wgsite remove HOST FILE              take a host out of the mesh (then run wgpub)\n"
	       "  wgsite remove --purge HOST FILE [--dns ADDR[:PORT]]\n"
	       "                                       free its octet and ASN once its record is gone\n"
	       "  wgsite rotate-key FILE               a new site key, vouched for by the current one\n"
	       "  wgsite rotate-key --retire [--hold-down SECONDS] FILE\n"
	       "                                       after the nodes' hold-down: the new key takes over\n"
	       "  wgsite rotate-key --revoke FILE      the current key vouches for nothing any more\n"
	       "Options: --state-dir DIR, --route53-endpoint URL, -v, -q, -d (more, less, debug\n"
	       "output: the most verbose given wins), --help\n");
}

/* ---- check ---- */

static int site_record_txt(const struct wgm_site *s, struct wgm_site_record *rec,
			   struct wgm_strv *txt)
{
	struct wgm_buf payload = { 0 };
	int ret;

	memset(rec, 0, sizeof(*rec));
	snprintf(rec->locus, sizeof(rec->locus), "%s", s->locus);
	rec->public_key = s->public_key;
	rec->has_next_key = s->has_next_key && !s->revoked_at;
	rec->next_key = s->next_public_key;
	ret = wgm_site_record_encode(rec, &payload);
	if (!ret)
		ret = wgm_txt_encode(payload.p, payload.len, txt);
	wgm_buf_free(&payload);
	return ret;
}

/* The published site record against ours: OK, missing or different (NXDOMAIN and NODATA are
 * answers too), or DNS could not be asked (timeout, SERVFAIL, REFUSED, ...). */
static int published_record_check(const struct wgsite_opts *o, const struct wgm_site *s,
				  const struct wgm_site_record *want)
{
	struct wgm_fetch_result res = { 0 };
	struct wgm_buf payload = { 0 };
	struct wgm_site_record got;
	char err[256];
	int state = WGSITE_EXIT_UNCHECKED;
	int ret = wgm_fetch_txt_sandboxed(&o->dns, s->domain, &res);

	if (ret || res.status != WGM_FETCH_OK) {
		log_notice("TXT %s: %s%s%s", s->domain,
			   ret ? strerror(-ret) : wgm_fetch_status_str(res.status),
			   res.detail[0] ? ": " : "", res.detail);
		if (!ret && (res.status == WGM_FETCH_NXDOMAIN || res.status == WGM_FETCH_NODATA))
			state = WGSITE_EXIT_INCORRECT;
		goto out;
	}
	state = WGSITE_EXIT_INCORRECT;
	if (wgm_txt_decode((const char *const *)res.txt.v, res.txt.n, &payload, err, sizeof(err)) ||
	    wgm_site_record_decode(payload.p, payload.len, &got, err, sizeof(err))) {
		log_notice("TXT %s does not decode: %s", s->domain, err);
		goto out;
	}
	if (got.has_next_key && (!want->has_next_key || !wgm_key_equal(&got.next_key, &want->next_key))) {
		char k[WGM_KEY_B64_LEN + 1];

		/* Only the holder of the site key can make nodes count a handover, and this file did
		 * not make this one: the key may be stolen (docs/operating.md#site-key-rollover). */
		wgm_key_to_b64(&got.next_key, k);
		log_err("DNS announces a site-key handover to %s that %s did not make: if nobody here ran 'wgsite rotate-key', the site key may be stolen: revoke it (wgsite rotate-key --revoke %s)",
			k, s->path, s->path);
	}
	if (!strcmp(got.locus, want->locus) && wgm_key_equal(&got.public_key, &want->public_key) &&
	    got.has_next_key == want->has_next_key &&
	    (!got.has_next_key || wgm_key_equal(&got.next_key, &want->next_key)))
		state = 0;
out:
	wgm_buf_free(&payload);
	wgm_fetch_result_free(&res);
	return state;
}

static int publish_site_route53(const struct wgsite_opts *o, const struct wgm_site *s,
				const struct wgm_strv *txt)
{
	struct wgm_changeset cs = { 0 };
	struct wgm_route53 r53 = { 0 };
	char err[512] = "";
	int ret;

	snprintf(cs.zone, sizeof(cs.zone), "%s", s->domain);
	snprintf(r53.endpoint, sizeof(r53.endpoint), "%s",
		 o->route53_endpoint ? o->route53_endpoint : "https://route53.amazonaws.com");
	snprintf(r53.zone_id, sizeof(r53.zone_id), "%s", s->route53);
	snprintf(r53.access_key_id, sizeof(r53.access_key_id), "%s", s->aws_access_key_id);
	snprintf(r53.secret_access_key, sizeof(r53.secret_access_key), "%s",
		 s->aws_secret_access_key);
	ret = wgm_changeset_add(&cs, s->domain, "", txt);
	if (!ret)
		ret = wgm_publish_route53(&cs, &r53, err, sizeof(err));
	if (ret)
		log_err("Route53 update of %s failed: %s", s->domain, err[0] ? err : strerror(-ret));
	else
		printf("\nPublished the site record to Route53 zone %s.\n", s->route53);
	sodium_memzero(&r53, sizeof(r53));
	wgm_changeset_free(&cs);
	return ret;
}

static int cmd_check(const struct wgsite_opts *o, const char *path)
{
	struct wgm_site s = { 0 };
	struct wgm_key sk;
	struct wgm_site_record rec;
	struct wgm_strv txt = { 0 };
	char err[512];
	bool filled;
	int state, code = 0, ret = wgm_site_open(path, &s, &sk, &filled, err, sizeof(err));

	if (ret) {
		log_err("%s", err);
		return 1;
	}
	wgm_key_wipe(&sk);
	if (filled) {
		ret = wgm_site_save(&s, err, sizeof(err));
		if (ret) {
			log_err("%s", err);
			goto out;
		}
		log_notice("filled in publickey of %s", path);
	}
	ret = site_record_txt(&s, &rec, &txt);
	if (ret) {
		log_err("cannot encode the site record: %s", strerror(-ret));
		goto out;
	}
	state = published_record_check(o, &s, &rec);
	if (state == 0) {
		wgm_print_site_ok(stdout, s.domain);
		goto out;
	}
	wgm_print_site_activation(stdout, s.domain, &rec, &txt);
	/* Published now: the record is right once DNS serves it. */
	if (s.route53[0] && s.aws_access_key_id[0] && s.aws_secret_access_key[0])
		ret = publish_site_route53(o, &s, &txt);
	else
		code = state;
out:
	wgm_strv_free(&txt);
	wgm_site_free(&s);
	return ret ? 1 : code;
}

/* ---- list ---- */

static int cmd_list(const char *path)
{
	struct wgm_site s = { 0 };
	char err[512];

	if (wgm_site_load(path, &s, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	printf("%-28s %-36s %5s %10s %-8s %s\n", "HOSTNAME", "UUID", "OCTET", "ASN", "STATE",
	       "ENDPOINTS");
	for (size_t i = 0; i < s.n_hosts; i++) {
		const struct wgm_site_host *h = &s.hosts[i];
		bool both = h->local_ipv4[0] && h->local_ipv6[0];

		wgm_printf_esc(stdout, "%-28s %-36s %5u %10u %-8s %s%s%s\n", h->hostname, h->uuid, h->octet, h->asn,
		       h->removed ? "removed" : "active", h->local_ipv4, both ? "," : "",
		       h->local_ipv6[0] || h->local_ipv4[0] ? h->local_ipv6 : "-");
	}
	wgm_site_free(&s);
	return 0;
}

/* ---- main ---- */

static int parse_asn_range(const char *arg, struct wgsite_opts *o)
{
	char lo[16], *colon = strchr(arg, ':');

	if (!colon || (size_t)(colon - arg) >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, arg, (size_t)(colon - arg));
	lo[colon - arg] = '\0';
	if (!wgm_parse_u64(lo, 1, 4294967294ull, &o->asn_low) ||
	    !wgm_parse_u64(colon + 1, 1, 4294967294ull, &o->asn_high) ||
	    o->asn_low > o->asn_high || o->asn_high - o->asn_low >= WGM_ASN_RANGE_MAX)
		return -EINVAL;
	return 0;
}

static int parse_args(int argc, char **argv, struct wgsite_opts *o)
{
	enum { OPT_DOMAIN = 256, OPT_LOCUS, OPT_IPV6, OPT_PORTBASE, OPT_ASN, OPT_DNS, OPT_PURGE,
	       OPT_STATEDIR, OPT_R53, OPT_DRY, OPT_RETIRE, OPT_REVOKE, OPT_HOLD };
	static const struct option longopts[] = {
		{ "import", required_argument, NULL, 'i' },
		{ "domain", required_argument, NULL, OPT_DOMAIN },
		{ "locus", required_argument, NULL, OPT_LOCUS },
		{ "ipv6", required_argument, NULL, OPT_IPV6 },
		{ "portbase", required_argument, NULL, OPT_PORTBASE },
		{ "asn-range", required_argument, NULL, OPT_ASN },
		{ "dns", required_argument, NULL, OPT_DNS },
		{ "purge", no_argument, NULL, OPT_PURGE },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "retire", no_argument, NULL, OPT_RETIRE },
		{ "revoke", no_argument, NULL, OPT_REVOKE },
		{ "hold-down", required_argument, NULL, OPT_HOLD },
		{ "state-dir", required_argument, NULL, OPT_STATEDIR },
		{ "route53-endpoint", required_argument, NULL, OPT_R53 },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->portbase = WGSITE_DEFAULT_PORTBASE;
	o->asn_low = WGSITE_DEFAULT_ASN_LOW;
	o->asn_high = WGSITE_DEFAULT_ASN_HIGH;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "i:vqd", longopts, NULL)) != -1) {
		if (wgm_log_verbosity(c))
			continue;
		switch (c) {
		case 'i': o->import_msg = optarg; break;
		case OPT_DOMAIN: o->domain = optarg; break;
		case OPT_LOCUS: o->locus = optarg; break;
		case OPT_IPV6: o->ipv6 = optarg; break;
		case OPT_PURGE: o->purge = true; break;
		case OPT_DRY: o->dry_run = true; break;
		case OPT_RETIRE: o->retire = true; break;
		case OPT_REVOKE: o->revoke = true; break;
		case OPT_HOLD:
			if (!wgm_parse_u64(optarg, 0, 10ull * 365 * 24 * 3600, &o->hold_down))
				return wgm_cli_usage_error("--hold-down '%s' must be seconds, 0..315360000", optarg);
			o->has_hold_down = true;
			break;
		case OPT_STATEDIR: break;
		case OPT_R53: o->route53_endpoint = optarg; break;
		case OPT_PORTBASE:
			if (!wgm_parse_u64(optarg, 1, 65535 - 255, &o->portbase))
				return wgm_cli_usage_error("--portbase '%s' must be 1..65280", optarg);
			break;
		case OPT_ASN:
			if (parse_asn_range(optarg, o))
				return wgm_cli_usage_error("--asn-range '%s' must be LOW:HIGH, "
							   "1 <= LOW <= HIGH <= 4294967294, at most "
							   "%d ASNs", optarg, WGM_ASN_RANGE_MAX);
			break;
		case OPT_DNS:
			if (wgm_cli_dns_option(&o->dns, optarg))
				return 1;
			break;
		default:
			return wgm_cli_other_option(c, argv, usage);
		}
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	return 0;
}

int main(int argc, char **argv)
{
	struct wgsite_opts o = { 0 };
	const char *cmd;

	wgm_log_init("wgsite");
	if (sodium_init() < 0) {
		log_err("libsodium failed to initialise");
		return 1;
	}
	if (parse_args(argc, argv, &o))
		return 1;
	if (o.n_args == 0)
		return wgm_cli_usage_error("no site file given");
	cmd = o.args[0];
	if (!strcmp(cmd, "show")) {
		if (o.n_args != 3 || o.import_msg)
			return wgm_cli_usage_error("usage: wgsite show MESSAGE FILE");
		o.import_msg = o.args[1];
		o.dry_run = true;
		return wgsite_import(&o, o.args[2]);
	}
	if ((o.retire || o.revoke || o.has_hold_down) && strcmp(cmd, "rotate-key"))
		return wgm_cli_usage_error("--retire, --revoke and --hold-down go with rotate-key");
	if (!strcmp(cmd, "rotate-key")) {
		if (o.n_args != 2 || o.import_msg)
			return wgm_cli_usage_error("usage: wgsite rotate-key [--retire [--hold-down SECONDS] | --revoke] FILE");
		if (o.retire && o.revoke)
			return wgm_cli_usage_error("--retire and --revoke: one or the other");
		if (o.has_hold_down && !o.retire)
			return wgm_cli_usage_error("--hold-down goes with --retire");
		return wgsite_rotate_key(&o, o.args[1]);
	}
	if (o.dry_run && !o.import_msg)
		return wgm_cli_usage_error("--dry-run goes with -i MESSAGE");
	if (o.import_msg) {
		if (o.n_args != 1)
			return wgm_cli_usage_error("-i MESSAGE takes exactly one FILE");
		return wgsite_import(&o, o.args[0]);
	}
	if (!strcmp(cmd, "init")) {
		if (o.n_args != 2)
			return wgm_cli_usage_error("usage: wgsite init FILE --domain D --locus L");
		return wgsite_init(&o, o.args[1]);
	}
	if (!strcmp(cmd, "list")) {
		if (o.n_args != 2)
			return wgm_cli_usage_error("usage: wgsite list FILE");
		return cmd_list(o.args[1]);
	}
	if (!strcmp(cmd, "remove")) {
		if (o.n_args != 3)
			return wgm_cli_usage_error("usage: wgsite remove [--purge] HOST FILE");
		return wgsite_remove(&o, o.args[1], o.args[2]);
	}
	if (o.n_args != 1)
		return wgm_cli_usage_error("unexpected argument '%s'", o.args[1]);
	return cmd_check(&o, cmd);
}
