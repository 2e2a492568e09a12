#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "atomicfile.h"
#include "log.h"

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int wgm_key_from_b64(struct wgm_key *k, const char *s)
{
	size_t len, bin_len = 0;
	const char *end = NULL;
	int ret = 0;

	while (is_space((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && is_space((unsigned char)s[len - 1]))
		len--;
	if (len != WGM_KEY_B64_LEN)
		return -EINVAL;
	if (sodium_base642bin(k->b, sizeof(k->b), s, len, NULL, &bin_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + len || bin_len != WGM_KEY_LEN)
		ret = -EINVAL;
	if (ret)
		sodium_memzero(k, sizeof(*k));
	return ret;
}

void wgm_key_to_b64(const struct wgm_key *k, char out[WGM_KEY_B64_LEN + 1])
{
	sodium_bin2base64(out, WGM_KEY_B64_LEN + 1, k->b, WGM_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

int wgm_key_public(const struct wgm_key *priv, struct wgm_key *pub)
{
	return crypto_scalarmult_base(pub->b, priv->b) ? -EINVAL : 0;
}

bool wgm_key_is_10_safe(const struct wgm_key *k)
{
	return !is_space(k->b[0]) && !is_space(k->b[WGM_KEY_LEN - 1]);
}

int wgm_key_generate(struct wgm_key *priv, struct wgm_key *pub, bool compat10)
{
	int ret;

	if (sodium_init() < 0)
		return -EIO;
	do {
		randombytes_buf(priv->b, WGM_KEY_LEN);
		/* Clamped as wg genkey does, so the key reads back the same from the kernel. */
		priv->b[0] &= 248;
		priv->b[31] = (priv->b[31] & 127) | 64;
		ret = wgm_key_public(priv, pub);
		if (ret) {
			sodium_memzero(priv, sizeof(*priv));
			return ret;
		}
	} while (compat10 && !(wgm_key_is_10_safe(priv) && wgm_key_is_10_safe(pub)));
	return 0;
}

/* wgmesh 1.0 wrote keys with the default umask (0644). Refusing them would stop every upgraded
 * node and controller, so, like wg-quick, we warn; unlike it, we also close the hole. fchmod on
 * the fd we read is the file we checked, whatever happens to the name meanwhile. */
static void tighten(int fd, const char *path, mode_t mode)
{
	if (fchmod(fd, 0600) == 0)
		log_warn("key file %s was mode %04o, open to group/others: tightened to 0600",
			 path, (unsigned)(mode & 07777));
	else
		log_warn("key file %s is mode %04o, open to group/others, and cannot be tightened (%s): chmod 0600 it",
			 path, (unsigned)(mode & 07777), strerror(errno));
}

int wgm_key_load(struct wgm_key *k, const char *path, bool secret)
{
	/* 44 chars plus room for a newline and stray whitespace; anything longer is not a key. */
	char text[WGM_KEY_B64_LEN + 16];
	size_t len = 0;
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	/* No symlink: a link can point at a file someone else owns and rewrites. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	/* A secret key whose owner is neither root nor us can be rewritten by that owner: refused
	 * before anything is tightened, so the file is left as it was found. */
	if (secret && st.st_uid != 0 && st.st_uid != geteuid()) {
		ret = -EPERM;
		goto out;
	}
	if (secret && (st.st_mode & 077))
		tighten(fd, path, st.st_mode);
	while (len < sizeof(text) - 1) {
		n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	text[len] = 0;
	if (len == sizeof(text) - 1 || strlen(text) != len) {
		ret = -EINVAL;
		goto out;
	}
	ret = wgm_key_from_b64(k, text);
out:
	sodium_memzero(text, sizeof(text));
	close(fd);
	return ret;
}

void wgm_key_load_error(int ret, const char *what, const char *path, char *buf, size_t len)
{
	struct stat st;

	if (ret == -ELOOP) {
		snprintf(buf, len, "%s %s is a symbolic link: refused (a link may point at a file another "
			 "user controls); put the key file itself at that path, mode 0600", what, path);
	} else if (ret == -EPERM && lstat(path, &st) == 0) {
		snprintf(buf, len, "%s %s is owned by uid %u, who could rewrite it: refused; chown root "
			 "(or the user that runs this) and chmod 0600 it", what, path,
			 (unsigned)st.st_uid);
	} else if (ret == -EACCES) {
		snprintf(buf, len, "cannot read %s %s: %s (run as root or as the key's owner)", what, path,
			 strerror(-ret));
	} else {
		snprintf(buf, len, "cannot load %s %s: %s", what, path, strerror(-ret));
	}
}

int wgm_key_save(const struct wgm_key *k, const char *path, bool secret, bool trailing_newline)
{
	char text[WGM_KEY_B64_LEN + 2];
	int ret;

	wgm_key_to_b64(k, text);
	if (trailing_newline)
		strcat(text, "\n");
	ret = wgm_write_atomic(path, text, strlen(text), secret ? 0600 : 0644);
	sodium_memzero(text, sizeof(text));
	return ret;
}

int wgm_key_file_wipe(const char *path)
{
	static const char zeros[512];
	struct stat st;
	off_t done = 0;
	int ret = 0, fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	while (!ret && done < st.st_size) {
		size_t chunk = (size_t)(st.st_size - done) < sizeof(zeros) ? (size_t)(st.st_size - done)
									    : sizeof(zeros);
		ssize_t n = pwrite(fd, zeros, chunk, done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto out;
		}
		done += n;
	}
	if (fsync(fd) < 0)
		ret = -errno;
out:
	close(fd);
	if (!ret && unlink(path) < 0)
		ret = -errno;
	return ret;
}

void wgm_key_wipe(struct wgm_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

bool wgm_key_equal(const struct wgm_key *a, const struct wgm_key *b)
{
	return sodium_memcmp(a->b, b->b, WGM_KEY_LEN) == 0;
}
