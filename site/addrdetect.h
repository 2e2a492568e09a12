/* Public address detection for wghost (1.0 used the ifaddr package): every address on this
 * machine's interfaces that a peer on the internet could reach. */
#ifndef WGM_SITE_ADDRDETECT_H
#define WGM_SITE_ADDRDETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

/* False for loopback, RFC 1918, CGNAT 100.64/10, link-local, ULA, multicast, unspecified and
 * the like: addresses a peer elsewhere cannot reach. */
bool wgm_addr_is_public(const struct wgm_ip *ip);
/* Appends the public addresses found with getifaddrs(), comma-joined, to v4 and v6. */
int wgm_addr_detect(char *v4, size_t v4len, char *v6, size_t v6len);

#endif
