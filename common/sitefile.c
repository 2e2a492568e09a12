#include "sitefile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "address.h"
#include "atomicfile.h"
#include "errmsg.h"
#include "log.h"
#include "yamldoc.h"

#define SITE_FILE_MAX (1024 * 1024)
#define WHY_LEN 512

static int parse_site_prefix(const char *text, struct in6_addr *prefix, char *why, size_t whylen)
{
	struct wgm_prefix p;
	size_t i;

	if (wgm_prefix_parse(text, &p) < 0 || p.addr.family != AF_INET6 || p.len != 48)
		return wgm_fail(why, whylen, -EINVAL,
				"'ipv6' is '%s', it must be an IPv6 /48 prefix such as fd42:7a3b:19c0::/48",
				text);
	for (i = 6; i < 16; i++)
		if (p.addr.v6.s6_addr[i])
			return wgm_fail(why, whylen, -EINVAL,
					"'ipv6' is '%s': it has bits set past the /48", text);
	*prefix = p.addr.v6;
	return 0;
}

/* --- asn_range: "low:high", a YAML list, or 1.0's rewrite as the string '[a, b, ...]' --- */

static int parse_asn(const char *s, size_t len, uint32_t *asn)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0 || len > 10 || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (n == 0 || n > UINT32_MAX)
		return -ERANGE;
	*asn = (uint32_t)n;
	return 0;
}

static int asn_push(struct wgm_site *s, uint32_t asn, char *why, size_t whylen)
{
	uint32_t *grown;

	if (s->n_asns >= WGM_ASN_RANGE_MAX)
		return wgm_fail(why, whylen, -E2BIG, "'asn_range' lists more than %d ASNs",
				WGM_ASN_RANGE_MAX);
	if ((s->n_asns & (s->n_asns - 1)) == 0) {
		grown = realloc(s->asns, (s->n_asns ? s->n_asns * 2 : 16) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		s->asns = grown;
	}
	s->asns[s->n_asns++] = asn;
	return 0;
}

static int asn_push_text(struct wgm_site *s, const char *p, size_t len, char *why, size_t whylen)
{
	uint32_t asn;

	while (len && isspace((unsigned char)*p)) {
		p++;
		len--;
	}
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	if (parse_asn(p, len, &asn) < 0)
		return wgm_fail(why, whylen, -EINVAL,
				"'asn_range' entry '%.*s' is not an ASN (1..4294967295)", (int)(len > 40 ? 40 : len), p);
	return asn_push(s, asn, why, whylen);
}

static int parse_asn_low_high(struct wgm_site *s, const char *text, char *why, size_t whylen)
{
	const char *colon = strchr(text, ':');
	uint32_t low, high;
	uint64_t a;

	if (parse_asn(text, (size_t)(colon - text), &low) < 0 ||
	    parse_asn(colon + 1, strlen(colon + 1), &high) < 0)
		return wgm_fail(why, whylen, -EINVAL,
				"'asn_range' is '%.60s', it must be low:high with ASNs 1..4294967295", text);
	if (low > high)
		return wgm_fail(why, whylen, -EINVAL, "'asn_range' is '%s': low is above high", text);
	if ((uint64_t)high - low + 1 > WGM_ASN_RANGE_MAX)
		return wgm_fail(why, whylen, -E2BIG, "'asn_range' '%s' holds %llu ASNs, at most %d", text,
				(unsigned long long)high - low + 1, WGM_ASN_RANGE_MAX);
	for (a = low; a <= high; a++) {
		int ret = asn_push(s, (uint32_t)a, why, whylen);

		if (ret < 0)
			return ret;
	}
	return 0;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int parse_asn_range(struct wgm_site *s, const struct wgm_ynode *node, char *why,
			   size_t whylen)
{
	uint32_t *sorted;
	size_t i;
	int ret = 0;

	if (node->kind == WGM_Y_SCALAR) {
		const char *t = node->scalar;
		size_t len = strlen(t);

		while (len && isspace((unsigned char)t[len - 1]))
			len--;
		while (*t && isspace((unsigned char)*t)) {
			t++;
			len--;
		}
		if (len >= 2 && t[0] == '[' && t[len - 1] == ']') {
			const char *p = t + 1, *end = t + len - 1;

			while (p < end && ret == 0) {
				const char *comma = memchr(p, ',', (size_t)(end - p));
				const char *stop = comma ? comma : end;

				ret = asn_push_text(s, p, (size_t)(stop - p), why, whylen);
				p = stop + 1;
			}
		} else if (memchr(t, ':', len) && len < 32) {
			char low_high[32];

			snprintf(low_high, sizeof(low_high), "%.*s", (int)len, t);
			ret = parse_asn_low_high(s, low_high, why, whylen);
		} else {
			ret = wgm_fail(why, whylen, -EINVAL,
				       "'asn_range' is '%.60s', it must be low:high or a list of ASNs",
				       node->scalar);
		}
	} else if (node->kind == WGM_Y_SEQ) {
		for (i = 0; i < node->n && ret == 0; i++) {
			const struct wgm_ynode *it = node->items[i];

			if (it->kind != WGM_Y_SCALAR)
				return wgm_fail(why, whylen, -EINVAL, "'asn_range' list item %zu is not a number",
						i + 1);
			ret = asn_push_text(s, it->scalar, it->scalar_len, why, whylen);
		}
	} else {
		ret = wgm_fail(why, whylen, -EINVAL, "'asn_range' must be low:high or a list, not a mapping");
	}
	if (ret < 0)
		return ret;
	if (s->n_asns == 0)
		return wgm_fail(why, whylen, -EINVAL, "'asn_range' is empty");
	sorted = malloc(s->n_asns * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, s->asns, s->n_asns * sizeof(*sorted));
	qsort(sorted, s->n_asns, sizeof(*sorted), compare_u32);
	for (i = 1; i < s->n_asns && ret == 0; i++)
		if (sorted[i] == sorted[i - 1])
			ret = wgm_fail(why, whylen, -EINVAL, "'asn_range' lists ASN %u twice", sorted[i]);
	free(sorted);
	return ret;
}

/* --- loading --- */

static int get_key(const struct wgm_ynode *map, const char *name, bool required,
		   struct wgm_key *k, bool *present, char *why, size_t whylen)
{
	char text[128] = "";
	int ret = wgm_yget_str(map, name, required, text, sizeof(text), why, whylen);

	*present = false;
	if (ret < 0)
		return ret;
	if (!text[0]) {
		if (required)
			return wgm_fail(why, whylen, -EINVAL, "'%s' is empty, it must be a public key", name);
		return 0;
	}
	if (wgm_key_from_b64(k, text) < 0)
		return wgm_fail(why, whylen, -EINVAL, "'%s' is '%.60s', not a base64 Curve25519 key", name,
				text);
	*present = true;
	return 0;
}

/* Appends the non-empty, trimmed comma-separated entries of text to out. */
static int join_entries(char *out, size_t outlen, size_t *used, const char *text)
{
	const char *p = text;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *q = p;

		while (len && isspace((unsigned char)*q)) {
			q++;
			len--;
		}
		while (len && isspace((unsigned char)q[len - 1]))
			len--;
		if (len) {
			if (*used + (*used ? 1 : 0) + len >= outlen)
				return -E2BIG;
			if (*used)
				out[(*used)++] = ',';
			memcpy(out + *used, q, len);
			*used += len;
			out[*used] = '\0';
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* local_ipv4/local_ipv6: a list (1.0 stores [''] for none) or a comma-joined string. */
static int get_addr_list(const struct wgm_ynode *map, const char *name, char *out, size_t outlen,
			 char *why, size_t whylen)
{
	const struct wgm_ynode *v = wgm_ymap_get(map, name);
	struct wgm_endpoint eps[WGM_MAX_ENDPOINTS];
	char inner[WHY_LEN];
	size_t used = 0, i, n;

	out[0] = '\0';
	if (!v)
		return 0;
	if (v->kind == WGM_Y_MAP)
		return wgm_fail(why, whylen, -EINVAL, "'%s' must be a list of addresses, not a mapping",
				name);
	for (i = 0; i < (v->kind == WGM_Y_SEQ ? v->n : 1); i++) {
		const struct wgm_ynode *it = v->kind == WGM_Y_SEQ ? v->items[i] : v;

		if (it->kind != WGM_Y_SCALAR)
			return wgm_fail(why, whylen, -EINVAL, "'%s' item %zu is not an address", name, i + 1);
		if (join_entries(out, outlen, &used, it->scalar) < 0)
			return wgm_fail(why, whylen, -E2BIG, "'%s' is longer than %zu characters", name,
					outlen - 1);
	}
	if (wgm_endpoints_parse(out, 1, eps, WGM_MAX_ENDPOINTS, &n, inner, sizeof(inner)) < 0)
		return wgm_fail(why, whylen, -EINVAL, "'%s': %s", name, inner);
	return 0;
}

static int load_host(const char *name, const struct wgm_ynode *m, struct wgm_site_host *h,
		     char *why, size_t whylen)
{
	uint64_t n;
	bool has_key;
	int ret;

	memset(h, 0, sizeof(*h));
	if (!wgm_hostname_valid(name))
		return wgm_fail(why, whylen, -EINVAL, "'%.80s' is not a host name", name);
	snprintf(h->hostname, sizeof(h->hostname), "%s", name);
	if (m->kind != WGM_Y_MAP)
		return wgm_fail(why, whylen, -EINVAL, "must be a mapping of host keys");
	ret = wgm_yget_str(m, "uuid", true, h->uuid, sizeof(h->uuid), why, whylen);
	if (ret < 0)
		return ret;
	if (!wgm_uuid_valid(h->uuid))
		return wgm_fail(why, whylen, -EINVAL, "'uuid' is '%s', not a UUID", h->uuid);
	ret = wgm_yget_u64(m, "asn", true, 1, UINT32_MAX, &n, why, whylen);
	if (ret < 0)
		return ret;
	h->asn = (uint32_t)n;
	ret = wgm_yget_u64(m, "octet", true, 1, 255, &n, why, whylen);
	if (ret < 0)
		return ret;
	h->octet = (uint8_t)n;
	ret = get_key(m, "public_key", true, &h->public_key, &has_key, why, whylen);
	if (ret < 0)
		return ret;
	ret = get_addr_list(m, "local_ipv4", h->local_ipv4, sizeof(h->local_ipv4), why, whylen);
	if (ret < 0)
		return ret;
	ret = get_addr_list(m, "local_ipv6", h->local_ipv6, sizeof(h->local_ipv6), why, whylen);
	if (ret < 0)
		return ret;
	ret = wgm_yget_str(m, "public_key_file", false, h->public_key_file,
			   sizeof(h->public_key_file), why, whylen);
	if (ret < 0)
		return ret;
	ret = wgm_yget_str(m, "private_key_file", false, h->private_key_file,
			   sizeof(h->private_key_file), why, whylen);
	if (ret < 0)
		return ret;
	if (wgm_ymap_get(m, "removed")) {
		ret = wgm_yget_u64(m, "removed", true, 0, UINT64_MAX, &n, why, whylen);
		if (ret < 0)
			return ret;
		h->removed = true;
	}
	return 0;
}

/* Ours, absent in 1.0's files: a pending handover (next_publickey, next_privatekey,
 * next_since, all or none) and a revocation (revoked). */
static int load_rollover(struct wgm_site *s, const struct wgm_ynode *g, char *why, size_t whylen)
{
	int ret = get_key(g, "next_publickey", false, &s->next_public_key, &s->has_next_key, why,
			  whylen);

	if (ret < 0)
		return ret;
	ret = wgm_yget_str(g, "next_privatekey", s->has_next_key, s->next_privatekey_path,
			   sizeof(s->next_privatekey_path), why, whylen);
	if (ret < 0)
		return ret;
	if (s->has_next_key || wgm_ymap_get(g, "next_since")) {
		ret = wgm_yget_u64(g, "next_since", true, 1, UINT64_MAX, &s->next_since, why, whylen);
		if (ret < 0)
			return ret;
	}
	if (!s->has_next_key != !s->next_since || !s->has_next_key != !s->next_privatekey_path[0])
		return wgm_fail(why, whylen, -EINVAL,
				"next_publickey, next_privatekey and next_since go together (a pending site-key handover)");
	if (s->has_next_key && s->has_public_key && wgm_key_equal(&s->next_public_key, &s->public_key))
		return wgm_fail(why, whylen, -EINVAL, "next_publickey is the site key itself");
	if (wgm_ymap_get(g, "revoked"))
		return wgm_yget_u64(g, "revoked", true, 1, UINT64_MAX, &s->revoked_at, why, whylen);
	return 0;
}

static int load_global(struct wgm_site *s, const struct wgm_ynode *g, char *why, size_t whylen)
{
	const struct wgm_ynode *range;
	uint64_t n;
	int ret;

	if (!g)
		return wgm_fail(why, whylen, -EINVAL, "missing key 'global'");
	if (g->kind != WGM_Y_MAP)
		return wgm_fail(why, whylen, -EINVAL, "'global' must be a mapping");
#define GET_STR(key, field, required)                                                          \
	do {                                                                               \
		ret = wgm_yget_str(g, key, required, s->field, sizeof(s->field), why, whylen); \
		if (ret < 0)                                                               \
			return ret;                                                        \
	} while (0)
	GET_STR("alerts", alerts, false);
	GET_STR("domain", domain, true);
	GET_STR("ipv6", ipv6, true);
	GET_STR("locus", locus, true);
	GET_STR("privatekey", privatekey_path, false);
	GET_STR("route53", route53, false);
	GET_STR("aws_access_key_id", aws_access_key_id, false);
	GET_STR("aws_secret_access_key", aws_secret_access_key, false);
#undef GET_STR
	ret = wgm_yget_u64(g, "portbase", true, 1, 65535 - 255, &n, why, whylen);
	if (ret < 0)
		return ret;
	s->portbase = (uint16_t)n;
	ret = get_key(g, "publickey", false, &s->public_key, &s->has_public_key, why, whylen);
	if (ret < 0)
		return ret;
	range = wgm_ymap_get(g, "asn_range");
	if (range) {
		ret = parse_asn_range(s, range, why, whylen);
		if (ret < 0)
			return ret;
	}
	return load_rollover(s, g, why, whylen);
}

static bool asn_in_range(const struct wgm_site *s, uint32_t asn)
{
	size_t i;

	for (i = 0; i < s->n_asns; i++)
		if (s->asns[i] == asn)
			return true;
	return false;
}

/* Checks the values a caller may have changed as well as the ones just read: the same rules
 * guard loading and saving, so wgm_site_save never writes a file wgm_site_load refuses. */
static int validate_site(struct wgm_site *s, bool warn, char *why, size_t whylen)
{
	struct wgm_endpoint eps[WGM_MAX_ENDPOINTS];
	char inner[WHY_LEN], both[2 * WGM_ADDRLIST_MAX + 1];
	size_t i, j, n;
	int ret;

	if (!wgm_hostname_valid(s->domain))
		return wgm_fail(why, whylen, -EINVAL, "global: 'domain' is '%s', not a domain name",
				s->domain);
	ret = parse_site_prefix(s->ipv6, &s->prefix, why, whylen);
	if (ret < 0) {
		snprintf(inner, sizeof(inner), "%s", why);
		return wgm_fail(why, whylen, ret, "global: %s", inner);
	}
	if (!wgm_locus_valid(s->locus))
		return wgm_fail(why, whylen, -EINVAL,
				"global: 'locus' is '%s', it must be 1-63 letters, digits, '-', '_' or '.' (not first '-' or '.')",
				s->locus);
	if (s->portbase == 0 || (uint32_t)s->portbase + 255 > 65535)
		return wgm_fail(why, whylen, -ERANGE,
				"global: 'portbase' is %u, it must be between 1 and %u", s->portbase,
				65535 - 255);
	if (s->n_hosts > WGM_MAX_HOSTS)
		return wgm_fail(why, whylen, -E2BIG, "hosts: %zu hosts, at most %d", s->n_hosts,
				WGM_MAX_HOSTS);
	for (i = 0; i < s->n_hosts; i++) {
		const struct wgm_site_host *a = &s->hosts[i];

		if (!wgm_hostname_valid(a->hostname) || !wgm_uuid_valid(a->uuid) || a->octet == 0 ||
		    a->asn == 0)
			return wgm_fail(why, whylen, -EINVAL,
					"hosts: '%s' needs a host name, a UUID, an octet and an ASN",
					a->hostname);
		/* The deploy record joins both lists into the peers' one endpoint list. */
		snprintf(both, sizeof(both), "%s,%s", a->local_ipv4, a->local_ipv6);
		if (wgm_endpoints_parse(both, 1, eps, WGM_MAX_ENDPOINTS, &n, inner, sizeof(inner)) < 0)
			return wgm_fail(why, whylen, -EINVAL, "hosts: '%s': local_ipv4/local_ipv6: %s",
					a->hostname, inner);
		for (j = 0; j < i; j++) {
			const struct wgm_site_host *b = &s->hosts[j];
			const char *what = NULL;
			char value[64] = "";

			if (!strcasecmp(a->hostname, b->hostname)) {
				what = "the name";
				snprintf(value, sizeof(value), "%.60s", a->hostname);
			} else if (a->octet == b->octet) {
				what = "octet";
				snprintf(value, sizeof(value), "%u", a->octet);
			} else if (a->asn == b->asn) {
				what = "asn";
				snprintf(value, sizeof(value), "%u", a->asn);
			} else if (!strcasecmp(a->uuid, b->uuid)) {
				what = "uuid";
				snprintf(value, sizeof(value), "%s", a->uuid);
			}
			if (what)
				return wgm_fail(why, whylen, -EINVAL,
						"hosts: '%s' and '%s' both have %s %s: each host needs its own",
						b->hostname, a->hostname, what, value);
		}
		/* 1.0 lets a range be narrowed under existing hosts; they keep working. */
		if (warn && s->n_asns && !asn_in_range(s, a->asn))
			log_warn("%s: host '%s' has asn %u outside asn_range", s->path, a->hostname,
				 a->asn);
	}
	return 0;
}

int wgm_site_load(const char *path, struct wgm_site *s, char *err, size_t errlen)
{
	static const struct wgm_yaml_file site_file = {
		.what = "site file",
		.max_bytes = SITE_FILE_MAX,
		.if_missing = "",
		.top_keys = "global: and hosts:",
	};
	struct wgm_ynode *root = NULL;
	const struct wgm_ynode *hosts;
	char why[WHY_LEN] = "";
	size_t i;
	int ret;

	memset(s, 0, sizeof(*s));
	if (strlen(path) >= sizeof(s->path))
		return wgm_fail(err, errlen, -ENAMETOOLONG, "site file path '%.80s...' is too long", path);
	snprintf(s->path, sizeof(s->path), "%s", path);
	ret = wgm_yaml_load_file(path, &site_file, &root, err, errlen);
	if (ret < 0)
		goto out;
	ret = load_global(s, wgm_ymap_get(root, "global"), why, sizeof(why));
	if (ret < 0) {
		wgm_fail(err, errlen, ret, "%s: global: %s", path, why);
		goto out;
	}
	hosts = wgm_ymap_get(root, "hosts");
	/* "hosts:" with nothing after it is YAML null: no hosts yet. */
	if (hosts && !(hosts->kind == WGM_Y_SCALAR && !hosts->quoted && !hosts->scalar_len)) {
		if (hosts->kind != WGM_Y_MAP) {
			ret = wgm_fail(err, errlen, -EINVAL, "%s: 'hosts' must be a mapping of host names",
				       path);
			goto out;
		}
		if (hosts->n > WGM_MAX_HOSTS) {
			ret = wgm_fail(err, errlen, -E2BIG, "%s: %zu hosts, at most %d", path, hosts->n,
				       WGM_MAX_HOSTS);
			goto out;
		}
		s->hosts = calloc(hosts->n ? hosts->n : 1, sizeof(*s->hosts));
		if (!s->hosts) {
			ret = wgm_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
			goto out;
		}
		for (i = 0; i < hosts->n; i++) {
			ret = load_host(hosts->keys[i], hosts->items[i], &s->hosts[i], why, sizeof(why));
			if (ret < 0) {
				wgm_fail(err, errlen, ret, "%s: hosts: %.80s: %s", path, hosts->keys[i], why);
				goto out;
			}
			s->n_hosts++;
		}
	}
	ret = validate_site(s, true, why, sizeof(why));
	if (ret < 0) {
		wgm_fail(err, errlen, ret, "%s: %s", path, why);
		goto out;
	}
	s->doc = root;
	root = NULL;
out:
	wgm_yaml_free(root);
	if (ret < 0)
		wgm_site_free(s);
	return ret;
}

/* --- saving --- */

static int set_u64(struct wgm_ynode *map, const char *key, uint64_t n)
{
	char text[24];

	/* A new string scalar that reads as a number is written quoted: 1.0's '31000'. */
	snprintf(text, sizeof(text), "%llu", (unsigned long long)n);
	return wgm_ymap_set_str(map, key, text);
}

static int set_key(struct wgm_ynode *map, const char *key, const struct wgm_key *k)
{
	char b64[WGM_KEY_B64_LEN + 1];

	wgm_key_to_b64(k, b64);
	return wgm_ymap_set_str(map, key, b64);
}

/* Leaves the node alone when it already holds this list, so 1.0's [''] and any hand layout
 * survive; otherwise writes 1.0's form: a list, [''] when empty. */
static int set_addr_list(struct wgm_ynode *map, const char *key, const char *joined)
{
	char current[WGM_ADDRLIST_MAX], normal[WGM_ADDRLIST_MAX] = "", why[WHY_LEN];
	struct wgm_ynode *seq;
	const char *p = normal;
	size_t used = 0;
	int ret;

	if (join_entries(normal, sizeof(normal), &used, joined) < 0)
		return -E2BIG;
	if (wgm_ymap_get(map, key) &&
	    get_addr_list(map, key, current, sizeof(current), why, sizeof(why)) == 0 &&
	    !strcmp(current, normal))
		return 0;
	seq = wgm_ynode_new_seq();
	if (!seq)
		return -ENOMEM;
	do {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char item[WGM_ADDRLIST_MAX];

		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		ret = wgm_yseq_push(seq, wgm_ynode_new_scalar(item));
		if (ret < 0) {
			wgm_yaml_free(seq);
			return ret;
		}
		p = comma ? comma + 1 : NULL;
	} while (p);
	return wgm_ymap_set(map, key, seq);
}

/* Written only while they hold something, so a site without a rollover keeps 1.0's keys. */
static int save_rollover(const struct wgm_site *s, struct wgm_ynode *g)
{
	int ret = 0;

	if (s->has_next_key) {
		ret = set_key(g, "next_publickey", &s->next_public_key);
		ret = ret ? ret : wgm_ymap_set_str(g, "next_privatekey", s->next_privatekey_path);
		ret = ret ? ret : set_u64(g, "next_since", s->next_since);
	} else {
		wgm_ymap_remove(g, "next_publickey");
		wgm_ymap_remove(g, "next_privatekey");
		wgm_ymap_remove(g, "next_since");
	}
	if (ret)
		return ret;
	if (s->revoked_at)
		return set_u64(g, "revoked", s->revoked_at);
	wgm_ymap_remove(g, "revoked");
	return 0;
}

static int save_global(const struct wgm_site *s, struct wgm_ynode *g)
{
	int ret = 0;

	ret = ret ? ret : wgm_ymap_set_str(g, "alerts", s->alerts);
	ret = ret ? ret : wgm_ymap_set_str(g, "domain", s->domain);
	ret = ret ? ret : wgm_ymap_set_str(g, "ipv6", s->ipv6);
	ret = ret ? ret : wgm_ymap_set_str(g, "locus", s->locus);
	ret = ret ? ret : set_u64(g, "portbase", s->portbase);
	ret = ret ? ret : wgm_ymap_set_str(g, "privatekey", s->privatekey_path);
	ret = ret ? ret : wgm_ymap_set_str(g, "route53", s->route53);
	ret = ret ? ret : wgm_ymap_set_str(g, "aws_access_key_id", s->aws_access_key_id);
	ret = ret ? ret : wgm_ymap_set_str(g, "aws_secret_access_key", s->aws_secret_access_key);
	if (ret)
		return ret;
	ret = s->has_public_key ? set_key(g, "publickey", &s->public_key)
				: wgm_ymap_set_str(g, "publickey", "");
	ret = ret ? ret : save_rollover(s, g);
	if (ret || wgm_ymap_get(g, "asn_range") || !s->n_asns)
		return ret;
	/* A range set by a caller, not read from the file: write it the way a human would. */
	if ((uint64_t)s->asns[s->n_asns - 1] - s->asns[0] + 1 == s->n_asns) {
		char text[32];

		snprintf(text, sizeof(text), "%u:%u", s->asns[0], s->asns[s->n_asns - 1]);
		return wgm_ymap_set_str(g, "asn_range", text);
	} else {
		struct wgm_ynode *seq = wgm_ynode_new_seq();
		size_t i;

		for (i = 0; seq && i < s->n_asns && !ret; i++) {
			char text[16];

			snprintf(text, sizeof(text), "%u", s->asns[i]);
			ret = wgm_yseq_push(seq, wgm_ynode_new_scalar(text));
		}
		if (ret) {
			wgm_yaml_free(seq);
			return ret;
		}
		return wgm_ymap_set(g, "asn_range", seq);
	}
}

static const char *doc_host_uuid(const struct wgm_ynode *m)
{
	const struct wgm_ynode *u = m->kind == WGM_Y_MAP ? wgm_ymap_get(m, "uuid") : NULL;

	return u && u->kind == WGM_Y_SCALAR ? u->scalar : "";
}

/* The doc entry of h: by name, else by uuid (the host was renamed: keep its unknown keys),
 * else a new one. */
static int doc_host(struct wgm_ynode *hosts, const struct wgm_site_host *h, struct wgm_ynode **m)
{
	size_t i;
	int ret;

	for (i = 0; i < hosts->n; i++) {
		if (!strcmp(hosts->keys[i], h->hostname) && hosts->items[i]->kind == WGM_Y_MAP) {
			*m = hosts->items[i];
			return 0;
		}
	}
	for (i = 0; i < hosts->n; i++) {
		if (strcmp(hosts->keys[i], h->hostname) &&
		    !strcasecmp(doc_host_uuid(hosts->items[i]), h->uuid)) {
			char *name = strdup(h->hostname);

			if (!name)
				return -ENOMEM;
			free(hosts->keys[i]);
			hosts->keys[i] = name;
			*m = hosts->items[i];
			return 0;
		}
	}
	ret = wgm_ymap_set(hosts, h->hostname, wgm_ynode_new_map());
	*m = ret ? NULL : wgm_ymap_get(hosts, h->hostname);
	return ret;
}

static int save_host(const struct wgm_site_host *h, struct wgm_ynode *hosts)
{
	struct wgm_ynode *m;
	int ret = doc_host(hosts, h, &m);

	ret = ret ? ret : set_u64(m, "asn", h->asn);
	ret = ret ? ret : set_u64(m, "octet", h->octet);
	ret = ret ? ret : wgm_ymap_set_str(m, "uuid", h->uuid);
	ret = ret ? ret : set_key(m, "public_key", &h->public_key);
	ret = ret ? ret : set_addr_list(m, "local_ipv4", h->local_ipv4);
	ret = ret ? ret : set_addr_list(m, "local_ipv6", h->local_ipv6);
	ret = ret ? ret : wgm_ymap_set_str(m, "public_key_file", h->public_key_file);
	ret = ret ? ret : wgm_ymap_set_str(m, "private_key_file", h->private_key_file);
	/* 1.0's wgpub reads local_networks from every host. */
	if (!ret && !wgm_ymap_get(m, "local_networks"))
		ret = wgm_ymap_set_str(m, "local_networks", "");
	if (ret)
		return ret;
	if (h->removed && !wgm_ymap_get(m, "removed"))
		return set_u64(m, "removed", (uint64_t)time(NULL));
	if (!h->removed && wgm_ymap_get(m, "removed"))
		return wgm_ymap_remove(m, "removed");
	return 0;
}

static int save_hosts(struct wgm_site *s, struct wgm_ynode *hosts)
{
	size_t i = hosts->n, j;
	int ret;

	/* Entries for hosts no longer in s (purged) go, matched by name or by uuid. */
	while (i-- > 0) {
		const char *uuid = doc_host_uuid(hosts->items[i]);
		bool keep = false;

		for (j = 0; j < s->n_hosts && !keep; j++)
			keep = !strcmp(s->hosts[j].hostname, hosts->keys[i]) ||
			       (uuid[0] && !strcasecmp(s->hosts[j].uuid, uuid));
		if (!keep) {
			char *key = strdup(hosts->keys[i]);

			if (!key)
				return -ENOMEM;
			wgm_ymap_remove(hosts, key);
			free(key);
		}
	}
	for (j = 0; j < s->n_hosts; j++) {
		ret = save_host(&s->hosts[j], hosts);
		if (ret)
			return ret;
	}
	return 0;
}

/* PyYAML's dump sorts every mapping: 1.0 rewrote the file that way. */
static void sort_maps(struct wgm_ynode *n)
{
	size_t i, j;

	if (n->kind == WGM_Y_SCALAR)
		return;
	for (i = 0; i < n->n; i++)
		sort_maps(n->items[i]);
	if (n->kind != WGM_Y_MAP)
		return;
	for (i = 1; i < n->n; i++) {
		char *key = n->keys[i];
		struct wgm_ynode *item = n->items[i];

		for (j = i; j > 0 && strcmp(n->keys[j - 1], key) > 0; j--) {
			n->keys[j] = n->keys[j - 1];
			n->items[j] = n->items[j - 1];
		}
		n->keys[j] = key;
		n->items[j] = item;
	}
}

int wgm_site_save(struct wgm_site *s, char *err, size_t errlen)
{
	struct wgm_ynode *root = s->doc, *global, *hosts;
	char why[WHY_LEN] = "";
	struct wgm_buf out = { 0 };
	struct stat st;
	mode_t mode = 0600;
	int ret;

	ret = validate_site(s, false, why, sizeof(why));
	if (ret < 0)
		return wgm_fail(err, errlen, ret, "%s: not saved: %s", s->path, why);
	if (!root) {
		root = wgm_ynode_new_map();
		if (!root)
			return wgm_fail(err, errlen, -ENOMEM, "%s: out of memory", s->path);
		s->doc = root;
	}
	if (root->kind != WGM_Y_MAP)
		return wgm_fail(err, errlen, -EINVAL, "%s: not saved: the document is not a mapping",
				s->path);
	global = wgm_ymap_child_map(root, "global");
	hosts = wgm_ymap_child_map(root, "hosts");
	ret = global && hosts ? 0 : -ENOMEM;
	ret = ret ? ret : save_global(s, global);
	ret = ret ? ret : save_hosts(s, hosts);
	if (ret)
		return wgm_fail(err, errlen, ret, "%s: not saved: %s", s->path, strerror(-ret));
	sort_maps(root);
	ret = wgm_yaml_emit(root, &out);
	if (ret == 0) {
		/* The file may hold AWS credentials: keep its mode, 0600 for a new one. */
		if (stat(s->path, &st) == 0)
			mode = st.st_mode & 07777;
		ret = wgm_write_atomic(s->path, out.p, out.len, mode);
	}
	if (ret)
		wgm_fail(err, errlen, ret, "cannot write site file %s: %s", s->path, strerror(-ret));
	wgm_buf_free(&out);
	return ret;
}

void wgm_site_free(struct wgm_site *s)
{
	free(s->asns);
	free(s->hosts);
	wgm_yaml_free(s->doc);
	sodium_memzero(s, sizeof(*s));
}

static int key_path_in(const struct wgm_site *s, const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(s->path, '/');
	int n;

	if (!path[0])
		return -ENOENT;
	if (path[0] == '/' || !slash)
		n = snprintf(out, outlen, "%s", path);
	else
		n = snprintf(out, outlen, "%.*s/%s", (int)(slash - s->path), s->path, path);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

int wgm_site_key_path(const struct wgm_site *s, char *out, size_t outlen)
{
	return key_path_in(s, s->privatekey_path, out, outlen);
}

int wgm_site_next_key_path(const struct wgm_site *s, char *out, size_t outlen)
{
	return key_path_in(s, s->next_privatekey_path, out, outlen);
}

struct wgm_site_host *wgm_site_find_host(struct wgm_site *s, const char *hostname)
{
	size_t i;

	for (i = 0; i < s->n_hosts; i++)
		if (!strcasecmp(s->hosts[i].hostname, hostname))
			return &s->hosts[i];
	return NULL;
}

struct wgm_site_host *wgm_site_find_uuid(struct wgm_site *s, const char *uuid)
{
	size_t i;

	for (i = 0; i < s->n_hosts; i++)
		if (!strcasecmp(s->hosts[i].uuid, uuid))
			return &s->hosts[i];
	return NULL;
}
