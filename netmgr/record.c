/* Both transports end in the same place: TXT strings -> txt decode -> box open with the host
 * key and the pinned site key -> strict YAML decode (common/records.c). */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "txtchunk.h"

#define RECORD_FILE_MAX (2 * WGM_RECORD_MAX)
#define FETCH_TIMEOUT_MS 10000

static int open_strings(const struct wgm_strv *txt, const struct host_ctx *h,
			struct record_trust *t, struct wgm_deploy_record *rec, char *err, size_t errlen)
{
	struct wgm_buf payload = { 0 };
	int ret = wgm_txt_decode((const char *const *)txt->v, txt->n, &payload, err, errlen);

	if (ret == 0)
		ret = sitekey_open(payload.p, payload.len, h, &t->st, rec, &t->via_retired, err, errlen);
	wgm_buf_free(&payload);
	return ret;
}

int record_from_file(const char *path, const struct host_ctx *h, struct record_trust *t,
		     struct wgm_deploy_record *rec, char *err, size_t errlen)
{
	struct wgm_strv lines = { 0 };
	char *data = NULL;
	size_t len;
	int ret = wgm_read_file(path, RECORD_FILE_MAX, &data, &len);

	if (ret < 0) {
		snprintf(err, errlen, "cannot read record file %s: %s", path, strerror(-ret));
		return ret;
	}
	for (char *p = data, *nl; ret == 0 && p < data + len; p = nl + 1) {
		nl = memchr(p, '\n', data + len - p);
		if (!nl)
			nl = data + len;
		size_t l = nl - p;
		if (l && p[l - 1] == '\r')
			l--;
		if (l)
			ret = wgm_strv_pushn(&lines, p, l);
	}
	if (ret == 0 && !lines.n) {
		snprintf(err, errlen, "record file %s is empty: give the <uuid>.<domain>.txt wgpub wrote", path);
		ret = -EINVAL;
	}
	if (ret == 0)
		ret = open_strings(&lines, h, t, rec, err, errlen);
	wgm_strv_free(&lines);
	free(data);
	return ret;
}

/* The site record names the key the site signs with; a key other than the pinned one means a
 * new site or an attacker, and either way a human has to re-pin it with wgconfig. The one
 * exception: a node that pinned the successor of a handover still under way (nextkey). */
static int check_site_key(struct wgm_fetcher *f, const struct host_ctx *h, struct site_seen *seen,
			  bool *unavailable, char *err, size_t errlen)
{
	struct wgm_fetch_result r = { 0 };
	struct wgm_buf payload = { 0 };
	struct wgm_site_record site;
	int ret = wgm_fetcher_txt(f, h->domain, FETCH_TIMEOUT_MS, &r);

	if (ret < 0 || r.status != WGM_FETCH_OK) {
		/* The deploy record is still opened with the pinned key: nothing is lost. */
		log_warn("site record %s: %s, using the pinned site key", h->domain,
			 ret < 0 ? strerror(-ret) : wgm_fetch_status_str(r.status));
		ret = 0;
		goto out;
	}
	ret = wgm_txt_decode((const char *const *)r.txt.v, r.txt.n, &payload, err, errlen);
	if (ret == 0)
		ret = wgm_site_record_decode(payload.p, payload.len, &site, err, errlen);
	if (ret == 0 && !wgm_key_equal(&site.public_key, &h->hs.site_public_key) &&
	    !(site.has_next_key && wgm_key_equal(&site.next_key, &h->hs.site_public_key))) {
		snprintf(err, errlen,
			 "the site key published at %s differs from the one pinned in %s: refused (if the site really changed its key, re-pin it by hand: wgconfig --repin -l LOCUS -P KEY %s)",
			 h->domain, h->state_path, h->domain);
		ret = -EKEYREJECTED;
	}
	if (ret == 0) {
		seen->seen = true;
		seen->has_next = site.has_next_key;
		seen->next = site.next_key;
	}
	*unavailable = false;
out:
	wgm_buf_free(&payload);
	wgm_fetch_result_free(&r);
	return ret;
}

int record_from_dns(struct wgm_fetcher *f, const struct host_ctx *h, struct record_trust *t,
		    struct wgm_deploy_record *rec, bool *unavailable, char *err, size_t errlen)
{
	struct wgm_fetch_result r = { 0 };
	char name[WGM_UUID_LEN + WGM_HOSTNAME_MAX + 2];
	int ret;

	*unavailable = false;
	ret = check_site_key(f, h, &t->site, unavailable, err, errlen);
	if (ret < 0)
		return ret;
	snprintf(name, sizeof(name), "%s.%s", h->hs.uuid, h->domain);
	ret = wgm_fetcher_txt(f, name, FETCH_TIMEOUT_MS, &r);
	if (ret < 0 || r.status != WGM_FETCH_OK) {
		*unavailable = true;
		snprintf(err, errlen, "deploy record %s: %s%s%s; the mesh is left as it is", name,
			 ret < 0 ? strerror(-ret) : wgm_fetch_status_str(r.status),
			 r.detail[0] ? ": " : "", r.detail);
		ret = ret < 0 ? ret : -ENODATA;
	} else {
		ret = open_strings(&r.txt, h, t, rec, err, errlen);
	}
	wgm_fetch_result_free(&r);
	return ret;
}
