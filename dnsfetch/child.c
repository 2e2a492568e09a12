/* The child transport, parent side: spawns wgmesh-dnsfetch on a SOCK_SEQPACKET socketpair and
 * asks it one question at a time. Every frame from the child is hostile until proto.c has
 * checked it; a child that lies, dies or stalls is killed and reported, never trusted again. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/log.h"
#include "fetch.h"
#include "proto.h"

/* The child gets its end of the channel as this descriptor number. */
#define CHILD_FD 3
#define READY_TIMEOUT_MS 10000
/* How long a child that closed its end may take to finish exiting before we kill it. */
#define EXIT_GRACE_MS 2000
/* The child answers TIMEOUT when a request's budget runs out; past this much more it is
 * stuck, not waiting for DNS. */
#define STALL_MARGIN_MS 2000
#define MAX_BUDGET_MS (10 * 60 * 1000)

struct wgm_fetcher {
	pid_t pid;
	int fd;
	uint32_t last_id;
	unsigned default_timeout_ms;
	char broken[256]; /* why the child is gone; empty while it serves */
	uint8_t dgram[WGM_FRAME_MAX + 1];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void describe_status(int status, char *out, size_t len)
{
	if (WIFEXITED(status)) {
		snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);

		snprintf(out, len, "killed by signal %d (SIG%s%s)", sig, abbrev ? abbrev : "?",
			 sig == SIGSYS ? ": seccomp" : "");
	} else {
		snprintf(out, len, "stopped with wait status 0x%x", (unsigned)status);
	}
}

/* Waits up to grace_ms for the child to exit, then kills it; records how it ended. */
static void reap(struct wgm_fetcher *f, int grace_ms, const char *why)
{
	char how[64];
	long long deadline = now_ms() + grace_ms;
	int status = 0;
	pid_t got;

	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	if (f->pid <= 0)
		return;
	for (;;) {
		got = waitpid(f->pid, &status, WNOHANG);
		if (got != 0 || now_ms() >= deadline)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	if (got == 0) {
		kill(f->pid, SIGKILL);
		got = waitpid(f->pid, &status, 0);
		if (!why)
			why = "dnsfetch closed its channel (or sent an empty frame) without exiting";
	}
	if (got == f->pid)
		describe_status(status, how, sizeof(how));
	else
		snprintf(how, sizeof(how), "(pid %d) lost: %s", (int)f->pid, strerror(errno));
	if (why)
		snprintf(f->broken, sizeof(f->broken), "%s; dnsfetch %s", why, how);
	else
		snprintf(f->broken, sizeof(f->broken), "dnsfetch died: %s", how);
	f->pid = 0;
}

/* Receives one checked frame by deadline. -ETIMEDOUT, -EPIPE (child gone: reaped and
 * described in f->broken), -EPROTO (err set). */
static int recv_frame(struct wgm_fetcher *f, long long deadline, struct wgm_frame *fr, char *err,
		      size_t errlen)
{
	struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
	ssize_t n;
	int ready;

	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		ready = poll(&pfd, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return -errno;
		if (ready == 0)
			return -ETIMEDOUT;
		n = recv(f->fd, f->dgram, sizeof(f->dgram), MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		break;
	}
	/* On SEQPACKET an empty datagram reads like end of file; both mean the child is done. */
	if (n <= 0) {
		reap(f, EXIT_GRACE_MS, NULL);
		return -EPIPE;
	}
	return wgm_frame_parse(f->dgram, (size_t)n, fr, err, errlen);
}

/* Ends the child for cause and remembers why. */
static int break_child(struct wgm_fetcher *f, int ret, const char *why)
{
	if (f->pid > 0)
		kill(f->pid, SIGKILL);
	reap(f, 0, why);
	return ret;
}

/* Built before fork: the child may only exec. argv has room for every option. */
static void build_argv(const char *helper, const char *user, const struct wgm_fetch_opts *o,
		       char **argv, size_t max, char numbers[3][16])
{
	size_t n = 0;

	snprintf(numbers[0], 16, "%d", CHILD_FD);
	snprintf(numbers[1], 16, "%u", o->timeout_ms);
	snprintf(numbers[2], 16, "%u", o->tries);
	argv[n++] = (char *)helper;
	argv[n++] = "--fd";
	argv[n++] = numbers[0];
	argv[n++] = "--user";
	argv[n++] = (char *)(user ? user : "nobody");
	argv[n++] = "--timeout-ms";
	argv[n++] = numbers[1];
	argv[n++] = "--tries";
	argv[n++] = numbers[2];
	for (size_t i = 0; i < o->n_servers && n + 3 < max; i++) {
		argv[n++] = "--dns";
		argv[n++] = (char *)o->servers[i];
	}
	if (wgm_log_threshold >= WGM_LOG_DEBUG)
		argv[n++] = "-d";
	else if (wgm_log_threshold == WGM_LOG_ERR)
		argv[n++] = "-q";
	argv[n] = NULL;
}

/* Between fork and exec: only async-signal-safe calls. */
static void exec_child(int fd, const char *helper, char **argv, pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
	if (fd == CHILD_FD) {
		if (fcntl(fd, F_SETFD, 0))
			_exit(127);
	} else if (dup2(fd, CHILD_FD) != CHILD_FD) {
		_exit(127);
	}
	/* The manager holds netlink sockets and more: the child inherits none of them. */
	close_range(CHILD_FD + 1, ~0U, 0);
	execv(helper, argv);
	_exit(127);
}

int wgm_fetcher_spawn(const char *helper_path, const char *user, const struct wgm_fetch_opts *o,
		      struct wgm_fetcher **out)
{
	char *argv[16 + 2 * WGM_FETCH_MAX_SERVERS];
	char numbers[3][16];
	struct wgm_fetcher *f;
	struct wgm_frame fr;
	char err[256];
	unsigned long long budget;
	unsigned per_try, tries, servers;
	pid_t parent = getpid();
	int sv[2], ret;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = -1;
	per_try = o->timeout_ms ? o->timeout_ms : 2000;
	tries = o->tries ? o->tries : 3;
	servers = o->n_servers ? (unsigned)o->n_servers : 1;
	/* c-ares doubles the per-try timeout on each round over the servers. */
	budget = (unsigned long long)servers * per_try * ((1ull << (tries < 20 ? tries : 20)) - 1);
	f->default_timeout_ms = budget < MAX_BUDGET_MS ? (unsigned)budget : MAX_BUDGET_MS;
	build_argv(helper_path, user, o, argv, sizeof(argv) / sizeof(argv[0]), numbers);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		log_err("socketpair for dnsfetch: %s", strerror(errno));
		free(f);
		return ret;
	}
	f->pid = fork();
	if (f->pid < 0) {
		ret = -errno;
		log_err("fork for dnsfetch: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		free(f);
		return ret;
	}
	if (f->pid == 0)
		exec_child(sv[1], helper_path, argv, parent);
	close(sv[1]);
	f->fd = sv[0];
	ret = recv_frame(f, now_ms() + READY_TIMEOUT_MS, &fr, err, sizeof(err));
	if (!ret && fr.type != WGM_FRAME_READY) {
		snprintf(err, sizeof(err), "first frame has type %u, expected READY", (unsigned)fr.type);
		ret = -EPROTO;
	}
	if (ret == -ETIMEDOUT)
		snprintf(err, sizeof(err), "no READY within %d ms", READY_TIMEOUT_MS);
	if (ret && ret != -EPIPE)
		break_child(f, ret, err);
	if (ret) {
		log_err("starting %s: %s", helper_path, f->broken);
		wgm_fetcher_close(f);
		return ret;
	}
	*out = f;
	return 0;
}

static int ask(struct wgm_fetcher *f, enum wgm_frame_type type, const char *name,
	       unsigned timeout_ms, struct wgm_fetch_result *r)
{
	struct wgm_buf req = { 0 };
	struct wgm_reply rep;
	struct wgm_frame fr;
	char err[128];
	long long deadline;
	unsigned budget = timeout_ms ? timeout_ms : f->default_timeout_ms;
	int ret;

	memset(r, 0, sizeof(*r));
	r->status = WGM_FETCH_ERROR;
	if (f->pid <= 0) {
		snprintf(r->detail, sizeof(r->detail), "%s", f->broken);
		return -EPIPE;
	}
	if (wgm_dns_name_check(name, strlen(name))) {
		snprintf(r->detail, sizeof(r->detail),
			 "bad DNS name \"%.180s\": give letters, digits, '-', '_' and dots", name);
		return -EINVAL;
	}
	f->last_id = f->last_id == UINT32_MAX ? 1 : f->last_id + 1;
	if (budget > MAX_BUDGET_MS)
		budget = MAX_BUDGET_MS;
	ret = wgm_frame_encode_request(&req, type, f->last_id, budget, name);
	if (ret)
		goto out;
	if (send(f->fd, req.p, req.len, MSG_NOSIGNAL) != (ssize_t)req.len) {
		snprintf(err, sizeof(err), "sending the request: %s", strerror(errno));
		ret = break_child(f, -EPIPE, err);
		goto out;
	}
	wgm_reply_init(&rep, f->last_id, r);
	deadline = now_ms() + budget + STALL_MARGIN_MS;
	while (!rep.done) {
		ret = recv_frame(f, deadline, &fr, err, sizeof(err));
		if (!ret)
			ret = wgm_reply_feed(&rep, &fr, err, sizeof(err));
		if (ret == -ETIMEDOUT) {
			snprintf(err, sizeof(err), "no answer for %s within %u ms", name,
				 budget + STALL_MARGIN_MS);
			break_child(f, ret, err);
		} else if (ret == -EPROTO) {
			char why[160];

			snprintf(why, sizeof(why), "bad frame from dnsfetch: %s", err);
			break_child(f, ret, why);
		} else if (ret && ret != -EPIPE) {
			break_child(f, ret, strerror(-ret));
		}
		if (ret)
			goto out;
	}
	ret = r->status == WGM_FETCH_ERROR ? -EIO : 0;
out:
	if (ret && ret != -EIO) {
		/* A half-received answer is no answer. */
		wgm_strv_free(&r->txt);
		r->status = WGM_FETCH_ERROR;
		snprintf(r->detail, sizeof(r->detail), "%s", f->broken[0] ? f->broken : strerror(-ret));
	}
	wgm_buf_free(&req);
	return ret;
}

int wgm_fetcher_txt(struct wgm_fetcher *f, const char *name, unsigned timeout_ms,
		    struct wgm_fetch_result *r)
{
	return ask(f, WGM_FRAME_REQ_TXT, name, timeout_ms, r);
}

int wgm_fetcher_addrs(struct wgm_fetcher *f, const char *name, unsigned timeout_ms,
		      struct wgm_fetch_result *r)
{
	return ask(f, WGM_FRAME_REQ_ADDRS, name, timeout_ms, r);
}

pid_t wgm_fetcher_pid(const struct wgm_fetcher *f)
{
	return f->pid > 0 ? f->pid : 0;
}

void wgm_fetcher_close(struct wgm_fetcher *f)
{
	if (!f)
		return;
	/* Closing the channel is the child's signal to exit; it gets a moment to do so. */
	reap(f, EXIT_GRACE_MS, NULL);
	free(f);
}
