/* The parent against hostile child processes (evilchild.c): every lie is reported as an error
 * naming it, the child is killed and never asked again, the next question goes to a fresh
 * child, and no question takes longer than its budget plus the stall margin: a child that
 * stops reading, talks without end, floods stderr or never starts cannot hold the parent. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fetch.h"

/* fetch.h: a child silent this long past a question's budget is stuck. */
#define STALL_MARGIN_MS 2000
#define READY_TIMEOUT_MS 10000
/* What a loaded test machine may add to a bound. */
#define SLACK_MS 3000

struct hostile_case {
	const char *mode;
	unsigned timeout_ms; /* 0: generous, as the machine may be loaded */
	const char *detail; /* must appear in the reported error */
};

static const struct hostile_case cases[] = {
	{ "wrongtype", 0, "unknown frame type 99" },
	{ "requesttype", 0, "where an answer (STRING or END) belongs" },
	{ "wronglen", 0, "END frame of 3 payload bytes" },
	{ "lyinglen", 0, "length field says 100 payload bytes, datagram has 7" },
	{ "short", 0, "frame of 5 bytes is shorter than the 12-byte header" },
	{ "oversize", 0, "frame of 70000 bytes is over the" },
	{ "unknownid", 0, "unknown request id" },
	{ "countlie", 0, "counts 2 strings, 1 came" },
	{ "okempty", 0, "status 0 with 0 strings" },
	{ "badstatus", 0, "unknown status 42" },
	{ "nul", 0, "holds a NUL" },
	{ "flood", 0, "over the cap of" },
	{ "babble", 500, "over the cap of" },
	{ "empty", 0, "closed its channel (or sent an empty frame) without exiting; dnsfetch killed" },
	{ "diemid", 0, "dnsfetch died: exited with status 3" },
	{ "silent", 500, "no answer for silent.evil within 2500 ms" },
	{ "stall", 500, "no answer for stall.evil within 2500 ms" },
	{ "sigsys", 0, "dnsfetch died: killed by signal 31 (SIGSYS: seccomp)" },
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One question, timed; checks it ended within its bound. */
static int timed_txt(struct wgm_fetcher *f, const char *name, unsigned timeout_ms,
		     struct wgm_fetch_result *r, long long *took)
{
	long long t0 = now_ms();
	int ret = wgm_fetcher_txt(f, name, timeout_ms, r);

	*took = now_ms() - t0;
	if (*took > (long long)timeout_ms + STALL_MARGIN_MS + SLACK_MS) {
		fprintf(stderr, "  %s took %lld ms, bound %u ms\n", name, *took,
			timeout_ms + STALL_MARGIN_MS + SLACK_MS);
		CHECK(!"question within its bound");
	}
	return ret;
}

/* The same fetcher's next question goes to a new child, which answers. */
static void check_replaced(struct wgm_fetcher *f, pid_t old)
{
	struct wgm_fetch_result r;
	long long took;

	CHECK_INTEQ(wgm_fetcher_pid(f), 0);
	CHECK_INTEQ(timed_txt(f, "good.evil", 10000, &r, &took), 0);
	CHECK_INTEQ(r.status, WGM_FETCH_OK);
	CHECK_INTEQ(r.txt.n, 1);
	CHECK(wgm_fetcher_pid(f) > 0 && wgm_fetcher_pid(f) != old);
	wgm_fetch_result_free(&r);
}

static void run_case(const char *evil, const struct wgm_fetch_opts *o,
		     const struct hostile_case *c)
{
	struct wgm_fetcher *f = NULL;
	struct wgm_fetch_result r;
	unsigned timeout = c->timeout_ms ? c->timeout_ms : 10000;
	char name[64];
	long long took;
	pid_t pid;
	int ret;

	snprintf(name, sizeof(name), "%s.evil", c->mode);
	CHECK_INTEQ(wgm_fetcher_spawn(evil, NULL, o, &f), 0);
	if (!f)
		return;
	/* The same fake child answers honestly first: the parser is not just refusing all. */
	ret = timed_txt(f, "good.evil", 10000, &r, &took);
	CHECK_INTEQ(ret, 0);
	CHECK_INTEQ(r.status, WGM_FETCH_OK);
	CHECK_INTEQ(r.txt.n, 1);
	wgm_fetch_result_free(&r);

	pid = wgm_fetcher_pid(f);
	ret = timed_txt(f, name, timeout, &r, &took);
	fprintf(stderr, "%-12s ret %d after %lld ms: %s\n", c->mode, ret, took, r.detail);
	CHECK(ret < 0);
	CHECK_INTEQ(r.status, WGM_FETCH_ERROR);
	CHECK_INTEQ(r.txt.n, 0);
	if (!strstr(r.detail, c->detail)) {
		fprintf(stderr, "  expected the error to contain: %s\n", c->detail);
		CHECK(!"error detail");
	}
	wgm_fetch_result_free(&r);
	/* Broken stays broken: no second question to a child that lied. */
	check_replaced(f, pid);
	wgm_fetcher_close(f);
}

/* Leftover frames after a complete answer show up as a stale id on the next request. */
static void run_leftover(const char *evil, const struct wgm_fetch_opts *o)
{
	struct wgm_fetcher *f = NULL;
	struct wgm_fetch_result r;

	CHECK_INTEQ(wgm_fetcher_spawn(evil, NULL, o, &f), 0);
	if (!f)
		return;
	CHECK_INTEQ(wgm_fetcher_txt(f, "leftover.evil", 10000, &r), 0);
	CHECK_INTEQ(r.status, WGM_FETCH_OK);
	wgm_fetch_result_free(&r);
	CHECK_INTEQ(wgm_fetcher_txt(f, "good.evil", 10000, &r), -EPROTO);
	fprintf(stderr, "%-12s %s\n", "leftover", r.detail);
	CHECK(strstr(r.detail, "unknown request id 1 (waiting for 2)") != NULL);
	wgm_fetch_result_free(&r);
	wgm_fetcher_close(f);
}

/* evilchild under the name evilchild-MODE: that misbehaviour for every request. */
static void fixed_mode(char *out, size_t len, const char *dir, const char *evil, const char *mode)
{
	char target[PATH_MAX];

	snprintf(out, len, "%s/evilchild-%s", dir, mode);
	CHECK(realpath(evil, target) != NULL);
	CHECK_INTEQ(symlink(target, out), 0);
}

/* A child that answers every id right but never reads: the requests fill our 8 KiB send
 * buffer (about 20 of them), and the parent must not block in send. */
static void run_deaf(const char *dir, const char *evil, const struct wgm_fetch_opts *o)
{
	struct wgm_fetcher *f = NULL;
	struct wgm_fetch_result r = { 0 };
	char path[PATH_MAX + 32];
	long long took, worst = 0;
	int i, ret = 0;
	pid_t pid;

	fixed_mode(path, sizeof(path), dir, evil, "deaf");
	CHECK_INTEQ(wgm_fetcher_spawn(path, NULL, o, &f), 0);
	if (!f)
		return;
	pid = wgm_fetcher_pid(f);
	for (i = 0; i < 5000 && ret == 0; i++) {
		wgm_fetch_result_free(&r);
		ret = timed_txt(f, "x.evil", 300, &r, &took);
		worst = took > worst ? took : worst;
	}
	fprintf(stderr, "%-12s %d answered, then ret %d after %lld ms (slowest %lld ms): %s\n",
		"deaf", i - 1, ret, took, worst, r.detail);
	CHECK_INTEQ(ret, -ETIMEDOUT);
	CHECK(i > 10);
	CHECK(strstr(r.detail, "dnsfetch took no request for x.evil within 2300 ms") != NULL);
	wgm_fetch_result_free(&r);
	check_replaced(f, pid);
	wgm_fetcher_close(f);
}

/* A child that never says READY: the start gives up after its 10 s. */
static void run_noready(const char *dir, const char *evil, const struct wgm_fetch_opts *o)
{
	struct wgm_fetcher *f = NULL;
	char path[PATH_MAX + 32];
	long long t0 = now_ms(), took;
	int ret;

	fixed_mode(path, sizeof(path), dir, evil, "noready");
	ret = wgm_fetcher_spawn(path, NULL, o, &f);
	took = now_ms() - t0;
	fprintf(stderr, "%-12s ret %d after %lld ms\n", "noready", ret, took);
	CHECK_INTEQ(ret, -ETIMEDOUT);
	CHECK(f == NULL);
	CHECK(took >= READY_TIMEOUT_MS && took <= READY_TIMEOUT_MS + SLACK_MS);
}

/* A child flooding stderr (1 MiB, lines of escape bytes): the parent logs a few lines, cut
 * and cleaned, and still gets the answer. */
static void run_stderr(const char *evil, const struct wgm_fetch_opts *o)
{
	char logpath[] = "/tmp/wgm-hostile-log-XXXXXX";
	struct wgm_fetcher *f = NULL;
	struct wgm_fetch_result r;
	char line[4096];
	unsigned lines = 0, longest = 0;
	bool clean = true;
	long long took;
	int saved, logfd, ret;
	FILE *in;

	CHECK_INTEQ(wgm_fetcher_spawn(evil, NULL, o, &f), 0);
	if (!f)
		return;
	logfd = mkstemp(logpath);
	CHECK(logfd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(logfd, 2);
	ret = timed_txt(f, "stderr.evil", 10000, &r, &took);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(logfd);
	CHECK_INTEQ(ret, 0);
	CHECK_INTEQ(r.status, WGM_FETCH_OK);
	wgm_fetch_result_free(&r);
	in = fopen(logpath, "r");
	CHECK(in != NULL);
	while (in && fgets(line, sizeof(line), in)) {
		lines++;
		longest = strlen(line) > longest ? (unsigned)strlen(line) : longest;
		clean = clean && !strchr(line, '\033') && strstr(line, "dnsfetch pid ");
	}
	if (in)
		fclose(in);
	unlink(logpath);
	fprintf(stderr, "%-12s answered after %lld ms; %u lines logged, longest %u bytes\n",
		"stderr", took, lines, longest);
	CHECK(lines >= 2 && lines <= 33);
	CHECK(longest < 300);
	CHECK(clean);
	wgm_fetcher_close(f);
}

int main(int argc, char **argv)
{
	struct wgm_fetch_opts o = { 0 };
	char dir[] = "/tmp/wgm-hostile-XXXXXX";
	char path[PATH_MAX + 32];

	if (argc != 2) {
		fprintf(stderr, "usage: hostile_test EVILCHILD\n");
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(argv[1], &o, &cases[i]);
	run_leftover(argv[1], &o);
	run_deaf(dir, argv[1], &o);
	run_stderr(argv[1], &o);
	run_noready(dir, argv[1], &o);
	snprintf(path, sizeof(path), "%s/evilchild-deaf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/evilchild-noready", dir);
	unlink(path);
	rmdir(dir);
	return check_exit();
}
