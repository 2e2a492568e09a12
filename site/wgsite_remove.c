/* wgsite remove [--purge] HOST FILE: node removal in two steps. First the host is marked
 * removed (wgpub leaves it out of every record and deletes its own); its octet and ASN stay
 * reserved until --purge, once its record is gone from DNS. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "log.h"
#include "sitefile.h"
#include "wgsite.h"

/* Purging before the record is gone would hand its octet to a new host while old peers may
 * still hold the old record, so with --dns the record must be confirmed absent. */
static int record_gone(const struct wgsite_opts *o, const char *name)
{
	struct wgm_fetch_result res = { 0 };
	int ret = wgm_fetch_txt_sandboxed(&o->dns, name, &res);

	if (!ret && res.status == WGM_FETCH_OK) {
		log_err("TXT %s still answers in DNS; delete it (run wgpub) before --purge", name);
		ret = -EEXIST;
	} else if (!ret && res.status != WGM_FETCH_NXDOMAIN && res.status != WGM_FETCH_NODATA) {
		log_err("cannot confirm TXT %s is gone: %s; retry when DNS answers", name,
			wgm_fetch_status_str(res.status));
		ret = -EAGAIN;
	} else if (ret) {
		log_err("cannot look up TXT %s: %s", name, res.detail[0] ? res.detail : strerror(-ret));
	}
	wgm_fetch_result_free(&res);
	return ret;
}

int wgsite_remove(const struct wgsite_opts *o, const char *hostname, const char *path)
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
		wgm_printf_esc(stdout, "Purged host %s: octet %u and ASN %u are free again.\n", hostname, h->octet,
		       h->asn);
		memmove(h, h + 1, (size_t)(&s.hosts[s.n_hosts] - (h + 1)) * sizeof(*h));
		s.n_hosts--;
	} else {
		if (h->removed) {
			wgm_printf_esc(stdout, "Host %s is already marked removed.\n", hostname);
			changed = false;
		} else {
			h->removed = true;
			wgm_printf_esc(stdout, "Host %s (uuid %s) is marked removed; octet %u and ASN %u stay "
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
