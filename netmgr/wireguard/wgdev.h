/* One WireGuard device interface, two back ends: the kernel's generic netlink family
 * "wireguard" and the cross-platform userspace UAPI (/run/wireguard/<if>.sock, served by
 * wireguard-go or $WG_USERSPACE_IMPLEMENTATION). Chosen by whether the kernel has the family. */
#ifndef WGM_WGDEV_H
#define WGM_WGDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "containers.h"
#include "nl.h"

enum wgdev_backend { WGDEV_KERNEL, WGDEV_USERSPACE };

/* Every call that can fail returns 0 or -errno and fills e (may be NULL) with the reason in
 * one line: the kernel's extended-ack text, or what the back end found wrong. Nothing here
 * logs an error: the caller, which knows what it was doing, says it once. */

/* Which back end this kernel gives us (probes the genl family once). The environment variable
 * WGM_WG_BACKEND=kernel|userspace overrides the probe. */
enum wgdev_backend wgdev_detect(void);
const char *wgdev_backend_name(enum wgdev_backend be);
/* A link's kind tells the back end that made it ("wireguard": the kernel's, "tun": userspace). */
enum wgdev_backend wgdev_backend_of_kind(const char *kind);

/* Creates the device in the CURRENT network namespace (the underlay, so its UDP socket stays
 * there). Kernel: RTM_NEWLINK kind "wireguard". Userspace: starts the implementation, waits for
 * its UAPI socket by polling. Returns the ifindex. Moving it into the private namespace is the
 * caller's job (link layer). -EEXIST when a link or UAPI socket of that name exists. */
int wgdev_create(enum wgdev_backend be, const char *ifname, int *ifindex, struct nl_err *e);
/* Removes the device: RTM_DELLINK in netns_fd's namespace (-1 = current). Userspace: the
 * daemon exits when its TUN goes away; this waits for it (bounded, then SIGTERM), and removes a
 * stale UAPI socket. A device that is already gone is not an error (returns 0). */
int wgdev_destroy(enum wgdev_backend be, const char *ifname, int netns_fd, struct nl_err *e);

/* Sets the device to exactly cfg without disrupting live sessions (wg syncconf semantics):
 * peers matched by public key, only changed fields written, peers not in cfg removed, private
 * key and port written only when they differ. The device is addressed by name; for the kernel
 * back end the genl socket must be opened in the namespace that holds the device (netns_fd,
 * -1 = current). *changed tells whether anything was written. */
int wgdev_sync(enum wgdev_backend be, int netns_fd, const struct wgdev_config *cfg, bool *changed,
	       struct nl_err *e);
/* wgdev_sync from a reading of the device the caller has just made with wgdev_get (cur): the
 * reconciler reads every device once per round, and a no-op round then asks each device once. */
int wgdev_sync_from(enum wgdev_backend be, int netns_fd, const struct wgdev_config *cur,
		    const struct wgdev_config *cfg, bool *changed, struct nl_err *e);
/* Reads the device (peers, endpoints, handshakes, counters). Free out with wgdev_config_free.
 * -ENODEV when there is no such device. */
int wgdev_get(enum wgdev_backend be, int netns_fd, const char *ifname, struct wgdev_config *out,
	      struct nl_err *e);

/* The kernel back end keeps one netlink socket for the namespace it works in; a socket pins
 * its namespace, so a long-lived caller (the run loop) lets go of it after each round. */
void wgdev_release(void);
/* Userspace only: the pid of the daemon serving /run/wireguard/<ifname>.sock (SO_PEERCRED on
 * a connection to it), so a port check can tell our own daemon from a stranger. -ENOENT when
 * there is no live socket. */
int wgdev_userspace_pid(const char *ifname, pid_t *pid, struct nl_err *e);

#endif
