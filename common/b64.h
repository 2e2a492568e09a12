/* Base64 as wgmesh 1.0 writes it: libsodium's ORIGINAL variant (with '=' padding), optionally
 * wrapped like Python's base64.encodebytes (a '\n' after every 76 chars and at the end). */
#ifndef WGM_B64_H
#define WGM_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define WGM_B64_LINE 76

/* Appends the encoding of bin to out. wrapped: encodebytes layout (empty input gives ""). */
int wgm_b64_encode(const uint8_t *bin, size_t len, bool wrapped, struct wgm_buf *out);
/* Strict decode of text[0..len) appended to out: padding required, no stray characters.
 * ignore_ws: skip '\n', '\r', ' ' and '\t' anywhere (wrapped input).
 * -EFBIG when the result would pass max bytes, -EINVAL on anything that is not base64. */
int wgm_b64_decode(const char *text, size_t len, bool ignore_ws, size_t max, struct wgm_buf *out);

#endif
