/* syncconf semantics: compare the running device with the desired one and keep only what
 * differs, so an unchanged record writes nothing and no live session is reset. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wgset.h"

static bool endpoint_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port && !memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) &&
		       a6->sin6_scope_id == b6->sin6_scope_id;
	return false;
}

/* Allowed IPs as the device keeps them: masked to their prefix. */
static int normalize_allowed(const struct wgdev_peer *p, struct wgset_peer *out, struct nl_err *e)
{
	size_t i;

	out->n_allowed = 0;
	for (i = 0; i < p->n_allowed && i < WGDEV_MAX_ALLOWED; i++) {
		int family = p->allowed[i].family;
		uint8_t cidr = p->allowed[i].cidr;

		if (!((family == AF_INET && cidr <= 32) || (family == AF_INET6 && cidr <= 128))) {
			return nl_err_fmt(e, -EINVAL, "allowed IP %zu of a peer has family %d and prefix /%u: use AF_INET /0-32 or AF_INET6 /0-128",
					  i, family, cidr);
		}
		out->allowed[i].family = family;
		memcpy(out->allowed[i].addr, p->allowed[i].addr, 16);
		if (family == AF_INET)
			memset(out->allowed[i].addr + 4, 0, 12);
		out->allowed[i].cidr = cidr;
		wgdev_allowed_mask(family, out->allowed[i].addr, cidr);
		out->n_allowed++;
	}
	return 0;
}

static bool allowed_contains(const struct wgset_peer *s, int family, const uint8_t *addr, uint8_t cidr)
{
	size_t i;

	for (i = 0; i < s->n_allowed; i++)
		if (s->allowed[i].family == family && s->allowed[i].cidr == cidr &&
		    !memcmp(s->allowed[i].addr, addr, family == AF_INET ? 4 : 16))
			return true;
	return false;
}

/* Same set, order aside (duplicates in the desired list count once, as in the kernel). */
static bool allowed_equal(const struct wgset_peer *a, const struct wgset_peer *b)
{
	size_t i;

	for (i = 0; i < a->n_allowed; i++)
		if (!allowed_contains(b, a->allowed[i].family, a->allowed[i].addr, a->allowed[i].cidr))
			return false;
	for (i = 0; i < b->n_allowed; i++)
		if (!allowed_contains(a, b->allowed[i].family, b->allowed[i].addr, b->allowed[i].cidr))
			return false;
	return true;
}

static const struct wgdev_peer *find_peer(const struct wgdev_config *c, const struct wgm_key *k)
{
	size_t i;

	for (i = 0; i < c->n_peers; i++)
		if (wgm_key_equal(&c->peers[i].public_key, k))
			return &c->peers[i];
	return NULL;
}

/* The change for one desired peer; has_change false when the device already matches it. */
static int diff_peer(const struct wgdev_peer *have, const struct wgdev_peer *want, struct wgset_peer *out,
		     bool *has_change, struct nl_err *e)
{
	struct wgset_peer have_allowed = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	out->public_key = want->public_key;
	ret = normalize_allowed(want, out, e);
	if (ret)
		return ret;
	if (want->has_endpoint && (!have || !have->has_endpoint || !endpoint_equal(&have->endpoint, &want->endpoint))) {
		out->set_endpoint = true;
		out->endpoint = want->endpoint;
	}
	if (!have || have->keepalive != want->keepalive) {
		out->set_keepalive = true;
		out->keepalive = want->keepalive;
	}
	if (have) {
		ret = normalize_allowed(have, &have_allowed, e);
		if (ret)
			return ret;
	}
	out->replace_allowed = !have || have->allowed_truncated || !allowed_equal(&have_allowed, out);
	*has_change = !have || out->set_endpoint || out->set_keepalive || out->replace_allowed;
	return 0;
}


/* Devices report the private key clamped (X25519 ignores those bits: same public key, same
 * shared secrets), so a key file holding the unclamped form is still the key the device has. */
static bool key_equal_clamped(const struct wgm_key *device, const struct wgm_key *want)
{
	struct wgm_key clamped = *want;
	bool equal;

	clamped.b[0] &= 248;
	clamped.b[31] = (clamped.b[31] & 127) | 64;
	equal = wgm_key_equal(device, &clamped) || wgm_key_equal(device, want);
	sodium_memzero(&clamped, sizeof(clamped));
	return equal;
}
int wgset_diff(const struct wgdev_config *cur, const struct wgdev_config *want, struct wgset *out,
	       struct nl_err *e)
{
	struct wgset_peer *p;
	bool has_change;
	size_t i, j;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	snprintf(out->ifname, sizeof(out->ifname), "%s", want->ifname);
	for (i = 0; i < want->n_peers; i++)
		for (j = i + 1; j < want->n_peers; j++)
			if (wgm_key_equal(&want->peers[i].public_key, &want->peers[j].public_key)) {
				return nl_err_fmt(e, -EINVAL, "device %s: peers %zu and %zu have the same public key: give each peer its own",
						  want->ifname, i, j);
			}
	if (want->has_private_key && (!cur->has_private_key || !key_equal_clamped(&cur->private_key, &want->private_key))) {
		out->set_private_key = true;
		out->private_key = want->private_key;
	}
	if (want->listen_port && want->listen_port != cur->listen_port) {
		out->set_listen_port = true;
		out->listen_port = want->listen_port;
	}
	/* Worst case: every desired peer changes and every current one leaves. */
	out->peers = calloc(want->n_peers + cur->n_peers + 1, sizeof(*out->peers));
	if (!out->peers) {
		ret = nl_err_set(e, -ENOMEM, NULL);
		goto fail; /* out may already hold the private key */
	}
	for (i = 0; i < cur->n_peers; i++) {
		if (find_peer(want, &cur->peers[i].public_key))
			continue;
		p = &out->peers[out->n_peers++];
		p->public_key = cur->peers[i].public_key;
		p->remove = true;
	}
	for (i = 0; i < want->n_peers; i++) {
		p = &out->peers[out->n_peers];
		ret = diff_peer(find_peer(cur, &want->peers[i].public_key), &want->peers[i], p, &has_change, e);
		if (ret)
			goto fail;
		if (has_change)
			out->n_peers++;
	}
	return 0;
fail:
	wgset_free(out);
	return ret;
}

bool wgset_is_empty(const struct wgset *s)
{
	return !s->set_private_key && !s->set_listen_port && s->n_peers == 0;
}

void wgset_free(struct wgset *s)
{
	sodium_memzero(&s->private_key, sizeof(s->private_key));
	free(s->peers);
	s->peers = NULL;
	s->n_peers = 0;
	s->set_private_key = false;
}
