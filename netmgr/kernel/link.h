/* Links, addresses and routes over rtnetlink (libnl-route), in one namespace per connection:
 * a netlink socket stays bound to the namespace it was opened in. */
#ifndef NETMGR_KERNEL_LINK_H
#define NETMGR_KERNEL_LINK_H

#include <stdbool.h>

#include "nl.h"
#include "plan.h"

struct nl_sock;

struct nlconn {
	struct nl_sock *sk;
};

/* Every call returns 0 or -errno; e (may be NULL) gets -errno and libnl's text of a failure.
 * nsfd -1: the current namespace. */
int nlconn_open(struct nlconn *c, int nsfd, struct nl_err *e);
void nlconn_close(struct nlconn *c);

/* -ENODEV when absent. flags: IFF_*. */
int link_lookup(struct nlconn *c, const char *name, int *ifindex, unsigned *flags, struct nl_err *e);
int link_set_up(struct nlconn *c, int ifindex, bool up, struct nl_err *e);
int link_move(struct nlconn *c, int ifindex, int target_nsfd, struct nl_err *e);
/* A move that asks for the link's number on the other side (a link given back keeps its
 * ifindex); a plain move where the kernel cannot give it. */
int link_move_as(struct nlconn *c, int ifindex, int target_nsfd, int new_ifindex, struct nl_err *e);
/* The one link delete: by ifindex when it is > 0, else by name. -ENODEV when absent. */
int link_delete(struct nlconn *c, int ifindex, const char *name, struct nl_err *e);
/* link_delete by name over a connection of its own in nsfd's namespace (-1: the current). */
int link_delete_in(int nsfd, const char *name, struct nl_err *e);
/* RTM_NEWLINK of a kind libnl has no type for ("wireguard") in the current namespace, built
 * as the kernel WireGuard back end always sent it; *ifindex is the new link's. */
int link_create_kind(const char *ifname, const char *kind, int *ifindex, struct nl_err *e);
/* A veth pair: outer in c's namespace, inner created directly in inner_nsfd's. */
int link_veth_create(struct nlconn *c, const char *outer, const char *inner, int inner_nsfd,
		     struct nl_err *e);
/* Brings lo up in the current namespace (for a namespace just made). */
int link_set_lo_up_here(void);

int addr_add(struct nlconn *c, int ifindex, const struct wgm_prefix *p, struct nl_err *e);
int addr_del(struct nlconn *c, int ifindex, const struct wgm_prefix *p, struct nl_err *e);
/* dst via gw dev ifindex, main table. */
int route_add(struct nlconn *c, const struct wgm_prefix *dst, const struct wgm_ip *gw, int ifindex,
	      struct nl_err *e);
int route_del(struct nlconn *c, const struct wgm_prefix *dst, const struct wgm_ip *gw, int ifindex,
	      struct nl_err *e);

#endif
