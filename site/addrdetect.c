/* Which local addresses to offer as WireGuard endpoints when the operator gives none. */
#include "addrdetect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdint.h>
#include <string.h>

static bool v4_in(uint32_t a, uint32_t net, unsigned len)
{
	uint32_t mask = len ? ~0u << (32 - len) : 0;

	return (a & mask) == net;
}

bool wgm_addr_is_public(const struct wgm_ip *ip)
{
	if (ip->family == AF_INET) {
		uint32_t a = ntohl(ip->v4.s_addr);

		return !(v4_in(a, 0x00000000, 8) ||   /* this network */
			 v4_in(a, 0x0a000000, 8) ||   /* RFC 1918 */
			 v4_in(a, 0x64400000, 10) ||  /* CGNAT */
			 v4_in(a, 0x7f000000, 8) ||   /* loopback */
			 v4_in(a, 0xa9fe0000, 16) ||  /* link-local */
			 v4_in(a, 0xac100000, 12) ||  /* RFC 1918 */
			 v4_in(a, 0xc0a80000, 16) ||  /* RFC 1918 */
			 v4_in(a, 0xe0000000, 3));    /* multicast, reserved, broadcast */
	}
	if (ip->family == AF_INET6) {
		const uint8_t *b = ip->v6.s6_addr;

		return !(IN6_IS_ADDR_UNSPECIFIED(&ip->v6) || IN6_IS_ADDR_LOOPBACK(&ip->v6) ||
			 IN6_IS_ADDR_V4MAPPED(&ip->v6) || IN6_IS_ADDR_V4COMPAT(&ip->v6) ||
			 (b[0] & 0xfe) == 0xfc ||                 /* ULA */
			 (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* link-local */
			 (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || /* site-local */
			 b[0] == 0xff);                           /* multicast */
	}
	return false;
}

/* True when addr is one of the comma-separated entries of list. */
static bool listed(const char *list, const char *addr)
{
	size_t n = strlen(addr);

	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !memcmp(p, addr, n))
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

static int append(char *out, size_t outlen, const char *addr)
{
	size_t used = strlen(out), n = strlen(addr);

	if (listed(out, addr))
		return 0;
	if (used + (used ? 1 : 0) + n >= outlen)
		return -E2BIG;
	if (used)
		out[used++] = ',';
	memcpy(out + used, addr, n + 1);
	return 0;
}

int wgm_addr_detect(char *v4, size_t v4len, char *v6, size_t v6len)
{
	struct ifaddrs *ifa, *i;
	char text[INET6_ADDRSTRLEN];
	int ret = 0;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && !ret; i = i->ifa_next) {
		struct wgm_ip ip = { 0 };

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			ip.family = AF_INET;
			ip.v4 = ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			ip.family = AF_INET6;
			ip.v6 = ((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
		} else {
			continue;
		}
		if (!wgm_addr_is_public(&ip))
			continue;
		inet_ntop(ip.family, ip.family == AF_INET ? (const void *)&ip.v4 : (const void *)&ip.v6,
			  text, sizeof(text));
		ret = ip.family == AF_INET ? append(v4, v4len, text) : append(v6, v6len, text);
	}
	freeifaddrs(ifa);
	return ret;
}
