#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

static int open_in_ns(int nsfd, const char *key, int flags)
{
	char path[256];
	int saved = -1, fd, ret;

	if (strstr(key, "..") || key[0] == '/')
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	if (nsfd >= 0) {
		ret = netns_enter(nsfd, &saved);
		if (ret < 0)
			return ret;
	}
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	if (saved >= 0)
		netns_leave(saved);
	return fd;
}

int ns_sysctl_read(int nsfd, const char *key, char *val, size_t vallen)
{
	int fd = open_in_ns(nsfd, key, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read(fd, val, vallen - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (val[n - 1] == '\n' || val[n - 1] == ' '))
		n--;
	val[n] = 0;
	return 0;
}

int ns_sysctl_write(int nsfd, const char *key, const char *val)
{
	int fd = open_in_ns(nsfd, key, O_WRONLY);
	size_t len = strlen(val);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = write(fd, val, len);
	close(fd);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
