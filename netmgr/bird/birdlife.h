/* BIRD's life across namespace re-creation. The manager never starts BIRD: its supervisor
 * (wgmesh-bird@<netns>.service with Restart=always, or a test harness's restart loop) does.
 * What the manager does is notice a BIRD that no longer routes for the namespace of that
 * name: after every apply, a BIRD whose network namespace is not the current one (a `down`
 * and `up`, or an `ip netns del` behind our back, leave it attached to the old one, where its
 * sessions sit Idle forever) is told to shut down over its control socket, and at `down`
 * every BIRD of the namespace is; the supervisor starts a fresh one in the current namespace.
 *
 * Who runs BIRD: SO_PEERCRED on a connection to its control socket names the process that
 * called listen(). A BIRD started without -f forks after that (it opens the socket before it
 * daemonizes), so the pid is that of its exited parent, or by now another process's; the
 * pid is therefore confirmed by the accepted end of our own connection (sock_diag gives its
 * inode, /proc the process holding it), and /proc is searched when it is not. Without
 * sock_diag for UNIX sockets, the SO_PEERCRED pid is taken when that process is a "bird". */
#ifndef NETMGR_BIRDLIFE_H
#define NETMGR_BIRDLIFE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct bird_where {
	char sock[128];
	bool answers;      /* the control socket greeted like BIRD */
	pid_t pid;         /* 0: not found */
	char comm[16];
	bool netns_known;  /* its namespace could be read */
	bool same_netns;   /* runs in the namespace given to bird_locate */
	char err[256];     /* why it does not answer, or why its pid or namespace is unknown */
};

/* Who answers on /run/bird-<netns>.sock and whether it runs in the namespace of nsfd
 * (-1: none exists). Never fails: what could not be learned is in w->err. */
void bird_locate(const char *netns, int nsfd, struct bird_where *w);

/* After an apply (nsfd: the namespace as it is now) or at `down` (nsfd -1): a BIRD not
 * running in it is told to shut down, with a notice naming it. Returns true when one was. */
bool bird_follow_namespace(const char *netns, int nsfd, bool dry_run);

#endif
