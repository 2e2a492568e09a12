/* wgpub FILE: every host's deploy record, sealed with the site key. Printed as 1.0 printed
 * them, or written as a BIND zone fragment / record files, or published over RFC 2136 or to
 * Route53. Removed hosts are left out of every record and their own record is deleted. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "atomicfile.h"
#include "cli.h"
#include "deploy_render.h"
#include "esc.h"
#include "log.h"
#include "print.h"
#include "publish/publish.h"
#include "records.h"
#include "siteopen.h"
#include "sitefile.h"
#include "txtchunk.h"

struct wgpub_opts {
	const char *site_path;
	const char *zone_file;
	const char *out_dir;
	const char *rfc2136;
	const char *tsig_key;
	const char *route53_endpoint;
	bool dry_run;
	uint64_t serial;
};

static void usage(void)
{
	printf("Usage: wgpub [options] SITEFILE\n"
	       "Renders every host's deploy record (and the site record) for publishing.\n"
	       "  --zone-file FILE        write a BIND zone fragment (TTL %d)\n"
	       "  --out-dir DIR           write DIR/<name>.txt record files, one TXT string a line\n"
	       "  --rfc2136 SERVER[:PORT] publish by RFC 2136 dynamic update (needs --tsig-key)\n"
	       "  --tsig-key FILE         TSIG key: key clause or ALG:NAME:SECRET\n"
	       "  --route53-endpoint URL  Route53 API endpoint (default https://route53.amazonaws.com)\n"
	       "  --dry-run               print what would be published; change nothing\n"
	       "  --serial N              deploy serial (default: now in seconds, or one above the\n"
	       "                          last in SITEFILE.serial; at most a day ahead of the clock)\n"
	       "  --state-dir DIR         accepted for symmetry with the node commands\n"
	       "  -v, -q, -d              more, less, debug output (the most verbose given wins)\n"
	       "Route53 is used when the site file's global has route53 and AWS keys.\n",
	       WGM_PUBLISH_TTL);
}

/* A DNS message is at most 65535 bytes, even over TCP, and 1.0's chunking spends one RR per
 * 76 base64 characters: around 200 hosts (fewer with many endpoints per host) a deploy record
 * no longer fits in any answer. Such a record is written with wide lines instead (3x fewer RRs,
 * read the same way), which carries about 250 hosts; past that, DNS cannot carry it.
 * This is the size of the answer a node would get: header, question, each RR with a
 * compressed owner name, type, class, TTL, length and one string, and the EDNS OPT record a
 * resolver asks for. */
static size_t answer_size(const char *name, const struct wgm_strv *txt)
{
	size_t qname = strlen(name) + 2, size = 12 + qname + 4 + 11;

	for (size_t i = 0; i < txt->n; i++)
		size += 2 + 10 + 1 + strlen(txt->v[i]);
	return size;
}

#define DNS_MESSAGE_MAX 65535

/* Seals one payload and adds it to the change set under name, as chunked TXT strings.
 * *largest keeps the biggest answer seen, *largest_set which set it is, and *n_wide counts the
 * sets written with wide lines. */
static int add_rrset(struct wgm_changeset *cs, const char *name, const char *label,
		     const struct wgm_buf *payload, size_t *largest, size_t *largest_set,
		     size_t *n_wide)
{
	struct wgm_strv txt = { 0 };
	int ret = wgm_txt_encode(payload->p, payload->len, &txt);
	size_t size = 0;

	if (!ret) {
		size = answer_size(name, &txt);
		if (size > DNS_MESSAGE_MAX) {
			wgm_strv_free(&txt);
			ret = wgm_txt_encode_width(payload->p, payload->len, WGM_TXT_WIDE, &txt);
			if (!ret) {
				size = answer_size(name, &txt);
				(*n_wide)++;
			}
		}
	}
	if (!ret)
		ret = wgm_changeset_add(cs, name, label, &txt);
	if (!ret) {
		if (size > *largest) {
			*largest = size;
			*largest_set = cs->n_sets - 1;
		}
	}
	wgm_strv_free(&txt);
	return ret;
}

/* During a site-key handover (wgsite rotate-key) the successor's private key seals every record
 * too, and must be the site file's next_publickey; NULL sk when none is pending. */
static int load_next_key(const struct wgm_site *s, struct wgm_key *sk, bool *have, char *err,
			 size_t errlen)
{
	char path[4096];
	struct wgm_key pk;
	int ret;

	*have = false;
	if (!s->has_next_key)
		return 0;
	ret = wgm_site_next_key_path(s, path, sizeof(path));
	if (!ret)
		ret = wgm_key_load(sk, path, true);
	if (!ret)
		ret = wgm_key_public(sk, &pk);
	if (!ret && !wgm_key_equal(&pk, &s->next_public_key))
		ret = -EINVAL;
	if (ret) {
		wgm_key_wipe(sk);
		snprintf(err, errlen, "cannot use the new site key %.300s of the pending handover: %s (it must match next_publickey)",
			 path, strerror(-ret));
		return ret;
	}
	*have = true;
	return 0;
}

static int build_changeset(const struct wgm_site *s, const struct wgm_key *site_sk,
			   const struct wgm_key *next_sk, uint64_t serial, struct wgm_changeset *cs, size_t *largest,
			   size_t *largest_set, size_t *n_wide, char *err, size_t errlen)
{
	struct wgm_deploy_record *rec = malloc(sizeof(*rec));
	struct wgm_site_record site_rec = { 0 };
	struct wgm_buf payload = { 0 };
	char name[256];
	int ret = -ENOMEM;

	if (!rec)
		goto out;
	snprintf(cs->zone, sizeof(cs->zone), "%s", s->domain);
	snprintf(site_rec.locus, sizeof(site_rec.locus), "%s", s->locus);
	site_rec.public_key = s->public_key;
	site_rec.has_next_key = next_sk != NULL;
	site_rec.next_key = s->next_public_key;
	ret = wgm_site_record_encode(&site_rec, &payload);
	if (!ret)
		ret = add_rrset(cs, s->domain, "", &payload, largest, largest_set, n_wide);
	if (ret)
		goto out;
	for (size_t i = 0; i < s->n_hosts; i++) {
		const struct wgm_site_host *h = &s->hosts[i];

		if ((size_t)snprintf(name, sizeof(name), "%s.%s", h->uuid, s->domain) >=
		    sizeof(name)) {
			snprintf(err, errlen, "record name %s.%s is too long", h->uuid, s->domain);
			ret = -EINVAL;
			goto out;
		}
		if (h->removed) {
			ret = wgm_strv_push(&cs->deletes, name);
			if (ret)
				goto out;
			continue;
		}
		ret = wgm_deploy_render(s, h, serial, rec, err, errlen);
		if (ret)
			goto out;
		wgm_buf_reset(&payload);
		rec->handover.revoked = s->revoked_at != 0;
		rec->handover.revoked_at = s->revoked_at;
		rec->handover.has_key = next_sk && !s->revoked_at;
		rec->handover.key = s->next_public_key;
		rec->handover.since = s->next_since;
		if (rec->handover.has_key)
			ret = wgm_deploy_seal_handover(rec, site_sk, next_sk, &h->public_key, &payload);
		else
			ret = wgm_deploy_seal(rec, site_sk, &h->public_key, &payload);
		if (ret) {
			snprintf(err, errlen, "cannot seal the record of %s: %s", h->hostname,
				 strerror(-ret));
			goto out;
		}
		ret = add_rrset(cs, name, h->hostname, &payload, largest, largest_set, n_wide);
		if (ret)
			goto out;
	}
out:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	wgm_buf_free(&payload);
	if (rec) {
		sodium_memzero(rec, sizeof(*rec));
		free(rec);
	}
	return ret;
}

/* 1.0's output: only the host records, in site order (the site record is wgsite's job). */
static void print_hosts(const struct wgm_changeset *cs)
{
	for (size_t i = 0; i < cs->n_sets; i++)
		if (cs->sets[i].label[0])
			wgm_print_host_block(stdout, cs->sets[i].label, cs->sets[i].name,
					     &cs->sets[i].txt);
}

static void print_dry_run(const struct wgm_changeset *cs, const struct wgpub_opts *o,
			  bool use_route53)
{
	printf("Dry run, nothing written or sent. Would publish zone %s (TTL %d) to:%s%s%s%s%s%s%s%s\n\n",
	       cs->zone, WGM_PUBLISH_TTL, o->zone_file ? " zone file " : "",
	       o->zone_file ? o->zone_file : "", o->out_dir ? " record files in " : "",
	       o->out_dir ? o->out_dir : "", o->rfc2136 ? " RFC 2136 server " : "",
	       o->rfc2136 ? o->rfc2136 : "", use_route53 ? " Route53" : "",
	       !o->zone_file && !o->out_dir && !o->rfc2136 && !use_route53 ? " stdout" : "");
	for (size_t i = 0; i < cs->n_sets; i++)
		wgm_print_host_block(stdout, cs->sets[i].label[0] ? cs->sets[i].label : "(site record)",
				     cs->sets[i].name, &cs->sets[i].txt);
	for (size_t i = 0; i < cs->deletes.n; i++)
		wgm_printf_esc(stdout, "DELETE TXT: %s\n", cs->deletes.v[i]);
}

static int zone_file_write(const struct wgm_changeset *cs, uint64_t serial, const char *path,
			   char *err, size_t errlen)
{
	struct wgm_buf z = { 0 };
	int ret = wgm_buf_appendf(&z, "; wgmesh site %s, serial %llu\n", cs->zone,
				  (unsigned long long)serial);

	for (size_t i = 0; !ret && i < cs->deletes.n; i++)
		ret = wgm_buf_appendf(&z, "; removed host: %s (delete its TXT record)\n",
				      cs->deletes.v[i]);
	for (size_t i = 0; !ret && i < cs->n_sets; i++)
		for (size_t j = 0; !ret && j < cs->sets[i].txt.n; j++)
			/* Our strings are base64 plus "<n>:": nothing to escape inside quotes. */
			ret = wgm_buf_appendf(&z, "%s.\t%d\tIN\tTXT\t\"%s\"\n", cs->sets[i].name,
					      WGM_PUBLISH_TTL, cs->sets[i].txt.v[j]);
	if (!ret)
		ret = wgm_write_atomic(path, z.p, z.len, 0644);
	if (ret)
		snprintf(err, errlen, "cannot write zone file %s: %s", path, strerror(-ret));
	wgm_buf_free(&z);
	return ret;
}

static int out_dir_write(const struct wgm_changeset *cs, const char *dir, char *err,
			 size_t errlen)
{
	char path[4096];
	int ret = 0;

	snprintf(path, sizeof(path), "%s", dir);
	if (mkdir(dir, 0755) && errno != EEXIST)
		ret = -errno;
	for (size_t i = 0; !ret && i < cs->n_sets; i++) {
		struct wgm_buf f = { 0 };

		for (size_t j = 0; !ret && j < cs->sets[i].txt.n; j++)
			ret = wgm_buf_appendf(&f, "%s\n", cs->sets[i].txt.v[j]);
		snprintf(path, sizeof(path), "%s/%s.txt", dir, cs->sets[i].name);
		if (!ret)
			ret = wgm_write_atomic(path, f.p, f.len, 0644);
		wgm_buf_free(&f);
	}
	for (size_t i = 0; !ret && i < cs->deletes.n; i++) {
		snprintf(path, sizeof(path), "%s/%s.txt", dir, cs->deletes.v[i]);
		if (unlink(path) && errno != ENOENT)
			ret = -errno;
	}
	if (ret)
		snprintf(err, errlen, "cannot write %.400s: %s", path, strerror(-ret));
	return ret;
}

static int parse_args(int argc, char **argv, struct wgpub_opts *o)
{
	enum { OPT_ZONE = 256, OPT_OUTDIR, OPT_RFC2136, OPT_TSIG, OPT_R53, OPT_DRY, OPT_SERIAL,
	       OPT_STATEDIR };
	static const struct option longopts[] = {
		{ "zone-file", required_argument, NULL, OPT_ZONE },
		{ "out-dir", required_argument, NULL, OPT_OUTDIR },
		{ "rfc2136", required_argument, NULL, OPT_RFC2136 },
		{ "tsig-key", required_argument, NULL, OPT_TSIG },
		{ "route53-endpoint", required_argument, NULL, OPT_R53 },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "serial", required_argument, NULL, OPT_SERIAL },
		{ "state-dir", required_argument, NULL, OPT_STATEDIR },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long n;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "vqd", longopts, NULL)) != -1) {
		if (wgm_log_verbosity(c))
			continue;
		switch (c) {
		case OPT_ZONE: o->zone_file = optarg; break;
		case OPT_OUTDIR: o->out_dir = optarg; break;
		case OPT_RFC2136: o->rfc2136 = optarg; break;
		case OPT_TSIG: o->tsig_key = optarg; break;
		case OPT_R53: o->route53_endpoint = optarg; break;
		case OPT_DRY: o->dry_run = true; break;
		case OPT_STATEDIR: break;
		case OPT_SERIAL:
			if (!wgm_parse_u64(optarg, 1, UINT64_MAX, &n))
				return wgm_cli_usage_error("--serial '%s' is not a positive number",
							   optarg);
			o->serial = n;
			break;
		default:
			return wgm_cli_other_option(c, argv, usage);
		}
	}
	if (argc - optind != 1)
		return wgm_cli_usage_error("expected exactly one SITEFILE argument");
	o->site_path = argv[optind];
	if (!!o->rfc2136 != !!o->tsig_key)
		return wgm_cli_usage_error("--rfc2136 and --tsig-key go together");
	return 0;
}

/* How far ahead of the clock --serial may go. A node refuses any record older than the one it
 * applied, so a serial far in the future (UINT64_MAX, say) would freeze every node that took
 * it; a day covers clocks that disagree between controllers, not much more. */
#define SERIAL_AHEAD_MAX (24 * 3600)

/* The last serial this site file was published with: <site file>.serial. */
static int last_serial_path(const char *site_path, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s.serial", site_path);

	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

/* 0 with *last = 0 when the site was never published from here. */
static int last_serial_load(const char *path, uint64_t *last, char *err, size_t errlen)
{
	unsigned long long v;
	char *data = NULL;
	size_t len;
	int ret = wgm_read_file(path, 64, &data, &len);

	*last = 0;
	if (ret == -ENOENT)
		return 0;
	if (ret == 0) {
		while (len && data[len - 1] == '\n')
			data[--len] = '\0';
		if (!wgm_parse_u64(data, 1, UINT64_MAX, &v))
			ret = -EINVAL;
		else
			*last = v;
	}
	if (ret)
		snprintf(err, errlen, "cannot read the last serial in %.400s: %s (it holds one number; "
			 "remove it to start from the clock)", path, strerror(-ret));
	free(data);
	return ret;
}

/* Every publication gets a serial above the last one, even two in one second: the clock, or
 * the last serial plus one when that is higher. An explicit --serial is bounded by the clock. */
static int choose_serial(const struct wgpub_opts *o, const char *path, uint64_t *serial,
			 char *err, size_t errlen)
{
	uint64_t now = (uint64_t)time(NULL), last;
	int ret = last_serial_load(path, &last, err, errlen);

	if (ret)
		return ret;
	if (o->serial > now + SERIAL_AHEAD_MAX) {
		snprintf(err, errlen, "--serial %llu is more than a day ahead of the clock (%llu): a "
			 "node that applied it would refuse every later record until then; give at "
			 "most %llu", (unsigned long long)o->serial, (unsigned long long)now,
			 (unsigned long long)(now + SERIAL_AHEAD_MAX));
		return -ERANGE;
	}
	if (o->serial) {
		if (o->serial <= last)
			log_warn("--serial %llu is not above %llu, this site's last publication: nodes "
				 "that applied that one refuse this", (unsigned long long)o->serial,
				 (unsigned long long)last);
		*serial = o->serial;
	} else if (last == UINT64_MAX) {
		snprintf(err, errlen, "%.400s holds the largest serial there is: remove it (and each "
			 "node's <state-dir>/<domain>.serial)", path);
		return -ERANGE;
	} else {
		*serial = now > last ? now : last + 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct wgpub_opts o = { 0 };
	struct wgm_site site = { 0 };
	struct wgm_key site_sk = { 0 }, next_sk = { 0 };
	struct wgm_changeset cs = { 0 };
	struct wgm_route53 r53 = { 0 };
	char err[512] = "", serial_path[4200], text[32];
	uint64_t serial = 0;
	bool filled, use_route53, printed_only, have_next = false;
	size_t largest = 0, largest_set = 0, n_wide = 0;
	int ret;

	wgm_log_init("wgpub");
	if (sodium_init() < 0) {
		log_err("libsodium failed to initialise");
		return 1;
	}
	if (parse_args(argc, argv, &o))
		return 1;
	if (last_serial_path(o.site_path, serial_path, sizeof(serial_path)) ||
	    choose_serial(&o, serial_path, &serial, err, sizeof(err))) {
		log_err("%s", err[0] ? err : "site file path too long");
		return 1;
	}

	ret = wgm_site_open(o.site_path, &site, &site_sk, &filled, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		return 1;
	}
	if (filled) {
		ret = -EINVAL;
		snprintf(err, sizeof(err), "%s has no publickey yet: run 'wgsite %s' first",
			 o.site_path, o.site_path);
		goto out;
	}
	ret = load_next_key(&site, &next_sk, &have_next, err, sizeof(err));
	if (ret)
		goto out;
	ret = build_changeset(&site, &site_sk, have_next ? &next_sk : NULL, serial, &cs, &largest, &largest_set, &n_wide, err,
			      sizeof(err));
	if (ret)
		goto out;

	use_route53 = site.route53[0] && site.aws_access_key_id[0] && site.aws_secret_access_key[0];
	printed_only = !o.zone_file && !o.out_dir && !o.rfc2136 && !use_route53;
	if (n_wide && largest <= DNS_MESSAGE_MAX)
		log_notice("%zu records would not fit in a DNS answer with 1.0's 76-character lines: "
			   "written with %d-character lines, which readers join the same way", n_wide,
			   WGM_TXT_WIDE);
	if (largest > DNS_MESSAGE_MAX) {
		snprintf(err, sizeof(err),
			 "the record %s needs a %zu-byte DNS answer, over the %d-byte limit of a DNS "
			 "message: the site has too many hosts to publish through DNS; use "
			 "--out-dir and 'wgmesh-net apply FILE' to move records another way",
			 cs.sets[largest_set].name, largest, DNS_MESSAGE_MAX);
		if (o.rfc2136 || use_route53 || o.zone_file) {
			ret = -EMSGSIZE;
			goto out;
		}
		log_warn("%s", err);
		err[0] = 0;
	}
	if (o.dry_run) {
		print_dry_run(&cs, &o, use_route53);
		goto out;
	}
	/* Kept before anything goes out: the next publication, even a failed one's retry, gets a
	 * higher serial. */
	snprintf(text, sizeof(text), "%llu\n", (unsigned long long)serial);
	ret = wgm_write_atomic(serial_path, text, strlen(text), 0644);
	if (ret) {
		snprintf(err, sizeof(err), "cannot keep the serial in %.400s: %s (the site's directory "
			 "must be writable)", serial_path, strerror(-ret));
		goto out;
	}
	if (printed_only)
		print_hosts(&cs);
	if (o.zone_file) {
		ret = zone_file_write(&cs, serial, o.zone_file, err, sizeof(err));
		if (ret)
			goto out;
		log_notice("wrote zone fragment %s", o.zone_file);
	}
	if (o.out_dir) {
		ret = out_dir_write(&cs, o.out_dir, err, sizeof(err));
		if (ret)
			goto out;
		log_notice("wrote %zu record files to %s", cs.n_sets, o.out_dir);
	}
	if (o.rfc2136) {
		ret = wgm_publish_rfc2136(&cs, o.rfc2136, o.tsig_key, err, sizeof(err));
		if (ret)
			goto out;
		log_notice("published %zu record sets to %s, deleted %zu", cs.n_sets, o.rfc2136,
			   cs.deletes.n);
	}
	if (use_route53) {
		snprintf(r53.endpoint, sizeof(r53.endpoint), "%s",
			 o.route53_endpoint ? o.route53_endpoint : "https://route53.amazonaws.com");
		snprintf(r53.zone_id, sizeof(r53.zone_id), "%s", site.route53);
		snprintf(r53.access_key_id, sizeof(r53.access_key_id), "%s",
			 site.aws_access_key_id);
		snprintf(r53.secret_access_key, sizeof(r53.secret_access_key), "%s",
			 site.aws_secret_access_key);
		ret = wgm_publish_route53(&cs, &r53, err, sizeof(err));
		sodium_memzero(&r53, sizeof(r53));
		if (ret)
			goto out;
		log_notice("published %zu record sets to Route53 zone %s, deleted %zu", cs.n_sets,
			   site.route53, cs.deletes.n);
	}
out:
	if (ret)
		log_err("%s", err[0] ? err : strerror(-ret));
	wgm_changeset_free(&cs);
	wgm_key_wipe(&site_sk);
	wgm_key_wipe(&next_sk);
	wgm_site_free(&site);
	return ret ? 1 : 0;
}
