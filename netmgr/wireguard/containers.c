#include "containers.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

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
