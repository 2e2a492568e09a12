/* Internal to netmgr/wireguard: the change set wgdev_sync computes (only what differs) and the
 * two back ends that write it and read devices. */
#ifndef WGM_WGSET_H
#define WGM_WGSET_H

#include <linux/netlink.h>

#include "wgdev.h"

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
int wgset_diff(const struct wgdev_config *cur, const struct wgdev_config *want, struct wgset *out);
bool wgset_is_empty(const struct wgset *s);
void wgset_free(struct wgset *s);

/* Shared helpers of both back ends. */
void wgdev_allowed_mask(int family, uint8_t addr[16], uint8_t cidr);
int wgdev_peer_append(struct wgdev_config *c, size_t *cap, struct wgdev_peer **peer);

/* The kernel back end (wg_genl.c) */
int wg_genl_family(int netns_fd, uint16_t *family_id);
int wg_genl_create(const char *ifname, int *ifindex);
int wg_genl_destroy(const char *ifname, int netns_fd);
int wg_genl_set(int netns_fd, const struct wgset *s);
int wg_genl_get(int netns_fd, const char *ifname, struct wgdev_config *out);
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

/* The userspace back end (wg_uapi.c) */
int wg_uapi_create(const char *ifname, int *ifindex);
int wg_uapi_destroy(const char *ifname, int netns_fd);
int wg_uapi_set(const struct wgset *s);
int wg_uapi_get(const char *ifname, struct wgdev_config *out);
int wg_uapi_pid(const char *ifname, pid_t *pid);

/* Netlink helpers (wg_netlink.c): a socket opened in netns_fd's namespace (-1 = current), and
 * one exchange with seq and port id checked, a reply deadline, and the extended ack text
 * logged. wg_mnl_do sends REQUEST|ACK|flags (a change or a single get); wg_mnl_dump sends
 * REQUEST|DUMP. 0 or -errno (-ETIMEDOUT when the kernel never answers). */
struct mnl_socket;
int wg_mnl_open(int netns_fd, int bus, struct mnl_socket **out);
int wg_mnl_do(struct mnl_socket *nl, struct nlmsghdr *nlh, uint16_t flags,
	      int (*cb)(const struct nlmsghdr *, void *), void *data);
int wg_mnl_dump(struct mnl_socket *nl, struct nlmsghdr *nlh,
		int (*cb)(const struct nlmsghdr *, void *), void *data);
int wg_rtnl_dellink(const char *ifname, int netns_fd);

#endif
