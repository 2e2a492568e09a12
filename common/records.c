#include "records.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "b64.h"
#include "box.h"
#include "errmsg.h"
#include "yamldoc.h"

#define YAML_BINARY_TAG "tag:yaml.org,2002:binary"
/* The successor key's seal: the last line of a handover record's plaintext. */
#define HANDOVER_SEAL_KEY "handover_seal"
#define HANDOVER_SEAL_LINE HANDOVER_SEAL_KEY ": "
#define HANDOVER_SEAL_CONTEXT "wgmesh site-key handover seal v1\n"
/* A registration is a paste of a few KB; anything near this is not one. */
#define REGISTRATION_MAX (64 * 1024)

/* Bounds for every record document: flat maps, at most WGM_MAX_HOSTS peers of a few keys. */
static const struct wgm_yaml_limits record_limits = {
	.max_bytes = WGM_RECORD_MAX,
	.max_nodes = 16 + (WGM_MAX_HOSTS + 1) * 16,
	.max_depth = 4,
};

/* Puts "what: " in front of an err a lower layer wrote. */
static void prefix_err(char *err, size_t errlen, const char *what)
{
	char inner[256];

	if (!err || !errlen)
		return;
	snprintf(inner, sizeof(inner), "%s", err);
	wgm_set_err(err, errlen, "%s: %s", what, inner);
}

/* --- value syntax shared by the decoders --- */

static bool valid_ip(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET, s, &a) == 1 || inet_pton(AF_INET6, s, &a) == 1;
}

static bool valid_ipv6_prefix(const char *s)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in6_addr a;
	unsigned len = 0;

	if (!slash || (size_t)(slash - s) >= sizeof(addr) || !slash[1] || strlen(slash + 1) > 3)
		return false;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = 0;
	for (const char *c = slash + 1; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		len = len * 10 + (unsigned)(*c - '0');
	}
	return len <= 128 && inet_pton(AF_INET6, addr, &a) == 1;
}

/* The comma-joined endpoint list of 1.0: each entry an IP literal or a host name. */
static int check_addr_list(const char *what, const char *list, char *err, size_t errlen)
{
	char entry[WGM_HOSTNAME_MAX + 1];
	const char *p = list;

	if (!*list)
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (len >= sizeof(entry)) {
			wgm_set_err(err, errlen, "%s: entry '%.40s...' is too long", what, p);
			return -EINVAL;
		}
		memcpy(entry, p, len);
		entry[len] = 0;
		if (!valid_ip(entry) && !wgm_hostname_valid(entry)) {
			wgm_set_err(err, errlen, "%s: '%.64s' is neither an IP address nor a host name", what,
				    entry);
			return -EINVAL;
		}
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static int get_key(const struct wgm_ynode *map, const char *name, struct wgm_key *k, char *err,
		   size_t errlen)
{
	char text[WGM_KEY_B64_LEN + 8];
	int ret = wgm_yget_str(map, name, true, text, sizeof(text), err, errlen);

	if (ret == -ENAMETOOLONG || (!ret && wgm_key_from_b64(k, text))) {
		wgm_set_err(err, errlen, "'%s' is not a WireGuard key (44 characters of base64): '%.48s'",
			    name, ret ? "(too long)" : text);
		return -EINVAL;
	}
	return ret;
}

static int get_hostname(const struct wgm_ynode *map, const char *name, char *out, char *err,
			size_t errlen)
{
	int ret = wgm_yget_str(map, name, true, out, WGM_HOSTNAME_MAX + 1, err, errlen);

	if (!ret && !wgm_hostname_valid(out)) {
		wgm_set_err(err, errlen, "'%s' is not a valid DNS name: '%.64s'", name, out);
		return -EINVAL;
	}
	return ret;
}

/* --- emitting helpers: PyYAML's layout through yamldoc --- */

static int set_number(struct wgm_ynode *map, const char *key, uint64_t value)
{
	char text[24];
	struct wgm_ynode *n;

	snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
	n = wgm_ynode_new_scalar(text);
	if (n)
		n->quoted = false; /* a number, not a string that looks like one */
	return wgm_ymap_set(map, key, n);
}

static int set_key(struct wgm_ynode *map, const char *name, const struct wgm_key *k)
{
	char text[WGM_KEY_B64_LEN + 1];

	wgm_key_to_b64(k, text);
	return wgm_ymap_set_str(map, name, text);
}

static int emit_and_free(struct wgm_ynode *doc, int ret, struct wgm_buf *out)
{
	if (!ret)
		ret = wgm_yaml_emit(doc, out);
	wgm_yaml_free(doc);
	return ret;
}

/* --- site record --- */

int wgm_site_record_encode(const struct wgm_site_record *r, struct wgm_buf *payload)
{
	struct wgm_ynode *doc = wgm_ynode_new_map();
	int ret;

	if (!doc)
		return -ENOMEM;
	ret = wgm_ymap_set_str(doc, "locus", r->locus);
	if (!ret)
		ret = set_key(doc, "publickey", &r->public_key);
	if (!ret && r->has_next_key)
		ret = set_key(doc, "nextkey", &r->next_key);
	return emit_and_free(doc, ret, payload);
}

int wgm_site_record_decode(const uint8_t *payload, size_t len, struct wgm_site_record *r,
			   char *err, size_t errlen)
{
	struct wgm_ynode *doc = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = wgm_yaml_parse((const char *)payload, len, &record_limits, &doc, err, errlen);
	if (!ret)
		ret = wgm_yget_str(doc, "locus", true, r->locus, sizeof(r->locus), err, errlen);
	if (!ret && !wgm_locus_valid(r->locus)) {
		wgm_set_err(err, errlen, "'locus' must be 1-63 letters, digits, '-', '_' or '.' (not first '-' or '.'), not '%s'",
			    r->locus);
		ret = -EINVAL;
	}
	if (!ret)
		ret = get_key(doc, "publickey", &r->public_key, err, errlen);
	if (!ret && wgm_ymap_get(doc, "nextkey")) {
		ret = get_key(doc, "nextkey", &r->next_key, err, errlen);
		r->has_next_key = !ret;
		if (!ret && wgm_key_equal(&r->next_key, &r->public_key)) {
			wgm_set_err(err, errlen, "'nextkey' is the site key itself");
			ret = -EINVAL;
		}
	}
	if (ret)
		prefix_err(err, errlen, "site record");
	wgm_yaml_free(doc);
	return ret;
}

/* --- registration --- */

/* A registration, box(host_sk, site_pk), and a deploy record, box(site_sk, host_pk), are
 * sealed with the same shared key: either opens as the other. Ours say which they are in a
 * 'kind' key (1.0 reads past keys it does not know); one of the other kind is refused. -ENOENT:
 * no kind (1.0's, or a message of ours from before the key existed). */
static int check_kind(const struct wgm_ynode *doc, const char *want, const char *what, char *err,
		      size_t errlen)
{
	char kind[32];
	int ret;

	if (!wgm_ymap_get(doc, "kind"))
		return -ENOENT;
	ret = wgm_yget_str(doc, "kind", true, kind, sizeof(kind), err, errlen);
	if (!ret && strcmp(kind, want)) {
		wgm_set_err(err, errlen, "'kind' is '%s', not '%s': %s %s; refused", kind, want,
			    !strcmp(kind, "registration") || !strcmp(kind, "deploy")
				    ? "a message of another kind replayed as"
				    : "not",
			    what);
		ret = -EINVAL;
	}
	return ret;
}

static int registration_inner_yaml(const struct wgm_registration *r, struct wgm_buf *out)
{
	struct wgm_ynode *doc = wgm_ynode_new_map();
	int ret;

	if (!doc)
		return -ENOMEM;
	ret = wgm_ymap_set_str(doc, "kind", "registration");
	if (!ret)
		ret = wgm_ymap_set_str(doc, "hostname", r->hostname);
	if (!ret)
		ret = wgm_ymap_set_str(doc, "uuid", r->uuid);
	if (!ret)
		ret = set_key(doc, "public_key", &r->public_key);
	if (!ret)
		ret = wgm_ymap_set_str(doc, "public_key_file", r->public_key_file);
	if (!ret)
		ret = wgm_ymap_set_str(doc, "private_key_file", r->private_key_file);
	if (!ret)
		ret = wgm_ymap_set_str(doc, "local_ipv4", r->local_ipv4);
	if (!ret)
		ret = wgm_ymap_set_str(doc, "local_ipv6", r->local_ipv6);
	return emit_and_free(doc, ret, out);
}

int wgm_registration_encode(const struct wgm_registration *r, const struct wgm_key *host_sk,
			    const struct wgm_key *site_pk, struct wgm_buf *message)
{
	struct wgm_buf inner = { 0 }, sealed = { 0 }, layer1 = { 0 }, layer2 = { 0 }, outer = { 0 };
	struct wgm_ynode *doc = NULL, *binary;
	int ret;

	ret = registration_inner_yaml(r, &inner);
	if (!ret)
		ret = wgm_box_seal(inner.p, inner.len, host_sk, site_pk, &sealed);
	/* 1.0 base64s the box, then YAML's !!binary base64s that text again. */
	if (!ret)
		ret = wgm_b64_encode(sealed.p, sealed.len, true, &layer1);
	if (!ret)
		ret = wgm_b64_encode(layer1.p, layer1.len, true, &layer2);
	if (!ret) {
		doc = wgm_ynode_new_map();
		binary = wgm_ynode_new_scalar((const char *)layer2.p);
		if (binary) {
			binary->quoted = false;
			binary->tag = strdup(YAML_BINARY_TAG);
		}
		if (!doc || !binary || !binary->tag) {
			wgm_yaml_free(binary);
			ret = -ENOMEM;
		}
	}
	if (!ret) {
		ret = set_key(doc, "public_key", &r->public_key);
		if (ret)
			wgm_yaml_free(binary);
		else
			ret = wgm_ymap_set(doc, "message", binary);
	}
	if (!ret)
		ret = wgm_yaml_emit(doc, &outer);
	if (!ret)
		ret = wgm_b64_encode(outer.p, outer.len, false, message);
	wgm_yaml_free(doc);
	wgm_buf_free(&inner);
	wgm_buf_free(&sealed);
	wgm_buf_free(&layer1);
	wgm_buf_free(&layer2);
	wgm_buf_free(&outer);
	return ret;
}

static int registration_inner_decode(const struct wgm_buf *yaml, const struct wgm_key *sender,
				     struct wgm_registration *r, char *err, size_t errlen)
{
	struct wgm_ynode *doc = NULL;
	int ret;

	ret = wgm_yaml_parse((const char *)yaml->p, yaml->len, &record_limits, &doc, err, errlen);
	if (!ret && doc->kind != WGM_Y_MAP) {
		wgm_set_err(err, errlen, "expected a mapping inside the message");
		ret = -EINVAL;
	}
	if (!ret && (ret = check_kind(doc, "registration", "a registration", err, errlen)) == -ENOENT)
		ret = 0; /* 1.0's wghost writes no kind */
	if (!ret)
		ret = get_hostname(doc, "hostname", r->hostname, err, errlen);
	if (!ret)
		ret = wgm_yget_str(doc, "uuid", true, r->uuid, sizeof(r->uuid), err, errlen);
	if (!ret)
		ret = wgm_uuid_valid(r->uuid) ? 0
					      : wgm_fail(err, errlen, -EINVAL, "'uuid' is not a UUID: '%.40s'",
							 r->uuid);
	if (!ret)
		ret = get_key(doc, "public_key", &r->public_key, err, errlen);
	if (!ret && !wgm_key_equal(&r->public_key, sender)) {
		wgm_set_err(err, errlen, "'public_key' inside differs from the key the message was sent with");
		ret = -EINVAL;
	}
	if (!ret)
		ret = wgm_yget_str(doc, "public_key_file", false, r->public_key_file,
				   sizeof(r->public_key_file), err, errlen);
	if (!ret)
		ret = wgm_yget_str(doc, "private_key_file", false, r->private_key_file,
				   sizeof(r->private_key_file), err, errlen);
	if (!ret)
		ret = wgm_yget_str(doc, "local_ipv4", false, r->local_ipv4, sizeof(r->local_ipv4), err,
				   errlen);
	if (!ret)
		ret = check_addr_list("'local_ipv4'", r->local_ipv4, err, errlen);
	if (!ret)
		ret = wgm_yget_str(doc, "local_ipv6", false, r->local_ipv6, sizeof(r->local_ipv6), err,
				   errlen);
	if (!ret)
		ret = check_addr_list("'local_ipv6'", r->local_ipv6, err, errlen);
	wgm_yaml_free(doc);
	return ret;
}

int wgm_registration_decode(const char *message, const struct wgm_key *site_sk,
			    struct wgm_registration *r, char *err, size_t errlen)
{
	struct wgm_buf outer = { 0 }, layer1 = { 0 }, sealed = { 0 }, inner = { 0 };
	struct wgm_ynode *doc = NULL, *msg;
	struct wgm_key sender;
	size_t len = strlen(message);
	int ret;

	memset(r, 0, sizeof(*r));
	if (len > REGISTRATION_MAX) {
		wgm_set_err(err, errlen, "registration message is %zu bytes, over the %d-byte limit", len,
			    REGISTRATION_MAX);
		return -EFBIG;
	}
	/* A pasted message may pick up line breaks or blanks on its way. */
	ret = wgm_b64_decode(message, len, true, REGISTRATION_MAX, &outer);
	if (ret) {
		wgm_set_err(err, errlen, "message is not valid base64 (garbled or truncated)");
		goto out;
	}
	ret = wgm_yaml_parse((const char *)outer.p, outer.len, &record_limits, &doc, err, errlen);
	if (!ret)
		ret = get_key(doc, "public_key", &sender, err, errlen);
	if (ret)
		goto out;
	msg = wgm_ymap_get(doc, "message");
	if (!msg || msg->kind != WGM_Y_SCALAR || !msg->tag || strcmp(msg->tag, YAML_BINARY_TAG)) {
		wgm_set_err(err, errlen, "'message' must be a !!binary value");
		ret = -EINVAL;
		goto out;
	}
	ret = wgm_b64_decode(msg->scalar, msg->scalar_len, true, REGISTRATION_MAX, &layer1);
	if (!ret)
		ret = wgm_b64_decode((const char *)layer1.p, layer1.len, true, REGISTRATION_MAX,
				     &sealed);
	if (ret) {
		wgm_set_err(err, errlen, "'message' is not valid base64 (garbled or truncated)");
		goto out;
	}
	ret = wgm_box_open(sealed.p, sealed.len, site_sk, &sender, &inner, err, errlen);
	if (!ret)
		ret = registration_inner_decode(&inner, &sender, r, err, errlen);
out:
	if (ret)
		prefix_err(err, errlen, "registration");
	wgm_key_wipe(&sender);
	wgm_yaml_free(doc);
	wgm_buf_free(&outer);
	wgm_buf_free(&layer1);
	wgm_buf_free(&sealed);
	wgm_buf_free(&inner);
	return ret;
}

/* --- deploy record --- */

static int deploy_peer_node(const struct wgm_deploy_peer *p, struct wgm_ynode **out)
{
	struct wgm_ynode *m = wgm_ynode_new_map();
	int ret;

	if (!m)
		return -ENOMEM;
	ret = set_key(m, "key", &p->key);
	if (!ret)
		ret = set_number(m, "asn", p->asn);
	if (!ret)
		ret = set_number(m, "localport", p->localport);
	if (!ret)
		ret = set_number(m, "remoteport", p->remoteport);
	if (!ret)
		ret = wgm_ymap_set_str(m, "remote", p->remote);
	if (ret) {
		wgm_yaml_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

/* After hosts, so that 1.0's reader (which looks keys up by name) never meets it first. */
static int handover_node(const struct wgm_site_handover *h, struct wgm_ynode *doc)
{
	struct wgm_ynode *m = wgm_ynode_new_map();
	int ret = m ? 0 : -ENOMEM;

	if (!ret && h->revoked)
		ret = set_number(m, "revoked", h->revoked_at);
	if (!ret && !h->revoked)
		ret = set_key(m, "key", &h->key);
	if (!ret && !h->revoked)
		ret = set_number(m, "since", h->since);
	if (ret) {
		wgm_yaml_free(m);
		return ret;
	}
	return wgm_ymap_set(doc, "handover", m);
}

/* handover: either {key, since} (the sealing key vouches for key) or {revoked} (it vouches for
 * nothing any more). A key handover needs its seal line; wgm_deploy_open checks it. */
static int decode_handover(const struct wgm_ynode *doc, struct wgm_site_handover *h, char *err,
			   size_t errlen)
{
	const struct wgm_ynode *m = wgm_ymap_get(doc, "handover");
	bool sealed = wgm_ymap_get(doc, HANDOVER_SEAL_KEY) != NULL;
	int ret;

	if (!m) {
		if (!sealed)
			return 0;
		wgm_set_err(err, errlen, "'%s' without 'handover'", HANDOVER_SEAL_KEY);
		return -EINVAL;
	}
	if (m->kind != WGM_Y_MAP) {
		wgm_set_err(err, errlen, "'handover' must be a mapping");
		return -EINVAL;
	}
	if (wgm_ymap_get(m, "revoked")) {
		if (wgm_ymap_get(m, "key") || sealed) {
			wgm_set_err(err, errlen, "'handover' revokes the key and names a successor: one or the other");
			return -EINVAL;
		}
		ret = wgm_yget_u64(m, "revoked", true, 1, UINT64_MAX, &h->revoked_at, err, errlen);
		h->revoked = !ret;
		return ret;
	}
	ret = get_key(m, "key", &h->key, err, errlen);
	if (!ret)
		ret = wgm_yget_u64(m, "since", true, 1, UINT64_MAX, &h->since, err, errlen);
	if (!ret && !sealed) {
		wgm_set_err(err, errlen, "'handover' to a new site key without '%s' (the new key's seal)",
			    HANDOVER_SEAL_KEY);
		ret = -EINVAL;
	}
	h->has_key = !ret;
	if (ret)
		prefix_err(err, errlen, "handover");
	return ret;
}

int wgm_deploy_yaml_encode(const struct wgm_deploy_record *r, struct wgm_buf *yaml)
{
	struct wgm_ynode *doc = wgm_ynode_new_map(), *hosts = wgm_ynode_new_map(), *peer;
	int ret = doc && hosts ? 0 : -ENOMEM;

	if (!ret)
		ret = wgm_ymap_set_str(doc, "kind", "deploy");
	if (!ret)
		ret = set_number(doc, "asn", r->asn);
	if (!ret)
		ret = wgm_ymap_set_str(doc, "site", r->site);
	if (!ret)
		ret = set_number(doc, "octet", r->octet);
	if (!ret)
		ret = set_number(doc, "portbase", r->portbase);
	if (!ret)
		ret = wgm_ymap_set_str(doc, "remote", r->remote);
	if (!ret && r->has_serial)
		ret = set_number(doc, "serial", r->serial);
	for (size_t i = 0; !ret && i < r->n_hosts; i++) {
		ret = deploy_peer_node(&r->hosts[i], &peer);
		if (!ret)
			ret = wgm_ymap_set(hosts, r->hosts[i].hostname, peer);
	}
	if (!ret) {
		ret = wgm_ymap_set(doc, "hosts", hosts);
		hosts = NULL;
	}
	if (!ret && (r->handover.has_key || r->handover.revoked))
		ret = handover_node(&r->handover, doc);
	wgm_yaml_free(hosts);
	return emit_and_free(doc, ret, yaml);
}

static int decode_peer(const struct wgm_deploy_record *r, const char *hostname,
		       const struct wgm_ynode *m, struct wgm_deploy_peer *p, char *err,
		       size_t errlen)
{
	uint64_t asn = 0, localport = 0, remoteport = 0;
	int ret;

	if (strlen(hostname) > WGM_HOSTNAME_MAX || !wgm_hostname_valid(hostname)) {
		wgm_set_err(err, errlen, "peer '%.64s' is not a valid DNS name", hostname);
		return -EINVAL;
	}
	strcpy(p->hostname, hostname);
	if (m->kind != WGM_Y_MAP) {
		wgm_set_err(err, errlen, "peer '%s' must be a mapping", hostname);
		return -EINVAL;
	}
	ret = get_key(m, "key", &p->key, err, errlen);
	if (!ret)
		ret = wgm_yget_u64(m, "asn", true, 1, UINT32_MAX, &asn, err, errlen);
	if (!ret)
		ret = wgm_yget_u64(m, "localport", true, 1, UINT16_MAX, &localport, err, errlen);
	if (!ret)
		ret = wgm_yget_u64(m, "remoteport", true, 1, UINT16_MAX, &remoteport, err, errlen);
	if (!ret)
		ret = wgm_yget_str(m, "remote", false, p->remote, sizeof(p->remote), err, errlen);
	if (!ret)
		ret = check_addr_list("'remote'", p->remote, err, errlen);
	if (ret)
		goto out;
	p->asn = (uint32_t)asn;
	p->localport = (uint16_t)localport;
	p->remoteport = (uint16_t)remoteport;
	if (localport <= r->portbase || localport - r->portbase > 255) {
		wgm_set_err(err, errlen, "'localport' %llu is not portbase %u plus an octet 1..255",
			    (unsigned long long)localport, r->portbase);
		ret = -ERANGE;
	} else if (localport - r->portbase == r->octet) {
		wgm_set_err(err, errlen, "'localport' %llu gives the peer our own octet %u",
			    (unsigned long long)localport, r->octet);
		ret = -EINVAL;
	} else if (remoteport != (uint64_t)r->portbase + r->octet) {
		wgm_set_err(err, errlen, "'remoteport' %llu is not portbase %u plus our octet %u",
			    (unsigned long long)remoteport, r->portbase, r->octet);
		ret = -ERANGE;
	}
out:
	if (ret)
		prefix_err(err, errlen, hostname);
	return ret;
}

static int cmp_peer_name(const void *a, const void *b)
{
	return strcasecmp((*(const struct wgm_deploy_peer *const *)a)->hostname,
			  (*(const struct wgm_deploy_peer *const *)b)->hostname);
}

static int cmp_peer_key(const void *a, const void *b)
{
	/* Public keys: no need for a constant-time compare. */
	return memcmp((*(const struct wgm_deploy_peer *const *)a)->key.b,
		      (*(const struct wgm_deploy_peer *const *)b)->key.b, WGM_KEY_LEN);
}

/* Peers must be told apart by name, octet (their port) and key; sorted, so 255 peers stay
 * cheap to check. */
static int check_peer_clashes(const struct wgm_deploy_record *r, char *err, size_t errlen)
{
	const struct wgm_deploy_peer *sorted[WGM_MAX_HOSTS];
	bool octet_seen[256] = { false };

	for (size_t i = 0; i < r->n_hosts; i++) {
		uint16_t octet = (uint16_t)(r->hosts[i].localport - r->portbase);

		if (octet_seen[octet]) {
			wgm_set_err(err, errlen, "peer '%s' has octet %u (localport %u) like another peer",
				    r->hosts[i].hostname, octet, r->hosts[i].localport);
			return -EINVAL;
		}
		octet_seen[octet] = true;
		sorted[i] = &r->hosts[i];
	}
	qsort(sorted, r->n_hosts, sizeof(sorted[0]), cmp_peer_name);
	for (size_t i = 1; i < r->n_hosts; i++) {
		if (!cmp_peer_name(&sorted[i - 1], &sorted[i])) {
			wgm_set_err(err, errlen, "peers '%s' and '%s' have the same host name",
				    sorted[i - 1]->hostname, sorted[i]->hostname);
			return -EINVAL;
		}
	}
	qsort(sorted, r->n_hosts, sizeof(sorted[0]), cmp_peer_key);
	for (size_t i = 1; i < r->n_hosts; i++) {
		if (!cmp_peer_key(&sorted[i - 1], &sorted[i])) {
			wgm_set_err(err, errlen, "peers '%s' and '%s' have the same key",
				    sorted[i - 1]->hostname, sorted[i]->hostname);
			return -EINVAL;
		}
	}
	return 0;
}

int wgm_deploy_yaml_decode(const uint8_t *yaml, size_t len, struct wgm_deploy_record *r,
			   char *err, size_t errlen)
{
	struct wgm_ynode *doc = NULL, *hosts;
	uint64_t asn = 0, octet = 0, portbase = 0, serial = 0;
	int ret;

	/* hosts[] is cleared entry by entry as it fills: a 50-peer record touches 50 of 254 */
	memset(r, 0, offsetof(struct wgm_deploy_record, hosts));
	ret = wgm_yaml_parse((const char *)yaml, len, &record_limits, &doc, err, errlen);
	if (!ret && doc->kind != WGM_Y_MAP) {
		wgm_set_err(err, errlen, "expected a mapping at the top, not %s",
			    doc->kind == WGM_Y_SEQ ? "a list" : "a scalar");
		ret = -EINVAL;
	}
	if (!ret) {
		ret = check_kind(doc, "deploy", "a deploy record", err, errlen);
		r->has_kind = ret == 0;
		/* No kind: 1.0's record, which has no serial either; ours always carry both. A
		 * registration (1.0's has no kind) is named as one, not as a record missing 'asn'. */
		if (ret == -ENOENT && wgm_ymap_get(doc, "serial")) {
			wgm_set_err(err, errlen, "a record with a 'serial' but no 'kind: deploy' is neither "
				    "1.0's nor ours: refused");
			ret = -EINVAL;
		} else if (ret == -ENOENT && (wgm_ymap_get(doc, "uuid") || wgm_ymap_get(doc, "public_key_file"))) {
			wgm_set_err(err, errlen, "this is a host registration (it has 'uuid' and key files), "
				    "not a deploy record: a registration replayed as a record; refused");
			ret = -EINVAL;
		} else if (ret == -ENOENT) {
			ret = 0;
		}
	}
	if (!ret)
		crypto_hash_sha256(r->digest, yaml, len);
	if (!ret)
		ret = wgm_yget_u64(doc, "asn", true, 1, UINT32_MAX, &asn, err, errlen);
	if (!ret)
		ret = get_hostname(doc, "site", r->site, err, errlen);
	if (!ret)
		ret = wgm_yget_u64(doc, "octet", true, 1, 255, &octet, err, errlen);
	if (!ret)
		ret = wgm_yget_u64(doc, "portbase", true, 1, UINT16_MAX - 255, &portbase, err, errlen);
	if (!ret)
		ret = wgm_yget_str(doc, "remote", true, r->remote, sizeof(r->remote), err, errlen);
	if (!ret && !valid_ipv6_prefix(r->remote)) {
		wgm_set_err(err, errlen, "'remote' is not an IPv6 prefix: '%.64s'", r->remote);
		ret = -EINVAL;
	}
	if (!ret && wgm_ymap_get(doc, "serial")) {
		ret = wgm_yget_u64(doc, "serial", true, 0, UINT64_MAX, &serial, err, errlen);
		r->has_serial = true;
		r->serial = serial;
	}
	if (!ret)
		ret = decode_handover(doc, &r->handover, err, errlen);
	if (ret)
		goto out;
	r->asn = (uint32_t)asn;
	r->octet = (uint8_t)octet;
	r->portbase = (uint16_t)portbase;
	hosts = wgm_ymap_get(doc, "hosts");
	if (!hosts || hosts->kind != WGM_Y_MAP) {
		wgm_set_err(err, errlen, "'hosts' must be a mapping of peer names%s",
			    hosts ? "" : " (missing)");
		ret = -EINVAL;
		goto out;
	}
	if (hosts->n > WGM_MAX_HOSTS) {
		wgm_set_err(err, errlen, "'hosts' has %zu peers, more than %d", hosts->n, WGM_MAX_HOSTS);
		ret = -E2BIG;
		goto out;
	}
	for (size_t i = 0; i < hosts->n && !ret; i++) {
		memset(&r->hosts[i], 0, sizeof(r->hosts[i]));
		ret = decode_peer(r, hosts->keys[i], hosts->items[i], &r->hosts[i], err, errlen);
		r->n_hosts = i + 1;
	}
	if (!ret)
		ret = check_peer_clashes(r, err, errlen);
out:
	if (ret) {
		prefix_err(err, errlen, "deploy record");
		sodium_memzero(r, sizeof(*r));
	}
	wgm_yaml_free(doc);
	return ret;
}

int wgm_deploy_seal(const struct wgm_deploy_record *r, const struct wgm_key *site_sk,
		    const struct wgm_key *host_pk, struct wgm_buf *payload)
{
	struct wgm_buf yaml = { 0 };
	int ret = wgm_deploy_yaml_encode(r, &yaml);

	if (!ret)
		ret = wgm_box_seal(yaml.p, yaml.len, site_sk, host_pk, payload);
	wgm_buf_free(&yaml);
	return ret;
}

/* What the successor key seals: a digest of the record's bytes before the seal line. */
static void handover_digest(const uint8_t *text, size_t len, uint8_t out[crypto_generichash_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, crypto_generichash_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)HANDOVER_SEAL_CONTEXT,
				  strlen(HANDOVER_SEAL_CONTEXT));
	crypto_generichash_update(&st, text, len);
	crypto_generichash_final(&st, out, crypto_generichash_BYTES);
}

int wgm_deploy_seal_handover(const struct wgm_deploy_record *r, const struct wgm_key *site_sk,
			     const struct wgm_key *next_sk, const struct wgm_key *host_pk,
			     struct wgm_buf *payload)
{
	uint8_t digest[crypto_generichash_BYTES];
	struct wgm_buf yaml = { 0 }, seal = { 0 };
	int ret;

	if (!r->handover.has_key)
		return -EINVAL;
	ret = wgm_deploy_yaml_encode(r, &yaml);
	if (!ret) {
		handover_digest(yaml.p, yaml.len, digest);
		ret = wgm_box_seal(digest, sizeof(digest), next_sk, host_pk, &seal);
	}
	if (!ret)
		ret = wgm_buf_appendf(&yaml, "%s", HANDOVER_SEAL_LINE);
	if (!ret)
		ret = wgm_b64_encode(seal.p, seal.len, false, &yaml);
	if (!ret)
		ret = wgm_buf_appendf(&yaml, "\n");
	if (!ret)
		ret = wgm_box_seal(yaml.p, yaml.len, site_sk, host_pk, payload);
	wgm_buf_free(&yaml);
	wgm_buf_free(&seal);
	return ret;
}

/* The seal must be the plaintext's last line, and it must open with the successor key and the
 * host key to the digest of every byte before that line: what the YAML says is what was sealed. */
static int handover_seal_check(const uint8_t *yaml, size_t len, const struct wgm_key *host_sk,
			       const struct wgm_key *next_pk, char *err, size_t errlen)
{
	const size_t tag = strlen(HANDOVER_SEAL_LINE);
	uint8_t digest[crypto_generichash_BYTES];
	struct wgm_buf seal = { 0 }, opened = { 0 };
	char inner[128];
	size_t start = len ? len - 1 : 0;
	int ret;

	while (start > 0 && yaml[start - 1] != '\n')
		start--;
	if (!len || yaml[len - 1] != '\n' || len - start < tag + 1 ||
	    memcmp(yaml + start, HANDOVER_SEAL_LINE, tag)) {
		wgm_set_err(err, errlen, "'%s' is not the record's last line", HANDOVER_SEAL_KEY);
		return -EINVAL;
	}
	ret = wgm_b64_decode((const char *)yaml + start + tag, len - start - tag - 1, false, 256, &seal);
	if (ret) {
		wgm_set_err(err, errlen, "'%s' is not base64", HANDOVER_SEAL_KEY);
		goto out;
	}
	ret = wgm_box_open(seal.p, seal.len, host_sk, next_pk, &opened, inner, sizeof(inner));
	handover_digest(yaml, start, digest);
	if (!ret && (opened.len != sizeof(digest) ||
		     sodium_memcmp(opened.p, digest, sizeof(digest))))
		ret = -EBADMSG;
	if (ret) {
		char fp[WGM_KEY_B64_LEN + 1];

		wgm_key_to_b64(next_pk, fp);
		wgm_set_err(err, errlen,
			    "the handover to site key %s is not sealed by that key (forged or corrupt): refused",
			    fp);
		/* not -EBADMSG: that is the outer box, which another key may still open */
		ret = -EKEYREJECTED;
	}
out:
	wgm_buf_free(&seal);
	wgm_buf_free(&opened);
	return ret;
}

int wgm_deploy_open(const uint8_t *payload, size_t len, const struct wgm_key *host_sk,
		    const struct wgm_key *site_pk, struct wgm_deploy_record *r, char *err,
		    size_t errlen)
{
	struct wgm_buf yaml = { 0 };
	int ret;

	memset(r, 0, sizeof(*r));
	ret = wgm_box_open(payload, len, host_sk, site_pk, &yaml, err, errlen);
	if (ret)
		prefix_err(err, errlen, "deploy record");
	else
		ret = wgm_deploy_yaml_decode(yaml.p, yaml.len, r, err, errlen);
	if (!ret && r->handover.has_key) {
		ret = handover_seal_check(yaml.p, yaml.len, host_sk, &r->handover.key, err, errlen);
		if (ret) {
			prefix_err(err, errlen, "deploy record");
			sodium_memzero(r, sizeof(*r));
		}
	}
	wgm_buf_free(&yaml);
	return ret;
}
