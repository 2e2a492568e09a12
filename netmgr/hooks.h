/* Local hooks (1.0's ns-<name>-local scripts): the executables in the hook directory run in
 * name order, after an up that changed something and before down, with WGM_NETNS and WGM_OCTET in their environment and
 * the phase ("up"/"down") as their argument. */
#ifndef NETMGR_HOOKS_H
#define NETMGR_HOOKS_H

#include <stdint.h>

/* 0 when every hook exited 0 (or there are none); -ECHILD when one failed. */
int hooks_run(const char *dir, const char *phase, const char *netns, uint8_t octet);

#endif
