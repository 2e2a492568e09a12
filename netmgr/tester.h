/* wgmesh 1.0's tester namespace ("tester", docs/format.md#what-a-deploy-derives): a veth
 * "tester<octet>" from the private namespace, 192.168.<100+octet>.1/24 on the private side,
 * .10 .100 .200 on the tester side with a default route via .1 — somewhere to ping the mesh
 * from. */
#ifndef NETMGR_TESTER_H
#define NETMGR_TESTER_H

#include <stdbool.h>
#include <stddef.h>

#include "desired.h"

int tester_up(const struct wgm_node_names *n, bool dry_run, char *err, size_t errlen);
int tester_down(const struct wgm_node_names *n, bool dry_run, char *err, size_t errlen);

#endif
