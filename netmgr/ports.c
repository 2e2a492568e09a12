#include "ports.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "portcheck.h"
#include "wgdev.h"

static bool holder_is_owner(const struct port_holder *h, const char *owner)
{
	pid_t pid;

	if (!owner)
		return false;
	if (h->pid == 0)
		return true; /* a kernel WireGuard device's socket */
	return wgdev_userspace_pid(owner, &pid) == 0 && pid == h->pid;
}

int ports_find_conflict(const uint16_t *ports, const char *const *owners, size_t n, char *err,
			size_t errlen)
{
	struct port_holder holders[64];
	size_t found = 0;
	int ret;

	if (!n)
		return 0;
	ret = portcheck_udp(ports, n, holders, 64, &found);
	if (ret < 0) {
		snprintf(err, errlen, "cannot list UDP sockets (sock_diag): %s", strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < found && i < 64; i++) {
		const struct port_holder *h = &holders[i];
		const char *owner = NULL;

		for (size_t k = 0; k < n; k++)
			if (ports[k] == h->port)
				owner = owners ? owners[k] : NULL;
		if (holder_is_owner(h, owner))
			continue;
		if (h->pid)
			snprintf(err, errlen,
				 "UDP port %u is held by pid %d (%s): stop it or move the mesh's portbase",
				 h->port, (int)h->pid, h->comm);
		else
			snprintf(err, errlen,
				 "UDP port %u is held by a kernel socket (not ours): free it or move the mesh's portbase",
				 h->port);
		return -EADDRINUSE;
	}
	return 0;
}

void ports_warn_ephemeral(const uint16_t *ports, size_t n)
{
	uint16_t lo, hi;
	size_t inside = 0;

	if (portcheck_ephemeral_range(&lo, &hi) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (ports[i] >= lo && ports[i] <= hi)
			inside++;
	if (inside)
		log_warn("%zu mesh port%s inside the ephemeral range %u-%u (ip_local_port_range): "
			 "any program may take them; lower the site's portbase",
			 inside, inside == 1 ? " lies" : "s lie", lo, hi);
}
