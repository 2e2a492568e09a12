/* The desired kernel state of a node: plain data computed from the plan (and, for endpoint
 * hostnames, a resolver the caller supplies). No side effects; reconcile.c applies it. */
#ifndef NETMGR_DESIRED_H
#define NETMGR_DESIRED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "hoststate.h"
#include "plan.h"

struct desired_peer {
	char hostname[WGM_HOSTNAME_MAX + 1];
	char ifname[WGM_IFNAMSIZ];
	uint16_t listen_port;
	struct wgm_prefix tunnel_addr; /* ours, /64 */
	struct wgm_ip peer_addr;
	struct wgm_key public_key;
	uint16_t keepalive;
	size_t n_endpoints; /* valid candidates in record order; 0: the peer calls us */
	struct sockaddr_storage endpoints[WGM_MAX_ENDPOINTS];
};

struct desired_sysctl {
	const char *key;
	const char *value;
	bool underlay; /* else in the private namespace */
};

struct desired_state {
	struct wgm_node_names names; /* the plan's */
	uint8_t octet;
	struct wgm_prefix veth_outer_addr, veth_inner_addr;
	struct wgm_ip gateway;          /* the underlay end of the veth */
	struct wgm_prefix halves[2];    /* 0.0.0.0/1 and 128.0.0.0/1 */
	size_t n_sysctls;
	struct desired_sysctl sysctls[3];
	struct wgm_key private_key;
	size_t n_peers;
	struct desired_peer peers[WGM_MAX_HOSTS];
};

/* Resolves a hostname to at most max addresses; returns 0 (with *n possibly 0) or -errno. */
typedef int (*desired_resolve_fn)(void *ctx, const char *host, struct wgm_ip *out, size_t max,
				  size_t *n);

/* d is large: allocate it. resolve may be NULL (hostname endpoints are then skipped). */
void desired_build(const struct wgm_node_plan *plan, desired_resolve_fn resolve, void *ctx,
		   struct desired_state *d);
void desired_wipe(struct desired_state *d);

/* "[2001:db8::1]:21101" / "198.51.100.2:21101" */
void sockaddr_format(const struct sockaddr_storage *ss, char *out, size_t outlen);
bool sockaddr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

#endif
