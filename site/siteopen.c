/* The site key is the trust root of the mesh: a site file whose publickey does not match its
 * private key would publish records no host can open, so that is refused up front. */
#include "siteopen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int wgm_site_open(const char *path, struct wgm_site *s, struct wgm_key *site_sk, bool *filled,
		  char *err, size_t errlen)
{
	char keypath[4096];
	struct wgm_key pub;
	int ret;

	*filled = false;
	ret = wgm_site_load(path, s, err, errlen);
	if (ret)
		return ret;
	ret = wgm_site_key_path(s, keypath, sizeof(keypath));
	if (ret) {
		snprintf(err, errlen, "%s: site key path '%s' is too long", path,
			 s->privatekey_path);
		goto fail;
	}
	ret = wgm_key_load(site_sk, keypath, true);
	if (ret) {
		wgm_key_load_error(ret, "site key", keypath, err, errlen);
		goto fail;
	}
	ret = wgm_key_public(site_sk, &pub);
	if (ret) {
		snprintf(err, errlen, "site key %s is not a usable Curve25519 key", keypath);
		goto fail;
	}
	if (!s->has_public_key) {
		s->public_key = pub;
		s->has_public_key = true;
		*filled = true;
	} else if (!wgm_key_equal(&pub, &s->public_key)) {
		snprintf(err, errlen,
			 "%s: publickey does not match the site key %s; set publickey to '' to "
			 "have it filled in", path, keypath);
		ret = -EINVAL;
		goto fail;
	}
	return 0;
fail:
	wgm_key_wipe(site_sk);
	wgm_site_free(s);
	return ret;
}
