#include "runloop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "deploy.h"
#include "log.h"
#include "notify.h"
#include "wgdev.h"

/* interval +- 10 %. */
static unsigned jittered(unsigned interval)
{
	unsigned span = interval / 5;

	return span ? interval - interval / 10 + randombytes_uniform(span + 1) : interval;
}

/* Returns whether the record could not be had (DNS trouble). */
static bool one_round(const struct netmgr_opts *o, struct host_ctx *h, struct fetcher_slot *dns,
		      struct endpoint_memory *ep, bool first)
{
	struct deploy_outcome out;
	char status[900];
	int ret;

	endpoint_round_begin(ep);
	ret = deploy_once(o, h, NULL, dns, ep, &out);
	wgdev_release();
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

int run_loop(const struct netmgr_opts *o, struct host_ctx *h)
{
	struct fetcher_slot dns = { .o = o };
	struct endpoint_memory *ep = calloc(1, sizeof(*ep));
	sigset_t set;
	int ret = 0;

	if (!ep)
		return -ENOMEM;
	ep->wait = o->endpoint_timeout;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
		ret = -errno;
		free(ep);
		return ret;
	}
	/* Readable while one of them waits: a DNS question in progress ends at once, so a stuck
	 * fetcher cannot delay the answer to a signal (sigtimedwait below still takes it). */
	dns.cancel_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (dns.cancel_fd < 0) {
		ret = -errno;
		free(ep);
		return ret;
	}
	bool dns_trouble = one_round(o, h, &dns, ep, true);
	for (;;) {
		struct timespec ts = { .tv_sec = next_wait(o, ep) };
		siginfo_t info;
		int sig = sigtimedwait(&set, &info, &ts);

		if (sig == SIGTERM || sig == SIGINT) {
			log_notice("signal %d: leaving the mesh up", sig);
			notify_send("STOPPING=1");
			break;
		}
		if (sig < 0 && errno != EAGAIN && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (sig == SIGHUP)
			log_notice("SIGHUP: refetching");
		/* After DNS trouble the fetcher is started afresh (it may have died). */
		if (dns_trouble)
			fetcher_slot_close(&dns);
		dns_trouble = one_round(o, h, &dns, ep, false);
	}
	fetcher_slot_close(&dns);
	close(dns.cancel_fd);
	free(ep);
	return ret;
}
