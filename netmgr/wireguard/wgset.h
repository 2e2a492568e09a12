/* Internal to netmgr/wireguard: the change set wgdev_sync computes (only what differs), which
 * both back ends write. */
#ifndef WGM_WGSET_H
#define WGM_WGSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "containers.h"
#include "nl.h"

struct wgset_peer {
	struct wgm_key public_key;
	bool remove;
	bool set_endpoint;
	struct sockaddr_storage endpoint;
	bool set_keepalive;
	uint16_t keepalive;
	bool replace_allowed; /* allowed[] replaces the peer's list (it may be empty) */
	size_t n_allowed;
	struct {
		int family;
		uint8_t addr[16];
		uint8_t cidr;
	} allowed[WGDEV_MAX_ALLOWED];
};

struct wgset {
	char ifname[16];
	bool set_private_key;
	struct wgm_key private_key;
	bool set_listen_port;
	uint16_t listen_port;
	size_t n_peers;
	struct wgset_peer *peers;
};

/* Computes the change that takes cur to want; empty (wgset_is_empty) when they agree.
 * -EINVAL when want names a peer twice or an allowed IP is out of range. */
int wgset_diff(const struct wgdev_config *cur, const struct wgdev_config *want, struct wgset *out,
	       struct nl_err *e);
bool wgset_is_empty(const struct wgset *s);
void wgset_free(struct wgset *s);

#endif
