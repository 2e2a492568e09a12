/* Sockets of the current namespace as NETLINK_SOCK_DIAG reports them. */
#ifndef NETMGR_KERNEL_SOCKDIAG_H
#define NETMGR_KERNEL_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "nl.h"

/* One UDP socket: its local port, family (AF_INET or AF_INET6) and inode (0 for some kernel
 * sockets). */
typedef void (*sockdiag_udp_fn)(uint16_t port, int family, uint32_t inode, void *ctx);

/* Calls fn for every UDP socket (IPv4, then IPv6) bound to one of ports[0..n) in netns_fd's
 * namespace (-1: the current one). */
int sockdiag_udp(int netns_fd, const uint16_t *ports, size_t n, sockdiag_udp_fn fn, void *ctx,
		 struct nl_err *e);

/* The inode of the other end of the connected UNIX socket fd (the server's accepted socket).
 * -ENOENT when the kernel names none. */
int sockdiag_unix_peer(int fd, uint32_t *peer, struct nl_err *e);

#endif
