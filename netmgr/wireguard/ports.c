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
	return wgdev_userspace_pid(owner, &pid, NULL) == 0 && pid == h->pid;
}

int ports_find_conflict(const uint16_t *ports, const char *const *owners, size_t n, char *err,
			size_t errlen)
{
	/* two sockets a port (IPv4, IPv6) is the usual most; more (SO_REUSEPORT) and we ask again */
	size_t max = 2 * n + 8, found = 0;
	struct port_holder *holders = NULL;
	struct nl_err nle = { 0 };
	char why[300];
	int ret = 0;

	if (!n)
		return 0;
	for (int round = 0; round < 2; round++) {
		free(holders);
		holders = calloc(max, sizeof(*holders));
		if (!holders) {
			snprintf(err, errlen, "out of memory listing UDP sockets");
			return -ENOMEM;
		}
		ret = portcheck_udp(-1, ports, n, holders, max, &found, &nle);
		if (ret < 0 || found <= max)
			break;
		max = found + 8;
	}
	if (ret < 0) {
		snprintf(err, errlen, "cannot list UDP sockets (sock_diag): %s",
			 nl_err_str(&nle, ret, why, sizeof(why)));
		goto out;
	}
	for (size_t i = 0; i < found && i < max; i++) {
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
		else if (h->unseen)
			snprintf(err, errlen,
				 "UDP port %u is held by a process this manager may not inspect (or the kernel): find it with ss -uapn 'sport = :%u', stop it or move the mesh's portbase",
				 h->port, h->port);
		else
			snprintf(err, errlen,
				 "UDP port %u is held by a kernel socket (not ours): free it or move the mesh's portbase",
				 h->port);
		ret = -EADDRINUSE;
		break;
	}
out:
	free(holders);
	return ret;
}

void ports_warn_ephemeral(const uint16_t *ports, size_t n)
{
	uint16_t lo, hi;
	size_t inside = 0;

	struct nl_err e = { 0 };
	int ret = portcheck_ephemeral_range(&lo, &hi, &e);

	if (ret == -EBADMSG)
		log_err("%s: cannot tell whether the mesh ports are ephemeral", e.text);
	if (ret < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (ports[i] >= lo && ports[i] <= hi)
			inside++;
	if (inside)
		log_warn("%zu mesh port%s inside the ephemeral range %u-%u (ip_local_port_range): "
			 "any program may take them; lower the site's portbase",
			 inside, inside == 1 ? " lies" : "s lie", lo, hi);
}
