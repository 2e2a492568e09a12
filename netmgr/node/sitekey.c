/* The rules are docs/design.md#site-key-rollover; the fields docs/format.md#site-key-handover. */
#include "sitekey.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomicfile.h"
#include "hoststate.h"
#include "log.h"
#include "yamldoc.h"

#define SITEKEY_FILE_MAX 4096

static void state_path(const char *state_dir, const char *domain, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s%s", state_dir, domain, WGM_SITEKEY_SUFFIX);
}

/* "2026-12-04T05:00:00Z" */
static const char *utc(uint64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%" PRIu64, t);
	return out;
}

static int get_key(const struct wgm_ynode *m, const char *name, struct wgm_key *k, bool *have,
		   char *err, size_t errlen)
{
	char text[WGM_KEY_B64_LEN + 8];
	int ret;

	*have = false;
	if (!wgm_ymap_get(m, name))
		return 0;
	ret = wgm_yget_str(m, name, true, text, sizeof(text), err, errlen);
	if (ret == -ENAMETOOLONG || (!ret && wgm_key_from_b64(k, text))) {
		snprintf(err, errlen, "'%s' is not a key", name);
		return -EINVAL;
	}
	*have = !ret;
	return ret;
}

static int get_u64(const struct wgm_ynode *m, const char *name, uint64_t *v, char *err,
		   size_t errlen)
{
	*v = 0;
	if (!wgm_ymap_get(m, name))
		return 0;
	return wgm_yget_u64(m, name, true, 0, UINT64_MAX, v, err, errlen);
}

int sitekey_load(const char *state_dir, const char *domain, struct sitekey_state *st, char *err,
		 size_t errlen)
{
	static const struct wgm_yaml_file file = {
		.what = "site-key state",
		.max_bytes = SITEKEY_FILE_MAX,
		.if_missing = "",
		.top_keys = "the rollover's keys",
	};
	struct wgm_ynode *doc = NULL;
	char path[4096], why[160] = "";
	int ret;

	memset(st, 0, sizeof(*st));
	state_path(state_dir, domain, path, sizeof(path));
	ret = wgm_yaml_load_file(path, &file, &doc, err, errlen);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	ret = get_key(doc, "pending_key", &st->pending_key, &st->has_pending, why, sizeof(why));
	if (!ret)
		ret = get_u64(doc, "pending_since", &st->pending_since, why, sizeof(why));
	if (!ret)
		ret = get_u64(doc, "first_seen", &st->first_seen, why, sizeof(why));
	if (!ret)
		ret = get_u64(doc, "sightings", &st->sightings, why, sizeof(why));
	if (!ret)
		ret = get_key(doc, "retired_key", &st->retired_key, &st->has_retired, why, sizeof(why));
	if (!ret)
		ret = get_u64(doc, "pinned_since", &st->pinned_since, why, sizeof(why));
	if (!ret)
		ret = get_u64(doc, "revoked_at", &st->revoked_at, why, sizeof(why));
	if (ret)
		snprintf(err, errlen, "%.300s: %s (remove it to start the site-key rollover afresh)", path, why);
	wgm_yaml_free(doc);
	return ret;
}

static int put_key(struct wgm_ynode *m, const char *name, const struct wgm_key *k)
{
	char text[WGM_KEY_B64_LEN + 1];

	wgm_key_to_b64(k, text);
	return wgm_ymap_set_str(m, name, text);
}

static int put_u64(struct wgm_ynode *m, const char *name, uint64_t v)
{
	char text[24];
	struct wgm_ynode *n;

	snprintf(text, sizeof(text), "%" PRIu64, v);
	n = wgm_ynode_new_scalar(text);
	if (n)
		n->quoted = false;
	return wgm_ymap_set(m, name, n);
}

static int sitekey_save(const char *state_dir, const char *domain, const struct sitekey_state *st)
{
	struct wgm_ynode *doc = wgm_ynode_new_map();
	struct wgm_buf out = { 0 };
	char path[4096];
	int ret = doc ? 0 : -ENOMEM;

	if (!ret && st->has_pending) {
		ret = put_key(doc, "pending_key", &st->pending_key);
		ret = ret ? ret : put_u64(doc, "pending_since", st->pending_since);
		ret = ret ? ret : put_u64(doc, "first_seen", st->first_seen);
		ret = ret ? ret : put_u64(doc, "sightings", st->sightings);
	}
	if (!ret && st->has_retired)
		ret = put_key(doc, "retired_key", &st->retired_key);
	if (!ret && st->pinned_since)
		ret = put_u64(doc, "pinned_since", st->pinned_since);
	if (!ret && st->revoked_at)
		ret = put_u64(doc, "revoked_at", st->revoked_at);
	if (!ret)
		ret = wgm_yaml_emit(doc, &out);
	state_path(state_dir, domain, path, sizeof(path));
	if (!ret)
		ret = wgm_write_atomic(path, out.p, out.len, 0644);
	if (ret)
		log_err("cannot write %s: %s", path, strerror(-ret));
	wgm_buf_free(&out);
	wgm_yaml_free(doc);
	return ret;
}

int sitekey_open(const uint8_t *payload, size_t len, const struct host_ctx *h,
		 const struct sitekey_state *st, struct wgm_deploy_record *rec, bool *via_retired,
		 char *err, size_t errlen)
{
	char pinned[WGM_KEY_B64_LEN + 1], when[32];
	int ret;

	*via_retired = false;
	wgm_key_to_b64(&h->hs.site_public_key, pinned);
	if (st->revoked_at) {
		snprintf(err, errlen,
			 "the site key %s pinned in %.200s was revoked by the site (%s): no record is trusted, the mesh is left as it is; re-pin the site's new key by hand: wgconfig --repin -l LOCUS -P KEY %s",
			 pinned, h->state_path, utc(st->revoked_at, when), h->domain);
		return -EKEYREVOKED;
	}
	ret = wgm_deploy_open(payload, len, &h->host_sk, &h->hs.site_public_key, rec, err, errlen);
	if (ret != -EBADMSG || !st->has_retired)
		return ret;
	/* Until the site retires the old key, its records are sealed by both keys. */
	if (wgm_deploy_open(payload, len, &h->host_sk, &st->retired_key, rec, err, errlen))
		return ret;
	if (rec->handover.has_key && wgm_key_equal(&rec->handover.key, &h->hs.site_public_key)) {
		*via_retired = true;
		return 0;
	}
	{
		char retired[WGM_KEY_B64_LEN + 1];

		wgm_key_to_b64(&st->retired_key, retired);
		snprintf(err, errlen,
			 "deploy record is sealed only by the retired site key %s (this node rolled over to %s): refused",
			 retired, pinned);
	}
	memset(rec, 0, sizeof(*rec));
	return -EKEYREJECTED;
}

static int pin(const char *state_dir, struct host_ctx *h, struct sitekey_state *st,
	       uint64_t hold, char *err, size_t errlen)
{
	struct sitekey_state next = *st;
	char oldk[WGM_KEY_B64_LEN + 1], newk[WGM_KEY_B64_LEN + 1];
	struct wgm_key old = h->hs.site_public_key;
	const uint64_t seen = st->sightings, over = (uint64_t)time(NULL) - st->first_seen;
	int ret;

	wgm_key_to_b64(&old, oldk);
	wgm_key_to_b64(&st->pending_key, newk);
	/* The host state first: if the state file cannot follow, the node refuses the old key's
	 * records rather than trusting them twice. */
	h->hs.site_public_key = st->pending_key;
	ret = wgm_host_state_save(h->state_path, &h->hs, err, errlen);
	if (ret) {
		h->hs.site_public_key = old;
		return ret;
	}
	next.has_pending = false;
	next.has_retired = true;
	next.retired_key = old;
	next.pinned_since = st->pending_since;
	next.first_seen = next.sightings = next.pending_since = 0;
	*st = next;
	log_notice("site key of %s rolled over: %s -> %s (vouched for by the old key on %" PRIu64 " fetches over %" PRIu64 " s, hold-down %" PRIu64 " s); records sealed only by the old key are refused from now on",
		   h->domain, oldk, newk, seen, over, hold);
	return sitekey_save(state_dir, h->domain, st);
}

int sitekey_observe(const char *state_dir, struct host_ctx *h, struct sitekey_state *st,
		    const struct wgm_deploy_record *rec, const struct site_seen *site,
		    bool via_retired, bool dry_run, char *err, size_t errlen)
{
	const struct wgm_site_handover *ho = &rec->handover;
	const uint64_t hold = h->hs.hold_down ? h->hs.hold_down : WGM_HOLD_DOWN_DEFAULT;
	const uint64_t now = (uint64_t)time(NULL);
	char pinned[WGM_KEY_B64_LEN + 1], newk[WGM_KEY_B64_LEN + 1], when[32];

	if (via_retired)
		return 0; /* a handover this node already followed */
	wgm_key_to_b64(&h->hs.site_public_key, pinned);
	if (ho->revoked) {
		snprintf(err, errlen,
			 "the site revoked its key %s (%s): this record and every later one it seals are refused, the mesh is left as it is; re-pin the site's new key by hand: wgconfig --repin -l LOCUS -P KEY %s",
			 pinned, utc(ho->revoked_at, when), h->domain);
		st->revoked_at = ho->revoked_at;
		st->has_pending = false;
		if (!dry_run)
			sitekey_save(state_dir, h->domain, st);
		return -EKEYREVOKED;
	}
	if (!ho->has_key) {
		if (st->has_pending && !dry_run) {
			wgm_key_to_b64(&st->pending_key, newk);
			log_notice("the site-key handover to %s is gone from the deploy record: not pinned", newk);
			st->has_pending = false;
			return sitekey_save(state_dir, h->domain, st);
		}
		return 0;
	}
	wgm_key_to_b64(&ho->key, newk);
	if (st->has_retired && wgm_key_equal(&ho->key, &st->retired_key)) {
		snprintf(err, errlen,
			 "deploy record hands the site key over to %s, the key this node retired: refused (a site key never rolls back)",
			 newk);
		return -EKEYREJECTED;
	}
	if (ho->since < st->pinned_since) {
		snprintf(err, errlen,
			 "deploy record's site-key handover to %s (%s) is older than the pinned key's own handover (%s): refused as a replay",
			 newk, utc(ho->since, when), utc(st->pinned_since, (char[32]){ 0 }));
		return -ESTALE;
	}
	/* Counted only when announced in the public site record too, where the site's admin (and
	 * wgsite FILE) sees a handover they did not make. */
	if (!site->seen || !site->has_next || !wgm_key_equal(&site->next, &ho->key)) {
		if (site->from_file)
			log_notice("site-key handover to %s not counted: a record file comes without the site record that must announce it (only fetches from DNS count)",
				   newk);
		else
			log_warn("site-key handover to %s not counted: the site record at %s %s", newk,
				 h->domain, !site->seen ? "could not be read" : "does not announce it (nextkey)");
		return 0;
	}
	if (dry_run)
		return 0;
	if (st->has_pending && wgm_key_equal(&st->pending_key, &ho->key) &&
	    st->pending_since == ho->since) {
		st->sightings++;
	} else {
		if (st->has_pending) {
			char before[WGM_KEY_B64_LEN + 1];

			wgm_key_to_b64(&st->pending_key, before);
			log_warn("a different site-key handover (%s, before: %s) vouched for by the pinned key: the hold-down starts again; if the site did not make both, its key may be stolen: revoke it (wgsite rotate-key --revoke)",
				 newk, before);
		} else {
			log_notice("site-key handover %s -> %s seen: pinned after %" PRIu64 " s (%s) if it stays",
				   pinned, newk, hold, utc(now + hold, when));
		}
		st->has_pending = true;
		st->pending_key = ho->key;
		st->pending_since = ho->since;
		st->first_seen = now;
		st->sightings = 1;
	}
	if (now >= st->first_seen + hold && st->sightings >= WGM_HOLD_DOWN_MIN_FETCHES)
		return pin(state_dir, h, st, hold, err, errlen);
	return sitekey_save(state_dir, h->domain, st);
}

int sitekey_health(const char *state_dir, const char *domain, char *detail, size_t len)
{
	struct sitekey_state st;
	char k[WGM_KEY_B64_LEN + 1], when[32];
	int ret = sitekey_load(state_dir, domain, &st, detail, len);

	if (ret)
		return 1;
	if (st.revoked_at) {
		snprintf(detail, len, "the pinned site key was revoked by the site (%s): no record is trusted; re-pin by hand (wgconfig --repin -l LOCUS -P KEY %s)",
			 utc(st.revoked_at, when), domain);
		return 2;
	}
	if (st.has_pending) {
		wgm_key_to_b64(&st.pending_key, k);
		snprintf(detail, len, "handover to %s pending: seen on %" PRIu64 " fetch%s since %s", k,
			 st.sightings, st.sightings == 1 ? "" : "es", utc(st.first_seen, when));
		return 0;
	}
	if (st.has_retired) {
		wgm_key_to_b64(&st.retired_key, k);
		snprintf(detail, len, "rolled over from %s (handover of %s)", k, utc(st.pinned_since, when));
		return 0;
	}
	snprintf(detail, len, "pinned, no rollover under way");
	return 0;
}
