/* libFuzzer target: the parent's whole fetch path (dnsfetch/child.c: spawn, READY, requests,
 * answers, deadlines, kill and replace) against a real child process whose every word is the
 * fuzzer's: the input is a script that evilchild (tests/dnsfetch/evilchild.c, "-script" mode)
 * plays on the channel and on stderr. Whatever it does, each question ends within its bound,
 * an answer is complete or absent, and no child, zombie or descriptor outlives the fetcher. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The question's budget here; fetch.h adds 2 s before a silent child is killed, and a new
 * child gets 10 s for its READY. */
#define BUDGET_MS 200
#define BOUND_MS (BUDGET_MS + 2000 + 10000 + 2000)

static char dir[PATH_MAX];
static char helper[PATH_MAX + 32];
static char script[PATH_MAX + 32];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void remove_dir(void)
{
	unlink(helper);
	unlink(script);
	rmdir(dir);
}

/* evilchild sits next to this program (run.sh builds both); it runs as DIR/evilchild-script
 * and reads DIR/script. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char self[PATH_MAX], evil[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	(void)argc;
	(void)argv;
	if (n <= 0)
		abort();
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(evil, sizeof(evil), "%s/evilchild", self);
	snprintf(dir, sizeof(dir), "/tmp/wgm-fuzz-child-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(helper, sizeof(helper), "%s/evilchild-script", dir);
	snprintf(script, sizeof(script), "%s/script", dir);
	if (symlink(evil, helper))
		abort();
	atexit(remove_dir);
	/* The parent's own warnings (a child killed, its stderr) would drown libFuzzer's output. */
	wgm_log_threshold = WGM_LOG_ERR;
	return 0;
}

static void write_script(const uint8_t *data, size_t size)
{
	int fd = open(script, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

static void check_answer(int ret, const struct wgm_fetch_result *r, long long took)
{
	if (took > BOUND_MS)
		__builtin_trap(); /* a question outlived every deadline */
	if (r->status == WGM_FETCH_OK && (ret != 0 || r->txt.n == 0))
		__builtin_trap(); /* OK always carries strings */
	if (ret < 0 && (r->status != WGM_FETCH_ERROR || r->txt.n != 0 || !r->detail[0]))
		__builtin_trap(); /* a failed question holds no half answer and says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgm_fetch_opts o = { 0 };
	struct wgm_fetcher *f = NULL;
	struct wgm_fetch_result r;
	pid_t pids[3] = { 0 };
	int probe, ret;

	if (size > 4096)
		return -1;
	write_script(data, size);
	probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(probe);
	if (wgm_fetcher_spawn(helper, NULL, &o, &f) == 0) {
		/* Three questions: a child that broke is replaced by one playing the script anew. */
		for (int q = 0; q < 3; q++) {
			long long t0 = now_ms();

			ret = q == 1 ? wgm_fetcher_addrs(f, "b.example", BUDGET_MS, &r)
				     : wgm_fetcher_txt(f, "a.example", BUDGET_MS, &r);
			check_answer(ret, &r, now_ms() - t0);
			pids[q] = wgm_fetcher_pid(f);
			wgm_fetch_result_free(&r);
		}
		wgm_fetcher_close(f);
	}
	for (int q = 0; q < 3; q++)
		if (pids[q] > 0 && kill(pids[q], 0) == 0)
			__builtin_trap(); /* a child outlived its fetcher */
	if (waitpid(-1, NULL, WNOHANG) > 0)
		__builtin_trap(); /* a child was left unreaped */
	ret = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(ret);
	if (ret != probe)
		__builtin_trap(); /* a descriptor leaked */
	return 0;
}
