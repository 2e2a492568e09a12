/* The child transport, parent side: spawns wgmesh-dnsfetch on a SOCK_SEQPACKET socketpair and
 * asks it one question at a time. Every frame from the child is hostile until proto.c has
 * checked it; a child that lies, dies or stalls is killed and reported, never asked again, and
 * the next question goes to a fresh child. Every exchange (start, request, answer) has a
 * deadline: the channel is non-blocking, so a child that stops reading cannot hold the manager
 * in send() either. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/sanitizer.h"
#include "../common/spawn.h"
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
/* Our end of the channel: requests are a few hundred bytes (a DNS name and a header). */
#define FETCH_SNDBUF 8192
/* Lines of the child's stderr logged per question: a chatty child cannot flood root's log. */
#define LOG_LINES_PER_ASK 32
/* c-ares needs a socket or two per server, and little memory: answers are capped at 256 KiB. */
#define CHILD_NOFILE 64
#define CHILD_AS_BYTES (256ull << 20)

struct wgm_fetcher {
	char *helper;
	char *user;
	struct wgm_fetch_opts opts;
	struct wgm_child child; /* pid 0: none, the next question starts one */
	int fd;
	struct wgm_child_log log;
	uint32_t last_id;
	unsigned default_timeout_ms;
	char broken[256]; /* why the last child is gone */
	bool closing;      /* we closed the channel: its end is no news */
	uint8_t dgram[WGM_FRAME_MAX + 1];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to grace_ms for the child to exit, then kills it; records how it ended. */
static void reap(struct wgm_fetcher *f, int grace_ms, const char *why)
{
	char how[64];
	int status;

	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	if (f->child.pid <= 0)
		return;
	if (wgm_child_wait(&f->child, grace_ms, &status)) {
		wgm_child_kill(&f->child, &status);
		if (!why)
			why = "dnsfetch closed its channel (or sent an empty frame) without exiting";
	}
	/* What it said last (a sandbox error, say) goes to our log before the verdict. */
	wgm_child_log_drain(&f->log);
	wgm_child_log_close(&f->log);
	wgm_child_describe(status, how, sizeof(how));
	if (why)
		snprintf(f->broken, sizeof(f->broken), "%s; dnsfetch %s", why, how);
	else
		snprintf(f->broken, sizeof(f->broken), "dnsfetch died: %s", how);
	if (!f->closing)
		log_warn("%s", f->broken);
}

/* Ends the child for cause and remembers why. */
static int break_child(struct wgm_fetcher *f, int ret, const char *why)
{
	char how[64];
	int status;

	/* Killed before its channel closes: a child never gets to exit on its own terms. */
	wgm_child_kill(&f->child, &status);
	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	wgm_child_log_drain(&f->log);
	wgm_child_log_close(&f->log);
	wgm_child_describe(status, how, sizeof(how));
	snprintf(f->broken, sizeof(f->broken), "%s; dnsfetch %s", why, how);
	/* Said here once, whatever the caller makes of the failed question. */
	log_warn("%s", f->broken);
	return ret;
}

/* Until the channel is ready for events or the deadline passes, reading the child's stderr
 * meanwhile. 0, -ETIMEDOUT, or -EINTR when the caller's cancel descriptor became readable. */
static int wait_channel(struct wgm_fetcher *f, short events, long long deadline)
{
	struct pollfd pfd[3] = {
		{ .fd = f->fd, .events = events },
		{ .fd = -1, .events = POLLIN },
		{ .fd = f->opts.cancel_fd > 0 ? f->opts.cancel_fd : -1, .events = POLLIN },
	};
	int ready;

	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		pfd[1].fd = f->log.fd;
		ready = poll(pfd, 3, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return -errno;
		if (pfd[2].revents)
			return -EINTR;
		if (pfd[1].revents)
			wgm_child_log_drain(&f->log);
		if (pfd[0].revents)
			return 0;
	}
}

/* Receives one checked frame by deadline. -ETIMEDOUT, -EINTR, -EPIPE (child gone: reaped and
 * described in f->broken), -EPROTO (err set). */
static int recv_frame(struct wgm_fetcher *f, long long deadline, struct wgm_frame *fr, char *err,
		      size_t errlen)
{
	ssize_t n;
	int ret;

	for (;;) {
		/* Checked before every frame: a child that never stops talking is stopped here. */
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		n = recv(f->fd, f->dgram, sizeof(f->dgram), MSG_TRUNC | MSG_DONTWAIT);
		if (n >= 0 || (errno != EINTR && errno != EAGAIN))
			break;
		if (errno == EAGAIN && (ret = wait_channel(f, POLLIN, deadline)))
			return ret;
	}
	/* On SEQPACKET an empty datagram reads like end of file; both mean the child is done. */
	if (n <= 0) {
		reap(f, EXIT_GRACE_MS, NULL);
		return -EPIPE;
	}
	return wgm_frame_parse(f->dgram, (size_t)n, fr, err, errlen);
}

static int send_frame(struct wgm_fetcher *f, const struct wgm_buf *b, long long deadline)
{
	ssize_t n;
	int ret;

	for (;;) {
		n = send(f->fd, b->p, b->len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == (ssize_t)b->len)
			return 0;
		if (n >= 0)
			return -EMSGSIZE; /* SEQPACKET sends whole datagrams or none */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		ret = wait_channel(f, POLLOUT, deadline);
		if (ret)
			return ret;
	}
}

/* Built before fork: the child may only exec. argv has room for every option. */
static void build_argv(const struct wgm_fetcher *f, char **argv, size_t max, char numbers[3][16])
{
	const struct wgm_fetch_opts *o = &f->opts;
	size_t n = 0;

	snprintf(numbers[0], 16, "%d", CHILD_FD);
	snprintf(numbers[1], 16, "%u", o->timeout_ms);
	snprintf(numbers[2], 16, "%u", o->tries);
	argv[n++] = f->helper;
	argv[n++] = "--fd";
	argv[n++] = numbers[0];
	argv[n++] = "--user";
	argv[n++] = f->user;
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

/* The child's whole start: nothing of ours but its channel and a stderr pipe, no environment
 * (c-ares reads HOSTALIASES, LOCALDOMAIN, RES_OPTIONS from it), no core file, no new
 * process (fork or thread), a few descriptors, bounded memory. */
static void fill_spawn(struct wgm_spawn *sp, char **argv, char **envp, int channel, int err_w)
{
	memset(sp, 0, sizeof(*sp));
	sp->path = argv[0];
	sp->argv = argv;
	sp->envp = envp;
	sp->fds[0] = WGM_SPAWN_DEVNULL;
	sp->fds[1] = WGM_SPAWN_DEVNULL;
	sp->fds[2] = err_w;
	sp->fds[CHILD_FD] = channel;
	sp->n_fds = CHILD_FD + 1;
	sp->limits[sp->n_limits++] = (struct wgm_spawn_limit){ RLIMIT_NPROC, 0 };
	sp->limits[sp->n_limits++] = (struct wgm_spawn_limit){ RLIMIT_NOFILE, CHILD_NOFILE };
#ifndef WGM_ASAN
	/* Not under AddressSanitizer: its shadow memory alone is terabytes of address space. */
	sp->limits[sp->n_limits++] = (struct wgm_spawn_limit){ RLIMIT_AS, CHILD_AS_BYTES };
#endif
	sp->die_with_parent = true;
}

/* Starts a child and waits for its READY. On failure f->broken says why. */
static int start_child(struct wgm_fetcher *f)
{
	char *argv[16 + 2 * WGM_FETCH_MAX_SERVERS];
	char *envp[] = { NULL };
	char numbers[3][16];
	struct wgm_spawn sp;
	struct wgm_frame fr;
	char err[256];
	int sv[2] = { -1, -1 }, errpipe[2] = { -1, -1 }, ret;

	build_argv(f, argv, sizeof(argv) / sizeof(argv[0]), numbers);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) ||
	    pipe2(errpipe, O_CLOEXEC)) {
		ret = -errno;
		snprintf(f->broken, sizeof(f->broken), "socketpair or pipe for dnsfetch: %s",
			 strerror(errno));
		goto out;
	}
	/* The child's end blocks as it always did; only ours must never block. One request is
	 * outstanding at a time, so our send buffer needs room for a few, not the default ~280: a
	 * child that stops reading is then found within a few rounds. */
	if (fcntl(sv[1], F_SETFL, 0) || fcntl(errpipe[0], F_SETFL, O_NONBLOCK) ||
	    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){ FETCH_SNDBUF }, sizeof(int))) {
		ret = -errno;
		snprintf(f->broken, sizeof(f->broken), "fcntl or SO_SNDBUF for dnsfetch: %s", strerror(errno));
		goto out;
	}
	fill_spawn(&sp, argv, envp, sv[1], errpipe[1]);
	ret = wgm_spawn(&sp, &f->child, f->broken, sizeof(f->broken));
	/* The child's ends are the child's alone: its exit must read as end of file here. */
	close(sv[1]);
	close(errpipe[1]);
	sv[1] = errpipe[1] = -1;
	if (ret) {
		log_err("%s", f->broken);
		goto out;
	}
	f->fd = sv[0];
	sv[0] = -1;
	f->log = (struct wgm_child_log){ .fd = errpipe[0], .max_lines = LOG_LINES_PER_ASK };
	snprintf(f->log.prefix, sizeof(f->log.prefix), "dnsfetch pid %d", (int)f->child.pid);
	errpipe[0] = -1;
	ret = recv_frame(f, now_ms() + READY_TIMEOUT_MS, &fr, err, sizeof(err));
	if (!ret && fr.type != WGM_FRAME_READY) {
		snprintf(err, sizeof(err), "first frame has type %u, expected READY", (unsigned)fr.type);
		ret = -EPROTO;
	}
	if (ret == -ETIMEDOUT)
		snprintf(err, sizeof(err), "no READY within %d ms", READY_TIMEOUT_MS);
	if (ret == -EINTR)
		snprintf(err, sizeof(err), "interrupted while waiting for READY");
	if (ret && ret != -EPIPE) {
		char why[sizeof(err) + 64];

		snprintf(why, sizeof(why), "starting %.48s: %s", f->helper, err);
		break_child(f, ret, why);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (errpipe[i] >= 0)
			close(errpipe[i]);
	}
	return ret;
}

int wgm_fetcher_spawn(const char *helper_path, const char *user, const struct wgm_fetch_opts *o,
		      struct wgm_fetcher **out)
{
	struct wgm_fetcher *f;
	unsigned long long budget;
	unsigned per_try, tries, servers;
	int ret;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = -1;
	f->log.fd = -1;
	f->child.pidfd = -1;
	f->opts = *o;
	f->helper = strdup(helper_path);
	f->user = strdup(user ? user : "nobody");
	if (!f->helper || !f->user) {
		wgm_fetcher_close(f);
		return -ENOMEM;
	}
	per_try = o->timeout_ms ? o->timeout_ms : 2000;
	tries = o->tries ? o->tries : 3;
	servers = o->n_servers ? (unsigned)o->n_servers : 1;
	/* c-ares doubles the per-try timeout on each round over the servers. */
	budget = (unsigned long long)servers * per_try * ((1ull << (tries < 20 ? tries : 20)) - 1);
	f->default_timeout_ms = budget < MAX_BUDGET_MS ? (unsigned)budget : MAX_BUDGET_MS;
	ret = start_child(f);
	if (ret) {
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
	if (wgm_dns_name_check(name, strlen(name))) {
		snprintf(r->detail, sizeof(r->detail),
			 "bad DNS name \"%.180s\": give letters, digits, '-', '_' and dots", name);
		return -EINVAL;
	}
	/* The child that broke is gone for good; this question goes to a new one. */
	if (f->child.pid <= 0) {
		f->broken[0] = '\0';
		ret = start_child(f);
		if (ret) {
			snprintf(r->detail, sizeof(r->detail), "%s", f->broken);
			return ret;
		}
	}
	wgm_child_log_reset(&f->log);
	f->last_id = f->last_id == UINT32_MAX ? 1 : f->last_id + 1;
	if (budget > MAX_BUDGET_MS)
		budget = MAX_BUDGET_MS;
	/* One deadline for the whole exchange, the request included. */
	deadline = now_ms() + budget + STALL_MARGIN_MS;
	ret = wgm_frame_encode_request(&req, type, f->last_id, budget, name);
	if (ret)
		goto out;
	ret = send_frame(f, &req, deadline);
	if (ret) {
		if (ret == -ETIMEDOUT)
			snprintf(err, sizeof(err), "dnsfetch took no request for %s within %u ms", name,
				 budget + STALL_MARGIN_MS);
		else if (ret == -EINTR)
			snprintf(err, sizeof(err), "interrupted while asking for %s", name);
		else
			snprintf(err, sizeof(err), "sending the request: %s", strerror(-ret));
		ret = break_child(f, ret == -ETIMEDOUT || ret == -EINTR ? ret : -EPIPE, err);
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
		} else if (ret == -EINTR) {
			snprintf(err, sizeof(err), "interrupted while waiting for %s", name);
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
	return f->child.pid > 0 ? f->child.pid : 0;
}

void wgm_fetcher_close(struct wgm_fetcher *f)
{
	if (!f)
		return;
	/* Closing the channel is the child's signal to exit; it gets a moment to do so. */
	f->closing = true;
	reap(f, EXIT_GRACE_MS, NULL);
	free(f->helper);
	free(f->user);
	free(f);
}
