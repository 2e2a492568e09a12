/* wgsite -i MESSAGE FILE: imports a host's registration (a trust decision the operator makes),
 * or updates the host with that uuid in place, and says what changed. With --dry-run (or as
 * wgsite show MESSAGE FILE) it shows who is asking and what an import would do, and changes
 * nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "alloc.h"
#include "cli.h"
#include "esc.h"
#include "fingerprint.h"
#include "log.h"
#include "plan.h"
#include "records.h"
#include "siteopen.h"
#include "sitefile.h"
#include "wgsite.h"

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

/* Values come from the registration (anyone can make one): escaped, so none can erase or
 * overwrite the lines around it on the approver's terminal. */
static void describe_change(struct wgm_buf *b, const char *field, const char *from,
			    const char *to)
{
	char f[4 * 4096 + 1], t[4 * 4096 + 1];

	wgm_buf_appendf(b, "  %s: '%s' -> '%s'\n", field, wgm_esc(from, f, sizeof(f)),
			wgm_esc(to, t, sizeof(t)));
}

/* The registration's free-text fields a node's wghost fills from its own state: a control
 * byte there is no typo but an attempt on the approver's terminal. */
static const char *field_with_ctl(const struct wgm_registration *r)
{
	if (wgm_has_ctl(r->public_key_file))
		return "public_key_file";
	if (wgm_has_ctl(r->private_key_file))
		return "private_key_file";
	if (wgm_has_ctl(r->hostname))
		return "hostname";
	if (wgm_has_ctl(r->local_ipv4))
		return "local_ipv4";
	if (wgm_has_ctl(r->local_ipv6))
		return "local_ipv6";
	return NULL;
}

static int update_host(struct wgm_site_host *h, const struct wgm_registration *r, bool dry_run,
		       bool *changed)
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
	if (strcmp(old_pk, new_pk))
		log_warn("the registration gives %s (uuid %s) a new host key: approve it only if that "
			 "node was re-keyed (its wghost printed the fingerprint shown here)", h->hostname,
			 h->uuid);
	if (!*changed || dry_run) {
		char name[4 * WGM_HOSTNAME_MAX + 1];

		printf(*changed ? "Would update host %s (uuid %s, octet %u, ASN %u):\n%s"
				: "Host %s (uuid %s, octet %u, ASN %u) is unchanged.\n%s",
		       wgm_esc(h->hostname, name, sizeof(name)), h->uuid, h->octet, h->asn,
		       *changed ? (const char *)what.p : "");
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
	wgm_printf_esc(stdout, "Updated host %s (uuid %s, octet %u, ASN %u):\n", h->hostname,
		       h->uuid, h->octet, h->asn);
	fputs((const char *)what.p, stdout);
	wgm_buf_free(&what);
	return 0;
}

static int add_host(struct wgm_site *s, const struct wgm_registration *r, bool dry_run)
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
	if (dry_run) {
		wgm_printf_esc(stdout, "Would import new host %s (uuid %s): octet %u, ASN %u.\n", h.hostname, h.uuid,
		       h.octet, h.asn);
		return 0;
	}
	grown = realloc(s->hosts, (s->n_hosts + 1) * sizeof(*s->hosts));
	if (!grown) {
		log_err("out of memory");
		return -ENOMEM;
	}
	s->hosts = grown;
	s->hosts[s->n_hosts++] = h;
	wgm_printf_esc(stdout, "Imported new host %s (uuid %s): octet %u, ASN %u.\n", h.hostname, h.uuid, h.octet,
	       h.asn);
	return 0;
}

/* The message as a paste brings it: the whole line wghost printed ("Message to Home: ..."),
 * quotes, blanks around it. The base64 decoder takes the line breaks inside. buf holds at
 * least strlen(in) + 1 bytes. */
static const char *pasted_message(const char *in, char *buf)
{
	static const char prefix[] = "Message to Home:";
	const char *p = in;
	size_t len;

	for (int pass = 0; pass < 2; pass++) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		len = strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\n' ||
			       p[len - 1] == '\r'))
			len--;
		if (len >= 2 && (p[0] == '\'' || p[0] == '"') && p[len - 1] == p[0]) {
			p++;
			len -= 2;
		}
		memmove(buf, p, len);
		buf[len] = 0;
		p = buf;
		if (!strncmp(p, prefix, sizeof(prefix) - 1))
			p += sizeof(prefix) - 1;
	}
	return p;
}

/* Who is asking: what the admin reads before approving. */
static void print_preview(const struct wgm_registration *r, const char *domain)
{
	char pub[WGM_KEY_B64_LEN + 1], fp[WGM_FINGERPRINT_LEN + 1];
	char name[4 * WGM_HOSTNAME_MAX + 1], v4[4 * WGM_ADDRLIST_MAX + 1], v6[4 * WGM_ADDRLIST_MAX + 1];
	bool both = r->local_ipv4[0] && r->local_ipv6[0];

	wgm_key_to_b64(&r->public_key, pub);
	wgm_key_fingerprint(&r->public_key, fp);
	printf("Registration for site %s:\n"
	       "  hostname:    %s\n"
	       "  uuid:        %s\n"
	       "  endpoints:   %s%s%s%s\n"
	       "  host key:    %s\n"
	       "  fingerprint: %s (wghost printed it on the node)\n",
	       domain, wgm_esc(r->hostname, name, sizeof(name)), r->uuid,
	       wgm_esc(r->local_ipv4, v4, sizeof(v4)), both ? "," : "",
	       wgm_esc(r->local_ipv6, v6, sizeof(v6)),
	       r->local_ipv4[0] || r->local_ipv6[0] ? "" : "none (behind NAT: its peers wait for it to call)",
	       pub, fp);
}

int wgsite_import(const struct wgsite_opts *o, const char *path)
{
	struct wgm_site s = { 0 };
	struct wgm_key sk;
	struct wgm_registration *r = calloc(1, sizeof(*r));
	struct wgm_site_host *h, *same_name;
	char err[512], *msg = NULL;
	const char *bad_field;
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
	msg = malloc(strlen(o->import_msg) + 1);
	if (!msg) {
		log_err("out of memory");
		ret = -ENOMEM;
		wgm_key_wipe(&sk);
		goto out;
	}
	ret = wgm_registration_decode(pasted_message(o->import_msg, msg),
				      &sk, r, err, sizeof(err));
	wgm_key_wipe(&sk);
	if (ret == -EBADMSG && s.has_next_key) {
		char next_path[4096], err2[256];

		/* A node that already pinned the successor of a pending site-key handover seals its
		 * registration to that key. */
		if (!wgm_site_next_key_path(&s, next_path, sizeof(next_path)) &&
		    !wgm_key_load(&sk, next_path, true) &&
		    !wgm_registration_decode(pasted_message(o->import_msg, msg), &sk, r, err2,
					     sizeof(err2)))
			ret = 0;
		wgm_key_wipe(&sk);
	}
	if (ret) {
		log_err("cannot read the message: %s", err);
		goto out;
	}
	ret = -EINVAL;
	bad_field = field_with_ctl(r);
	if (bad_field && !o->dry_run) {
		log_err("registration of uuid %s: %s holds a control byte (shown as \\xNN by 'wgsite "
			"show'): refused; a node's wghost never writes one, so ask that node for a new "
			"registration", r->uuid, bad_field);
		goto out;
	}
	if (!wgm_hostname_valid(r->hostname)) {
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
	if (o->dry_run)
		print_preview(r, s.domain);
	ret = h ? update_host(h, r, o->dry_run, &changed) : add_host(&s, r, o->dry_run);
	if (!ret && bad_field)
		printf("It would be refused: %s holds a control byte.\n", bad_field);
	else if (!ret && o->dry_run)
		printf(changed ? "Nothing changed (dry run); to approve: wgsite -i MESSAGE %s\n"
			       : "Nothing changed (dry run).\n", path);
	if (ret || o->dry_run || !(changed || filled))
		goto out;
	ret = wgm_site_save(&s, err, sizeof(err));
	if (ret)
		log_err("%s", err);
	else if (changed)
		printf("Run 'wgpub %s' to publish the change.\n", path);
out:
	free(msg);
	sodium_memzero(r, sizeof(*r));
	free(r);
	wgm_site_free(&s);
	return ret ? 1 : 0;
}
