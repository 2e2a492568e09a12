/* Named namespaces as iproute2 keeps them (ip/ipnetns.c): /run/netns/<name> is a bind mount of
 * a namespace's nsfs file. Made in netns_new.c; entered and left here, the one way in and out. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "log.h"
#include "names.h"


int netns_name_valid(const char *name, char *err, size_t errlen)
{
	if (wgm_netns_name_valid(name))
		return 0;
	snprintf(err, errlen, "invalid namespace name \"%s\": use 1-63 of [A-Za-z0-9._-], not "
		 "starting with '.' or '-'", name);
	return -EINVAL;
}

void netns_path(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", NETNS_RUN_DIR, name);
}

bool netns_exists(const char *name)
{
	int fd = netns_open(name);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int netns_open(const char *name)
{
	char path[128];
	struct statfs sfs;
	int fd;

	if (!*name || strchr(name, '/'))
		return -EINVAL;
	netns_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* An unmounted name file is a leftover of a crash, not a namespace. */
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

int netns_open_self(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int netns_delete(const char *name)
{
	char path[128], err[128];
	int ret = netns_name_valid(name, err, sizeof(err));

	if (ret < 0)
		return ret;
	netns_path(name, path, sizeof(path));
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int netns_enter(int fd, int *saved)
{
	/* thread-self: setns moves the calling thread, and this is where it comes back to */
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0) {
		int e = -errno;
		close(self);
		return e;
	}
	*saved = self;
	return 0;
}

void netns_leave(int saved)
{
	/* A thread that cannot get back would make every later socket, sysctl and device of this
	 * run in the wrong namespace, the underlay's changes landing in the private one: nothing
	 * after this could be trusted, so stop here. Going back into the namespace we came from
	 * fails only when something is badly wrong (no memory, the capability gone). */
	if (setns(saved, CLONE_NEWNET) < 0) {
		log_err("cannot return to the original network namespace: %s", strerror(errno));
		abort();
	}
	close(saved);
}
