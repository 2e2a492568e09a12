/* Host state: /etc/wireguard/<domain>.yaml, written by wgconfig (docs/format.md#host-state). */
#ifndef WGM_HOSTSTATE_H
#define WGM_HOSTSTATE_H

#include <stdbool.h>

#include "key.h"
#include "records.h"

enum wgm_firewall_kind { WGM_FW_NONE, WGM_FW_SHOREWALL, WGM_FW_NFTABLES };

struct wgm_host_state {
	char domain[WGM_HOSTNAME_MAX + 1];
	/* host: */
	char cmdfping[4096];
	char hostname[WGM_HOSTNAME_MAX + 1];
	char interface_outbound[16]; /* underlay end of the veth; empty = derived from the locus */
	char interface_public[16];
	char interface_trust[16];
	char interface_trust_ip[64]; /* address/prefix, may be empty */
	char private_key_file[4096];
	char public_key_file[4096];
	char uuid[WGM_UUID_LEN + 1];
	enum wgm_firewall_kind firewall; /* ours, "firewall:" key; absent = shorewall as 1.0 */
	char netns[64];                  /* ours, "netns:" key; absent = the locus */
	/* site: */
	char locus[64];
	struct wgm_key site_public_key;
	bool has_site_key;
	/* ours, "hold_down:" (wgconfig --hold-down): seconds a site-key handover must be seen
	 * before this node pins the new key; 0 = WGM_HOLD_DOWN_DEFAULT */
	uint64_t hold_down;
	/* The parsed document, so keys we do not know survive a rewrite. Opaque. */
	void *doc;
};

/* <state-dir>/<domain>.sitekey: the node's view of a site-key rollover (netmgr/node/sitekey.c);
 * wgconfig -P removes it, a re-pin by hand starts afresh. */
#define WGM_SITEKEY_SUFFIX ".sitekey"

int wgm_host_state_path(const char *state_dir, const char *domain, char *out, size_t outlen);
int wgm_host_state_load(const char *path, struct wgm_host_state *hs, char *err, size_t errlen);
int wgm_host_state_save(const char *path, struct wgm_host_state *hs, char *err, size_t errlen);
void wgm_host_state_free(struct wgm_host_state *hs);

#endif
