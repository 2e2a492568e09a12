/* Named namespaces as iproute2 makes them (ip/ipnetns.c): /run/netns is made a shared mount so
 * a name made later shows up in every mount namespace that already sees /run/netns, the name
 * file is created exclusively, and a child that unshared its network namespace bind-mounts its
 * nsfs file onto the name. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "link.h"
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

static void ns_path(const char *name, char *out, size_t outlen)
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

/* Like ip: make /run/netns a shared mount point (bind it onto itself the first time). */
static int prepare_run_dir(void)
{
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	for (int tries = 0; tries < 2; tries++) {
		if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
			return 0;
		if (errno != EINVAL || tries)
			return -errno;
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return -errno;
	}
	return -EINVAL;
}

/* The child shares our mount namespace, so its bind mount is ours too. */
static int spawn_namespace_onto(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			_exit(2);
		/* A fresh namespace has lo down; 1.0's tools and BIRD expect it up. */
		_exit(link_set_lo_up_here() < 0 ? 3 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return WIFEXITED(status) && WEXITSTATUS(status) == 3 ? -EIO : -EPERM;
	return 0;
}

int netns_create(const char *name)
{
	char path[128], err[128];
	int ret, fd;

	ret = netns_name_valid(name, err, sizeof(err));
	if (ret < 0)
		return ret;
	ret = prepare_run_dir();
	if (ret < 0)
		return ret;
	ns_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	ret = spawn_namespace_onto(path);
	if (ret < 0) {
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	return ret;
}

int netns_open(const char *name)
{
	char path[128];
	struct statfs sfs;
	int fd;

	if (!*name || strchr(name, '/'))
		return -EINVAL;
	ns_path(name, path, sizeof(path));
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
	ns_path(name, path, sizeof(path));
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int netns_enter(int fd, int *saved)
{
	int self = netns_open_self();

	if (self < 0)
		return self;
	if (setns(fd, CLONE_NEWNET) < 0) {
		int e = -errno;
		close(self);
		return e;
	}
	*saved = self;
	return 0;
}

int netns_leave(int saved)
{
	int ret = setns(saved, CLONE_NEWNET) < 0 ? -errno : 0;

	close(saved);
	return ret;
}
