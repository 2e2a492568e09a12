#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* What the child reports through the status pipe when a step before exec fails. */
enum spawn_step { STEP_PID = -1, STEP_SETSID, STEP_DEATHSIG, STEP_DEVNULL, STEP_FDS, STEP_LIMIT, STEP_FORK, STEP_EXEC };
static const char *const step_name[] = {
	[STEP_SETSID] = "setsid",
	[STEP_DEATHSIG] = "PR_SET_PDEATHSIG",
	[STEP_DEVNULL] = "opening /dev/null",
	[STEP_FDS] = "placing descriptors",
	[STEP_LIMIT] = "setting a resource limit",
	[STEP_FORK] = "forking the daemon",
};

/* Also carries the daemon's pid (step STEP_PID), so every read is of one size. */
struct spawn_report {
	int32_t step;
	int32_t err;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn)) child_fail(int report_fd, enum spawn_step step)
{
	struct spawn_report r = { .step = step, .err = errno };

	if (write(report_fd, &r, sizeof(r)) < 0)
		_exit(127);
	_exit(127);
}

/* Between fork and exec: async-signal-safe calls only, no allocation. Every signal is blocked
 * on entry (the parent blocked them around fork), so no handler of the parent runs here. */
static void __attribute__((noreturn)) exec_child(const struct wgm_spawn *s, int report_fd,
						 pid_t parent)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int moved[WGM_SPAWN_MAX_FDS], exec_fd = -1;
	sigset_t none;

	/* A handler the parent installed would be reset by exec anyway; an ignored signal (SIG_IGN)
	 * would not. SIGKILL, SIGSTOP and libc's own signals refuse: nothing to reset there. */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	if (s->die_with_parent && (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent))
		child_fail(report_fd, STEP_DEATHSIG);
	/* The report pipe and every source go above the target numbers first: a source may sit on
	 * another's target (fd 0 closed in the parent, say). */
	report_fd = fcntl(report_fd, F_DUPFD_CLOEXEC, (int)s->n_fds);
	if (report_fd < 0)
		_exit(127);
	for (size_t i = 0; i < s->n_fds; i++) {
		int src = s->fds[i];

		if (src == WGM_SPAWN_DEVNULL) {
			src = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (src < 0)
				child_fail(report_fd, STEP_DEVNULL);
		}
		moved[i] = fcntl(src, F_DUPFD_CLOEXEC, (int)s->n_fds);
		if (moved[i] < 0)
			child_fail(report_fd, STEP_FDS);
	}
	if (s->exec_fd > 0 && (exec_fd = fcntl(s->exec_fd, F_DUPFD_CLOEXEC, (int)s->n_fds)) < 0)
		child_fail(report_fd, STEP_FDS);
	for (size_t i = 0; i < s->n_fds; i++)
		if (dup2(moved[i], (int)i) != (int)i)
			child_fail(report_fd, STEP_FDS);
	/* Everything else, whatever the manager holds (netlink sockets, pidfds, the other end of
	 * the channel), is gone at exec; the program's own descriptor stays for an interpreter. */
	if (close_range((unsigned)s->n_fds, ~0U, CLOSE_RANGE_CLOEXEC) ||
	    (exec_fd >= 0 && fcntl(exec_fd, F_SETFD, 0)))
		child_fail(report_fd, STEP_FDS);
	if (setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 }))
		child_fail(report_fd, STEP_LIMIT);
	for (size_t i = 0; i < s->n_limits; i++) {
		struct rlimit rl = { s->limits[i].value, s->limits[i].value };

		if (setrlimit((__rlimit_resource_t)s->limits[i].resource, &rl))
			child_fail(report_fd, STEP_LIMIT);
	}
	if (s->rt_priority > 0) {
		struct sched_param sp = { .sched_priority = s->rt_priority };

		(void)sched_setscheduler(0, SCHED_RR, &sp); /* best effort, see spawn.h */
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (exec_fd >= 0)
		fexecve(exec_fd, s->argv, s->envp);
	else if (s->search_path)
		execvpe(s->path, s->argv, s->envp);
	else
		execve(s->path, s->argv, s->envp);
	child_fail(report_fd, STEP_EXEC);
}

/* A daemon's first child: a new session, then the daemon as its child. It reports the
 * daemon's pid and stays until the parent has opened a pidfd on it (closing hold_fd), so the
 * pid cannot be recycled in between: an exited daemon stays a zombie of this process. */
static void __attribute__((noreturn)) detach_child(const struct wgm_spawn *s, int report_fd,
						   int hold_fd)
{
	struct spawn_report r = { .step = STEP_PID };
	char c;
	pid_t daemon;

	if (setsid() < 0)
		child_fail(report_fd, STEP_SETSID);
	daemon = fork();
	if (daemon < 0)
		child_fail(report_fd, STEP_FORK);
	if (daemon == 0)
		exec_child(s, report_fd, getppid());
	r.err = daemon;
	if (write(report_fd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	while (read(hold_fd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static int pidfd_open_pid(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void reap_quietly(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static ssize_t read_full(int fd, void *p, size_t len)
{
	ssize_t n;

	do
		n = read(fd, p, len);
	while (n < 0 && errno == EINTR);
	return n;
}

int wgm_spawn(const struct wgm_spawn *s, struct wgm_child *c, char *err, size_t errlen)
{
	int report[2] = { -1, -1 }, hold[2] = { -1, -1 };
	struct spawn_report rep;
	sigset_t all, old;
	pid_t pid, self, first = 0;
	ssize_t n = 0;
	int ret = 0;

	c->pid = 0;
	c->pidfd = -1;
	c->ours = !s->detach;
	/* A detached daemon's parent exits at once: a death signal would kill it with it. */
	if (s->n_fds < 3 || s->n_fds > WGM_SPAWN_MAX_FDS || s->n_limits > WGM_SPAWN_MAX_LIMITS ||
	    (s->detach && s->die_with_parent)) {
		snprintf(err, errlen,
			 "starting %s: %zu descriptors, %zu limits, detach %d with death signal %d asked",
			 s->path, s->n_fds, s->n_limits, s->detach, s->die_with_parent);
		return -EINVAL;
	}
	if (pipe2(report, O_CLOEXEC) || (s->detach && pipe2(hold, O_CLOEXEC))) {
		ret = -errno;
		snprintf(err, errlen, "starting %s: pipe: %s", s->path, strerror(errno));
		goto out;
	}
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	self = getpid();
	pid = fork();
	if (pid == 0 && s->detach) {
		close(hold[1]);
		detach_child(s, report[1], hold[0]);
	}
	if (pid == 0)
		exec_child(s, report[1], self);
	ret = pid < 0 ? -errno : 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		snprintf(err, errlen, "starting %s: fork: %s", s->path, strerror(-ret));
		goto out;
	}
	close(report[1]);
	report[1] = -1;
	if (s->detach) {
		first = pid;
		close(hold[0]);
		hold[0] = -1;
		n = read_full(report[0], &rep, sizeof(rep));
		pid = n == sizeof(rep) && rep.step == STEP_PID ? rep.err : 0;
	}
	if (pid > 0) {
		c->pid = pid;
		c->pidfd = pidfd_open_pid(pid);
		if (c->pidfd < 0)
			ret = -errno;
	}
	if (s->detach) {
		close(hold[1]);
		hold[1] = -1;
		reap_quietly(first);
	}
	/* End of file: the program runs (the pipe closed at exec). A report: it could not. (A
	 * first child that failed has sent its report already.) */
	if (c->pid > 0)
		n = read_full(report[0], &rep, sizeof(rep));
	if (n == sizeof(rep) || c->pid <= 0) {
		if (n != sizeof(rep) || rep.step < 0)
			rep = (struct spawn_report){ STEP_FORK, ECHILD };
		ret = rep.err ? -rep.err : -ECHILD;
		if (rep.step == STEP_EXEC)
			snprintf(err, errlen, "cannot run %s: %s", s->path, strerror(rep.err));
		else
			snprintf(err, errlen, "cannot start %s: %s: %s", s->path,
				 (size_t)rep.step < sizeof(step_name) / sizeof(step_name[0])
					 ? step_name[rep.step]
					 : "?",
				 strerror(rep.err));
		if (c->ours && c->pid > 0)
			reap_quietly(c->pid);
		wgm_child_release(c);
	} else if (ret) {
		snprintf(err, errlen, "starting %s: pidfd_open: %s", s->path, strerror(-ret));
		if (c->ours) {
			kill(c->pid, SIGKILL);
			reap_quietly(c->pid);
		}
		wgm_child_release(c);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (report[i] >= 0)
			close(report[i]);
		if (hold[i] >= 0)
			close(hold[i]);
	}
	return ret;
}

int wgm_child_wait(struct wgm_child *c, int timeout_ms, int *status)
{
	struct pollfd pfd = { .fd = c->pidfd, .events = POLLIN };
	long long deadline = now_ms() + timeout_ms;
	int left, ready;

	*status = -1;
	if (c->pid <= 0)
		return 0;
	do {
		left = (int)(deadline - now_ms());
		ready = poll(&pfd, 1, left > 0 ? left : 0);
	} while (ready < 0 && errno == EINTR);
	if (ready < 0)
		return -errno;
	if (ready == 0)
		return -ETIMEDOUT;
	/* Readable pidfd: it has exited, so this waitpid does not block. */
	if (c->ours)
		while (waitpid(c->pid, status, 0) < 0 && errno == EINTR)
			;
	wgm_child_release(c);
	return 0;
}

void wgm_child_kill(struct wgm_child *c, int *status)
{
	*status = -1;
	if (c->pid <= 0)
		return;
	if (c->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
	else if (c->ours)
		kill(c->pid, SIGKILL);
	/* SIGKILL cannot be refused: a short wait is enough, and only a detached process that
	 * is not ours could take longer. */
	wgm_child_wait(c, 5000, status);
	wgm_child_release(c);
}

void wgm_child_release(struct wgm_child *c)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	c->pid = 0;
}

void wgm_child_describe(int status, char *out, size_t len)
{
	if (status == -1) {
		snprintf(out, len, "ended (status unknown)");
	} else if (WIFEXITED(status)) {
		snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);

		snprintf(out, len, "killed by signal %d (SIG%s%s)", sig, abbrev ? abbrev : "?",
			 sig == SIGSYS ? ": seccomp" : "");
	} else {
		snprintf(out, len, "stopped with wait status 0x%x", (unsigned)status);
	}
}

static void log_line(struct wgm_child_log *l)
{
	if (l->lines >= l->max_lines) {
		if (!l->muted)
			log_warn("%s: more output, not logged", l->prefix);
		l->muted = true;
	} else {
		l->line[l->len] = '\0';
		log_warn("%s: %s%s", l->prefix, l->line, l->cut ? " [cut]" : "");
		l->lines++;
	}
	l->len = 0;
	l->cut = false;
}

void wgm_child_log_drain(struct wgm_child_log *l)
{
	char buf[1024];
	ssize_t n;

	/* At most 64 KiB a call: a child writing without end does not keep us here. */
	for (int reads = 0; l->fd >= 0 && reads < 64; reads++) {
		n = read(l->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN: nothing more now */
		if (n == 0) {
			if (l->len || l->cut)
				log_line(l);
			wgm_child_log_close(l);
			return;
		}
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buf[i];

			if (ch == '\n') {
				log_line(l);
			} else if (l->len < WGM_CHILD_LOG_LINE) {
				/* Our log is one line per message: control bytes become '?'. */
				l->line[l->len++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
			} else {
				l->cut = true;
			}
		}
	}
}

void wgm_child_log_reset(struct wgm_child_log *l)
{
	l->lines = 0;
	l->muted = false;
}

void wgm_child_log_close(struct wgm_child_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	l->len = 0;
	l->cut = false;
}
