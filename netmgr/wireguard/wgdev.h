/* One WireGuard device interface, two back ends: the kernel's generic netlink family
 * "wireguard" and the cross-platform userspace UAPI (/run/wireguard/<if>.sock, served by
 * wireguard-go or $WG_USERSPACE_IMPLEMENTATION). Chosen by whether the kernel has the family. */
#ifndef WGM_WGDEV_H
#define WGM_WGDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "../../common/key.h"

enum wgdev_backend { WGDEV_KERNEL, WGDEV_USERSPACE };

#define WGDEV_MAX_ALLOWED 4

struct wgdev_peer {
	struct wgm_key public_key;
	bool has_endpoint;
	struct sockaddr_storage endpoint; /* AF_INET / AF_INET6 */
	uint16_t keepalive;
	size_t n_allowed; /* what we set: 0.0.0.0/0 and ::/0 */
	struct {
		int family;
		uint8_t addr[16];
		uint8_t cidr;
	} allowed[WGDEV_MAX_ALLOWED];
	/* read back only */
	struct timespec last_handshake;
	uint64_t rx_bytes, tx_bytes;
	/* read back only: the device holds more allowed IPs than allowed[] can show */
	bool allowed_truncated;
};

/* What this process asked of the kernel over netlink (both libraries) and of userspace
 * WireGuard over its UAPI: requests, and how many of them were writes. A debug count (`-d`
 * prints it): an unchanged record must make no writes. */
struct wgdev_counts {
	unsigned long requests, writes;
};
extern struct wgdev_counts wgdev_counts;

struct wgdev_config {
	char ifname[16];
	struct wgm_key private_key; /* wiped by wgdev_config_wipe */
	bool has_private_key;
	uint16_t listen_port; /* 0 in a desired config: leave the port as it is */
	size_t n_peers;
	struct wgdev_peer *peers;
};
/* Wipes the private key; leaves peers alone (a desired config's peers belong to the caller). */
void wgdev_config_wipe(struct wgdev_config *c);
/* For a config filled by wgdev_get: wipes the key and frees peers. */
void wgdev_config_free(struct wgdev_config *c);

/* Which back end this kernel gives us (probes the genl family once). The environment variable
 * WGM_WG_BACKEND=kernel|userspace overrides the probe. */
enum wgdev_backend wgdev_detect(void);
const char *wgdev_backend_name(enum wgdev_backend be);
/* A link's kind tells the back end that made it. */
enum wgdev_backend backend_of_kind(const char *kind);

/* Creates the device in the CURRENT network namespace (the underlay, so its UDP socket stays
 * there). Kernel: RTM_NEWLINK kind "wireguard". Userspace: starts the implementation, waits for
 * its UAPI socket by polling. Returns the ifindex. Moving it into the private namespace is the
 * caller's job (link layer). -EEXIST when a link or UAPI socket of that name exists. */
int wgdev_create(enum wgdev_backend be, const char *ifname, int *ifindex);
/* Removes the device: RTM_DELLINK in netns_fd's namespace (-1 = current). Userspace: the
 * daemon exits when its TUN goes away; this waits for it (bounded, then SIGTERM), and removes a
 * stale UAPI socket. A device that is already gone is not an error (returns 0). */
int wgdev_destroy(enum wgdev_backend be, const char *ifname, int netns_fd);

/* Sets the device to exactly cfg without disrupting live sessions (wg syncconf semantics):
 * peers matched by public key, only changed fields written, peers not in cfg removed, private
 * key and port written only when they differ. The device is addressed by name; for the kernel
 * back end the genl socket must be opened in the namespace that holds the device (netns_fd,
 * -1 = current). *changed tells whether anything was written. */
int wgdev_sync(enum wgdev_backend be, int netns_fd, const struct wgdev_config *cfg, bool *changed);
/* wgdev_sync from a reading of the device the caller has just made with wgdev_get (cur): the
 * reconciler reads every device once per round, and a no-op round then asks each device once. */
int wgdev_sync_from(enum wgdev_backend be, int netns_fd, const struct wgdev_config *cur,
		    const struct wgdev_config *cfg, bool *changed);
/* Reads the device (peers, endpoints, handshakes, counters). Free out with wgdev_config_free.
 * -ENODEV when there is no such device. */
int wgdev_get(enum wgdev_backend be, int netns_fd, const char *ifname, struct wgdev_config *out);

/* The kernel back end keeps one netlink socket for the namespace it works in; a socket pins
 * its namespace, so a long-lived caller (the run loop) lets go of it after each round. */
void wgdev_release(void);
/* Userspace only: the pid of the daemon serving /run/wireguard/<ifname>.sock (SO_PEERCRED on
 * a connection to it), so a port check can tell our own daemon from a stranger. -ENOENT when
 * there is no live socket. */
int wgdev_userspace_pid(const char *ifname, pid_t *pid);

#endif
