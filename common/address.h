/* IP addresses, prefixes and a peer's endpoint candidates, as the formats carry them: the
 * types and one parser each. The host state, the site file and the plan all read addresses
 * here, so the three cannot disagree about what an address is. */
#ifndef WGM_ADDRESS_H
#define WGM_ADDRESS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"

struct wgm_ip {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

struct wgm_prefix {
	struct wgm_ip addr;
	uint8_t len;
};

/* One endpoint candidate of a peer: an IP literal or a hostname still to resolve. */
struct wgm_endpoint {
	char host[WGM_HOSTNAME_MAX + 1];
	bool is_ip;
	struct wgm_ip ip; /* valid when is_ip */
	uint16_t port;
};

int wgm_ip_parse(const char *text, struct wgm_ip *ip);
int wgm_prefix_parse(const char *text, struct wgm_prefix *p);
/* Splits a comma-joined 1.0 address list into endpoint candidates with the given port. */
int wgm_endpoints_parse(const char *list, uint16_t port, struct wgm_endpoint *out, size_t max,
			size_t *n, char *err, size_t errlen);

#endif
