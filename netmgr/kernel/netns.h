/* Named network namespaces the iproute2 way: /run/netns/<name> is a bind mount of a namespace's
 * nsfs file, so `ip netns exec <name>` and NetworkNamespacePath= find what we made. */
#ifndef NETMGR_KERNEL_NETNS_H
#define NETMGR_KERNEL_NETNS_H

#include <stdbool.h>
#include <stddef.h>

#define NETNS_RUN_DIR "/run/netns"

/* A name is a single path component: [A-Za-z0-9._-], not "." or "..", at most 63 chars. */
int netns_name_valid(const char *name, char *err, size_t errlen);
bool netns_exists(const char *name);
/* Returns an O_RDONLY|O_CLOEXEC fd of the named namespace, or -errno (-ENOENT: no such). */
int netns_open(const char *name);
/* Our own (current) namespace. */
int netns_open_self(void);
/* Unmounts and removes the name; the namespace dies with its last user. */
int netns_delete(const char *name);

/* "/run/netns/<name>" */
void netns_path(const char *name, char *out, size_t outlen);

/* The one way into a namespace and out: the calling thread runs in the namespace of fd until
 * netns_leave(saved), which aborts the process when the way back fails (netns.c says why). */
int netns_enter(int fd, int *saved);
void netns_leave(int saved);

#endif
