/* Making a named namespace the way iproute2 does (ip/ipnetns.c): /run/netns is made a shared
 * mount so a name made later shows up in every mount namespace that already sees /run/netns,
 * the name file is created exclusively, and a child that unshared its network namespace
 * bind-mounts its nsfs file onto the name and brings its lo up. */
#include "netns_new.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "link.h"
#include "netns.h"

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
	netns_path(name, path, sizeof(path));
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

