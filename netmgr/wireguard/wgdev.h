/* One WireGuard device interface, two back ends: the kernel's generic netlink family
 * "wireguard" and the cross-platform userspace UAPI (/run/wireguard/<if>.sock, served by
 * wireguard-go or $WG_USERSPACE_IMPLEMENTATION). Chosen by whether the kernel has the family. */
#ifndef WGM_WGDEV_H
#define WGM_WGDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "../../common/key.h"

enum wgdev_backend { WGDEV_KERNEL, WGDEV_USERSPACE };

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
	} allowed[4];
	/* read back only */
	struct timespec last_handshake;
	uint64_t rx_bytes, tx_bytes;
};

struct wgdev_config {
	char ifname[16];
	struct wgm_key private_key; /* wiped by wgdev_config_wipe */
	bool has_private_key;
	uint16_t listen_port;
	size_t n_peers;
	struct wgdev_peer *peers;
};
void wgdev_config_wipe(struct wgdev_config *c);

/* Which back end this kernel gives us (probes the genl family once). */
enum wgdev_backend wgdev_detect(void);

/* Creates the device in the CURRENT network namespace (the underlay, so its UDP socket stays
 * there). Kernel: RTM_NEWLINK kind "wireguard". Userspace: starts the implementation, waits for
 * its UAPI socket by polling. Returns the ifindex. Moving it into the private namespace is the
 * caller's job (link layer). */
int wgdev_create(enum wgdev_backend be, const char *ifname, int *ifindex);
/* Removes the device (kernel: RTM_DELLINK in netns_fd's namespace; userspace: tells the daemon
 * to exit by removing its socket / SIGTERM to its pid and waits). */
int wgdev_destroy(enum wgdev_backend be, const char *ifname, int netns_fd);

/* Sets the device to exactly cfg without disrupting live sessions (wg syncconf semantics):
 * peers matched by public key, only changed fields written, peers not in cfg removed, private
 * key and port written only when they differ. The device is addressed by name; for the kernel
 * back end the genl socket must be opened in the namespace that holds the device (netns_fd,
 * -1 = current). *changed tells whether anything was written. */
int wgdev_sync(enum wgdev_backend be, int netns_fd, const struct wgdev_config *cfg, bool *changed);
/* Reads the device (peers, endpoints, handshakes, counters). */
int wgdev_get(enum wgdev_backend be, int netns_fd, const char *ifname, struct wgdev_config *out);

#endif
