#include "txtchunk.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "errmsg.h"
#include "records.h"

/* Base64 text long enough for WGM_RECORD_MAX bytes, and no longer. */
#define MAX_B64_CHARS ((WGM_RECORD_MAX + 2) / 3 * 4)

struct part {
	const char *text; /* the base64 after "<i>:" (or the whole part, unindexed) */
	size_t len;
	const char *whole;
	size_t whole_len;
	unsigned long index;
};

/* How much of a part an error message quotes. */
#define SHOWN(p) ((int)((p)->whole_len < 40 ? (p)->whole_len : 40))

int wgm_txt_encode_width(const uint8_t *payload, size_t len, size_t width, struct wgm_strv *out)
{
	struct wgm_buf b64 = { 0 }, line = { 0 };
	size_t start = 0, index = 0, n;
	int ret;

	if (width == 0 || width % 4 || width > WGM_TXT_WIDE)
		return -EINVAL;
	ret = wgm_b64_encode(payload, len, false, &b64);
	while (!ret && start < b64.len) {
		n = b64.len - start < width ? b64.len - start : width;
		wgm_buf_reset(&line);
		ret = wgm_buf_appendf(&line, "%zu:%.*s", index++, (int)n, (const char *)b64.p + start);
		if (!ret)
			ret = wgm_strv_pushn(out, (const char *)line.p, line.len);
		start += n;
	}
	wgm_buf_free(&line);
	wgm_buf_free(&b64);
	return ret;
}

int wgm_txt_encode(const uint8_t *payload, size_t len, struct wgm_strv *out)
{
	return wgm_txt_encode_width(payload, len, WGM_TXT_WIDTH_10, out);
}

static int cmp_index(const void *a, const void *b)
{
	const struct part *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

/* "<digits>:" at the front of the part; the index is capped well below any overflow. */
static int parse_index(struct part *p, char *err, size_t errlen)
{
	const char *colon = memchr(p->whole, ':', p->whole_len);
	unsigned long index = 0;

	if (!colon) {
		wgm_set_err(err, errlen,
			    "TXT part '%.*s' has no '<index>:' while others do: mixed indexed and unindexed parts",
			    SHOWN(p), p->whole);
		return -EINVAL;
	}
	if (colon == p->whole) {
		wgm_set_err(err, errlen, "TXT part '%.*s' has an empty index", SHOWN(p), p->whole);
		return -EINVAL;
	}
	for (const char *c = p->whole; c < colon; c++) {
		if (*c < '0' || *c > '9') {
			wgm_set_err(err, errlen, "TXT part '%.*s' has an index that is not a decimal number",
				    SHOWN(p), p->whole);
			return -EINVAL;
		}
		index = index * 10 + (unsigned long)(*c - '0');
		if (index >= WGM_TXT_MAX_PARTS) {
			wgm_set_err(err, errlen, "TXT part '%.*s' has an index past the %d-part limit",
				    SHOWN(p), p->whole, WGM_TXT_MAX_PARTS);
			return -EINVAL;
		}
	}
	p->index = index;
	p->text = colon + 1;
	p->len = p->whole_len - (size_t)(colon + 1 - p->whole);
	return 0;
}

/* Splits every string on spaces like 1.0 does; empty pieces are dropped. */
static int split_parts(const char *const *rrs, size_t n_rrs, struct part *parts, size_t *n,
		       char *err, size_t errlen)
{
	*n = 0;
	for (size_t i = 0; i < n_rrs; i++) {
		const char *s = rrs[i];

		while (*s) {
			size_t len = strcspn(s, " ");

			if (len) {
				if (*n == WGM_TXT_MAX_PARTS) {
					wgm_set_err(err, errlen,
						    "TXT record has more than %d parts: refusing it as oversized",
						    WGM_TXT_MAX_PARTS);
					return -EFBIG;
				}
				parts[*n].whole = s;
				parts[*n].whole_len = len;
				parts[*n].text = s;
				parts[*n].len = len;
				parts[*n].index = *n;
				(*n)++;
			}
			s += len;
			s += strspn(s, " ");
		}
	}
	return 0;
}

/* Every line but the last is whole base64 quads without padding, so the first line that does
 * not decode alone is the one to name. */
static void name_bad_base64(const struct part *parts, size_t n, char *err, size_t errlen)
{
	struct wgm_buf scratch = { 0 };

	for (size_t i = 0; i < n; i++) {
		bool last = i == n - 1;
		int ret;

		wgm_buf_reset(&scratch);
		ret = wgm_b64_decode(parts[i].text, parts[i].len, false, WGM_RECORD_MAX, &scratch);
		if (ret || (!last && memchr(parts[i].text, '=', parts[i].len))) {
			wgm_set_err(err, errlen, "TXT part '%.*s' is not valid base64%s", SHOWN(&parts[i]),
				    parts[i].whole, last && parts[i].len % 4 ? " (truncated?)" : "");
			wgm_buf_free(&scratch);
			return;
		}
	}
	wgm_buf_free(&scratch);
	wgm_set_err(err, errlen, "TXT record is not valid base64 once its %zu parts are joined", n);
}

int wgm_txt_decode(const char *const *rrs, size_t n_rrs, struct wgm_buf *out, char *err,
		   size_t errlen)
{
	struct wgm_buf joined = { 0 };
	struct part *parts;
	size_t n = 0, total = 0;
	bool indexed;
	int ret;

	parts = calloc(WGM_TXT_MAX_PARTS, sizeof(*parts));
	if (!parts)
		return -ENOMEM;
	ret = split_parts(rrs, n_rrs, parts, &n, err, errlen);
	if (ret)
		goto out;
	if (!n) {
		wgm_set_err(err, errlen, "TXT record is empty");
		ret = -ENODATA;
		goto out;
	}
	indexed = memchr(parts[0].whole, ':', parts[0].whole_len) != NULL;
	for (size_t i = 0; i < n; i++) {
		if (indexed) {
			ret = parse_index(&parts[i], err, errlen);
		} else if (memchr(parts[i].whole, ':', parts[i].whole_len)) {
			wgm_set_err(err, errlen,
				    "TXT part '%.*s' has an index while the first part has none: mixed indexed and unindexed parts",
				    SHOWN(&parts[i]), parts[i].whole);
			ret = -EINVAL;
		}
		if (ret)
			goto out;
		total += parts[i].len;
		if (total > MAX_B64_CHARS) {
			wgm_set_err(err, errlen,
				    "TXT record is over %d bytes of payload: refusing it as oversized",
				    WGM_RECORD_MAX);
			ret = -EFBIG;
			goto out;
		}
	}
	if (indexed) {
		qsort(parts, n, sizeof(*parts), cmp_index);
		for (size_t i = 0; i < n; i++) {
			if (i && parts[i].index == parts[i - 1].index) {
				wgm_set_err(err, errlen, "TXT part index %lu appears twice ('%.*s')",
					    parts[i].index, SHOWN(&parts[i]), parts[i].whole);
				ret = -EINVAL;
				goto out;
			}
			if (parts[i].index != i) {
				wgm_set_err(err, errlen, "TXT part %zu is missing (parts go up to %lu)", i,
					    parts[n - 1].index);
				ret = -EINVAL;
				goto out;
			}
		}
	}
	for (size_t i = 0; i < n && !ret; i++)
		ret = wgm_buf_append(&joined, parts[i].text, parts[i].len);
	if (ret)
		goto out;
	ret = wgm_b64_decode((const char *)joined.p, joined.len, false, WGM_RECORD_MAX, out);
	if (ret == -EINVAL)
		name_bad_base64(parts, n, err, errlen);
	else if (ret == -EFBIG)
		wgm_set_err(err, errlen, "TXT record is over %d bytes of payload: refusing it as oversized",
			    WGM_RECORD_MAX);
out:
	wgm_buf_free(&joined);
	free(parts);
	return ret;
}
