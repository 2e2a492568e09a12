#include "runloop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "deploy.h"
#include "log.h"
#include "notify.h"

/* interval +- 10 %. */
static unsigned jittered(unsigned interval)
{
	unsigned span = interval / 5;

	return span ? interval - interval / 10 + randombytes_uniform(span + 1) : interval;
}

static void one_round(const struct netmgr_opts *o, struct host_ctx *h, struct wgm_fetcher *f,
		      bool first)
{
	struct deploy_outcome out;
	char status[900];
	int ret = deploy_once(o, h, NULL, f, &out);

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
}

int run_loop(const struct netmgr_opts *o, struct host_ctx *h)
{
	struct wgm_fetcher *f = NULL;
	sigset_t set;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	ret = wgm_fetcher_spawn(netmgr_dnsfetch_path(o), o->dnsfetch_user, &o->fetch, &f);
	if (ret < 0) {
		log_err("cannot start the DNS fetcher %s: %s", netmgr_dnsfetch_path(o), strerror(-ret));
		return ret;
	}
	one_round(o, h, f, true);
	for (;;) {
		struct timespec ts = { .tv_sec = jittered(o->interval) };
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
		one_round(o, h, f, false);
	}
	wgm_fetcher_close(f);
	return ret;
}
