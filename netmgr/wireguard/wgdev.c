/* The device interface: back end choice, name checks, and dispatch to the kernel (wg_genl.c)
 * or userspace (wg_uapi.c) back end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"
#include "wg_genl.h"
#include "wg_uapi.h"
#include "wgdev.h"
#include "wgset.h"

/* Names go into netlink attributes and a socket path: the kernel's rule (names.h). */
static int check_ifname(const char *ifname, struct nl_err *e)
{
	if (!ifname || !wgm_ifname_valid(ifname))
		return nl_err_fmt(e, -EINVAL, "invalid WireGuard interface name \"%s\": use 1-15 printable characters without '/', ':' or spaces",
				  ifname ? ifname : "");
	return 0;
}

const char *wgdev_backend_name(enum wgdev_backend be)
{
	return be == WGDEV_KERNEL ? "kernel" : "userspace";
}

enum wgdev_backend wgdev_backend_of_kind(const char *kind)
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

int wgdev_create(enum wgdev_backend be, const char *ifname, int *ifindex, struct nl_err *e)
{
	int ret = check_ifname(ifname, e);

	if (ret)
		return ret;
	return be == WGDEV_KERNEL ? wg_genl_create(ifname, ifindex, e) : wg_uapi_create(ifname, ifindex, e);
}

int wgdev_destroy(enum wgdev_backend be, const char *ifname, int netns_fd, struct nl_err *e)
{
	int ret = check_ifname(ifname, e);

	if (ret)
		return ret;
	return be == WGDEV_KERNEL ? wg_genl_destroy(ifname, netns_fd, e) : wg_uapi_destroy(ifname, netns_fd, e);
}

int wgdev_get(enum wgdev_backend be, int netns_fd, const char *ifname, struct wgdev_config *out,
	      struct nl_err *e)
{
	int ret = check_ifname(ifname, e);

	memset(out, 0, sizeof(*out));
	if (ret)
		return ret;
	ret = be == WGDEV_KERNEL ? wg_genl_get(netns_fd, ifname, out, e) : wg_uapi_get(ifname, out, e);
	if (!ret)
		snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
	return ret;
}

void wgdev_release(void)
{
	wg_genl_release();
}

int wgdev_userspace_pid(const char *ifname, pid_t *pid, struct nl_err *e)
{
	int ret = check_ifname(ifname, e);

	return ret ? ret : wg_uapi_pid(ifname, pid, e);
}

int wgdev_sync_from(enum wgdev_backend be, int netns_fd, const struct wgdev_config *cur,
		    const struct wgdev_config *cfg, bool *changed, struct nl_err *e)
{
	struct wgset set = { 0 };
	int ret;

	*changed = false;
	ret = wgset_diff(cur, cfg, &set, e);
	if (ret || wgset_is_empty(&set))
		goto cleanup;
	ret = be == WGDEV_KERNEL ? wg_genl_set(netns_fd, &set, e) : wg_uapi_set(&set, e);
	if (!ret)
		*changed = true;
cleanup:
	wgset_free(&set);
	return ret;
}

int wgdev_sync(enum wgdev_backend be, int netns_fd, const struct wgdev_config *cfg, bool *changed,
	       struct nl_err *e)
{
	struct wgdev_config cur = { 0 };
	int ret;

	*changed = false;
	ret = wgdev_get(be, netns_fd, cfg->ifname, &cur, e);
	if (ret == 0)
		ret = wgdev_sync_from(be, netns_fd, &cur, cfg, changed, e);
	wgdev_config_free(&cur);
	return ret;
}
