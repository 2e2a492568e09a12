/* The mesh's UDP ports against the rest of the machine (sock_diag through portcheck.c):
 * a port held by a stranger is refused before anything is built, and ports inside the
 * ephemeral range (the "49900+" trouble wgmesh 1.0's README reported,
 * docs/operating.md#udp-ports) are warned about. */
#ifndef NETMGR_PORTS_H
#define NETMGR_PORTS_H

#include <stddef.h>
#include <stdint.h>

/* owners[i]: the device entitled to hold ports[i] (its own daemon or a kernel socket), or NULL
 * when the port must be free. -EADDRINUSE with err naming port, pid and command. */
int ports_find_conflict(const uint16_t *ports, const char *const *owners, size_t n, char *err,
			size_t errlen);
void ports_warn_ephemeral(const uint16_t *ports, size_t n);

#endif
