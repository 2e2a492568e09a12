/* The UDP port check: NETLINK_SOCK_DIAG dumps of IPv4 and IPv6 UDP sockets, filtered by local
 * port, then /proc/<pid>/fd scanned once for the matching socket inodes. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "portcheck.h"
#include "wgset.h"

struct dump_ctx {
	const uint16_t *ports;
	size_t n;
	struct port_holder *out;
	size_t max;
	size_t found;
};

static int diag_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	uint16_t port;
	size_t i;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_ERROR;
	port = ntohs(m->id.idiag_sport);
	for (i = 0; i < d->n; i++) {
		if (d->ports[i] != port)
			continue;
		if (d->found < d->max) {
			struct port_holder *h = &d->out[d->found];

			memset(h, 0, sizeof(*h));
			h->port = port;
			h->family = m->idiag_family;
			h->inode = m->idiag_inode;
		}
		d->found++;
		break;
	}
	return MNL_CB_OK;
}

static int dump_family(struct mnl_socket *nl, int family, struct dump_ctx *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_UDP;
	req->idiag_states = ~0u; /* bound UDP sockets are CLOSE, connected ones ESTABLISHED */
	return wg_mnl_dump(nl, nlh, diag_msg_cb, d);
}

/* "socket:[12345]" -> 12345 */
static bool socket_inode(const char *link, uint32_t *inode)
{
	unsigned long long x;
	char *end;

	if (strncmp(link, "socket:[", 8) || !isdigit((unsigned char)link[8]))
		return false;
	errno = 0;
	x = strtoull(link + 8, &end, 10);
	if (errno || strcmp(end, "]") || x > UINT32_MAX)
		return false;
	*inode = (uint32_t)x;
	return true;
}

static void read_comm(pid_t pid, char comm[16])
{
	char path[64];
	ssize_t n;
	int fd;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, 15);
	close(fd);
	if (n <= 0)
		n = 0;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

/* Processes come and go while we look: a vanished one is simply skipped. One whose fds we may
 * not read (ptrace access: it has capabilities we lack) fails on the first link: the rest are
 * skipped and *denied set. */
static void match_process(pid_t pid, struct port_holder *h, size_t n, size_t *left, bool *denied)
{
	char path[64], link[64];
	struct dirent *e;
	uint32_t inode;
	ssize_t len;
	DIR *dir;
	int dfd;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	dfd = dirfd(dir);
	while (*left && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		len = readlinkat(dfd, e->d_name, link, sizeof(link) - 1);
		if (len < 0 && errno == EACCES) {
			*denied = true;
			break;
		}
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (!socket_inode(link, &inode))
			continue;
		for (i = 0; i < n; i++) {
			if (h[i].pid || !h[i].inode || h[i].inode != inode)
				continue;
			h[i].pid = pid;
			read_comm(pid, h[i].comm);
			(*left)--;
		}
	}
	closedir(dir);
}

int portcheck_owners(struct port_holder *h, size_t n, pid_t hint)
{
	struct dirent *e;
	size_t left = 0, i;
	bool denied = false;
	char *end;
	long pid;
	DIR *proc;

	for (i = 0; i < n; i++)
		if (h[i].inode)
			left++;
	if (left && hint > 0)
		match_process(hint, h, n, &left, &denied);
	if (!left)
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (left && (e = readdir(proc))) {
		pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		match_process((pid_t)pid, h, n, &left, &denied);
	}
	closedir(proc);
	for (i = 0; i < n; i++)
		h[i].unseen = denied && h[i].inode && !h[i].pid;
	return 0;
}

int portcheck_udp(const uint16_t *ports, size_t n, struct port_holder *out, size_t max, size_t *found)
{
	struct dump_ctx d = { .ports = ports, .n = n, .out = out, .max = max };
	struct mnl_socket *nl;
	int ret;

	*found = 0;
	ret = wg_mnl_open(-1, NETLINK_SOCK_DIAG, &nl);
	if (ret)
		return ret;
	ret = dump_family(nl, AF_INET, &d);
	if (!ret)
		ret = dump_family(nl, AF_INET6, &d);
	mnl_socket_close(nl);
	if (ret) {
		log_err("cannot list UDP sockets (sock_diag): %s", strerror(-ret));
		return ret;
	}
	ret = portcheck_owners(out, d.found < max ? d.found : max, 0);
	if (ret)
		return ret;
	*found = d.found;
	return 0;
}

int portcheck_ephemeral_range(uint16_t *lo, uint16_t *hi)
{
	unsigned int a, b;
	char text[64];
	ssize_t n;
	int fd;

	fd = open("/proc/sys/net/ipv4/ip_local_port_range", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EBADMSG;
	text[n] = '\0';
	if (sscanf(text, "%u %u", &a, &b) != 2 || a > 65535 || b > 65535 || a > b) {
		log_err("ip_local_port_range \"%.30s\" is not two ports low high", text);
		return -EBADMSG;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}
