/* Node plans filled by hand from the values of fixtures/wgmesh-1.0-2node (site
 * fd42:7a3b:19c0::/48, portbase 31000, ASNs 4200000000+), for the renderer tests:
 *   alpha  octet 1, peer beta (2)            -- the fixture's alpha.example.net
 *   beta   octet 2, peer alpha (1)           -- the fixture's beta.example.net
 *   three  octet 1, peers 2, 3 and 5
 *   empty  octet 1, no peers yet
 * plus "alpha-nolan": alpha without a trust interface or public interface. */
#ifndef WGM_TESTPLAN_H
#define WGM_TESTPLAN_H

#include "plan.h"

int testplan_fill(const char *name, struct wgm_node_plan *plan);

#endif
