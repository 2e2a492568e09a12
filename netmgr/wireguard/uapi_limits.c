#include "uapi_limits.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Head room for what starts between this check and the last device (a hook, a shell's
 * completion, systemd): the advice asks for the need plus this. */
#define INOTIFY_SPARE 64

static bool is_pid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int count_in(int procfd, const char *pid)
{
	char fdpath[sizeof(((struct dirent *)0)->d_name) + 4], target[32];
	struct dirent *e;
	int dfd, n = 0;
	DIR *d;

	snprintf(fdpath, sizeof(fdpath), "%s/fd", pid);
	dfd = openat(procfd, fdpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0; /* gone, or not ours to look into */
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	while ((e = readdir(d))) {
		ssize_t len = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);

		if (len <= 0)
			continue;
		target[len] = 0;
		if (!strcmp(target, "anon_inode:inotify"))
			n++;
	}
	closedir(d);
	return n;
}

int wg_uapi_inotify_in_use(void)
{
	uid_t me = geteuid();
	struct dirent *e;
	struct stat st;
	int procfd, n = 0;
	DIR *d;

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	d = fdopendir(procfd);
	if (!d) {
		int ret = -errno;

		close(procfd);
		return ret;
	}
	/* The kernel counts instances per effective user; /proc/PID belongs to its effective
	 * user. Threads share their process's table, so processes only. */
	while ((e = readdir(d)))
		if (is_pid(e->d_name) && fstatat(dirfd(d), e->d_name, &st, 0) == 0 && st.st_uid == me)
			n += count_in(dirfd(d), e->d_name);
	closedir(d);
	return n;
}

int wg_uapi_inotify_limit(void)
{
	char buf[32];
	ssize_t len;
	long v;
	char *end;
	int fd;

	fd = open("/proc/sys/fs/inotify/max_user_instances", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return len < 0 ? -errno : -EIO;
	buf[len] = 0;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v < 0 || v > 0x7fffffff)
		return -EIO;
	return (int)v;
}

int wg_uapi_check_capacity(size_t n_new, char *err, size_t errlen)
{
	const char *prog = getenv("WG_USERSPACE_IMPLEMENTATION");
	const char *base;
	int limit, used;

	if (!n_new)
		return 0;
	if (prog && *prog) {
		base = strrchr(prog, '/');
		base = base ? base + 1 : prog;
		if (strcmp(base, "wireguard-go"))
			return 0;
	}
	limit = wg_uapi_inotify_limit();
	used = wg_uapi_inotify_in_use();
	if (limit < 0 || used < 0 || (size_t)used + n_new <= (size_t)limit)
		return 0;
	snprintf(err, errlen,
		 "%zu new wireguard-go links need %zu inotify instances (one each), but %s is %d "
		 "and %d are in use: raise it to %zu or more (say sysctl -w %s=%zu, and in /etc/sysctl.d/) "
		 "or install the kernel's WireGuard",
		 n_new, n_new, WG_UAPI_INOTIFY_SYSCTL, limit, used, (size_t)used + n_new + INOTIFY_SPARE,
		 WG_UAPI_INOTIFY_SYSCTL, ((size_t)used + n_new + INOTIFY_SPARE + 1023) / 1024 * 1024);
	return -EMFILE;
}
