/* Every result kind of the fetch API, through both transports, against the knotd that
 * dns_test.sh starts; and the sandboxed child inspected from outside while it serves. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fetch.h"
#include "resolve.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "fetch_test: %s is not set (run through dns_test.sh)\n", name);
		exit(2);
	}
	return v;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lines of a record file, sorted: the RRset as a set, since DNS returns RRs in any order. */
static void load_lines(const char *path, struct wgm_strv *out)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "fetch_test: cannot open %s\n", path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && wgm_strv_push(out, line))
			exit(2);
	}
	fclose(f);
	qsort(out->v, out->n, sizeof(char *), cmp_str);
}

static void check_same_set(const char *what, struct wgm_strv *got, const struct wgm_strv *want)
{
	size_t i;

	qsort(got->v, got->n, sizeof(char *), cmp_str);
	CHECK_INTEQ(got->n, want->n);
	for (i = 0; i < got->n && i < want->n; i++) {
		if (strcmp(got->v[i], want->v[i])) {
			fprintf(stderr, "%s: string %zu differs:\n  got:      %s\n  expected: %s\n", what,
				i, got->v[i], want->v[i]);
			CHECK(!"RRset differs");
			return;
		}
	}
}

/* One transport: in-process when f is NULL, else through the child. */
static int lookup(struct wgm_fetcher *f, const struct wgm_fetch_opts *o, const char *name,
		  struct wgm_fetch_result *r)
{
	return f ? wgm_fetcher_txt(f, name, 0, r) : wgm_fetch_txt(o, name, r);
}

static void expect_txt(struct wgm_fetcher *f, const struct wgm_fetch_opts *o, const char *name,
		       const char *record_file)
{
	struct wgm_fetch_result r;
	struct wgm_strv want = { 0 };
	int ret = lookup(f, o, name, &r);

	fprintf(stderr, "  TXT %s: ret %d, %s %s, %zu strings\n", name, ret,
		wgm_fetch_status_str(r.status), r.detail, r.txt.n);
	CHECK_INTEQ(ret, 0);
	CHECK_INTEQ(r.status, WGM_FETCH_OK);
	load_lines(record_file, &want);
	check_same_set(name, &r.txt, &want);
	wgm_strv_free(&want);
	wgm_fetch_result_free(&r);
}

static void expect_status(struct wgm_fetcher *f, const struct wgm_fetch_opts *o,
			  const char *name, enum wgm_fetch_status want)
{
	struct wgm_fetch_result r;
	int ret = lookup(f, o, name, &r);

	fprintf(stderr, "  TXT %s: ret %d, %s (%s), want %s\n", name, ret,
		wgm_fetch_status_str(r.status), r.detail, wgm_fetch_status_str(want));
	CHECK_INTEQ(ret, 0);
	CHECK_INTEQ(r.status, want);
	CHECK_INTEQ(r.txt.n, 0);
	wgm_fetch_result_free(&r);
}

static void expect_joined(struct wgm_fetcher *f, const struct wgm_fetch_opts *o)
{
	struct wgm_fetch_result r;
	int ret = lookup(f, o, "multi.wg.example.com", &r);

	CHECK_INTEQ(ret, 0);
	CHECK_INTEQ(r.status, WGM_FETCH_OK);
	CHECK_INTEQ(r.txt.n, 2);
	if (r.txt.n == 2) {
		qsort(r.txt.v, r.txt.n, sizeof(char *), cmp_str);
		/* The RR "0:ab" "cd" "ef" is one string; the second RR stays apart. */
		CHECK_STREQ(r.txt.v[0], "0:abcdef");
		CHECK_STREQ(r.txt.v[1], "1:gh");
	}
	wgm_fetch_result_free(&r);
}

static void run_transport(struct wgm_fetcher *f, const struct wgm_fetch_opts *o,
			  const struct wgm_fetch_opts *silent, const char *fixtures,
			  const char *big)
{
	char path[4096], name[300];
	static const char *const uuids[] = { "6fc94b76-f857-4dce-942c-47df480cdda3",
					     "7dd3ebe3-e116-4121-b4ac-4405149a930e" };
	struct wgm_fetch_result r;

	snprintf(path, sizeof(path), "%s/records/wg.example.com.txt", fixtures);
	expect_txt(f, o, "wg.example.com", path);
	for (size_t i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s.wg.example.com", uuids[i]);
		snprintf(path, sizeof(path), "%s/records/%s.wg.example.com.txt", fixtures, uuids[i]);
		expect_txt(f, o, name, path);
	}
	expect_txt(f, o, "big.wg.example.com", big);
	expect_joined(f, o);
	expect_status(f, o, "aonly.wg.example.com", WGM_FETCH_NODATA);
	expect_status(f, o, "missing.wg.example.com", WGM_FETCH_NXDOMAIN);
	expect_status(f, o, "www.broken.test", WGM_FETCH_SERVFAIL);
	expect_status(f, o, "www.not-served.test", WGM_FETCH_REFUSED);

	CHECK_INTEQ(lookup(f, o, "bad name!", &r), -EINVAL);
	CHECK_INTEQ(r.status, WGM_FETCH_ERROR);
	fprintf(stderr, "  bad name: %s\n", r.detail);
	wgm_fetch_result_free(&r);

	if (f) {
		CHECK_INTEQ(wgm_fetcher_txt(f, "missing.wg.example.com", 0, &r), 0);
		wgm_fetch_result_free(&r);
	} else {
		expect_status(NULL, silent, "wg.example.com", WGM_FETCH_TIMEOUT);
	}
}

static void expect_addrs(struct wgm_fetcher *f)
{
	struct wgm_fetch_result r;
	struct wgm_strv want = { 0 };

	CHECK_INTEQ(wgm_fetcher_addrs(f, "host.wg.example.com", 0, &r), 0);
	CHECK_INTEQ(r.status, WGM_FETCH_OK);
	wgm_strv_push(&want, "192.0.2.10");
	wgm_strv_push(&want, "2001:db8::10");
	qsort(want.v, want.n, sizeof(char *), cmp_str);
	check_same_set("host addresses", &r.txt, &want);
	wgm_strv_free(&want);
	wgm_fetch_result_free(&r);

	CHECK_INTEQ(wgm_fetcher_addrs(f, "aonly.wg.example.com", 0, &r), 0);
	CHECK_INTEQ(r.status, WGM_FETCH_OK);
	CHECK_INTEQ(r.txt.n, 1);
	if (r.txt.n == 1)
		CHECK_STREQ(r.txt.v[0], "192.0.2.20");
	wgm_fetch_result_free(&r);

	CHECK_INTEQ(wgm_fetcher_addrs(f, "missing.wg.example.com", 0, &r), 0);
	CHECK_INTEQ(r.status, WGM_FETCH_NXDOMAIN);
	wgm_fetch_result_free(&r);

	CHECK_INTEQ(wgm_fetcher_addrs(f, "multi.wg.example.com", 0, &r), 0);
	CHECK_INTEQ(r.status, WGM_FETCH_NODATA);
	wgm_fetch_result_free(&r);
}

/* Value of "Key:" in /proc/PID/status, whitespace squeezed to single spaces. */
static void proc_field(pid_t pid, const char *key, char *out, size_t len)
{
	char path[64], line[512];
	size_t klen = strlen(key);
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		size_t n = 0;
		for (char *p = line + klen + 1; *p && *p != '\n' && n + 1 < len; p++) {
			if ((*p == ' ' || *p == '\t') && (n == 0 || out[n - 1] == ' '))
				continue;
			out[n++] = *p == '\t' ? ' ' : *p;
		}
		while (n && out[n - 1] == ' ')
			n--;
		out[n] = '\0';
	}
	fclose(f);
}

static void check_sandboxed(pid_t pid)
{
	char v[256];
	unsigned long u[4] = { 0 };

	CHECK(pid > 0);
	proc_field(pid, "Uid", v, sizeof(v));
	fprintf(stderr, "  child %d Uid: %s\n", (int)pid, v);
	CHECK_INTEQ(sscanf(v, "%lu %lu %lu %lu", &u[0], &u[1], &u[2], &u[3]), 4);
	CHECK(u[0] && u[1] && u[2] && u[3]);
	proc_field(pid, "Gid", v, sizeof(v));
	fprintf(stderr, "  child Gid: %s\n", v);
	CHECK_INTEQ(sscanf(v, "%lu %lu %lu %lu", &u[0], &u[1], &u[2], &u[3]), 4);
	CHECK(u[0] && u[1] && u[2] && u[3]);
	proc_field(pid, "Groups", v, sizeof(v));
	if (geteuid() == 0)
		CHECK_STREQ(v, "");
	proc_field(pid, "CapEff", v, sizeof(v));
	CHECK_STREQ(v, "0000000000000000");
	proc_field(pid, "CapPrm", v, sizeof(v));
	CHECK_STREQ(v, "0000000000000000");
	proc_field(pid, "CapInh", v, sizeof(v));
	CHECK_STREQ(v, "0000000000000000");
	proc_field(pid, "CapAmb", v, sizeof(v));
	CHECK_STREQ(v, "0000000000000000");
	if (geteuid() == 0) {
		proc_field(pid, "CapBnd", v, sizeof(v));
		CHECK_STREQ(v, "0000000000000000");
	}
	proc_field(pid, "NoNewPrivs", v, sizeof(v));
	CHECK_STREQ(v, "1");
	proc_field(pid, "Seccomp", v, sizeof(v));
	CHECK_STREQ(v, "2");
}

static void check_spawn_failures(const char *helper, const struct wgm_fetch_opts *o)
{
	struct wgm_fetcher *f = NULL;

	fprintf(stderr, "spawn failures (errors below are expected):\n");
	CHECK(wgm_fetcher_spawn("/nonexistent/wgmesh-dnsfetch", NULL, o, &f) < 0);
	CHECK(f == NULL);
	if (geteuid() == 0) {
		CHECK(wgm_fetcher_spawn(helper, "no-such-user-wgm", o, &f) < 0);
		CHECK(f == NULL);
		CHECK(wgm_fetcher_spawn(helper, "root", o, &f) < 0);
		CHECK(f == NULL);
	}
}

int main(void)
{
	const char *helper = env("WGM_DNSFETCH");
	const char *fixtures = env("WGM_FIXTURES");
	const char *big = env("WGM_BIG_RECORDS");
	struct wgm_fetch_opts o = { .timeout_ms = 3000, .tries = 2 };
	struct wgm_fetch_opts silent = { .timeout_ms = 300, .tries = 1 };
	struct wgm_fetcher *f = NULL, *fs = NULL;
	struct wgm_fetch_result r;
	char err[256];
	pid_t pid;

	CHECK_INTEQ(wgm_fetch_opts_add_server(&o, env("WGM_DNS_SERVER"), err, sizeof(err)), 0);
	CHECK_INTEQ(wgm_fetch_opts_add_server(&silent, env("WGM_SILENT_SERVER"), err, sizeof(err)),
		    0);

	fprintf(stderr, "in-process transport:\n");
	run_transport(NULL, &o, &silent, fixtures, big);

	fprintf(stderr, "child transport:\n");
	CHECK_INTEQ(wgm_fetcher_spawn(helper, NULL, &o, &f), 0);
	if (f) {
		pid = wgm_fetcher_pid(f);
		check_sandboxed(pid);
		run_transport(f, &o, &silent, fixtures, big);
		expect_addrs(f);
		/* Still the same child: every result kind, and it is still caged. */
		CHECK_INTEQ(wgm_fetcher_pid(f), pid);
		check_sandboxed(pid);
		wgm_fetcher_close(f);
		CHECK(kill(pid, 0) == -1 && errno == ESRCH);
	}
	CHECK_INTEQ(wgm_fetcher_spawn(helper, NULL, &silent, &fs), 0);
	if (fs) {
		CHECK_INTEQ(wgm_fetcher_txt(fs, "wg.example.com", 0, &r), 0);
		CHECK_INTEQ(r.status, WGM_FETCH_TIMEOUT);
		fprintf(stderr, "  silent server: %s (%s)\n", wgm_fetch_status_str(r.status), r.detail);
		wgm_fetch_result_free(&r);
		CHECK(wgm_fetcher_pid(fs) > 0);
		wgm_fetcher_close(fs);
	}
	/* c-ares alone would try for 3+6+12 s; the caller's 1 s budget makes the child answer
	 * TIMEOUT by then, and it stays up for the next question. */
	silent.timeout_ms = 3000;
	silent.tries = 3;
	fs = NULL;
	CHECK_INTEQ(wgm_fetcher_spawn(helper, NULL, &silent, &fs), 0);
	if (fs) {
		pid = wgm_fetcher_pid(fs);
		CHECK_INTEQ(wgm_fetcher_txt(fs, "wg.example.com", 1000, &r), 0);
		CHECK_INTEQ(r.status, WGM_FETCH_TIMEOUT);
		CHECK(strstr(r.detail, "no answer within 1000 ms") != NULL);
		fprintf(stderr, "  silent server, 1 s budget: %s (%s)\n",
			wgm_fetch_status_str(r.status), r.detail);
		wgm_fetch_result_free(&r);
		CHECK_INTEQ(wgm_fetcher_addrs(fs, "host.wg.example.com", 500, &r), 0);
		CHECK_INTEQ(r.status, WGM_FETCH_TIMEOUT);
		wgm_fetch_result_free(&r);
		CHECK_INTEQ(wgm_fetcher_pid(fs), pid);
		wgm_fetcher_close(fs);
	}
	check_spawn_failures(helper, &o);
	return check_exit();
}
