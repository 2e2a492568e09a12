/* A host key's fingerprint, the same on the node (wghost) and the controller (wgsite show), so
 * the admin who approves a registration can check it came from that node. */
#ifndef WGM_SITE_FINGERPRINT_H
#define WGM_SITE_FINGERPRINT_H

#include "key.h"

#define WGM_FINGERPRINT_LEN 50 /* "SHA256:" + 43 base64 characters */

/* OpenSSH's form: "SHA256:" and the unpadded base64 of the public key's SHA-256. */
void wgm_key_fingerprint(const struct wgm_key *public_key, char out[WGM_FINGERPRINT_LEN + 1]);

#endif
