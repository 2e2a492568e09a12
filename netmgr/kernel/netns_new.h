/* A fresh named network namespace, as `ip netns add` makes it. */
#ifndef NETMGR_KERNEL_NETNS_NEW_H
#define NETMGR_KERNEL_NETNS_NEW_H

/* Creates /run/netns/<name> (O_EXCL) holding a fresh namespace with lo up. -EEXIST if taken. */
int netns_create(const char *name);

#endif
