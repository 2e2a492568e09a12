/* Internal to netmgr/wireguard: the kernel back end, the generic netlink family "wireguard". */
#ifndef WGM_WG_GENL_H
#define WGM_WG_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "containers.h"
#include "nl.h"
#include "wgset.h"

struct nlmsghdr;

int wg_genl_family(int netns_fd, uint16_t *family_id);
int wg_genl_create(const char *ifname, int *ifindex, struct nl_err *e);
int wg_genl_destroy(const char *ifname, int netns_fd, struct nl_err *e);
int wg_genl_set(int netns_fd, const struct wgset *s, struct nl_err *e);
int wg_genl_get(int netns_fd, const char *ifname, struct wgdev_config *out, struct nl_err *e);
void wg_genl_release(void);

/* Building and parsing of WG_CMD_SET_DEVICE / GET_DEVICE messages, split off from the socket
 * I/O so the splitting of a big peer list can be tested without the module. A cursor says where
 * the next message resumes: at peer `peer`, allowed IP `allowed` of it. */
struct wg_genl_cursor {
	bool started;      /* the device attributes went out in an earlier message */
	size_t peer;
	bool peer_started; /* peer's flags, endpoint, keepalive went out already */
	size_t allowed;
};
/* Builds the next message of s into buf (at most bufsize bytes). Returns its length, sets
 * *done when s is complete. -EMSGSIZE when bufsize cannot hold even one peer. */
int wg_genl_build_set(void *buf, size_t bufsize, uint16_t family_id, uint32_t seq,
		      const struct wgset *s, struct wg_genl_cursor *cur, bool *done);
/* Adds one GET_DEVICE (or SET_DEVICE) message's device attributes to out; a peer continued from
 * the previous message (same public key as out's last peer) gets its allowed IPs appended. */
int wg_genl_parse_device(const struct nlmsghdr *nlh, struct wgdev_config *out, size_t *cap);

#endif
