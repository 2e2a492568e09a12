#include "options.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "wgm_config.h"

void netmgr_opts_defaults(struct netmgr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->state_dir = "/etc/wireguard";
	o->dnsfetch_user = "nobody";
	o->bird_dir = "/etc/bird";
	o->shorewall_dir = "/etc/shorewall";
	o->nft_dir = "/etc/wgmesh";
	o->hook_dir = "/etc/wgmesh/hooks.d";
	o->interval = 300;
	o->drain_wait = 10;
	o->endpoint_timeout = ENDPOINT_WAIT_DEFAULT;
}

const char *netmgr_dnsfetch_path(const struct netmgr_opts *o)
{
	return o->dnsfetch_path ? o->dnsfetch_path : wgm_fetcher_default_path();
}

int netmgr_check_fetcher(const struct netmgr_opts *o, bool need_path, char *err, size_t errlen)
{
	const char *path = netmgr_dnsfetch_path(o);
	const struct passwd *pw;

	errno = 0;
	pw = getpwnam(o->dnsfetch_user);
	if (!pw) {
		snprintf(err, errlen, "--dnsfetch-user \"%s\": %s; give an existing unprivileged user (default nobody)",
			 o->dnsfetch_user, errno ? strerror(errno) : "no such user");
		return errno ? -errno : -ENOENT;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		snprintf(err, errlen, "--dnsfetch-user \"%s\" has uid or gid 0: give an unprivileged user (default nobody)",
			 o->dnsfetch_user);
		return -EINVAL;
	}
	if (need_path && access(path, X_OK) < 0) {
		snprintf(err, errlen, "DNS fetcher %s: %s; give --dnsfetch PATH (or $WGM_DNSFETCH)", path,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

struct wgm_fetcher *fetcher_get(struct fetcher_slot *s)
{
	struct wgm_fetch_opts fo = s->o->fetch;

	if (s->f || s->spawn_error)
		return s->f;
	fo.cancel_fd = s->cancel_fd;
	s->spawn_error = wgm_fetcher_spawn(netmgr_dnsfetch_path(s->o), s->o->dnsfetch_user, &fo,
					   &s->f);
	if (s->spawn_error < 0) {
		log_err("cannot start the DNS fetcher %s: %s (give --dnsfetch PATH)",
			netmgr_dnsfetch_path(s->o), strerror(-s->spawn_error));
		s->f = NULL;
	}
	return s->f;
}

void fetcher_slot_close(struct fetcher_slot *s)
{
	if (s->f)
		wgm_fetcher_close(s->f);
	s->f = NULL;
	s->spawn_error = 0;
}

int host_ctx_load(const struct netmgr_opts *o, const char *domain, bool need_key,
		  struct host_ctx *h, char *err, size_t errlen)
{
	int ret;

	memset(h, 0, sizeof(*h));
	snprintf(h->domain, sizeof(h->domain), "%s", domain);
	ret = wgm_host_state_path(o->state_dir, domain, h->state_path, sizeof(h->state_path));
	if (ret < 0) {
		snprintf(err, errlen, "bad domain \"%s\": give the mesh's DNS domain", domain);
		return ret;
	}
	ret = wgm_host_state_load(h->state_path, &h->hs, err, errlen);
	if (ret < 0)
		return ret;
	if (!need_key)
		return 0;
	if (!h->hs.has_site_key) {
		snprintf(err, errlen, "%s has no pinned site key: run wgconfig %s first", h->state_path, domain);
		return -ENOKEY;
	}
	ret = wgm_key_load(&h->host_sk, h->hs.private_key_file, true);
	if (ret < 0) {
		wgm_key_load_error(ret, "host key", h->hs.private_key_file, err, errlen);
		return ret;
	}
	h->has_key = true;
	return 0;
}

void host_ctx_free(struct host_ctx *h)
{
	wgm_key_wipe(&h->host_sk);
	wgm_host_state_free(&h->hs);
}
