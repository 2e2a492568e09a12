/* The device interface: back end choice, name checks, and dispatch to the kernel (wg_genl.c)
 * or userspace (wg_uapi.c) back end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "names.h"
#include "wgset.h"

void wgdev_config_wipe(struct wgdev_config *c)
{
	sodium_memzero(&c->private_key, sizeof(c->private_key));
	c->has_private_key = false;
}

void wgdev_config_free(struct wgdev_config *c)
{
	wgdev_config_wipe(c);
	free(c->peers);
	c->peers = NULL;
	c->n_peers = 0;
}

int wgdev_peer_append(struct wgdev_config *c, size_t *cap, struct wgdev_peer **peer)
{
	struct wgdev_peer *grown;
	size_t ncap;

	if (c->n_peers == *cap) {
		ncap = *cap ? *cap * 2 : 8;
		grown = realloc(c->peers, ncap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		c->peers = grown;
		*cap = ncap;
	}
	*peer = &c->peers[c->n_peers++];
	memset(*peer, 0, sizeof(**peer));
	return 0;
}

void wgdev_allowed_mask(int family, uint8_t addr[16], uint8_t cidr)
{
	size_t bits = family == AF_INET ? 32 : 128, i;

	for (i = 0; i < bits / 8; i++) {
		if (cidr >= (i + 1) * 8)
			continue;
		addr[i] &= cidr > i * 8 ? (uint8_t)(0xff << (8 - (cidr - i * 8))) : 0;
	}
}

/* Names go into netlink attributes and a socket path: the kernel's rule (names.h). */
static int check_ifname(const char *ifname)
{
	if (!ifname || !wgm_ifname_valid(ifname)) {
		log_err("invalid WireGuard interface name \"%s\": use 1-15 printable characters without '/', ':' or spaces",
			ifname ? ifname : "");
		return -EINVAL;
	}
	return 0;
}

struct wgdev_counts wgdev_counts;

const char *wgdev_backend_name(enum wgdev_backend be)
{
	return be == WGDEV_KERNEL ? "kernel" : "userspace";
}

enum wgdev_backend backend_of_kind(const char *kind)
{
	return !strcmp(kind, "wireguard") ? WGDEV_KERNEL : WGDEV_USERSPACE;
}

enum wgdev_backend wgdev_detect(void)
{
	static int detected = -1;
	const char *force = getenv("WGM_WG_BACKEND");
	uint16_t family_id;
	int ret;

	if (force && !strcmp(force, "kernel"))
		return WGDEV_KERNEL;
	if (force && !strcmp(force, "userspace"))
		return WGDEV_USERSPACE;
	if (force && *force)
		log_warn("ignoring WGM_WG_BACKEND=\"%s\": use kernel or userspace", force);
	if (detected < 0) {
		ret = wg_genl_family(-1, &family_id);
		detected = ret ? WGDEV_USERSPACE : WGDEV_KERNEL;
		log_debug("WireGuard back end: %s (genl family \"wireguard\": %s)",
			  wgdev_backend_name((enum wgdev_backend)detected), ret ? strerror(-ret) : "present");
	}
	return (enum wgdev_backend)detected;
}

int wgdev_create(enum wgdev_backend be, const char *ifname, int *ifindex)
{
	int ret = check_ifname(ifname);

	if (ret)
		return ret;
	return be == WGDEV_KERNEL ? wg_genl_create(ifname, ifindex) : wg_uapi_create(ifname, ifindex);
}

int wgdev_destroy(enum wgdev_backend be, const char *ifname, int netns_fd)
{
	int ret = check_ifname(ifname);

	if (ret)
		return ret;
	return be == WGDEV_KERNEL ? wg_genl_destroy(ifname, netns_fd) : wg_uapi_destroy(ifname, netns_fd);
}

int wgdev_get(enum wgdev_backend be, int netns_fd, const char *ifname, struct wgdev_config *out)
{
	int ret = check_ifname(ifname);

	memset(out, 0, sizeof(*out));
	if (ret)
		return ret;
	ret = be == WGDEV_KERNEL ? wg_genl_get(netns_fd, ifname, out) : wg_uapi_get(ifname, out);
	if (!ret)
		snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
	return ret;
}

void wgdev_release(void)
{
	wg_genl_release();
}

int wgdev_userspace_pid(const char *ifname, pid_t *pid)
{
	int ret = check_ifname(ifname);

	return ret ? ret : wg_uapi_pid(ifname, pid);
}

int wgdev_sync_from(enum wgdev_backend be, int netns_fd, const struct wgdev_config *cur,
		    const struct wgdev_config *cfg, bool *changed)
{
	struct wgset set = { 0 };
	int ret;

	*changed = false;
	ret = wgset_diff(cur, cfg, &set);
	if (ret || wgset_is_empty(&set))
		goto cleanup;
	ret = be == WGDEV_KERNEL ? wg_genl_set(netns_fd, &set) : wg_uapi_set(&set);
	if (!ret)
		*changed = true;
	else
		log_err("cannot configure WireGuard device %s: %s", cfg->ifname, strerror(-ret));
cleanup:
	wgset_free(&set);
	return ret;
}

int wgdev_sync(enum wgdev_backend be, int netns_fd, const struct wgdev_config *cfg, bool *changed)
{
	struct wgdev_config cur = { 0 };
	int ret;

	*changed = false;
	ret = wgdev_get(be, netns_fd, cfg->ifname, &cur);
	if (ret == 0)
		ret = wgdev_sync_from(be, netns_fd, &cur, cfg, changed);
	wgdev_config_free(&cur);
	return ret;
}
