#include "address.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "errmsg.h"

int wgm_ip_parse(const char *text, struct wgm_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (strlen(text) >= INET6_ADDRSTRLEN)
		return -EINVAL;
	if (strchr(text, ':')) {
		ip->family = AF_INET6;
		return inet_pton(AF_INET6, text, &ip->v6) == 1 ? 0 : -EINVAL;
	}
	ip->family = AF_INET;
	return inet_pton(AF_INET, text, &ip->v4) == 1 ? 0 : -EINVAL;
}

int wgm_prefix_parse(const char *text, struct wgm_prefix *p)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/'), *len_text;
	unsigned long len = 0;
	size_t i, digits;

	memset(p, 0, sizeof(*p));
	if (!slash || (size_t)(slash - text) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	if (wgm_ip_parse(addr, &p->addr) < 0)
		return -EINVAL;
	len_text = slash + 1;
	digits = strlen(len_text);
	/* Plain decimal only: no sign, no spaces, no leading zeros ("/048"). */
	if (digits == 0 || digits > 3 || (digits > 1 && len_text[0] == '0'))
		return -EINVAL;
	for (i = 0; i < digits; i++) {
		if (!isdigit((unsigned char)len_text[i]))
			return -EINVAL;
		len = len * 10 + (unsigned long)(len_text[i] - '0');
	}
	if (len > (p->addr.family == AF_INET ? 32u : 128u))
		return -EINVAL;
	p->len = (uint8_t)len;
	return 0;
}

static bool endpoint_listed(const struct wgm_endpoint *eps, size_t n, const struct wgm_endpoint *e)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(eps[i].host, e->host))
			return true;
	return false;
}

int wgm_endpoints_parse(const char *list, uint16_t port, struct wgm_endpoint *out, size_t max,
			size_t *n, char *err, size_t errlen)
{
	const char *p = list;

	*n = 0;
	if (port == 0)
		return wgm_fail(err, errlen, -EINVAL, "endpoint port 0 for '%s': ports are 1..65535", list);
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct wgm_endpoint e = { .port = port };

		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > WGM_HOSTNAME_MAX)
			return wgm_fail(err, errlen, -EINVAL, "endpoint '%.*s...' in '%s' is too long",
					40, p, list);
		memcpy(e.host, p, len);
		e.host[len] = '\0';
		if (len) {
			if (wgm_ip_parse(e.host, &e.ip) == 0) {
				e.is_ip = true;
				/* Canonical text, so "2001:db8:0::2" and "2001:db8::2" are one endpoint. */
				inet_ntop(e.ip.family, e.ip.family == AF_INET ? (const void *)&e.ip.v4
									 : (const void *)&e.ip.v6,
					  e.host, sizeof(e.host));
			} else if (strchr(e.host, ':') || !wgm_hostname_valid(e.host)) {
				return wgm_fail(err, errlen, -EINVAL,
						"endpoint '%s' in '%s' is neither an IP address nor a host name",
						e.host, list);
			}
			if (!endpoint_listed(out, *n, &e)) {
				if (*n >= max)
					return wgm_fail(err, errlen, -E2BIG,
							"more than %zu endpoints in '%s'", max, list);
				out[(*n)++] = e;
			}
		}
		p += (end ? (size_t)(end - p) + 1 : strlen(p));
	}
	return 0;
}
