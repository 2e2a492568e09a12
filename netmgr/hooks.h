/* Local hooks (1.0's ns-<name>-local scripts): the executables in the hook directory run in
 * name order, after up and before down, with WGM_NETNS and WGM_OCTET in their environment and
 * the phase ("up"/"down") as their argument. */
#ifndef NETMGR_HOOKS_H
#define NETMGR_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

/* Where up remembers that its hooks ran: /run is empty after a boot. */
#define HOOKS_RUN_DIR "/run/wgmesh"

/* A hook runs only when it and its directory are root's (or the running user's) and not
 * writable by group or others, and it is no symbolic link; it runs from the descriptor that
 * was checked. 0 when every hook exited 0 (or there are none); -ECHILD when one failed or was
 * refused (each said in one line; the others still ran). */
int hooks_run(const char *dir, const char *phase, const char *netns, uint8_t octet);
/* The up hooks, run when up changed something and, when it did not, unless they already ran
 * successfully this boot, the same hooks (names, sizes, times) as now: so the first up of a
 * boot runs them, so does the next up after a hook failed or was added or edited, and the run
 * loop's quiet rounds do not. */
int hooks_up(const char *dir, const char *netns, uint8_t octet, bool changed);
/* down: the next up runs the hooks again. */
void hooks_forget(const char *netns);

#endif
