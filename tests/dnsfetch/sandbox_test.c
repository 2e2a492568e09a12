/* The sandbox wgmesh-dnsfetch enters, applied here to forked children: what the helper needs
 * still works, and each forbidden system call kills the process with SIGSYS. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sandbox.h"

enum probe { PROBE_ALLOWED, PROBE_NETLINK, PROBE_PACKET, PROBE_OPEN, PROBE_EXEC, PROBE_SETUID };

static const char *const probe_names[] = { "allowed", "socket(AF_NETLINK)", "socket(AF_PACKET)",
					    "open(/etc/shadow)", "execve(/bin/true)", "setuid(0)" };

static void child(enum probe p)
{
	char err[256];
	int fd = -1;

	if (wgm_sandbox_enter(NULL, err, sizeof(err))) {
		fprintf(stderr, "sandbox: %s\n", err);
		_exit(20);
	}
	switch (p) {
	case PROBE_ALLOWED:
		/* A UDP socket is what c-ares needs (fetch_test checks the uid from outside). */
		fd = socket(AF_INET6, SOCK_DGRAM, 0);
		if (fd < 0)
			_exit(22);
		close(fd);
		_exit(0);
	case PROBE_NETLINK:
		socket(AF_NETLINK, SOCK_RAW, 0);
		break;
	case PROBE_PACKET:
		socket(AF_PACKET, SOCK_RAW, 0);
		break;
	case PROBE_OPEN:
		open("/etc/shadow", O_RDONLY);
		break;
	case PROBE_EXEC:
		execl("/bin/true", "true", (char *)NULL);
		break;
	case PROBE_SETUID:
		if (setuid(0))
			_exit(23);
		break;
	}
	_exit(30); /* survived a forbidden call */
}

static int run(enum probe p)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		child(p);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

int main(void)
{
	int st = run(PROBE_ALLOWED);

	fprintf(stderr, "%-20s wait status 0x%x\n", probe_names[PROBE_ALLOWED], (unsigned)st);
	CHECK(WIFEXITED(st));
	CHECK_INTEQ(WEXITSTATUS(st), 0);
	for (enum probe p = PROBE_NETLINK; p <= PROBE_SETUID; p++) {
		st = run(p);
		fprintf(stderr, "%-20s wait status 0x%x (%s)\n", probe_names[p], (unsigned)st,
			WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited");
		CHECK(WIFSIGNALED(st));
		CHECK_INTEQ(WTERMSIG(st), SIGSYS);
	}
	return check_exit();
}
