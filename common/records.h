/* The three wgmesh 1.0 messages as plain data (docs/format.md), and their codecs.
 * Every decoder here takes untrusted bytes: it checks sizes, types and ranges and on failure
 * writes one line to err naming the bad value. */
#ifndef WGM_RECORDS_H
#define WGM_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "key.h"
#include "names.h"

#define WGM_MAX_HOSTS 255
#define WGM_MAX_ENDPOINTS 8
#define WGM_ADDRLIST_MAX 1024 /* comma-joined endpoint text */
#define WGM_RECORD_MAX (256 * 1024) /* decoded payload cap for any record */

/* Site record, TXT at <domain>: plaintext YAML "locus: ...\npublickey: ...\n". */
struct wgm_site_record {
	char locus[64];
	struct wgm_key public_key;
	/* ours: "nextkey:", the key a pending site-key handover rolls to (docs/format.md#site-key-handover),
	 * announced publicly so that the site's admin sees a handover they did not make */
	bool has_next_key;
	struct wgm_key next_key;
};
int wgm_site_record_encode(const struct wgm_site_record *r, struct wgm_buf *payload);
int wgm_site_record_decode(const uint8_t *payload, size_t len, struct wgm_site_record *r,
			   char *err, size_t errlen);

/* Host registration (wghost -> wgsite -i). */
struct wgm_registration {
	char hostname[WGM_HOSTNAME_MAX + 1];
	char uuid[WGM_UUID_LEN + 1];
	struct wgm_key public_key;
	char public_key_file[4096];
	char private_key_file[4096];
	char local_ipv4[WGM_ADDRLIST_MAX]; /* comma-joined, may be empty */
	char local_ipv6[WGM_ADDRLIST_MAX];
};
/* Produces the one-line message text (outer base64, no newline). */
int wgm_registration_encode(const struct wgm_registration *r, const struct wgm_key *host_sk,
			    const struct wgm_key *site_pk, struct wgm_buf *message);
int wgm_registration_decode(const char *message, const struct wgm_key *site_sk,
			    struct wgm_registration *r, char *err, size_t errlen);

/* Deploy record, TXT at <uuid>.<domain>: box(site_sk, host_pk, YAML). Ours carry 'kind:
 * deploy' and a serial, registrations 'kind: registration' (1.0 ignores both keys): a message
 * of one kind is refused as the other. */
struct wgm_deploy_peer {
	char hostname[WGM_HOSTNAME_MAX + 1];
	struct wgm_key key;
	uint32_t asn;
	uint16_t localport;  /* portbase + peer octet: where we listen for this peer */
	uint16_t remoteport; /* portbase + our octet: where the peer listens for us */
	char remote[WGM_ADDRLIST_MAX]; /* comma-joined endpoint addresses/names, may be empty */
};
/* ours, "handover:" in a deploy record (docs/format.md#site-key-handover): the site key that
 * sealed the record vouches for its successor (key, since), or says it is revoked. */
struct wgm_site_handover {
	bool has_key;
	struct wgm_key key; /* the successor; its seal over the record is checked on open */
	uint64_t since;     /* Unix time of wgsite rotate-key */
	bool revoked;
	uint64_t revoked_at;
};
/* A node pins a handover's key once it has seen the same handover, vouched by its pinned key and
 * announced in the site record, for this long (RFC 5011's add hold-down) and on at least this
 * many fetches (docs/design.md#site-key-rollover). wgconfig --hold-down sets a node's. */
#define WGM_HOLD_DOWN_DEFAULT (30ull * 24 * 3600)
#define WGM_HOLD_DOWN_MIN_FETCHES 2
struct wgm_deploy_record {
	uint32_t asn;
	char site[WGM_HOSTNAME_MAX + 1];
	uint8_t octet;
	uint16_t portbase;
	char remote[64]; /* the site's IPv6 /48, as text */
	bool has_serial; /* 1.0 controllers publish none */
	uint64_t serial;
	bool has_kind;   /* 'kind: deploy': ours (always with a serial); 1.0's has neither */
	uint8_t digest[32]; /* SHA-256 of the opened YAML: an equal serial must bring equal content */
	struct wgm_site_handover handover;
	size_t n_hosts;
	struct wgm_deploy_peer hosts[WGM_MAX_HOSTS];
};
int wgm_deploy_yaml_encode(const struct wgm_deploy_record *r, struct wgm_buf *yaml);
int wgm_deploy_yaml_decode(const uint8_t *yaml, size_t len, struct wgm_deploy_record *r,
			   char *err, size_t errlen);
/* payload = nonce || box(site_sk, host_pk, yaml) */
int wgm_deploy_seal(const struct wgm_deploy_record *r, const struct wgm_key *site_sk,
		    const struct wgm_key *host_pk, struct wgm_buf *payload);
/* The same during a site-key handover (r->handover.has_key): sealed with the current key
 * site_sk, and the successor next_sk seals a digest of every byte before its own last line
 * "handover_seal: ...", so that the record opens for nodes on either key. */
int wgm_deploy_seal_handover(const struct wgm_deploy_record *r, const struct wgm_key *site_sk,
			     const struct wgm_key *next_sk, const struct wgm_key *host_pk,
			     struct wgm_buf *payload);
/* A record with a handover to a key must carry that key's valid seal, or it is refused
 * (-EKEYREJECTED; -EBADMSG is the outer box failing). */
int wgm_deploy_open(const uint8_t *payload, size_t len, const struct wgm_key *host_sk,
		    const struct wgm_key *site_pk, struct wgm_deploy_record *r, char *err,
		    size_t errlen);

#endif
