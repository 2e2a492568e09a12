/* common/log.c: plain lines on a terminal or file; sd-daemon "<N>" priorities only while stderr
 * is the stream JOURNAL_STREAM names (as systemd sets it), checked by dev:ino, not by trust;
 * -q -v -d, the most verbose one given winning whatever the order. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

/* Logs one line per level with stderr on a fresh file and JOURNAL_STREAM from mode:
 * 0 unset, 1 the file's dev:ino, 2 another inode, 3 garbage. Returns what was written. */
static char *log_levels(int mode)
{
	static char out[1024];
	char path[] = "/tmp/wgm-test-log.XXXXXX", env[64];
	int fd = mkstemp(path), saved = dup(2);
	struct stat st;
	ssize_t n;

	CHECK(fd >= 0 && saved >= 0 && fstat(fd, &st) == 0);
	unlink(path);
	if (mode == 0)
		unsetenv("JOURNAL_STREAM");
	else if (mode == 3)
		setenv("JOURNAL_STREAM", "8:12x", 1);
	else {
		snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino + (mode == 2));
		setenv("JOURNAL_STREAM", env, 1);
	}
	fflush(stderr);
	dup2(fd, 2);
	wgm_log_init("tlog");
	log_err("e %d", 1);
	log_warn("w");
	log_notice("n");
	log_info("i");
	log_debug("d");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, sizeof(out) - 1, 0);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

/* The threshold after the flags in opts, given in that order to a fresh process (the helper
 * remembers what came before, as one command line does). */
static int threshold_after(const char *opts)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		for (const char *o = opts; *o; o++)
			if (!wgm_log_verbosity(*o))
				_exit(100);
		_exit((int)wgm_log_threshold);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_verbosity(void)
{
	CHECK_INTEQ(threshold_after(""), WGM_LOG_NOTICE);
	CHECK_INTEQ(threshold_after("q"), WGM_LOG_ERR);
	CHECK_INTEQ(threshold_after("v"), WGM_LOG_INFO);
	CHECK_INTEQ(threshold_after("d"), WGM_LOG_DEBUG);
	CHECK_INTEQ(threshold_after("dv"), WGM_LOG_DEBUG); /* wgmesh-net ended at INFO */
	CHECK_INTEQ(threshold_after("vd"), WGM_LOG_DEBUG);
	CHECK_INTEQ(threshold_after("qv"), WGM_LOG_INFO);
	CHECK_INTEQ(threshold_after("vq"), WGM_LOG_INFO);
	CHECK_INTEQ(threshold_after("dq"), WGM_LOG_DEBUG);
	CHECK_INTEQ(threshold_after("qq"), WGM_LOG_ERR);
	CHECK_INTEQ(threshold_after("x"), 100);            /* not a verbosity flag */
}

int main(void)
{
	static const char plain[] = "tlog: error: e 1\ntlog: warning: w\ntlog: n\ntlog: i\ntlog: debug: d\n";

	wgm_log_threshold = WGM_LOG_DEBUG;
	CHECK_STREQ(log_levels(0), plain);
	CHECK_STREQ(log_levels(1), "<3>tlog: error: e 1\n<4>tlog: warning: w\n<5>tlog: n\n<6>tlog: i\n"
				   "<7>tlog: debug: d\n");
	CHECK_STREQ(log_levels(2), plain);
	CHECK_STREQ(log_levels(3), plain);
	wgm_log_threshold = WGM_LOG_NOTICE;
	CHECK_STREQ(log_levels(1), "<3>tlog: error: e 1\n<4>tlog: warning: w\n<5>tlog: n\n");
	test_verbosity();
	return check_exit();
}
