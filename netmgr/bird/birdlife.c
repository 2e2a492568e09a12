#include "birdlife.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "birdconf.h"
#include "birdctl.h"
#include "log.h"
#include "portcheck.h"
#include "sockdiag.h"

static bool is_bird(pid_t pid)
{
	char path[64], comm[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return !strcmp(comm, "bird\n");
}

static int probe(int fd, void *ctx)
{
	struct bird_where *w = ctx;
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	struct port_holder h = { 0 };
	struct nl_err e = { 0 };
	char why[300];
	int ret;

	w->answers = true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		cred.pid = 0;
	ret = sockdiag_unix_peer(fd, &h.inode, &e);
	if (ret == 0)
		ret = portcheck_owners(&h, 1, cred.pid);
	else if (cred.pid > 0 && is_bird(cred.pid)) {
		h.pid = cred.pid;
		snprintf(h.comm, sizeof(h.comm), "bird");
		ret = 0;
	}
	if (ret < 0) {
		snprintf(w->err, sizeof(w->err), "cannot tell which process answers on %s: %s", w->sock,
			 nl_err_str(&e, ret, why, sizeof(why)));
		return 0;
	}
	if (!h.pid)
		snprintf(w->err, sizeof(w->err), "no process holds BIRD's end of a connection to %s",
			 w->sock);
	w->pid = h.pid;
	memcpy(w->comm, h.comm, sizeof(w->comm));
	return 0;
}

void bird_locate(const char *netns, int nsfd, struct bird_where *w)
{
	struct stat want, have;
	char path[64];

	memset(w, 0, sizeof(*w));
	if (birdgen_socket_path(NULL, netns, w->sock, sizeof(w->sock)) < 0) {
		snprintf(w->err, sizeof(w->err), "no BIRD socket path for namespace \"%s\"", netns);
		return;
	}
	if (birdctl_probe(w->sock, probe, w, w->err, sizeof(w->err)) < 0 || !w->pid)
		return;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)w->pid);
	if (stat(path, &have) < 0) {
		snprintf(w->err, sizeof(w->err), "cannot see the namespace of BIRD pid %d: %s",
			 (int)w->pid, strerror(errno));
		return;
	}
	w->netns_known = true;
	w->same_netns = nsfd >= 0 && fstat(nsfd, &want) == 0 && want.st_dev == have.st_dev &&
			want.st_ino == have.st_ino;
}

bool bird_follow_namespace(const char *netns, int nsfd, bool dry_run)
{
	struct bird_where w;
	char err[512];
	int ret;

	bird_locate(netns, nsfd, &w);
	if (!w.netns_known || w.same_netns) {
		if (w.answers && !w.netns_known)
			log_warn("%s", w.err);
		return false;
	}
	if (dry_run) {
		printf("would tell BIRD (pid %d, %s) to shut down: %s\n", (int)w.pid, w.sock,
		       nsfd < 0 ? "its namespace goes down" : "it runs in another namespace");
		return true;
	}
	ret = birdctl_command(w.sock, "down", NULL, err, sizeof(err));
	if (ret < 0 && ret != -ECONNRESET) {
		log_warn("BIRD (pid %d, %s) runs outside namespace %s and refused to shut down: %s",
			 (int)w.pid, w.sock, netns, err);
		return false;
	}
	if (nsfd < 0)
		log_notice("BIRD (pid %d, %s) told to shut down with namespace %s", (int)w.pid, w.sock,
			   netns);
	else
		log_notice("BIRD (pid %d, %s) runs in another namespace than %s: told it to shut down; its supervisor (wgmesh-bird@%s.service) starts it in %s",
			   (int)w.pid, w.sock, netns, netns, netns);
	return true;
}
