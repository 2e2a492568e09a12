#include "birdlife.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "birdconf.h"
#include "birdctl.h"
#include "log.h"
#include "portcheck.h"
#include "wgset.h"

static int peer_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_ERROR;
	mnl_attr_for_each(a, nlh, sizeof(*m))
		if (mnl_attr_get_type(a) == UNIX_DIAG_PEER && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* The inode of the other end of our connected UNIX socket: BIRD's accepted socket. */
static int peer_inode(int fd, uint32_t *peer)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct unix_diag_req *req;
	struct mnl_socket *nl;
	struct stat st;
	int ret;

	if (fstat(fd, &st) < 0)
		return -errno;
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_UNIX;
	req->udiag_states = ~0u;
	req->udiag_ino = (uint32_t)st.st_ino;
	req->udiag_show = UDIAG_SHOW_PEER;
	req->udiag_cookie[0] = req->udiag_cookie[1] = INET_DIAG_NOCOOKIE;
	ret = wg_mnl_open(-1, NETLINK_SOCK_DIAG, &nl);
	if (ret)
		return ret;
	*peer = 0;
	ret = wg_mnl_do(nl, nlh, 0, peer_cb, peer);
	mnl_socket_close(nl);
	return ret ? ret : *peer ? 0 : -ENOENT;
}

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
	int ret;

	w->answers = true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		cred.pid = 0;
	ret = peer_inode(fd, &h.inode);
	if (ret == 0)
		ret = portcheck_owners(&h, 1, cred.pid);
	else if (cred.pid > 0 && is_bird(cred.pid)) {
		h.pid = cred.pid;
		snprintf(h.comm, sizeof(h.comm), "bird");
		ret = 0;
	}
	if (ret < 0) {
		snprintf(w->err, sizeof(w->err), "cannot tell which process answers on %s: %s", w->sock,
			 strerror(-ret));
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
