/* wgsite: the site controller's file. init makes it; FILE checks the published site record;
 * -i imports a host's registration; list shows the hosts; remove takes a host out of the mesh
 * in two steps (marked removed, then --purge once its record is gone from DNS). */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sodium.h>

#include "../dnsfetch/fetch.h"
#include "alloc.h"
#include "atomicfile.h"
#include "cli.h"
#include "log.h"
#include "plan.h"
#include "print.h"
#include "publish/publish.h"
#include "records.h"
#include "siteopen.h"
#include "sitefile.h"
#include "txtchunk.h"
#include "uuid.h"

#define DEFAULT_PORTBASE 21100
#define DEFAULT_ASN_LOW 64512u
#define DEFAULT_ASN_HIGH 65534u

struct wgsite_opts {
	const char *import_msg;
	const char *domain;
	const char *locus;
	const char *ipv6;
	const char *route53_endpoint;
	unsigned long long portbase;
	unsigned long long asn_low, asn_high;
	bool purge;
	struct wgm_fetch_opts dns;
	char **args;
	int n_args;
};

static void usage(void)
{
	printf("Usage:\n"
	       "  wgsite init FILE --domain DOMAIN --locus LOCUS [--ipv6 PREFIX/48] [--portbase N]\n"
	       "              [--asn-range LOW:HIGH]   make a site file and its key\n"
	       "  wgsite FILE [--dns ADDR[:PORT]]      check the site record in DNS\n"
	       "  wgsite -i MESSAGE FILE               import or update a host (wghost's message)\n"
	       "  wgsite list FILE                     list the hosts\n"
	       "  wgsite remove HOST FILE              take a host out of the mesh (then run wgpub)\n"
	       "  wgsite remove --purge HOST FILE [--dns ADDR[:PORT]]\n"
	       "                                       free its octet and ASN once its record is gone\n"
	       "Options: --state-dir DIR, --route53-endpoint URL, -v, -q, -d, --help\n");
}

/* ---- init ---- */

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

static bool valid_locus(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 12)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
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

static int cmd_init(const struct wgsite_opts *o, const char *path)
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
	if (!wgm_cli_valid_dns_name(o->domain))
		return wgm_cli_usage_error("--domain '%s' is not a DNS name", o->domain);
	if (!valid_locus(o->locus))
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

/* ---- check ---- */

static int site_record_txt(const struct wgm_site *s, struct wgm_site_record *rec,
			   struct wgm_strv *txt)
{
	struct wgm_buf payload = { 0 };
	int ret;

	memset(rec, 0, sizeof(*rec));
	snprintf(rec->locus, sizeof(rec->locus), "%s", s->locus);
	rec->public_key = s->public_key;
	ret = wgm_site_record_encode(rec, &payload);
	if (!ret)
		ret = wgm_txt_encode(payload.p, payload.len, txt);
	wgm_buf_free(&payload);
	return ret;
}

/* True when DNS holds exactly our locus and key. */
static bool published_record_matches(const struct wgsite_opts *o, const struct wgm_site *s,
				     const struct wgm_site_record *want)
{
	struct wgm_fetch_result res = { 0 };
	struct wgm_buf payload = { 0 };
	struct wgm_site_record got;
	char err[256];
	bool ok = false;
	int ret = wgm_fetch_txt(&o->dns, s->domain, &res);

	if (ret || res.status != WGM_FETCH_OK) {
		log_notice("TXT %s: %s%s%s", s->domain,
			   ret ? strerror(-ret) : wgm_fetch_status_str(res.status),
			   res.detail[0] ? ": " : "", res.detail);
		goto out;
	}
	if (wgm_txt_decode((const char *const *)res.txt.v, res.txt.n, &payload, err, sizeof(err)) ||
	    wgm_site_record_decode(payload.p, payload.len, &got, err, sizeof(err))) {
		log_notice("TXT %s does not decode: %s", s->domain, err);
		goto out;
	}
	ok = !strcmp(got.locus, want->locus) && wgm_key_equal(&got.public_key, &want->public_key);
out:
	wgm_buf_free(&payload);
	wgm_fetch_result_free(&res);
	return ok;
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
	int ret = wgm_site_open(path, &s, &sk, &filled, err, sizeof(err));

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
	if (published_record_matches(o, &s, &rec)) {
		wgm_print_site_ok(stdout, s.domain);
		goto out;
	}
	wgm_print_site_activation(stdout, s.domain, &rec, &txt);
	if (s.route53[0] && s.aws_access_key_id[0] && s.aws_secret_access_key[0])
		ret = publish_site_route53(o, &s, &txt);
out:
	wgm_strv_free(&txt);
	wgm_site_free(&s);
	return ret ? 1 : 0;
}

/* ---- import ---- */

static int check_addresses(const char *hostname, const char *what, const char *list)
{
	struct wgm_endpoint eps[WGM_MAX_ENDPOINTS];
	char err[256];
	size_t n;

	if (wgm_endpoints_parse(list, 1, eps, WGM_MAX_ENDPOINTS, &n, err, sizeof(err))) {
		log_err("registration of %s: bad %s '%s': %s", hostname, what, list, err);
		return -EINVAL;
	}
	return 0;
}

static void describe_change(struct wgm_buf *b, const char *field, const char *from,
			    const char *to)
{
	wgm_buf_appendf(b, "  %s: '%s' -> '%s'\n", field, from, to);
}

static int update_host(struct wgm_site_host *h, const struct wgm_registration *r, bool *changed)
{
	struct wgm_buf what = { 0 };
	char old_pk[WGM_KEY_B64_LEN + 1], new_pk[WGM_KEY_B64_LEN + 1];

	wgm_key_to_b64(&h->public_key, old_pk);
	wgm_key_to_b64(&r->public_key, new_pk);
	if (strcmp(h->hostname, r->hostname))
		describe_change(&what, "hostname", h->hostname, r->hostname);
	if (strcmp(old_pk, new_pk))
		describe_change(&what, "public_key", old_pk, new_pk);
	if (strcmp(h->local_ipv4, r->local_ipv4))
		describe_change(&what, "local_ipv4", h->local_ipv4, r->local_ipv4);
	if (strcmp(h->local_ipv6, r->local_ipv6))
		describe_change(&what, "local_ipv6", h->local_ipv6, r->local_ipv6);
	if (strcmp(h->public_key_file, r->public_key_file))
		describe_change(&what, "public_key_file", h->public_key_file, r->public_key_file);
	if (strcmp(h->private_key_file, r->private_key_file))
		describe_change(&what, "private_key_file", h->private_key_file,
				r->private_key_file);
	if (h->removed)
		describe_change(&what, "state", "removed", "active");
	*changed = what.len > 0;
	if (!*changed) {
		printf("Host %s (uuid %s, octet %u, ASN %u) is unchanged.\n", h->hostname, h->uuid,
		       h->octet, h->asn);
		wgm_buf_free(&what);
		return 0;
	}
	snprintf(h->hostname, sizeof(h->hostname), "%s", r->hostname);
	h->public_key = r->public_key;
	snprintf(h->local_ipv4, sizeof(h->local_ipv4), "%s", r->local_ipv4);
	snprintf(h->local_ipv6, sizeof(h->local_ipv6), "%s", r->local_ipv6);
	snprintf(h->public_key_file, sizeof(h->public_key_file), "%s", r->public_key_file);
	snprintf(h->private_key_file, sizeof(h->private_key_file), "%s", r->private_key_file);
	h->removed = false;
	printf("Updated host %s (uuid %s, octet %u, ASN %u):\n%s", h->hostname, h->uuid, h->octet,
	       h->asn, (const char *)what.p);
	wgm_buf_free(&what);
	return 0;
}

static int add_host(struct wgm_site *s, const struct wgm_registration *r)
{
	struct wgm_site_host h = { 0 }, *grown;
	char err[512];
	int ret;

	if (s->n_hosts >= WGM_MAX_HOSTS) {
		log_err("site %s already has %d hosts, the most a mesh can number", s->domain,
			WGM_MAX_HOSTS);
		return -ENOSPC;
	}
	snprintf(h.hostname, sizeof(h.hostname), "%s", r->hostname);
	snprintf(h.uuid, sizeof(h.uuid), "%s", r->uuid);
	h.public_key = r->public_key;
	snprintf(h.local_ipv4, sizeof(h.local_ipv4), "%s", r->local_ipv4);
	snprintf(h.local_ipv6, sizeof(h.local_ipv6), "%s", r->local_ipv6);
	snprintf(h.public_key_file, sizeof(h.public_key_file), "%s", r->public_key_file);
	snprintf(h.private_key_file, sizeof(h.private_key_file), "%s", r->private_key_file);
	ret = wgm_alloc_octet(s, &h, &h.octet, err, sizeof(err));
	if (!ret)
		ret = wgm_alloc_asn(s, &h, &h.asn, err, sizeof(err));
	if (ret) {
		log_err("cannot add host %s: %s", r->hostname, err);
		return ret;
	}
	grown = realloc(s->hosts, (s->n_hosts + 1) * sizeof(*s->hosts));
	if (!grown) {
		log_err("out of memory");
		return -ENOMEM;
	}
	s->hosts = grown;
	s->hosts[s->n_hosts++] = h;
	printf("Imported new host %s (uuid %s): octet %u, ASN %u.\n", h.hostname, h.uuid, h.octet,
	       h.asn);
	return 0;
}

static int cmd_import(const struct wgsite_opts *o, const char *path)
{
	struct wgm_site s = { 0 };
	struct wgm_key sk;
	struct wgm_registration *r = calloc(1, sizeof(*r));
	struct wgm_site_host *h, *same_name;
	char err[512];
	bool filled, changed = true;
	int ret;

	if (!r) {
		log_err("out of memory");
		return 1;
	}
	ret = wgm_site_open(path, &s, &sk, &filled, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		free(r);
		return 1;
	}
	ret = wgm_registration_decode(o->import_msg, &sk, r, err, sizeof(err));
	wgm_key_wipe(&sk);
	if (ret) {
		log_err("cannot import the message: %s", err);
		goto out;
	}
	ret = -EINVAL;
	if (!wgm_cli_valid_dns_name(r->hostname)) {
		log_err("registration carries hostname '%s', which is not a DNS name", r->hostname);
		goto out;
	}
	if (!wgm_uuid_valid(r->uuid)) {
		log_err("registration of %s carries uuid '%s', which is not a UUID", r->hostname,
			r->uuid);
		goto out;
	}
	if (check_addresses(r->hostname, "local_ipv4", r->local_ipv4) ||
	    check_addresses(r->hostname, "local_ipv6", r->local_ipv6))
		goto out;
	h = wgm_site_find_uuid(&s, r->uuid);
	same_name = wgm_site_find_host(&s, r->hostname);
	if (same_name && same_name != h) {
		log_err("hostname %s is already registered with uuid %s; run 'wgsite remove %s %s' "
			"first", r->hostname, same_name->uuid, r->hostname, path);
		goto out;
	}
	ret = h ? update_host(h, r, &changed) : add_host(&s, r);
	if (ret || !(changed || filled))
		goto out;
	ret = wgm_site_save(&s, err, sizeof(err));
	if (ret)
		log_err("%s", err);
	else if (changed)
		printf("Run 'wgpub %s' to publish the change.\n", path);
out:
	sodium_memzero(r, sizeof(*r));
	free(r);
	wgm_site_free(&s);
	return ret ? 1 : 0;
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

		printf("%-28s %-36s %5u %10u %-8s %s%s%s\n", h->hostname, h->uuid, h->octet, h->asn,
		       h->removed ? "removed" : "active", h->local_ipv4, both ? "," : "",
		       h->local_ipv6[0] || h->local_ipv4[0] ? h->local_ipv6 : "-");
	}
	wgm_site_free(&s);
	return 0;
}

/* ---- remove ---- */

/* Purging before the record is gone would hand its octet to a new host while old peers may
 * still hold the old record, so with --dns the record must be confirmed absent. */
static int record_gone(const struct wgsite_opts *o, const char *name)
{
	struct wgm_fetch_result res = { 0 };
	int ret = wgm_fetch_txt(&o->dns, name, &res);

	if (!ret && res.status == WGM_FETCH_OK) {
		log_err("TXT %s still answers in DNS; delete it (run wgpub) before --purge", name);
		ret = -EEXIST;
	} else if (!ret && res.status != WGM_FETCH_NXDOMAIN && res.status != WGM_FETCH_NODATA) {
		log_err("cannot confirm TXT %s is gone: %s; retry when DNS answers", name,
			wgm_fetch_status_str(res.status));
		ret = -EAGAIN;
	} else if (ret) {
		log_err("cannot look up TXT %s: %s", name, strerror(-ret));
	}
	wgm_fetch_result_free(&res);
	return ret;
}

static int cmd_remove(const struct wgsite_opts *o, const char *hostname, const char *path)
{
	struct wgm_site s = { 0 };
	struct wgm_site_host *h;
	char err[512], name[300];
	bool changed = true;
	int ret = wgm_site_load(path, &s, err, sizeof(err));

	if (ret) {
		log_err("%s", err);
		return 1;
	}
	h = wgm_site_find_host(&s, hostname);
	if (!h) {
		log_err("no host '%s' in %s; 'wgsite list %s' shows the hosts", hostname, path,
			path);
		ret = -ENOENT;
		goto out;
	}
	snprintf(name, sizeof(name), "%s.%s", h->uuid, s.domain);
	if (o->purge) {
		if (!h->removed) {
			log_err("host %s is still active; run 'wgsite remove %s %s' and wgpub first",
				hostname, hostname, path);
			ret = -EINVAL;
			goto out;
		}
		if (o->dns.n_servers) {
			ret = record_gone(o, name);
			if (ret)
				goto out;
		} else {
			log_warn("no --dns given: not checking that TXT %s is gone", name);
		}
		printf("Purged host %s: octet %u and ASN %u are free again.\n", hostname, h->octet,
		       h->asn);
		memmove(h, h + 1, (size_t)(&s.hosts[s.n_hosts] - (h + 1)) * sizeof(*h));
		s.n_hosts--;
	} else {
		if (h->removed) {
			printf("Host %s is already marked removed.\n", hostname);
			changed = false;
		} else {
			h->removed = true;
			printf("Host %s (uuid %s) is marked removed; octet %u and ASN %u stay "
			       "reserved.\n", hostname, h->uuid, h->octet, h->asn);
		}
		printf("Next steps:\n"
		       "  1. Run 'wgpub %s' to publish: every other host drops %s, and the record\n"
		       "     TXT %s is deleted (or delete that TXT record by hand).\n"
		       "  2. Once TXT %s no longer answers:\n"
		       "     wgsite remove --purge %s %s --dns SERVER\n",
		       path, hostname, name, name, hostname, path);
	}
	if (!changed)
		goto out;
	ret = wgm_site_save(&s, err, sizeof(err));
	if (ret)
		log_err("%s", err);
out:
	wgm_site_free(&s);
	return ret ? 1 : 0;
}

/* ---- main ---- */

static int parse_asn_range(const char *arg, struct wgsite_opts *o)
{
	char lo[16], *colon = strchr(arg, ':');

	if (!colon || (size_t)(colon - arg) >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, arg, (size_t)(colon - arg));
	lo[colon - arg] = '\0';
	if (!wgm_cli_parse_u64(lo, 1, 4294967294ull, &o->asn_low) ||
	    !wgm_cli_parse_u64(colon + 1, 1, 4294967294ull, &o->asn_high) ||
	    o->asn_low > o->asn_high || o->asn_high - o->asn_low >= WGM_ASN_RANGE_MAX)
		return -EINVAL;
	return 0;
}

static int parse_args(int argc, char **argv, struct wgsite_opts *o)
{
	enum { OPT_DOMAIN = 256, OPT_LOCUS, OPT_IPV6, OPT_PORTBASE, OPT_ASN, OPT_DNS, OPT_PURGE,
	       OPT_STATEDIR, OPT_R53 };
	static const struct option longopts[] = {
		{ "import", required_argument, NULL, 'i' },
		{ "domain", required_argument, NULL, OPT_DOMAIN },
		{ "locus", required_argument, NULL, OPT_LOCUS },
		{ "ipv6", required_argument, NULL, OPT_IPV6 },
		{ "portbase", required_argument, NULL, OPT_PORTBASE },
		{ "asn-range", required_argument, NULL, OPT_ASN },
		{ "dns", required_argument, NULL, OPT_DNS },
		{ "purge", no_argument, NULL, OPT_PURGE },
		{ "state-dir", required_argument, NULL, OPT_STATEDIR },
		{ "route53-endpoint", required_argument, NULL, OPT_R53 },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int c;

	o->portbase = DEFAULT_PORTBASE;
	o->asn_low = DEFAULT_ASN_LOW;
	o->asn_high = DEFAULT_ASN_HIGH;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "i:vqd", longopts, NULL)) != -1) {
		if (wgm_cli_verbosity(c))
			continue;
		switch (c) {
		case 'i': o->import_msg = optarg; break;
		case OPT_DOMAIN: o->domain = optarg; break;
		case OPT_LOCUS: o->locus = optarg; break;
		case OPT_IPV6: o->ipv6 = optarg; break;
		case OPT_PURGE: o->purge = true; break;
		case OPT_STATEDIR: break;
		case OPT_R53: o->route53_endpoint = optarg; break;
		case OPT_PORTBASE:
			if (!wgm_cli_parse_u64(optarg, 1, 65535 - 255, &o->portbase))
				return wgm_cli_usage_error("--portbase '%s' must be 1..65280", optarg);
			break;
		case OPT_ASN:
			if (parse_asn_range(optarg, o))
				return wgm_cli_usage_error("--asn-range '%s' must be LOW:HIGH, "
							   "1 <= LOW <= HIGH <= 4294967294, at most "
							   "%d ASNs", optarg, WGM_ASN_RANGE_MAX);
			break;
		case OPT_DNS:
			if (wgm_fetch_opts_add_server(&o->dns, optarg, err, sizeof(err)))
				return wgm_cli_usage_error("--dns '%s': %s", optarg, err);
			break;
		case 'H': usage(); exit(0);
		default:
			return wgm_cli_usage_error("unknown or incomplete option '%s'",
						   argv[optind - 1]);
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
	if (o.import_msg) {
		if (o.n_args != 1)
			return wgm_cli_usage_error("-i MESSAGE takes exactly one FILE");
		return cmd_import(&o, o.args[0]);
	}
	if (!strcmp(cmd, "init")) {
		if (o.n_args != 2)
			return wgm_cli_usage_error("usage: wgsite init FILE --domain D --locus L");
		return cmd_init(&o, o.args[1]);
	}
	if (!strcmp(cmd, "list")) {
		if (o.n_args != 2)
			return wgm_cli_usage_error("usage: wgsite list FILE");
		return cmd_list(o.args[1]);
	}
	if (!strcmp(cmd, "remove")) {
		if (o.n_args != 3)
			return wgm_cli_usage_error("usage: wgsite remove [--purge] HOST FILE");
		return cmd_remove(&o, o.args[1], o.args[2]);
	}
	if (o.n_args != 1)
		return wgm_cli_usage_error("unexpected argument '%s'", o.args[1]);
	return cmd_check(&o, cmd);
}
