/* NaCl crypto_box as wgmesh 1.0 uses it (docs/format.md#encryption): X25519 + XSalsa20-Poly1305,
 * a random 24-byte nonce, wire form nonce || box (PyNaCl's Box.encrypt). */
#ifndef WGM_BOX_H
#define WGM_BOX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "key.h"

/* Appends nonce || box(sender_sk, recipient_pk, plain) to out. */
int wgm_box_seal(const uint8_t *plain, size_t len, const struct wgm_key *sender_sk,
		 const struct wgm_key *recipient_pk, struct wgm_buf *out);
/* Appends the plaintext of wire (nonce || box) to out. -EBADMSG when the input is too short
 * or fails authentication (forged, corrupt or wrong key), with a one-line err. */
int wgm_box_open(const uint8_t *wire, size_t len, const struct wgm_key *recipient_sk,
		 const struct wgm_key *sender_pk, struct wgm_buf *out, char *err, size_t errlen);

#endif
