#include "b64.h"

#include <errno.h>
#include <sodium.h>

static int encode_block(const uint8_t *bin, size_t len, struct wgm_buf *out)
{
	size_t enc = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	int ret = wgm_buf_reserve(out, enc);

	if (ret)
		return ret;
	/* enc counts the NUL sodium writes; the buffer keeps one spare byte past len for it. */
	sodium_bin2base64((char *)out->p + out->len, enc, bin, len, sodium_base64_VARIANT_ORIGINAL);
	out->len += enc - 1;
	return 0;
}

int wgm_b64_encode(const uint8_t *bin, size_t len, bool wrapped, struct wgm_buf *out)
{
	/* 57 input bytes make exactly one 76-char line, as in Python's encodebytes. */
	const size_t per_line = WGM_B64_LINE / 4 * 3;
	int ret;

	if (!wrapped)
		return encode_block(bin, len, out);
	for (size_t off = 0; off < len; off += per_line) {
		size_t n = len - off < per_line ? len - off : per_line;

		ret = encode_block(bin + off, n, out);
		if (!ret)
			ret = wgm_buf_append(out, "\n", 1);
		if (ret)
			return ret;
	}
	return 0;
}

int wgm_b64_decode(const char *text, size_t len, bool ignore_ws, size_t max, struct wgm_buf *out)
{
	size_t cap = len / 4 * 3 + 3, bin_len = 0;
	const char *end = NULL;
	int ret;

	/* Decoded in full, then held to max: sodium's ERANGE also means "missing padding". */
	ret = wgm_buf_reserve(out, cap);
	if (ret)
		return ret;
	if (sodium_base642bin(out->p + out->len, cap, text, len, ignore_ws ? " \t\r\n" : NULL,
			      &bin_len, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
		return -EINVAL;
	/* sodium stops quietly at the first byte it cannot use: that is garbage for us. */
	if (end != text + len)
		return -EINVAL;
	if (bin_len > max)
		return -EFBIG;
	out->len += bin_len;
	out->p[out->len] = 0;
	return 0;
}
