/* wgconfig's checks of the interface names an operator types: a typo is said at once, not
 * written into the host state and the Shorewall files. */
#ifndef WGM_SITE_IFCHECK_H
#define WGM_SITE_IFCHECK_H

#include <stdbool.h>

/* Whether the interface exists here (netns NULL) or in the named namespace (/run/netns/NAME;
 * false when that cannot be entered). */
bool wgm_if_exists(const char *name, const char *netns);
/* Whether the interface here is a veth (its driver says so). */
bool wgm_if_is_veth(const char *name);

#endif
