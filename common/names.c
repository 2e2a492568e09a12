#include "names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool wgm_hostname_valid(const char *name)
{
	size_t len = strlen(name), label = 0;
	bool numeric = true;

	if (len == 0 || len > WGM_HOSTNAME_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || name[i - 1] == '-')
				return false;
			if (c == '\0')
				break;
			label = 0;
			numeric = true;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '_' && !(c == '-' && label > 0))
			return false;
		if (!is_digit(c))
			numeric = false;
		if (++label > 63)
			return false;
	}
	return !numeric;
}

bool wgm_uuid_valid(const char *uuid)
{
	for (size_t i = 0; i < WGM_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? uuid[i] != '-' : !is_hex(uuid[i]))
			return false;
	}
	return uuid[WGM_UUID_LEN] == '\0';
}

bool wgm_ifname_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= WGM_IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* printable ASCII without the space: no white space, no control, no 8-bit byte */
		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':')
			return false;
	}
	return true;
}

bool wgm_netns_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > WGM_NETNS_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alpha(name[i]) && !is_digit(name[i]) && !strchr("._-", name[i]))
			return false;
	return true;
}

bool wgm_locus_valid(const char *locus)
{
	return wgm_netns_name_valid(locus);
}

bool wgm_locus_new_valid(const char *locus)
{
	size_t len = strlen(locus);

	if (len == 0 || len > WGM_LOCUS_NEW_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alpha(locus[i]) && !is_digit(locus[i]) && locus[i] != '-' && locus[i] != '_')
			return false;
	return true;
}

const char *wgm_netns_name(const char *netns, const char *locus)
{
	return netns[0] ? netns : locus;
}

void wgm_veth_names(const char *locus, const char *outbound, char outer[WGM_IFNAMSIZ],
		    char inner[WGM_IFNAMSIZ])
{
	if (outbound[0])
		snprintf(outer, WGM_IFNAMSIZ, "%s", outbound);
	else
		snprintf(outer, WGM_IFNAMSIZ, "ve-%.*s", WGM_VETH_LOCUS_MAX, locus);
	snprintf(inner, WGM_IFNAMSIZ, "vi-%.*s", WGM_VETH_LOCUS_MAX, locus);
}

/* prefix, then a decimal 1..255 without leading zeros */
static bool is_octet_name(const char *name, const char *prefix)
{
	size_t lp = strlen(prefix), n;
	unsigned v = 0;

	if (strncmp(name, prefix, lp))
		return false;
	name += lp;
	n = strlen(name);
	if (n == 0 || n > 3 || name[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(name[i]))
			return false;
		v = v * 10 + (unsigned)(name[i] - '0');
	}
	return v <= 255;
}

void wgm_wg_ifname(uint8_t octet, char out[WGM_IFNAMSIZ])
{
	snprintf(out, WGM_IFNAMSIZ, "wg%u", octet);
}

bool wgm_is_mesh_wg_name(const char *name)
{
	return is_octet_name(name, "wg");
}

void wgm_tester_ifname(uint8_t octet, char out[WGM_IFNAMSIZ])
{
	snprintf(out, WGM_IFNAMSIZ, "tester%u", octet);
}

bool wgm_is_tester_ifname(const char *name)
{
	return is_octet_name(name, "tester");
}

int wgm_domain_file(const char *state_dir, const char *domain, const char *suffix, char *out,
		    size_t outlen)
{
	int n;

	if (!wgm_hostname_valid(domain))
		return -EINVAL;
	n = snprintf(out, outlen, "%s/%s.%s", state_dir, domain, suffix);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}
