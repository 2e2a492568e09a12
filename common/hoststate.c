#include "hoststate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "address.h"
#include "atomicfile.h"
#include "errmsg.h"
#include "yamldoc.h"

#define HOST_STATE_MAX (64 * 1024)
#define WHY_LEN 512

static const char *const firewall_names[] = {
	[WGM_FW_NONE] = "none",
	[WGM_FW_SHOREWALL] = "shorewall",
	[WGM_FW_NFTABLES] = "nftables",
};

int wgm_host_state_path(const char *state_dir, const char *domain, char *out, size_t outlen)
{
	return wgm_domain_file(state_dir, domain, "yaml", out, outlen);
}

/* The same rules for what was read and for what a caller is about to write. */
static int validate(const struct wgm_host_state *hs, char *why, size_t whylen)
{
	const struct {
		const char *key, *value;
	} ifs[] = {
		{ "interface_outbound", hs->interface_outbound },
		{ "interface_public", hs->interface_public },
		{ "interface_trust", hs->interface_trust },
	};
	struct wgm_prefix p;
	size_t i;

	for (i = 0; i < sizeof(ifs) / sizeof(ifs[0]); i++)
		if (ifs[i].value[0] && !wgm_ifname_valid(ifs[i].value))
			return wgm_fail(why, whylen, -EINVAL,
					"host: '%s' is '%s', not an interface name (at most 15 characters, "
					"no '/', ':' or spaces)", ifs[i].key, ifs[i].value);
	if (hs->interface_trust_ip[0] && wgm_prefix_parse(hs->interface_trust_ip, &p) < 0)
		return wgm_fail(why, whylen, -EINVAL,
				"host: 'interface_trust_ip' is '%s', it must be address/prefix such as "
				"10.20.1.1/24", hs->interface_trust_ip);
	if (!wgm_uuid_valid(hs->uuid))
		return wgm_fail(why, whylen, -EINVAL, "host: 'uuid' is '%s', not a UUID", hs->uuid);
	if ((unsigned)hs->firewall > WGM_FW_NFTABLES)
		return wgm_fail(why, whylen, -EINVAL, "host: unknown firewall kind %d", (int)hs->firewall);
	if (hs->netns[0] && !wgm_netns_name_valid(hs->netns))
		return wgm_fail(why, whylen, -EINVAL, "host: 'netns' is '%s', not a namespace name",
				hs->netns);
	if (hs->locus[0] && !wgm_locus_valid(hs->locus))
		return wgm_fail(why, whylen, -EINVAL, "site: 'locus' is '%s', not a usable name",
				hs->locus);
	return 0;
}

static int load_host_map(const struct wgm_ynode *h, struct wgm_host_state *hs, char *why,
			 size_t whylen)
{
	const struct {
		const char *key;
		char *out;
		size_t len;
	} strs[] = {
		{ "cmdfping", hs->cmdfping, sizeof(hs->cmdfping) },
		{ "hostname", hs->hostname, sizeof(hs->hostname) },
		{ "interface_outbound", hs->interface_outbound, sizeof(hs->interface_outbound) },
		{ "interface_public", hs->interface_public, sizeof(hs->interface_public) },
		{ "interface_trust", hs->interface_trust, sizeof(hs->interface_trust) },
		{ "interface_trust_ip", hs->interface_trust_ip, sizeof(hs->interface_trust_ip) },
		{ "private_key_file", hs->private_key_file, sizeof(hs->private_key_file) },
		{ "public_key_file", hs->public_key_file, sizeof(hs->public_key_file) },
		{ "uuid", hs->uuid, sizeof(hs->uuid) },
		{ "netns", hs->netns, sizeof(hs->netns) },
	};
	char firewall[32] = "shorewall";
	size_t i;
	int ret;

	if (!h)
		return wgm_fail(why, whylen, -EINVAL, "missing key 'host'");
	if (h->kind != WGM_Y_MAP)
		return wgm_fail(why, whylen, -EINVAL, "'host' must be a mapping");
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		char value[4096] = "";

		ret = wgm_yget_str(h, strs[i].key, !strcmp(strs[i].key, "uuid"), value,
				   sizeof(value), why, whylen);
		if (ret < 0)
			return ret;
		if (strlen(value) >= strs[i].len)
			return wgm_fail(why, whylen, -ENAMETOOLONG,
					"'%s' is '%.80s', longer than %zu characters", strs[i].key, value,
					strs[i].len - 1);
		memcpy(strs[i].out, value, strlen(value) + 1);
	}
	ret = wgm_yget_str(h, "firewall", false, firewall, sizeof(firewall), why, whylen);
	if (ret < 0)
		return ret;
	for (i = 0; i < sizeof(firewall_names) / sizeof(firewall_names[0]); i++)
		if (!strcmp(firewall, firewall_names[i]))
			break;
	if (i == sizeof(firewall_names) / sizeof(firewall_names[0]))
		return wgm_fail(why, whylen, -EINVAL,
				"'firewall' is '%s', it must be shorewall, nftables or none", firewall);
	hs->firewall = (enum wgm_firewall_kind)i;
	return 0;
}

static int load_site_map(const struct wgm_ynode *s, struct wgm_host_state *hs, char *why,
			 size_t whylen)
{
	char key[128] = "";
	int ret;

	if (!s)
		return 0;
	if (s->kind != WGM_Y_MAP)
		return wgm_fail(why, whylen, -EINVAL, "'site' must be a mapping");
	ret = wgm_yget_str(s, "locus", false, hs->locus, sizeof(hs->locus), why, whylen);
	if (ret < 0)
		return ret;
	ret = wgm_yget_str(s, "public_key", false, key, sizeof(key), why, whylen);
	if (ret < 0)
		return ret;
	if (wgm_ymap_get(s, "hold_down")) {
		ret = wgm_yget_u64(s, "hold_down", true, 1, 10ull * 365 * 24 * 3600, &hs->hold_down, why,
				   whylen);
		if (ret < 0)
			return ret;
	}
	if (!key[0])
		return 0;
	if (wgm_key_from_b64(&hs->site_public_key, key) < 0)
		return wgm_fail(why, whylen, -EINVAL, "'public_key' is '%.60s', not a base64 Curve25519 key",
				key);
	hs->has_site_key = true;
	return 0;
}

/* <state-dir>/<domain>.yaml: the domain is the file name. */
static void domain_from_path(const char *path, struct wgm_host_state *hs)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len <= 5 || strcmp(base + len - 5, ".yaml") || len - 5 >= sizeof(hs->domain))
		return;
	memcpy(hs->domain, base, len - 5);
	hs->domain[len - 5] = '\0';
	if (!wgm_hostname_valid(hs->domain))
		hs->domain[0] = '\0';
}

int wgm_host_state_load(const char *path, struct wgm_host_state *hs, char *err, size_t errlen)
{
	static const struct wgm_yaml_file host_state_file = {
		.what = "host state",
		.max_bytes = HOST_STATE_MAX,
		.if_missing = " (run wgconfig first)",
		.top_keys = "host: and site:",
	};
	struct wgm_ynode *root = NULL;
	char why[WHY_LEN] = "";
	int ret;

	memset(hs, 0, sizeof(*hs));
	hs->firewall = WGM_FW_SHOREWALL;
	domain_from_path(path, hs);
	ret = wgm_yaml_load_file(path, &host_state_file, &root, err, errlen);
	if (ret < 0)
		goto out;
	ret = load_host_map(wgm_ymap_get(root, "host"), hs, why, sizeof(why));
	if (ret < 0) {
		wgm_fail(err, errlen, ret, "%s: host: %s", path, why);
		goto out;
	}
	ret = load_site_map(wgm_ymap_get(root, "site"), hs, why, sizeof(why));
	if (ret < 0) {
		wgm_fail(err, errlen, ret, "%s: site: %s", path, why);
		goto out;
	}
	ret = validate(hs, why, sizeof(why));
	if (ret < 0) {
		wgm_fail(err, errlen, ret, "%s: %s", path, why);
		goto out;
	}
	hs->doc = root;
	root = NULL;
out:
	wgm_yaml_free(root);
	if (ret < 0)
		wgm_host_state_free(hs);
	return ret;
}

/* A new file gets 1.0's (sorted) key order; an existing one keeps its own. */
static int save_host_map(const struct wgm_host_state *hs, struct wgm_ynode *h)
{
	const bool write_firewall = hs->firewall != WGM_FW_SHOREWALL || wgm_ymap_get(h, "firewall");
	const bool write_netns = hs->netns[0] || wgm_ymap_get(h, "netns");
	int ret = 0;

	ret = ret ? ret : wgm_ymap_set_str(h, "cmdfping", hs->cmdfping);
	if (!ret && write_firewall)
		ret = wgm_ymap_set_str(h, "firewall", firewall_names[hs->firewall]);
	ret = ret ? ret : wgm_ymap_set_str(h, "hostname", hs->hostname);
	ret = ret ? ret : wgm_ymap_set_str(h, "interface_outbound", hs->interface_outbound);
	ret = ret ? ret : wgm_ymap_set_str(h, "interface_public", hs->interface_public);
	ret = ret ? ret : wgm_ymap_set_str(h, "interface_trust", hs->interface_trust);
	ret = ret ? ret : wgm_ymap_set_str(h, "interface_trust_ip", hs->interface_trust_ip);
	if (!ret && write_netns)
		ret = wgm_ymap_set_str(h, "netns", hs->netns);
	ret = ret ? ret : wgm_ymap_set_str(h, "private_key_file", hs->private_key_file);
	ret = ret ? ret : wgm_ymap_set_str(h, "public_key_file", hs->public_key_file);
	ret = ret ? ret : wgm_ymap_set_str(h, "uuid", hs->uuid);
	return ret;
}

static int save_site_map(const struct wgm_host_state *hs, struct wgm_ynode *s)
{
	char key[WGM_KEY_B64_LEN + 1] = "";
	int ret;

	if (hs->has_site_key)
		wgm_key_to_b64(&hs->site_public_key, key);
	ret = wgm_ymap_set_str(s, "locus", hs->locus);
	ret = ret ? ret : wgm_ymap_set_str(s, "public_key", key);
	if (!ret && hs->hold_down) {
		char text[24];

		snprintf(text, sizeof(text), "%llu", (unsigned long long)hs->hold_down);
		ret = wgm_ymap_set_str(s, "hold_down", text);
	}
	return ret;
}

int wgm_host_state_save(const char *path, struct wgm_host_state *hs, char *err, size_t errlen)
{
	struct wgm_ynode *root = hs->doc, *host, *site;
	struct wgm_buf out = { 0 };
	char why[WHY_LEN] = "";
	struct stat st;
	mode_t mode = 0644;
	int ret;

	ret = validate(hs, why, sizeof(why));
	if (ret < 0)
		return wgm_fail(err, errlen, ret, "%s: not saved: %s", path, why);
	if (!root) {
		root = wgm_ynode_new_map();
		if (!root)
			return wgm_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
		hs->doc = root;
	}
	if (root->kind != WGM_Y_MAP)
		return wgm_fail(err, errlen, -EINVAL, "%s: not saved: the document is not a mapping", path);
	host = wgm_ymap_child_map(root, "host");
	site = wgm_ymap_child_map(root, "site");
	ret = host && site ? 0 : -ENOMEM;
	ret = ret ? ret : save_host_map(hs, host);
	ret = ret ? ret : save_site_map(hs, site);
	ret = ret ? ret : wgm_yaml_emit(root, &out);
	if (ret == 0) {
		if (stat(path, &st) == 0)
			mode = st.st_mode & 07777;
		ret = wgm_write_atomic(path, out.p, out.len, mode);
	}
	if (ret)
		wgm_fail(err, errlen, ret, "cannot write host state %s: %s", path, strerror(-ret));
	wgm_buf_free(&out);
	return ret;
}

void wgm_host_state_free(struct wgm_host_state *hs)
{
	wgm_yaml_free(hs->doc);
	sodium_memzero(hs, sizeof(*hs));
}
