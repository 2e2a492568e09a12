/* What wgmesh 1.0 leaves on a node upgraded in place, and how each piece is retired:
 *  - kernel: WireGuard devices wg-quick made INSIDE the private namespace (their UDP sockets
 *    live there, reached by DNAT) and 1.0's veth holding 169.254.<octet>.1/.2. `up` replaces
 *    them with ours, same names and keys, sockets in the underlay;
 *  - connection tracking: flows DNATed to 169.254.<octet>.2, which outlive the DNAT rule and
 *    keep a peer's packets away from our socket. `up` and `retire-1.0` delete them;
 *  - files: /etc/wireguard/wg<k>.conf (the host key in a world-readable file), the start
 *    scripts in /usr/local/sbin, 1.0's DNAT lines in /etc/shorewall/rules. `retire-1.0` removes
 *    the first two, `up` rewrites the third;
 *  - units: wg-quick@wg<k> and any unit running 1.0's scripts. The manager never runs systemctl:
 *    it prints the command.
 * Only what carries 1.0's own marks is touched: an operator's own wg0.conf stays. */
#ifndef NETMGR_LEGACY_H
#define NETMGR_LEGACY_H

#include <stdbool.h>
#include <stddef.h>

#include "desired.h"
#include "options.h"
#include "view.h"

#define LEGACY_SBIN_DIR "/usr/local/sbin"
#define LEGACY_UNIT_DIR "/etc/systemd/system"

/* One finding: what (a short name) and a line saying how it goes. */
typedef void (*legacy_emit_fn)(void *ctx, const char *what, const char *how);

/* Every 1.0 leftover on this node, one emit each; changes nothing. v may have no private side.
 * after_up: a deploy just went through, so every wg<k> device is ours (up replaced 1.0's and
 * removed strays) and the devices are read only when another leftover needs their ports. */
void legacy_scan(const struct netmgr_opts *o, const char *domain, const struct wgm_node_names *n,
		 const struct mesh_view *v, bool after_up, legacy_emit_fn emit, void *ctx);

/* `up`, before anything: -EBUSY with the fix in err when 1.0's namespace holds the trust
 * interface and this node's namespace has another name. */
int legacy_refuse(const char *domain, const struct wgm_node_names *n, char *err, size_t errlen);
/* `up`, after its checks, before the reconciler: removes 1.0's devices and veth so the
 * reconciler builds ours in their place; deletes 1.0's conntrack flows; says what it did.
 * *changes counts it. v is the deploy's view of the node, read again when this changed it. */
int legacy_converge(const struct netmgr_opts *o, const char *domain, const struct desired_state *d,
		    struct mesh_view *v, unsigned *changes, char *err, size_t errlen);

/* `retire-1.0`: after `up` (refused before): deletes 1.0's conntrack flows and files, prints
 * the systemctl commands for its units. */
int legacy_retire(const struct netmgr_opts *o, const char *domain, const struct wgm_node_names *n);

#endif
