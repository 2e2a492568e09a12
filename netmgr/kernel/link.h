/* Links, addresses and routes over rtnetlink (libnl-route), in one namespace per connection:
 * a netlink socket stays bound to the namespace it was opened in. */
#ifndef NETMGR_LINK_H
#define NETMGR_LINK_H

#include <stdbool.h>

#include "plan.h"

struct nl_sock;

struct nlconn {
	struct nl_sock *sk;
};

/* nsfd -1: the current namespace. */
int nlconn_open(struct nlconn *c, int nsfd);
void nlconn_close(struct nlconn *c);
/* The kernel's or libnl's text for the last failure on this thread. */
const char *link_last_error(void);

/* -ENODEV when absent. flags: IFF_*. */
int link_lookup(struct nlconn *c, const char *name, int *ifindex, unsigned *flags);
int link_set_up(struct nlconn *c, int ifindex, bool up);
int link_move(struct nlconn *c, int ifindex, int target_nsfd);
/* A move that asks for the link's number on the other side (a link given back keeps its
 * ifindex); a plain move where the kernel cannot give it. */
int link_move_as(struct nlconn *c, int ifindex, int target_nsfd, int new_ifindex);
int link_delete(struct nlconn *c, int ifindex);
/* A veth pair: outer in c's namespace, inner created directly in inner_nsfd's. */
int link_veth_create(struct nlconn *c, const char *outer, const char *inner, int inner_nsfd);
/* Brings lo up in the current namespace (for a namespace just made). */
int link_set_lo_up_here(void);

int addr_add(struct nlconn *c, int ifindex, const struct wgm_prefix *p);
int addr_del(struct nlconn *c, int ifindex, const struct wgm_prefix *p);
/* dst via gw dev ifindex, main table. */
int route_add(struct nlconn *c, const struct wgm_prefix *dst, const struct wgm_ip *gw, int ifindex);
int route_del(struct nlconn *c, const struct wgm_prefix *dst, const struct wgm_ip *gw, int ifindex);

#endif
