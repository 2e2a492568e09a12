#include "hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "buf.h"
#include "log.h"
#include "spawn.h"

extern char **environ;

/* A hook may take its time (restarting a service, say), not the manager's whole life: the run
 * loop waits for it. */
#define HOOK_DEADLINE_MS (120 * 1000)

/* Whoever may write a hook (or the directory it is in) runs code as root: only root, or the
 * user running the manager, may. */
static bool owner_ok(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

/* The hook directory, open; -ENOENT when there is none (no hooks), -EPERM (said in one line)
 * when others could put a hook in it. */
static int open_dir(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	if (fstat(fd, &st) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	if (!owner_ok(&st) || (st.st_mode & 022)) {
		log_err("hook directory %s is %s: no hook runs; chown root and chmod go-w it", dir,
			!owner_ok(&st) ? "owned by another user" : "writable by group or others");
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* Is this entry a hook: an executable regular file, or a symbolic link (refused when run, so
 * the operator hears of it)? Dot files, directories, plain files are not hooks. */
static bool is_hook(int dfd, const char *name, struct stat *st)
{
	return name[0] != '.' && fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       (S_ISLNK(st->st_mode) || (S_ISREG(st->st_mode) && (st->st_mode & 0111)));
}

/* Opens the hook and checks the file opened: -EPERM, said in one line, when it is a link, is
 * owned by another user or writable by group or others. */
static int open_hook(int dfd, const char *path, const char *name)
{
	const char *why = NULL;
	struct stat st;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0 && errno == ELOOP)
		why = "a symbolic link (put the script itself in the directory)";
	else if (fd < 0) {
		log_err("hook %s: %s: not run", path, strerror(errno));
		return -errno;
	} else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (!owner_ok(&st))
		why = "owned by another user (chown root it)";
	else if (st.st_mode & 022)
		why = "writable by group or others (chmod go-w it)";
	if (why) {
		log_err("hook %s is %s: refused, not run", path, why);
		if (fd >= 0)
			close(fd);
		return -EPERM;
	}
	return fd;
}

static int run_one(int dfd, const char *path, const char *name, const char *phase,
		   const char *netns, uint8_t octet)
{
	char env_ns[96], env_octet[32], err[256], how[64];
	char *argv[] = { (char *)path, (char *)phase, NULL };
	struct wgm_strv envv = { 0 };
	struct wgm_child c = { .pidfd = -1 };
	char **envp = NULL;
	int status, ret = 0, fd;

	fd = open_hook(dfd, path, name);
	if (fd < 0)
		return fd;
	snprintf(env_ns, sizeof(env_ns), "WGM_NETNS=%s", netns);
	snprintf(env_octet, sizeof(env_octet), "WGM_OCTET=%u", octet);
	/* The operator's environment (PATH, locale...) plus ours: hooks are the operator's code. */
	for (char **e = environ; *e && ret == 0; e++)
		if (strncmp(*e, "WGM_NETNS=", 10) && strncmp(*e, "WGM_OCTET=", 10))
			ret = wgm_strv_push(&envv, *e);
	if (ret == 0)
		ret = wgm_strv_push(&envv, env_ns);
	if (ret == 0)
		ret = wgm_strv_push(&envv, env_octet);
	if (ret == 0 && !(envp = calloc(envv.n + 1, sizeof(*envp))))
		ret = -ENOMEM;
	if (ret < 0)
		goto out;
	memcpy(envp, envv.v, envv.n * sizeof(*envp));
	log_info("hook %s %s", path, phase);
	/* stdin on /dev/null, our stdout and stderr (the journal under systemd); the file run is
	 * the one checked above, whatever the name points at by now. */
	struct wgm_spawn sp = { .path = path, .exec_fd = fd, .argv = argv, .envp = envp,
				.fds = { WGM_SPAWN_DEVNULL, STDOUT_FILENO, STDERR_FILENO }, .n_fds = 3 };
	ret = wgm_spawn(&sp, &c, err, sizeof(err));
	if (ret < 0) {
		log_err("hook %s %s: %s", path, phase, err);
		goto out;
	}
	ret = wgm_child_wait(&c, HOOK_DEADLINE_MS, &status);
	if (ret == -ETIMEDOUT) {
		wgm_child_kill(&c, &status);
		log_err("hook %s %s ran longer than %d s: killed", path, phase, HOOK_DEADLINE_MS / 1000);
		goto out;
	}
	if (ret < 0)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		wgm_child_describe(status, how, sizeof(how));
		log_err("hook %s %s failed (%s)", path, phase, how);
		ret = -ECHILD;
	}
out:
	close(fd);
	free(envp);
	wgm_strv_free(&envv);
	return ret;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int hooks_run(const char *dir, const char *phase, const char *netns, uint8_t octet)
{
	struct dirent **ents;
	int dfd = open_dir(dir), n, ret = 0;

	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd == -EPERM ? -ECHILD : dfd;
	n = scandir(dir, &ents, NULL, by_name);
	if (n < 0) {
		ret = -errno;
		close(dfd);
		return ret;
	}
	/* A refused or failed hook does not stop the others. */
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (is_hook(dfd, ents[i]->d_name, &st)) {
			int r = run_one(dfd, path, ents[i]->d_name, phase, netns, octet);

			if (r < 0 && ret == 0)
				ret = r == -EPERM ? -ECHILD : r;
		}
		free(ents[i]);
	}
	free(ents);
	close(dfd);
	return ret;
}

static void memory_path(const char *netns, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/hooks-%s", HOOKS_RUN_DIR, netns);
}

/* This boot and the hooks as they are now. */
static int hooks_fingerprint(const char *dir, struct wgm_buf *fp)
{
	struct dirent **ents;
	char *boot = NULL;
	size_t boot_len = 0;
	int n, ret, dfd;

	/* /run is a tmpfs on every systemd host; the boot id also covers one that is not. */
	if (wgm_read_file("/proc/sys/kernel/random/boot_id", 64, &boot, &boot_len) < 0)
		boot_len = 0;
	while (boot_len && boot[boot_len - 1] == '\n')
		boot_len--;
	ret = wgm_buf_appendf(fp, "boot %.*s\n", (int)boot_len, boot_len ? boot : "");
	free(boot);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ret ? ret : (errno == ENOENT ? 0 : -errno);
	n = scandir(dir, &ents, NULL, by_name);
	if (n < 0) {
		ret = ret ? ret : -errno;
		close(dfd);
		return ret;
	}
	for (int i = 0; i < n; i++) {
		struct stat st;

		if (ret == 0 && is_hook(dfd, ents[i]->d_name, &st))
			ret = wgm_buf_appendf(fp, "%s %lld %lld.%09ld %u %o\n", ents[i]->d_name,
					      (long long)st.st_size, (long long)st.st_mtim.tv_sec,
					      st.st_mtim.tv_nsec, (unsigned)st.st_uid,
					      (unsigned)st.st_mode);
		free(ents[i]);
	}
	free(ents);
	close(dfd);
	return ret;
}

int hooks_up(const char *dir, const char *netns, uint8_t octet, bool changed)
{
	struct wgm_buf fp = { 0 };
	char path[4096], *last = NULL;
	size_t last_len = 0;
	bool wrote;
	int ret;

	memory_path(netns, path, sizeof(path));
	ret = hooks_fingerprint(dir, &fp);
	if (ret < 0)
		goto out;
	if (!changed && wgm_read_file(path, 1 << 20, &last, &last_len) == 0 &&
	    last_len == fp.len && !memcmp(last, fp.p, fp.len))
		goto out;
	ret = hooks_run(dir, "up", netns, octet);
	if (ret < 0)
		unlink(path);
	else if (wgm_write_if_changed(path, fp.p, fp.len, 0644, &wrote) < 0)
		log_warn("cannot write %s: the hooks will run again at the next up", path);
out:
	free(last);
	wgm_buf_free(&fp);
	return ret;
}

void hooks_forget(const char *netns)
{
	char path[4096];

	memory_path(netns, path, sizeof(path));
	unlink(path);
}
