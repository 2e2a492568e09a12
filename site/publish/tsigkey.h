/* TSIG key files for RFC 2136 publishing: the one place their text is parsed. */
#ifndef WGM_TSIGKEY_H
#define WGM_TSIGKEY_H

#include <stddef.h>

struct wgm_tsig_key {
	char name[256];      /* key name with a trailing dot, as ldns signs with it */
	char algorithm[32];  /* ldns's spelling: "hmac-sha256." */
	char secret[200];    /* base64, checked to decode; wipe with wgm_tsig_key_wipe */
};

/* Accepts, in this order of detection:
 *   key "NAME" { algorithm hmac-sha256; secret "B64"; };   (BIND tsig-keygen, Knot docs)
 *   key: - id: NAME / algorithm: ALG / secret: B64          (Knot's keymgr -t output)
 *   ALG:NAME:SECRET                                        (kdig -y, also keymgr's comment line)
 * Returns 0, or -errno with one line in err naming the problem (never the secret). */
int wgm_tsig_key_parse(const char *text, size_t len, struct wgm_tsig_key *key, char *err,
		       size_t errlen);
int wgm_tsig_key_load(const char *path, struct wgm_tsig_key *key, char *err, size_t errlen);
void wgm_tsig_key_wipe(struct wgm_tsig_key *key);

#endif
