#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The rename is only durable once the directory entry itself reached the disk. */
static int fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd, ret = 0;

	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	else
		memcpy(dir, path, (size_t)(slash - path)), dir[slash - path] = 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

int wgm_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char tmp[PATH_MAX];
	int fd, n, ret;

	if (!*base)
		return -EISDIR;
	/* Hidden temp name beside the target, so rename stays within one file system. */
	n = snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", (int)(base - path), path, base);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC); /* O_CREAT|O_EXCL, mode 0600 */
	if (fd < 0)
		return -errno;
	ret = write_all(fd, data, len);
	if (!ret && fchmod(fd, mode) < 0)
		ret = -errno;
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	return fsync_parent(path);
}

int wgm_write_if_changed(const char *path, const void *data, size_t len, mode_t mode,
			 bool *changed)
{
	char *old = NULL;
	size_t old_len = 0;
	int ret;

	*changed = false;
	ret = wgm_read_file(path, len, &old, &old_len);
	if (!ret && old && old_len == len && memcmp(old, data, len) == 0) {
		free(old);
		return 0;
	}
	free(old);
	if (ret && ret != -ENOENT && ret != -EFBIG)
		return ret;
	ret = wgm_write_atomic(path, data, len, mode);
	if (!ret)
		*changed = true;
	return ret;
}

int wgm_read_file(const char *path, size_t max, char **data, size_t *len)
{
	size_t cap, have = 0;
	struct stat st;
	char *p = NULL, *q;
	int fd, ret = 0;

	*data = NULL;
	*len = 0;
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
	if (cap > max + 1)
		cap = max + 1;
	for (;;) {
		ssize_t n;

		if (have == cap) {
			/* Past max by one byte is how we learn the file is too big. */
			if (cap > max) {
				ret = -EFBIG;
				goto out;
			}
			cap = cap > max / 2 ? max + 1 : cap * 2;
			q = realloc(p, cap + 1);
			if (!q) {
				ret = -ENOMEM;
				goto out;
			}
			p = q;
		} else if (!p) {
			p = malloc(cap + 1);
			if (!p) {
				ret = -ENOMEM;
				goto out;
			}
		}
		n = read(fd, p + have, cap - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	if (have > max) {
		ret = -EFBIG;
		goto out;
	}
	if (!p) {
		p = malloc(1);
		if (!p) {
			ret = -ENOMEM;
			goto out;
		}
	}
	p[have] = 0;
	*data = p;
	*len = have;
	p = NULL;
out:
	free(p);
	close(fd);
	return ret;
}
