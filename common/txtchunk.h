/* 1.0's chunked TXT records (docs/format.md#chunked-txt-records): a payload is base64'd with a
 * newline every 76 chars and line i becomes the TXT string "<i>:<line>". */
#ifndef WGM_TXTCHUNK_H
#define WGM_TXTCHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A 255-host deploy record takes about 720 lines; 1024 leaves room and still bounds work. */
#define WGM_TXT_MAX_PARTS 1024

/* 1.0's line: Python's base64.encodebytes wraps at 76 characters. */
#define WGM_TXT_WIDTH_10 76
/* The widest line whose "<i>:" string still fits one 255-byte TXT string (i < 1000). The
 * reader joins the parts whatever their length, so wide lines decode the same; they cut the
 * RR count by 3x, which is what lets a ~250-host record fit in one 65535-byte DNS message. */
#define WGM_TXT_WIDE 248

/* Appends the "<i>:<line>" strings of payload to out, 1.0's layout. */
int wgm_txt_encode(const uint8_t *payload, size_t len, struct wgm_strv *out);
/* The same with width base64 characters a line (a multiple of 4, at most WGM_TXT_WIDE). */
int wgm_txt_encode_width(const uint8_t *payload, size_t len, size_t width, struct wgm_strv *out);
/* Reassembles the strings of an RRset, in any order, into the payload (appended to out).
 * Untrusted input: each string is split on spaces like 1.0's reader; indices must be decimal,
 * unique and without gaps, all parts indexed or none; at most WGM_TXT_MAX_PARTS parts and
 * WGM_RECORD_MAX payload bytes. Failures: -EINVAL/-EFBIG with one line in err. */
int wgm_txt_decode(const char *const *rrs, size_t n_rrs, struct wgm_buf *out, char *err,
		   size_t errlen);

#endif
