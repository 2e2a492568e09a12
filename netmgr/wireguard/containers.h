/* The plain WireGuard device containers (what a device is set to, what reading one gives
 * back) and the one function that frees them: shared by the dispatcher and both back ends,
 * depending on nothing but common/. */
#ifndef WGM_CONTAINERS_H
#define WGM_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "key.h"

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

/* A new zeroed peer at the end of c->peers (*cap: its allocated length). */
int wgdev_peer_append(struct wgdev_config *c, size_t *cap, struct wgdev_peer **peer);
/* Clears the bits of addr beyond cidr, as the device keeps an allowed IP. */
void wgdev_allowed_mask(int family, uint8_t addr[16], uint8_t cidr);

#endif
