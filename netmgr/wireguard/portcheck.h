/* Who holds a UDP port in a namespace (the underlay, or 1.0's private one): sock_diag finds
 * the sockets, /proc maps each socket inode to a process. The caller decides which holders are
 * its own (wgdev_userspace_pid for our wireguard-go; pid 0 is a kernel socket, e.g. a kernel
 * WireGuard device). */
#ifndef WGM_PORTCHECK_H
#define WGM_PORTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nl.h"

struct port_holder {
	uint16_t port;
	int family;      /* AF_INET or AF_INET6: the socket's family */
	uint32_t inode;  /* the socket's inode (0 for some kernel sockets) */
	pid_t pid;       /* 0: no process has it open (a kernel socket) */
	char comm[16];   /* /proc/<pid>/comm, "" when pid is 0 */
	/* pid 0, but some process's fds could not be read (EACCES: it has capabilities we lack),
	 * so the holder may be one of those rather than the kernel */
	bool unseen;
};

/* Every UDP socket (IPv4 and IPv6) bound to one of ports[0..n) in netns_fd's namespace (-1: the
 * current one, the underlay). Fills out[0..max) and sets *found to the total (which may exceed
 * max). */
int portcheck_udp(int netns_fd, const uint16_t *ports, size_t n, struct port_holder *out, size_t max,
		  size_t *found, struct nl_err *e);

/* The process holding each h[i].inode (pid and comm; pid 0 when none): hint is looked at
 * first, the rest of /proc only when it is not the holder. */
int portcheck_owners(struct port_holder *h, size_t n, pid_t hint);

/* net.ipv4.ip_local_port_range: where the kernel picks ephemeral ports. -EBADMSG when it is
 * not two ports, low and high. */
int portcheck_ephemeral_range(uint16_t *lo, uint16_t *hi, struct nl_err *e);

#endif
