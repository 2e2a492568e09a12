/* What the userspace back end needs from the host before a device is made: wireguard-go takes
 * one inotify instance per device (it watches its UAPI socket's directory), and the kernel
 * caps them per user (fs.inotify.max_user_instances, 128 on Debian). A node of 254 peers
 * would stop at about the 128th link with a daemon that exits at start; checked here first so
 * that nothing is built and the message names the limit. */
#ifndef WGM_UAPI_LIMITS_H
#define WGM_UAPI_LIMITS_H

#include <stddef.h>

#define WG_UAPI_INOTIFY_SYSCTL "fs.inotify.max_user_instances"

/* The inotify instances our effective user holds now (every process's descriptors that name
 * "anon_inode:inotify"), or -errno. */
int wg_uapi_inotify_in_use(void);
/* The kernel's limit, or -errno. */
int wg_uapi_inotify_limit(void);

/* 0 when n_new more userspace devices fit under the limit (or the implementation is not
 * wireguard-go, or the limit cannot be read: the start itself then says what failed);
 * -EMFILE with a one-line err naming the limit, its use and what to raise it to. */
int wg_uapi_check_capacity(size_t n_new, char *err, size_t errlen);

#endif
