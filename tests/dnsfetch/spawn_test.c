/* The one spawn helper (common/spawn.c) on its own: a program that cannot run is reported by
 * name with nothing left behind; a wait has a deadline and a kill goes through the pidfd; a
 * detached daemon is in its own session, not our child, and still followed by its pidfd. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "spawn.h"

static char *env[] = { "PATH=/usr/bin:/bin", NULL };

static struct wgm_spawn plain(char **argv)
{
	return (struct wgm_spawn){
		.path = argv[0],
		.argv = argv,
		.envp = env,
		.fds = { WGM_SPAWN_DEVNULL, WGM_SPAWN_DEVNULL, 2 },
		.n_fds = 3,
	};
}

/* Field 4 (ppid) and 6 (session) of /proc/PID/stat. */
static void stat_of(pid_t pid, long *ppid, long *sid)
{
	char path[64], buf[512], *p;
	FILE *in;

	*ppid = *sid = -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	in = fopen(path, "r");
	if (!in)
		return;
	if (fgets(buf, sizeof(buf), in) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %ld %*d %ld", ppid, sid);
	fclose(in);
}

int main(void)
{
	char *missing[] = { "/nonexistent/wgm-program", NULL };
	char *sleeper[] = { "sleep", "30", NULL };
	struct wgm_spawn sp;
	struct wgm_child c;
	char err[256];
	long ppid, sid;
	int status;

	sp = plain(missing);
	CHECK_INTEQ(wgm_spawn(&sp, &c, err, sizeof(err)), -ENOENT);
	CHECK_STREQ(err, "cannot run /nonexistent/wgm-program: No such file or directory");
	CHECK_INTEQ(c.pid, 0);
	CHECK_INTEQ(c.pidfd, -1);
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);

	sp = plain(sleeper);
	sp.search_path = true;
	CHECK_INTEQ(wgm_spawn(&sp, &c, err, sizeof(err)), 0);
	CHECK(c.pid > 0 && c.pidfd >= 0 && c.ours);
	stat_of(c.pid, &ppid, &sid);
	CHECK_INTEQ(ppid, getpid());
	CHECK_INTEQ(wgm_child_wait(&c, 100, &status), -ETIMEDOUT);
	wgm_child_kill(&c, &status);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_INTEQ(c.pid, 0);
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);

	sp.detach = true;
	CHECK_INTEQ(wgm_spawn(&sp, &c, err, sizeof(err)), 0);
	CHECK(c.pid > 0 && c.pidfd >= 0 && !c.ours);
	stat_of(c.pid, &ppid, &sid);
	CHECK(ppid != getpid());
	CHECK(sid != getsid(0));
	CHECK_INTEQ(wgm_child_wait(&c, 100, &status), -ETIMEDOUT);
	wgm_child_kill(&c, &status);
	CHECK_INTEQ(c.pid, 0);
	CHECK_INTEQ(status, -1); /* not ours to reap: init does */

	sp.die_with_parent = true;
	CHECK_INTEQ(wgm_spawn(&sp, &c, err, sizeof(err)), -EINVAL);
	return check_exit();
}
