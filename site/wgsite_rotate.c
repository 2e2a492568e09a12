/* wgsite rotate-key FILE: the site-key rollover (docs/operating.md#site-key-rollover).
 *   rotate-key FILE            a successor key beside the site key; wgpub then publishes a
 *                              handover the current key vouches for, sealed by both
 *   rotate-key --retire FILE   after the hold-down: the successor becomes the site key, the
 *                              old private key file is wiped
 *   rotate-key --revoke FILE   the current key vouches for nothing any more (a stolen key);
 *                              a later rotate-key replaces it, and the nodes re-pin by hand
 * The rules (why a stolen key cannot quietly roll the site): docs/design.md#site-key-rollover. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "siteopen.h"
#include "sitefile.h"
#include "wgsite.h"

/* The successor's file: the site key's path (as written) plus ".next". */
static int next_path_for(const struct wgm_site *s, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s.next", s->privatekey_path);

	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

/* The successor takes the site key's place: the old key's file is wiped (overwritten, synced,
 * unlinked) and the successor renamed onto its path, so the site file keeps its privatekey. */
static int promote(const char *keypath, const char *nextpath, char *err, size_t errlen)
{
	int ret = wgm_key_file_wipe(keypath);

	if (ret && ret != -ENOENT) {
		snprintf(err, errlen, "cannot wipe the old site key %.300s: %s", keypath, strerror(-ret));
		return ret;
	}
	if (rename(nextpath, keypath) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot move %.200s to %.200s: %s (the new key is still in %.200s)", nextpath,
			 keypath, strerror(errno), nextpath);
		return ret;
	}
	return 0;
}

static int make_next(struct wgm_site *s, const char *nextpath_rel, const char *nextpath,
		     char *err, size_t errlen)
{
	struct wgm_key sk, pk;
	/* 1.0 nodes pin the successor by hand: it must be a key 1.0 can read. */
	int ret = wgm_key_generate(&sk, &pk, true);

	if (!ret)
		ret = wgm_key_save(&sk, nextpath, true, true);
	wgm_key_wipe(&sk);
	if (ret) {
		snprintf(err, errlen, "cannot write the new site key %.300s: %s", nextpath, strerror(-ret));
		return ret;
	}
	s->has_next_key = true;
	s->next_public_key = pk;
	snprintf(s->next_privatekey_path, sizeof(s->next_privatekey_path), "%s", nextpath_rel);
	s->next_since = (uint64_t)time(NULL);
	return 0;
}

static int rotate(struct wgm_site *s, const char *path, const char *keypath, char *err,
		  size_t errlen)
{
	char rel[4096], nextpath[4096], oldk[WGM_KEY_B64_LEN + 1], newk[WGM_KEY_B64_LEN + 1];
	int ret;

	if (s->has_next_key) {
		time_t since = (time_t)s->next_since;
		struct tm tm;
		char when[32] = "?";

		if (gmtime_r(&since, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		wgm_key_to_b64(&s->next_public_key, newk);
		snprintf(err, errlen,
			 "a site-key handover to %s is pending since %s (not yet retired): refused; finish it with 'wgsite rotate-key --retire %s' or revoke it with --revoke",
			 newk, when, path);
		return -EEXIST;
	}
	if (next_path_for(s, rel, sizeof(rel)) || wgm_site_key_path(s, nextpath, sizeof(nextpath)) ||
	    strlen(nextpath) + 5 >= sizeof(nextpath)) {
		snprintf(err, errlen, "site key path '%.200s' is too long", s->privatekey_path);
		return -ENAMETOOLONG;
	}
	strcat(nextpath, ".next");
	ret = make_next(s, rel, nextpath, err, errlen);
	if (ret)
		return ret;
	wgm_key_to_b64(&s->public_key, oldk);
	wgm_key_to_b64(&s->next_public_key, newk);
	if (s->revoked_at) {
		/* A revoked key vouches for nothing: the successor replaces it outright. */
		ret = promote(keypath, nextpath, err, errlen);
		if (ret)
			return ret;
		s->public_key = s->next_public_key;
		s->has_next_key = false;
		s->next_since = 0;
		s->next_privatekey_path[0] = 0;
		s->revoked_at = 0;
		ret = wgm_site_save(s, err, errlen);
		if (!ret)
			printf("site key %s replaced by %s (the old key was revoked, so nothing vouches for the new one).\n"
			       "Next: wgpub %s; then on every node, by hand: wgconfig --repin -l %s -P %s %s\n",
			       oldk, newk, path, s->locus, newk, s->domain);
		return ret;
	}
	ret = wgm_site_save(s, err, errlen);
	if (ret) {
		unlink(nextpath);
		return ret;
	}
	printf("site-key handover: %s -> %s (new key in %s).\n"
	       "Next: wgpub %s publishes it; every node pins the new key by itself once it has seen the\n"
	       "handover for its hold-down (default 30 days); then 'wgsite rotate-key --retire %s'.\n"
	       "If you ever see a handover in DNS that you did not make: 'wgsite rotate-key --revoke %s'.\n",
	       oldk, newk, nextpath, path, path, path);
	return 0;
}

static int retire_key(const struct wgsite_opts *o, struct wgm_site *s, const char *path,
		  const char *keypath, char *err, size_t errlen)
{
	char nextpath[4096], oldk[WGM_KEY_B64_LEN + 1], newk[WGM_KEY_B64_LEN + 1];
	uint64_t now = (uint64_t)time(NULL), hold = o->has_hold_down ? o->hold_down : WGM_HOLD_DOWN_DEFAULT;
	struct wgm_key sk, pk;
	int ret;

	if (!s->has_next_key) {
		snprintf(err, errlen, "no site-key handover is pending in %s: nothing to retire (wgsite rotate-key %s makes one)",
			 path, path);
		return -ENOENT;
	}
	if (now < s->next_since + hold) {
		snprintf(err, errlen,
			 "the handover was made %" PRIu64 " s ago, nodes pin it only after their hold-down of %" PRIu64 " s: retire in %" PRIu64 " s (or give --hold-down with the nodes' value)",
			 now > s->next_since ? now - s->next_since : 0, hold, s->next_since + hold - now);
		return -EAGAIN;
	}
	ret = wgm_site_next_key_path(s, nextpath, sizeof(nextpath));
	if (!ret)
		ret = wgm_key_load(&sk, nextpath, true);
	if (!ret)
		ret = wgm_key_public(&sk, &pk);
	wgm_key_wipe(&sk);
	if (!ret && !wgm_key_equal(&pk, &s->next_public_key))
		ret = -EINVAL;
	if (ret) {
		snprintf(err, errlen, "the new site key %.300s is unusable or does not match next_publickey: %s",
			 nextpath, strerror(-ret));
		return ret;
	}
	ret = promote(keypath, nextpath, err, errlen);
	if (ret)
		return ret;
	wgm_key_to_b64(&s->public_key, oldk);
	wgm_key_to_b64(&s->next_public_key, newk);
	s->public_key = s->next_public_key;
	s->has_next_key = false;
	s->next_since = 0;
	s->next_privatekey_path[0] = 0;
	ret = wgm_site_save(s, err, errlen);
	if (!ret)
		printf("site key %s retired (its file wiped); the site key is now %s.\n"
		       "Next: wgpub %s. A node that did not pin the new key by itself (a 1.0 node, a node that\n"
		       "was off for the whole hold-down) re-pins by hand: wgconfig --repin -l %s -P %s %s\n",
		       oldk, newk, path, s->locus, newk, s->domain);
	return ret;
}

static int revoke_key(struct wgm_site *s, const char *path, char *err, size_t errlen)
{
	char nextpath[4096], oldk[WGM_KEY_B64_LEN + 1];
	int ret;

	wgm_key_to_b64(&s->public_key, oldk);
	if (s->revoked_at) {
		snprintf(err, errlen, "site key %s is already revoked: 'wgsite rotate-key %s' replaces it", oldk,
			 path);
		return -EALREADY;
	}
	if (s->has_next_key && !wgm_site_next_key_path(s, nextpath, sizeof(nextpath))) {
		ret = wgm_key_file_wipe(nextpath);
		if (ret && ret != -ENOENT) {
			snprintf(err, errlen, "cannot wipe the pending new key %.300s: %s", nextpath, strerror(-ret));
			return ret;
		}
	}
	s->has_next_key = false;
	s->next_since = 0;
	s->next_privatekey_path[0] = 0;
	s->revoked_at = (uint64_t)time(NULL);
	ret = wgm_site_save(s, err, errlen);
	if (!ret)
		printf("site key %s revoked; any pending handover dropped.\n"
		       "Next: wgpub %s (every record says the key is revoked: the nodes keep their mesh as it is\n"
		       "and trust no record it seals); then 'wgsite rotate-key %s' makes the replacement,\n"
		       "which every node pins by hand (wgconfig --repin -l LOCUS -P KEY DOMAIN).\n",
		       oldk, path, path);
	return ret;
}

int wgsite_rotate_key(const struct wgsite_opts *o, const char *path)
{
	struct wgm_site s = { 0 };
	struct wgm_key sk;
	char err[768], keypath[4096];
	bool filled;
	int ret = wgm_site_open(path, &s, &sk, &filled, err, sizeof(err));

	if (ret) {
		log_err("%s", err);
		return 1;
	}
	wgm_key_wipe(&sk);
	ret = wgm_site_key_path(&s, keypath, sizeof(keypath));
	if (!ret && o->retire)
		ret = retire_key(o, &s, path, keypath, err, sizeof(err));
	else if (!ret && o->revoke)
		ret = revoke_key(&s, path, err, sizeof(err));
	else if (!ret)
		ret = rotate(&s, path, keypath, err, sizeof(err));
	if (ret)
		log_err("%s", err);
	wgm_site_free(&s);
	return ret ? 1 : 0;
}
