/* From a loaded site: one host's deploy record (docs/format.md#deploy-record). Pure data. */
#ifndef WGM_SITE_DEPLOY_RENDER_H
#define WGM_SITE_DEPLOY_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "sitefile.h"

/* Every OTHER host that is not removed becomes a peer, in site-file order: localport =
 * portbase + peer octet, remoteport = portbase + own octet, remote = the peer's local_ipv4 then
 * local_ipv6, comma-joined with no empty entries. -EINVAL with err when the site cannot be
 * rendered (ports past 65535, an octet clash, an over-long address list). */
int wgm_deploy_render(const struct wgm_site *s, const struct wgm_site_host *self, uint64_t serial,
		      struct wgm_deploy_record *rec, char *err, size_t errlen);

#endif
