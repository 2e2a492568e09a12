/* The cage wgmesh-dnsfetch lives in once its c-ares channel is set up. */
#ifndef WGM_SANDBOX_H
#define WGM_SANDBOX_H

#include <stddef.h>

/* Drops to user (NULL: "nobody"; when not started as root, stays the unprivileged user it is),
 * clears supplementary groups, every capability (effective, permitted, inheritable, ambient,
 * bounding), sets no_new_privs and installs a seccomp filter that kills the process on any
 * system call outside what c-ares and the channel use. Irreversible. */
int wgm_sandbox_enter(const char *user, char *err, size_t errlen);

#endif
