#include "runloop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "birdconf.h"
#include "birdstate.h"
#include "deploy.h"
#include "linkwatch.h"
#include "log.h"
#include "names.h"
#include "notify.h"
#include "wgdev.h"

/* interval +- 10 %. */
static unsigned jittered(unsigned interval)
{
	unsigned span = interval / 5;

	return span ? interval - interval / 10 + randombytes_uniform(span + 1) : interval;
}

/* Flaps are counted between rounds (linkwatch.h): the watch, BIRD's socket, and whether BIRD
 * answered last time (so a BIRD that is not running is said once, not every 250 ms). */
struct watch_ctx {
	struct link_watch w;
	char sock[256];
	bool on, bird_quiet;
	unsigned base_ms; /* the node's BFD interval, as the last round applied it */
	const struct netmgr_opts *o;
	const char *domain;
};

/* Returns whether the record could not be had (DNS trouble). */
static bool one_round(const struct netmgr_opts *o, struct host_ctx *h, struct fetcher_slot *dns,
		      struct endpoint_memory *ep, struct watch_ctx *wc, bool first)
{
	struct deploy_outcome out;
	char status[900];
	int ret;

	endpoint_round_begin(ep);
	ret = deploy_once(o, h, NULL, dns, ep, &out);
	wgdev_release();
	if (out.bfd_interval_ms)
		wc->base_ms = out.bfd_interval_ms;
	if (ret == 0)
		endpoint_round_end(ep);

	if (ret == 0)
		snprintf(status, sizeof(status), "STATUS=mesh applied, %u change%s", out.changes,
			 out.changes == 1 ? "" : "s");
	else if (out.record_unavailable)
		snprintf(status, sizeof(status), "STATUS=record unavailable, mesh kept: %s", out.err);
	else
		snprintf(status, sizeof(status), "STATUS=deploy refused, mesh kept: %s", out.err);
	if (ret < 0)
		log_err("%s", out.err);
	else
		log_notice("%u change%s", out.changes, out.changes == 1 ? "" : "s");
	if (first)
		strncat(status, "\nREADY=1", sizeof(status) - strlen(status) - 1);
	notify_send(status);
	return ret < 0 && out.record_unavailable;
}

/* The next round: after the interval, or sooner when a peer's endpoint wait ends. */
static unsigned next_wait(const struct netmgr_opts *o, const struct endpoint_memory *ep)
{
	unsigned wait = jittered(o->interval);
	time_t now = time(NULL);

	if (ep->next_due && ep->next_due - now < (time_t)wait)
		wait = ep->next_due > now ? (unsigned)(ep->next_due - now) : 1;
	return wait;
}

static void watch_init(struct watch_ctx *wc, const struct netmgr_opts *o, struct host_ctx *h)
{
	struct wgm_node_names n;
	char err[256];

	wc->o = o;
	wc->domain = h->domain;
	if (wgm_node_names_build(&h->hs, &n, err, sizeof(err)) < 0 ||
	    birdgen_socket_path(NULL, n.netns, wc->sock, sizeof(wc->sock)) < 0)
		return;
	if (linkwatch_load(o->state_dir, h->domain, &wc->w, err, sizeof(err)) < 0)
		log_warn("%s; counting flaps afresh", err);
	wc->on = true;
}

/* One look; true when a link's BFD interval changed and the next round should come now. */
static bool watch_look(struct watch_ctx *wc)
{
	struct bird_state bfd;
	char err[256];
	int what, ret;

	if (!wc->on)
		return false;
	if (bird_state_read_bfd(wc->sock, &bfd, err, sizeof(err)) < 0) {
		if (!wc->bird_quiet)
			log_debug("flaps not counted while BIRD does not answer: %s", err);
		wc->bird_quiet = true;
		return false;
	}
	wc->bird_quiet = false;
	what = linkwatch_observe(&wc->w, &bfd, time(NULL), wc->base_ms);
	bird_state_free(&bfd);
	if ((what & LINKWATCH_COUNTED) &&
	    (ret = linkwatch_save(wc->o->state_dir, wc->domain, &wc->w)) < 0)
		log_warn("cannot keep the flap counts in %s: %s", wc->o->state_dir, strerror(-ret));
	return what & LINKWATCH_RETIMED;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to wait_s for one of set's signals, looking at BIRD's BFD sessions every
 * LINKWATCH_POLL_MS meanwhile: the signal, 0 when the wait ended or a link was retimed, -1
 * with errno on a failure. */
static int wait_watching(struct watch_ctx *wc, const sigset_t *set, unsigned wait_s)
{
	long long end = mono_ms() + (long long)wait_s * 1000;

	for (;;) {
		long long left = end - mono_ms();
		long long step = left < LINKWATCH_POLL_MS ? left : LINKWATCH_POLL_MS;
		struct timespec ts = { .tv_sec = step / 1000, .tv_nsec = (step % 1000) * 1000000 };
		siginfo_t info;
		int sig;

		if (left <= 0)
			return 0;
		sig = sigtimedwait(set, &info, &ts);
		if (sig > 0)
			return sig;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
		if (watch_look(wc))
			return 0;
	}
}

/* One `run` per domain: two would apply the record with their own options in turn (another
 * --bfd-interval, say), rewriting BIRD's config back and forth and flapping every link on each
 * change. <state-dir>/<domain>.run.lock, flock()ed for run's life (released with its process,
 * however it ends), holds the pid to name. up, down, drain and friends do not take it: they
 * are the operator's one-off steps beside the service. */
static int run_lock(const struct netmgr_opts *o, const char *domain)
{
	char path[4096], pid[32] = "";
	int fd, n;

	if ((n = wgm_domain_file(o->state_dir, domain, "run.lock", path, sizeof(path))) < 0)
		return n;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		n = -errno;
		log_err("cannot open %s: %s", path, strerror(-n));
		return n;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (n == -EBUSY) {
			ssize_t got = pread(fd, pid, sizeof(pid) - 1, 0);

			pid[got > 0 ? got : 0] = 0;
			pid[strcspn(pid, "\n")] = 0;
			log_err("another wgmesh-net run%s%s%s manages %s (it holds %s): stop it first (systemctl stop wgmesh-net@%s), or send it SIGHUP to refetch",
				pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "", domain, path, domain);
		} else {
			log_err("cannot lock %s: %s", path, strerror(-n));
		}
		close(fd);
		return n;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("cannot write our pid into %s: %s", path, strerror(errno));
	return fd; /* kept open, so locked, until the process ends */
}

int run_loop(const struct netmgr_opts *o, struct host_ctx *h)
{
	struct fetcher_slot dns = { .o = o };
	struct endpoint_memory *ep = calloc(1, sizeof(*ep));
	struct watch_ctx *wc = calloc(1, sizeof(*wc));
	sigset_t set;
	int ret = 0;

	if (!ep || !wc) {
		free(ep);
		free(wc);
		return -ENOMEM;
	}
	if ((ret = run_lock(o, h->domain)) < 0) {
		free(ep);
		free(wc);
		return ret;
	}
	ret = 0;
	watch_init(wc, o, h);
	ep->wait = o->endpoint_timeout;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
		ret = -errno;
		free(ep);
		free(wc);
		return ret;
	}
	/* Readable while one of them waits: a DNS question in progress ends at once, so a stuck
	 * fetcher cannot delay the answer to a signal (sigtimedwait below still takes it). */
	dns.cancel_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (dns.cancel_fd < 0) {
		ret = -errno;
		free(ep);
		free(wc);
		return ret;
	}
	bool dns_trouble = one_round(o, h, &dns, ep, wc, true);
	for (;;) {
		int sig = wait_watching(wc, &set, next_wait(o, ep));

		if (sig == SIGTERM || sig == SIGINT) {
			log_notice("signal %d: leaving the mesh up", sig);
			notify_send("STOPPING=1");
			break;
		}
		if (sig < 0) {
			ret = -errno;
			break;
		}
		if (sig == SIGHUP)
			log_notice("SIGHUP: refetching");
		/* After DNS trouble the fetcher is started afresh (it may have died). */
		if (dns_trouble)
			fetcher_slot_close(&dns);
		dns_trouble = one_round(o, h, &dns, ep, wc, false);
	}
	fetcher_slot_close(&dns);
	close(dns.cancel_fd);
	free(ep);
	free(wc);
	return ret;
}
