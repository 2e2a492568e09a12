/* Internal to netmgr/wireguard: the userspace back end, the cross-platform UAPI of
 * wireguard-go and its kin. */
#ifndef WGM_WG_UAPI_H
#define WGM_WG_UAPI_H

#include <sys/types.h>

#include "containers.h"
#include "nl.h"
#include "wgset.h"

int wg_uapi_create(const char *ifname, int *ifindex, struct nl_err *e);
int wg_uapi_destroy(const char *ifname, int netns_fd, struct nl_err *e);
int wg_uapi_set(const struct wgset *s, struct nl_err *e);
int wg_uapi_get(const char *ifname, struct wgdev_config *out, struct nl_err *e);
int wg_uapi_pid(const char *ifname, pid_t *pid, struct nl_err *e);

#endif
