/* `run DOMAIN`: the service loop. Apply, then refetch every interval (with jitter, so a fleet
 * does not hit DNS at once) and on SIGHUP; a DNS failure keeps the mesh as it is; SIGTERM and
 * SIGINT end the loop without tearing anything down. Readiness over sd_notify. A peer that has
 * not answered at its endpoint for --endpoint-timeout moves to its next candidate (endpoint.h):
 * the loop wakes for that when it comes before the interval. */
#ifndef NETMGR_RUNLOOP_H
#define NETMGR_RUNLOOP_H

#include "options.h"

int run_loop(const struct netmgr_opts *o, struct host_ctx *h);

#endif
