#include "hooks.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "buf.h"
#include "log.h"

extern char **environ;

static int run_one(const char *path, const char *phase, const char *netns, uint8_t octet)
{
	char env_ns[96], env_octet[32];
	struct wgm_strv envv = { 0 };
	char **envp = NULL;
	int status, ret = 0;
	pid_t pid;

	snprintf(env_ns, sizeof(env_ns), "WGM_NETNS=%s", netns);
	snprintf(env_octet, sizeof(env_octet), "WGM_OCTET=%u", octet);
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
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (pid == 0) {
		char *argv[] = { (char *)path, (char *)phase, NULL };
		execve(path, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			ret = -errno;
			goto out;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		log_err("hook %s %s failed (status %d)", path, phase,
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		ret = -ECHILD;
	}
out:
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
	int n = scandir(dir, &ents, NULL, by_name), ret = 0;

	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(path, X_OK) == 0) {
			log_info("hook %s %s", path, phase);
			int r = run_one(path, phase, netns, octet);
			if (r < 0 && ret == 0)
				ret = r;
		}
		free(ents[i]);
	}
	free(ents);
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
	int n, ret;

	/* /run is a tmpfs on every systemd host; the boot id also covers one that is not. */
	if (wgm_read_file("/proc/sys/kernel/random/boot_id", 64, &boot, &boot_len) < 0)
		boot_len = 0;
	while (boot_len && boot[boot_len - 1] == '\n')
		boot_len--;
	ret = wgm_buf_appendf(fp, "boot %.*s\n", (int)boot_len, boot_len ? boot : "");
	free(boot);
	n = scandir(dir, &ents, NULL, by_name);
	if (n < 0)
		return ret ? ret : (errno == ENOENT ? 0 : -errno);
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ret == 0 && ents[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			ret = wgm_buf_appendf(fp, "%s %lld %lld.%09ld\n", ents[i]->d_name,
					      (long long)st.st_size, (long long)st.st_mtim.tv_sec,
					      st.st_mtim.tv_nsec);
		free(ents[i]);
	}
	free(ents);
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
