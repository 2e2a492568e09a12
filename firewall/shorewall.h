/* The Shorewall files wgmesh owns in the two-interface setup (zones "net" on the public
 * interface and "loc" on our veth, from Shorewall's two-interface sample, which the operator
 * installs with its zones and policy): interfaces, rules, snat. */
#ifndef WGM_SHOREWALL_H
#define WGM_SHOREWALL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "plan.h"

#define FIREWALL_SHOREWALL_DEFAULT_DIR "/etc/shorewall"

/* Pure renderers; -EINVAL when the plan has no public interface or a name Shorewall cannot
 * take. */
int firewall_render_shorewall_interfaces(const struct wgm_node_plan *plan, struct wgm_buf *out);
int firewall_render_shorewall_rules(const struct wgm_node_plan *plan, struct wgm_buf *out);
int firewall_render_shorewall_snat(const struct wgm_node_plan *plan, struct wgm_buf *out);

/* Writes <dir>/interfaces, rules and snat, each atomically and only when changed; *changed
 * says whether any of them was (the unit wgmesh-shorewall.path then reloads Shorewall). */
int firewall_write_shorewall(const struct wgm_node_plan *plan, const char *dir, bool *changed,
			     char *err, size_t errlen);

#endif
