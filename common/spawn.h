/* The one way wgmesh starts a program (wgmesh-dnsfetch, a userspace WireGuard): argv and the
 * whole environment are built by the caller before fork; the child gets exactly the
 * descriptors it is given (everything else is closed at exec), default signal dispositions
 * and an empty signal mask (the run loop blocks SIGTERM, and a mask survives exec), no core
 * files and the caller's resource limits. A pidfd follows it, so waits have deadlines and a
 * kill cannot hit a recycled pid. */
#ifndef WGM_SPAWN_H
#define WGM_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#define WGM_SPAWN_MAX_FDS 8
#define WGM_SPAWN_MAX_LIMITS 8
/* In wgm_spawn.fds: the child's descriptor is opened on /dev/null. */
#define WGM_SPAWN_DEVNULL (-1)

struct wgm_spawn_limit {
	int resource; /* RLIMIT_* */
	rlim_t value; /* soft and hard */
};

struct wgm_spawn {
	const char *path; /* what is run, or only its name in messages when exec_fd is set */
	bool search_path; /* look path up in PATH as execvp does */
	/* > 0: run the file open on this descriptor (fexecve), the one the caller checked, not
	 * whatever path names by then. A script's interpreter reads it through /dev/fd, so the
	 * child keeps it open. 0: run path. */
	int exec_fd;
	char *const *argv;
	char *const *envp; /* the child's whole environment: nothing else is inherited */
	/* Child descriptor i is parent descriptor fds[i] (or /dev/null); 0..2 always exist. */
	int fds[WGM_SPAWN_MAX_FDS];
	size_t n_fds;
	struct wgm_spawn_limit limits[WGM_SPAWN_MAX_LIMITS];
	size_t n_limits;
	bool die_with_parent; /* PR_SET_PDEATHSIG: SIGKILL when the spawner goes (not with detach) */
	/* A daemon: its own session, and not our child (a grandchild, reaped by init), so it may
	 * outlive us; the pidfd still tells when it exits. */
	bool detach;
	/* > 0: the program runs under SCHED_RR at this priority, every thread it makes too (set
	 * before exec, so Go's threads inherit it). Best effort: where realtime is refused
	 * (no CAP_SYS_NICE, RestrictRealtime=) it runs as it would have; the caller can ask
	 * sched_getscheduler(pid) and say so. */
	int rt_priority;
};

struct wgm_child {
	pid_t pid;  /* 0: none */
	int pidfd;  /* -1: none */
	bool ours;  /* our child: ours to reap */
};

/* Starts the program; returns once it has been exec'd (0) or could not be (-errno, err says
 * which step failed, nothing left running). */
int wgm_spawn(const struct wgm_spawn *s, struct wgm_child *c, char *err, size_t errlen);

/* Waits up to timeout_ms (0: only looks) for the child to exit; 0 once it has (then reaped,
 * *status is its wait status, or -1 for a detached one), -ETIMEDOUT while it runs. */
int wgm_child_wait(struct wgm_child *c, int timeout_ms, int *status);
/* SIGKILL through the pidfd, then reaps; *status as above. */
void wgm_child_kill(struct wgm_child *c, int *status);
/* Forgets the child without waiting (a daemon left running): closes the pidfd. */
void wgm_child_release(struct wgm_child *c);
/* "exited with status N" / "killed by signal N (SIGXXX)" for a wait status. */
void wgm_child_describe(int status, char *out, size_t len);

/* A child's stderr, read from a pipe into our log: one log line per line it writes, cut at
 * WGM_CHILD_LOG_LINE bytes, at most max_lines lines per wgm_child_log_reset(). */
#define WGM_CHILD_LOG_LINE 200
struct wgm_child_log {
	int fd; /* read end, non-blocking; -1: none */
	char prefix[48];
	char line[WGM_CHILD_LOG_LINE + 1];
	size_t len;
	bool cut;         /* the current line was too long: the rest is dropped */
	unsigned lines;   /* logged since the last reset */
	unsigned max_lines;
	bool muted;       /* said once that further lines are dropped */
};
/* Reads what is there now (never blocks); on end of file flushes a last partial line and
 * closes the pipe. */
void wgm_child_log_drain(struct wgm_child_log *l);
void wgm_child_log_reset(struct wgm_child_log *l);
void wgm_child_log_close(struct wgm_child_log *l);

#endif
