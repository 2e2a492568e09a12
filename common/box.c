#include "box.h"

#include <errno.h>
#include <stdio.h>
#include <sodium.h>

int wgm_box_seal(const uint8_t *plain, size_t len, const struct wgm_key *sender_sk,
		 const struct wgm_key *recipient_pk, struct wgm_buf *out)
{
	size_t total;
	uint8_t *dst;
	int ret;

	if (sodium_init() < 0)
		return -EIO;
	if (len > SIZE_MAX - crypto_box_NONCEBYTES - crypto_box_MACBYTES)
		return -EFBIG;
	total = crypto_box_NONCEBYTES + crypto_box_MACBYTES + len;
	ret = wgm_buf_reserve(out, total);
	if (ret)
		return ret;
	dst = out->p + out->len;
	randombytes_buf(dst, crypto_box_NONCEBYTES);
	if (crypto_box_easy(dst + crypto_box_NONCEBYTES, plain, len, dst, recipient_pk->b,
			    sender_sk->b) != 0)
		return -EINVAL; /* the recipient key is a low-order point */
	out->len += total;
	out->p[out->len] = 0;
	return 0;
}

int wgm_box_open(const uint8_t *wire, size_t len, const struct wgm_key *recipient_sk,
		 const struct wgm_key *sender_pk, struct wgm_buf *out, char *err, size_t errlen)
{
	const size_t overhead = crypto_box_NONCEBYTES + crypto_box_MACBYTES;
	int ret;

	if (sodium_init() < 0)
		return -EIO;
	if (len < overhead) {
		snprintf(err, errlen,
			 "encrypted message is %zu bytes, shorter than the %zu of nonce and MAC: truncated",
			 len, overhead);
		return -EBADMSG;
	}
	ret = wgm_buf_reserve(out, len - overhead);
	if (ret)
		return ret;
	if (crypto_box_open_easy(out->p + out->len, wire + crypto_box_NONCEBYTES,
				 len - crypto_box_NONCEBYTES, wire, sender_pk->b,
				 recipient_sk->b) != 0) {
		snprintf(err, errlen,
			 "encrypted message does not authenticate: forged, corrupt or wrong key");
		return -EBADMSG;
	}
	out->len += len - overhead;
	out->p[out->len] = 0;
	return 0;
}
