/* The site file (docs/format.md#site-file): YAML edited by humans and by wgsite. We read 1.0's
 * quirks (quoted numbers, the three asn_range forms, local_ipv6: ['']) and on rewrite keep
 * every key we do not know. */
#ifndef WGM_SITEFILE_H
#define WGM_SITEFILE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include "records.h"

#define WGM_ASN_RANGE_MAX 65536

struct wgm_site_host {
	char hostname[WGM_HOSTNAME_MAX + 1];
	char uuid[WGM_UUID_LEN + 1];
	uint32_t asn;
	uint8_t octet;
	struct wgm_key public_key;
	char local_ipv4[WGM_ADDRLIST_MAX]; /* comma-joined, as in the deploy record */
	char local_ipv6[WGM_ADDRLIST_MAX];
	char public_key_file[4096];
	char private_key_file[4096];
	/* Removal workflow: a host marked removed keeps its octet and ASN until its records are
	 * confirmed gone ("removed: <unix time>" in the file). */
	bool removed;
};

struct wgm_site {
	char path[4096];     /* the site file; the key path is relative to its directory */
	/* global: */
	char alerts[256];
	char domain[WGM_HOSTNAME_MAX + 1];
	char ipv6[64];       /* the site /48 as text */
	struct in6_addr prefix;
	char locus[64];
	uint16_t portbase;
	size_t n_asns;       /* the ASN range, expanded in order */
	uint32_t *asns;
	struct wgm_key public_key;
	bool has_public_key;
	char privatekey_path[4096]; /* as written in the file */
	/* ours: a site-key rollover (docs/format.md#site-key-handover). next_*: the successor made
	 * by wgsite rotate-key, vouched for in every record until --retire; revoked_at: the
	 * current key was revoked (wgsite rotate-key --revoke), records say so */
	bool has_next_key;
	struct wgm_key next_public_key;
	char next_privatekey_path[4096];
	uint64_t next_since;
	uint64_t revoked_at;
	char route53[128];
	char aws_access_key_id[128];
	char aws_secret_access_key[256];
	/* hosts: */
	size_t n_hosts;
	struct wgm_site_host *hosts;
	void *doc; /* the parsed tree, so unknown keys survive a rewrite. Opaque. */
};

int wgm_site_load(const char *path, struct wgm_site *s, char *err, size_t errlen);
int wgm_site_save(struct wgm_site *s, char *err, size_t errlen);
void wgm_site_free(struct wgm_site *s);
/* The site private key file path, resolved against the site file's directory. */
int wgm_site_key_path(const struct wgm_site *s, char *out, size_t outlen);
/* The same for the successor key of a pending handover. */
int wgm_site_next_key_path(const struct wgm_site *s, char *out, size_t outlen);
struct wgm_site_host *wgm_site_find_host(struct wgm_site *s, const char *hostname);
struct wgm_site_host *wgm_site_find_uuid(struct wgm_site *s, const char *uuid);

#endif
