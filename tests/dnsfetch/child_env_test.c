/* What a started fetcher child holds, read from /proc of the running process while the parent
 * holds what the manager may hold (SIGTERM blocked as in the run loop, an ignored signal, a
 * descriptor without close-on-exec, HOSTALIASES and other variables in its environment):
 * descriptors 0-3 only (/dev/null, /dev/null, a pipe, the socket), an empty environment, no
 * core file, no new process, bounded files and memory, an empty signal mask and nothing
 * ignored. Then HOSTALIASES: a one-label name no longer makes c-ares open the file (which the
 * sandbox punishes with SIGSYS). Usage: child_env_test EVILCHILD WGMESH-DNSFETCH */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fetch.h"
#include "sanitizer.h"


static int proc_read(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

/* The "Soft Hard" columns of one line of /proc/PID/limits, as text. */
static void limit_of(const char *limits, const char *name, char *out, size_t len)
{
	const char *l = strstr(limits, name);
	char soft[32] = "", hard[32] = "";

	if (l)
		sscanf(l + strlen(name), "%31s %31s", soft, hard);
	snprintf(out, len, "%s %s", soft, hard);
}

static void check_fds(pid_t pid, const char *who)
{
	static const char *const want[] = { "/dev/null", "/dev/null", "pipe:", "socket:" };
	char path[64], target[256];
	unsigned seen = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	CHECK(d != NULL);
	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name);
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "%s: fd %d -> %s\n", who, fd, target);
		if (fd > 3 || strncmp(target, want[fd], strlen(want[fd]))) {
			fprintf(stderr, "  unexpected descriptor %d (%s)\n", fd, target);
			CHECK(!"only /dev/null, /dev/null, the stderr pipe and the channel");
		}
		seen |= 1u << (fd & 31);
	}
	if (d)
		closedir(d);
	CHECK_INTEQ(seen, 0xf);
}

static void check_child(pid_t pid, const char *who)
{
	char buf[8192], got[80];
	int n;

	CHECK(pid > 0);
	check_fds(pid, who);
	n = proc_read(pid, "environ", buf, sizeof(buf));
	fprintf(stderr, "%s: environ holds %d bytes\n", who, n);
	CHECK_INTEQ(n, 0);
	CHECK(proc_read(pid, "limits", buf, sizeof(buf)) > 0);
	limit_of(buf, "Max core file size", got, sizeof(got));
	CHECK_STREQ(got, "0 0");
	limit_of(buf, "Max processes", got, sizeof(got));
	CHECK_STREQ(got, "0 0");
	limit_of(buf, "Max open files", got, sizeof(got));
	CHECK_STREQ(got, "64 64");
	limit_of(buf, "Max address space", got, sizeof(got));
#ifdef WGM_ASAN
	CHECK_STREQ(got, "unlimited unlimited");
#else
	CHECK_STREQ(got, "268435456 268435456");
#endif
	CHECK(proc_read(pid, "status", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "\nSigBlk:\t0000000000000000\n") != NULL);
	CHECK(strstr(buf, "\nSigIgn:\t0000000000000000\n") != NULL);
}

int main(int argc, char **argv)
{
	char aliases[] = "/tmp/wgm-hostaliases-XXXXXX";
	struct wgm_fetch_opts o = { 0 };
	struct wgm_fetcher *f = NULL;
	struct wgm_fetch_result r;
	char err[256];
	sigset_t set;
	pid_t pid;
	int fd, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: child_env_test EVILCHILD WGMESH-DNSFETCH\n");
		return 2;
	}
	/* What the manager may hold when it starts a child. */
	fd = mkstemp(aliases);
	CHECK(fd >= 0 && write(fd, "foo example.org\n", 16) == 16);
	CHECK_INTEQ(fcntl(fd, F_SETFD, 0), 0); /* an inheritable descriptor: must not reach it */
	setenv("HOSTALIASES", aliases, 1);
	setenv("WGM_CANARY", "a value the child must not see", 1);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR1, SIG_IGN);

	CHECK_INTEQ(wgm_fetcher_spawn(argv[1], NULL, &o, &f), 0);
	if (f)
		check_child(wgm_fetcher_pid(f), "evilchild");
	wgm_fetcher_close(f);
	f = NULL;

	/* The real helper, against a port where nothing answers. */
	o.timeout_ms = 200;
	o.tries = 1;
	CHECK_INTEQ(wgm_fetch_opts_add_server(&o, "127.0.0.1:9", err, sizeof(err)), 0);
	CHECK_INTEQ(wgm_fetcher_spawn(argv[2], NULL, &o, &f), 0);
	if (!f)
		return check_exit();
	pid = wgm_fetcher_pid(f);
	/* The sandboxed helper is not dumpable: its /proc is root's to read. */
	if (geteuid() == 0)
		check_child(pid, "wgmesh-dnsfetch");
	else
		fprintf(stderr, "not root: /proc of the sandboxed wgmesh-dnsfetch not checked\n");
	ret = wgm_fetcher_addrs(f, "foo", 3000, &r);
	fprintf(stderr, "addresses of foo with HOSTALIASES set: ret %d, %s %s\n", ret,
		wgm_fetch_status_str(r.status), r.detail);
	CHECK_INTEQ(ret, 0);
	CHECK(r.status != WGM_FETCH_OK && r.status != WGM_FETCH_ERROR);
	CHECK_INTEQ(wgm_fetcher_pid(f), pid);
	wgm_fetch_result_free(&r);
	wgm_fetcher_close(f);
	unlink(aliases);
	close(fd);
	return check_exit();
}
