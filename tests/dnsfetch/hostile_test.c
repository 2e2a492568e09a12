/* The parent against a hostile child (evilchild.c): every lie is reported as an error naming
 * it, the child is killed and never asked again, and the parent itself carries on. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fetch.h"

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
	{ "empty", 0, "closed its channel (or sent an empty frame) without exiting; dnsfetch killed" },
	{ "diemid", 0, "dnsfetch died: exited with status 3" },
	{ "silent", 500, "no answer for silent.evil within 2500 ms" },
	{ "sigsys", 0, "dnsfetch died: killed by signal 31 (SIGSYS: seccomp)" },
};

static void run_case(const char *evil, const struct wgm_fetch_opts *o,
		     const struct hostile_case *c)
{
	struct wgm_fetcher *f = NULL;
	struct wgm_fetch_result r;
	char name[64];
	int ret;

	snprintf(name, sizeof(name), "%s.evil", c->mode);
	CHECK_INTEQ(wgm_fetcher_spawn(evil, NULL, o, &f), 0);
	if (!f)
		return;
	/* The same fake child answers honestly first: the parser is not just refusing all. */
	ret = wgm_fetcher_txt(f, "good.evil", 10000, &r);
	CHECK_INTEQ(ret, 0);
	CHECK_INTEQ(r.status, WGM_FETCH_OK);
	CHECK_INTEQ(r.txt.n, 1);
	wgm_fetch_result_free(&r);

	ret = wgm_fetcher_txt(f, name, c->timeout_ms ? c->timeout_ms : 10000, &r);
	fprintf(stderr, "%-12s ret %d: %s\n", c->mode, ret, r.detail);
	CHECK(ret < 0);
	CHECK_INTEQ(r.status, WGM_FETCH_ERROR);
	CHECK_INTEQ(r.txt.n, 0);
	if (!strstr(r.detail, c->detail)) {
		fprintf(stderr, "  expected the error to contain: %s\n", c->detail);
		CHECK(!"error detail");
	}
	wgm_fetch_result_free(&r);
	CHECK_INTEQ(wgm_fetcher_pid(f), 0);
	/* Broken stays broken: no second question to a child that lied. */
	CHECK_INTEQ(wgm_fetcher_txt(f, "good.evil", 10000, &r), -EPIPE);
	CHECK(strstr(r.detail, c->detail) != NULL);
	wgm_fetch_result_free(&r);
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

int main(int argc, char **argv)
{
	struct wgm_fetch_opts o = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: hostile_test EVILCHILD\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(argv[1], &o, &cases[i]);
	run_leftover(argv[1], &o);
	return check_exit();
}
