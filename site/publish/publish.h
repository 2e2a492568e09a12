/* Publishing record sets to DNS: the site record and every host's deploy record.
 * A change set is plain data (what the zone should hold for our names); each back end applies
 * it: print (1.0's text), a BIND zone file, RFC 2136 + TSIG, Route53. */
#ifndef WGM_PUBLISH_H
#define WGM_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/buf.h"

#define WGM_PUBLISH_TTL 300

struct wgm_rrset {
	char name[256];      /* fully qualified, no trailing dot: "<uuid>.<domain>" */
	char label[256];     /* what 1.0 printed as the host ("alpha.example.net"), or "" */
	struct wgm_strv txt; /* one TXT string per RR, each <= 255 bytes ("0:....") */
};

struct wgm_changeset {
	char zone[256];          /* the site domain */
	size_t n_sets;
	struct wgm_rrset *sets;  /* replace each name's TXT RRset with exactly these */
	struct wgm_strv deletes; /* names whose TXT RRset is to be removed (removed hosts) */
};
int wgm_changeset_add(struct wgm_changeset *cs, const char *name, const char *label,
		      const struct wgm_strv *txt);
void wgm_changeset_free(struct wgm_changeset *cs);

/* RFC 2136 dynamic update with TSIG (ldns). server: "ADDR[:PORT]". keyfile: a BIND/Knot-style
 * key clause ("key NAME { algorithm ALG; secret B64; };") or "ALG:NAME:SECRET" (kdig -y).
 * One UPDATE per name, so each RRset is replaced atomically. */
int wgm_publish_rfc2136(const struct wgm_changeset *cs, const char *server, const char *keyfile,
			char *err, size_t errlen);

/* Route53 ChangeResourceRecordSets (UPSERT / DELETE) signed with libcurl's AWS SigV4.
 * endpoint: "https://route53.amazonaws.com" normally; tests point it at a loopback server. */
struct wgm_route53 {
	char endpoint[256];
	char zone_id[128];
	char access_key_id[128];
	char secret_access_key[256];
};
int wgm_publish_route53(const struct wgm_changeset *cs, const struct wgm_route53 *r53, char *err,
			size_t errlen);

#endif
