/* Both namespaces of a node opened for reading: fds, a netlink connection in each, and one
 * snapshot of each (actual.c). */
#ifndef NETMGR_VIEW_H
#define NETMGR_VIEW_H

#include "actual.h"
#include "link.h"

struct mesh_view {
	int self_fd, priv_fd; /* priv_fd -1: the private namespace does not exist */
	struct nlconn under, priv;
	struct actual_ns a_under, a_priv;
};

/* A view holding nothing, safe to close. */
#define MESH_VIEW_CLOSED ((struct mesh_view){ .self_fd = -1, .priv_fd = -1 })

/* 0 also when the private namespace is missing (priv_fd -1); what failed goes to err. */
int mesh_view_open(const char *netns, struct mesh_view *v, char *err, size_t errlen);
/* Opens the private side after the namespace was made. */
int mesh_view_open_private(const char *netns, struct mesh_view *v, char *err, size_t errlen);
void mesh_view_close(struct mesh_view *v);
/* Reads both namespaces again, after this process changed them. */
int mesh_view_reread(const char *netns, struct mesh_view *v, char *err, size_t errlen);
/* Hands an open view over: *to gets it, *from is left closed. */
void mesh_view_move(struct mesh_view *to, struct mesh_view *from);

#endif
