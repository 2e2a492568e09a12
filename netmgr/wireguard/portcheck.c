/* The UDP port check: the kernel layer's sock_diag lists the UDP sockets on the ports asked
 * for, then /proc/<pid>/fd is scanned once for the matching socket inodes. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "portcheck.h"
#include "sockdiag.h"
#include "sysctl.h"

struct found_ctx {
	struct port_holder *out;
	size_t max;
	size_t found;
};

static void found_one(uint16_t port, int family, uint32_t inode, void *ctx)
{
	struct found_ctx *d = ctx;

	if (d->found < d->max) {
		struct port_holder *h = &d->out[d->found];

		memset(h, 0, sizeof(*h));
		h->port = port;
		h->family = family;
		h->inode = inode;
	}
	d->found++;
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

int portcheck_udp(int netns_fd, const uint16_t *ports, size_t n, struct port_holder *out, size_t max,
		  size_t *found, struct nl_err *e)
{
	struct found_ctx d = { .out = out, .max = max };
	int ret;

	*found = 0;
	ret = sockdiag_udp(netns_fd, ports, n, found_one, &d, e);
	if (ret)
		return ret;
	ret = portcheck_owners(out, d.found < max ? d.found : max, 0);
	if (ret)
		return nl_err_set(e, ret, "reading /proc");
	*found = d.found;
	return 0;
}

int portcheck_ephemeral_range(uint16_t *lo, uint16_t *hi, struct nl_err *e)
{
	unsigned int a, b;
	char text[64];
	int ret;

	ret = ns_sysctl_read(-1, "net/ipv4/ip_local_port_range", text, sizeof(text));
	if (ret < 0)
		return nl_err_set(e, ret, "reading ip_local_port_range");
	if (sscanf(text, "%u %u", &a, &b) != 2 || a > 65535 || b > 65535 || a > b)
		return nl_err_fmt(e, -EBADMSG, "ip_local_port_range \"%.30s\" is not two ports low high", text);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}
