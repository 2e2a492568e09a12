/* The frame protocol (layout in proto.h): the one place frames are built and checked. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

int wgm_dns_name_check(const char *name, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > WGM_DNS_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.') {
			if (label == 0)
				return -EINVAL;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return -EINVAL;
		if (++label > 63)
			return -EINVAL;
	}
	return 0;
}

static void put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint16_t get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool detail_valid(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* The per-type rules, shared by encode (our own bugs) and parse (the peer's lies). */
static int payload_check(enum wgm_frame_type type, uint32_t id, const uint8_t *p, size_t len,
			 char *err, size_t errlen)
{
	switch (type) {
	case WGM_FRAME_READY:
		if (len != 0 || id != 0) {
			snprintf(err, errlen, "READY frame with %zu payload bytes and id %u, expected 0 and 0",
				 len, id);
			return -EPROTO;
		}
		return 0;
	case WGM_FRAME_REQ_TXT:
	case WGM_FRAME_REQ_ADDRS:
		if (len <= WGM_FRAME_REQ_MIN ||
		    wgm_dns_name_check((const char *)p + WGM_FRAME_REQ_MIN, len - WGM_FRAME_REQ_MIN)) {
			snprintf(err, errlen, "request frame of %zu payload bytes without a valid DNS name",
				 len);
			return -EPROTO;
		}
		return 0;
	case WGM_FRAME_STRING:
		if (len > WGM_FRAME_MAX_PAYLOAD || (len && memchr(p, '\0', len))) {
			snprintf(err, errlen, "STRING frame of %zu bytes is too long or holds a NUL", len);
			return -EPROTO;
		}
		return 0;
	case WGM_FRAME_END: {
		uint32_t status;

		if (len < WGM_FRAME_END_MIN || len > WGM_FRAME_END_MIN + WGM_FRAME_DETAIL_MAX) {
			snprintf(err, errlen, "END frame of %zu payload bytes, expected %d..%d", len,
				 WGM_FRAME_END_MIN, WGM_FRAME_END_MIN + WGM_FRAME_DETAIL_MAX);
			return -EPROTO;
		}
		status = get_u32(p);
		if (status > WGM_FETCH_ERROR) {
			snprintf(err, errlen, "END frame with unknown status %u", status);
			return -EPROTO;
		}
		if (!detail_valid(p + WGM_FRAME_END_MIN, len - WGM_FRAME_END_MIN)) {
			snprintf(err, errlen, "END frame detail holds a non-printable byte");
			return -EPROTO;
		}
		return 0;
	}
	}
	snprintf(err, errlen, "unknown frame type %u", (unsigned)type);
	return -EPROTO;
}

int wgm_frame_encode(struct wgm_buf *out, enum wgm_frame_type type, uint32_t id,
		     const void *payload, size_t len)
{
	uint8_t hdr[WGM_FRAME_HDR_LEN];
	char err[128];
	int ret;

	wgm_buf_reset(out);
	if (payload_check(type, id, payload, len, err, sizeof(err)))
		return -EINVAL;
	put_u16(hdr, (uint16_t)type);
	put_u16(hdr + 2, 0);
	put_u32(hdr + 4, id);
	put_u32(hdr + 8, (uint32_t)len);
	ret = wgm_buf_append(out, hdr, sizeof(hdr));
	if (!ret && len)
		ret = wgm_buf_append(out, payload, len);
	return ret;
}

int wgm_frame_encode_request(struct wgm_buf *out, enum wgm_frame_type type, uint32_t id,
			     uint32_t budget_ms, const char *name)
{
	uint8_t p[WGM_FRAME_REQ_MIN + WGM_DNS_NAME_MAX];
	size_t len = strlen(name);

	if (len > WGM_DNS_NAME_MAX)
		return -EINVAL;
	put_u32(p, budget_ms);
	memcpy(p + WGM_FRAME_REQ_MIN, name, len);
	return wgm_frame_encode(out, type, id, p, WGM_FRAME_REQ_MIN + len);
}

void wgm_frame_request(const struct wgm_frame *f, struct wgm_request *req)
{
	size_t len = f->len - WGM_FRAME_REQ_MIN;

	req->budget_ms = get_u32(f->payload);
	memcpy(req->name, f->payload + WGM_FRAME_REQ_MIN, len);
	req->name[len] = '\0';
}

int wgm_frame_encode_end(struct wgm_buf *out, uint32_t id, enum wgm_fetch_status status,
			 uint32_t count, const char *detail)
{
	uint8_t p[WGM_FRAME_END_MIN + WGM_FRAME_DETAIL_MAX];
	size_t dlen = 0;

	put_u32(p, (uint32_t)status);
	put_u32(p + 4, count);
	/* Detail is for humans: squash anything unprintable instead of failing the answer. */
	for (; detail && detail[dlen] && dlen < WGM_FRAME_DETAIL_MAX; dlen++) {
		uint8_t c = (uint8_t)detail[dlen];

		p[WGM_FRAME_END_MIN + dlen] = c < 0x20 || c > 0x7e ? '?' : c;
	}
	return wgm_frame_encode(out, WGM_FRAME_END, id, p, WGM_FRAME_END_MIN + dlen);
}

int wgm_frame_parse(const uint8_t *dgram, size_t len, struct wgm_frame *f, char *err,
		    size_t errlen)
{
	uint16_t type, zero;
	uint32_t plen;

	if (len < WGM_FRAME_HDR_LEN) {
		snprintf(err, errlen, "frame of %zu bytes is shorter than the %d-byte header", len,
			 WGM_FRAME_HDR_LEN);
		return -EPROTO;
	}
	if (len > WGM_FRAME_MAX) {
		snprintf(err, errlen, "frame of %zu bytes is over the %d-byte cap", len, WGM_FRAME_MAX);
		return -EPROTO;
	}
	type = get_u16(dgram);
	zero = get_u16(dgram + 2);
	plen = get_u32(dgram + 8);
	if (zero) {
		snprintf(err, errlen, "frame header reserved field is %u, expected 0", zero);
		return -EPROTO;
	}
	if ((size_t)plen != len - WGM_FRAME_HDR_LEN) {
		snprintf(err, errlen, "frame length field says %u payload bytes, datagram has %zu", plen,
			 len - WGM_FRAME_HDR_LEN);
		return -EPROTO;
	}
	f->type = (enum wgm_frame_type)type;
	f->id = get_u32(dgram + 4);
	f->payload = dgram + WGM_FRAME_HDR_LEN;
	f->len = plen;
	return payload_check(f->type, f->id, f->payload, f->len, err, errlen);
}

void wgm_reply_init(struct wgm_reply *rep, uint32_t id, struct wgm_fetch_result *r)
{
	memset(rep, 0, sizeof(*rep));
	rep->id = id;
	rep->r = r;
}

int wgm_reply_feed(struct wgm_reply *rep, const struct wgm_frame *f, char *err, size_t errlen)
{
	struct wgm_fetch_result *r = rep->r;
	uint32_t status, count;

	if (rep->done) {
		snprintf(err, errlen, "frame after the END of request %u", rep->id);
		return -EPROTO;
	}
	if (f->id != rep->id) {
		snprintf(err, errlen, "frame for unknown request id %u (waiting for %u)", f->id,
			 rep->id);
		return -EPROTO;
	}
	if (f->type == WGM_FRAME_STRING) {
		if (r->txt.n >= WGM_FETCH_MAX_RRS || rep->bytes + f->len > WGM_FETCH_MAX_ANSWER) {
			snprintf(err, errlen, "answer to request %u is over the cap of %d strings / %d bytes",
				 rep->id, WGM_FETCH_MAX_RRS, WGM_FETCH_MAX_ANSWER);
			return -EPROTO;
		}
		rep->bytes += f->len;
		return wgm_strv_pushn(&r->txt, f->len ? (const char *)f->payload : "", f->len);
	}
	if (f->type != WGM_FRAME_END) {
		snprintf(err, errlen, "frame type %u where an answer (STRING or END) belongs",
			 (unsigned)f->type);
		return -EPROTO;
	}
	status = get_u32(f->payload);
	count = get_u32(f->payload + 4);
	if ((size_t)count != r->txt.n) {
		snprintf(err, errlen, "END of request %u counts %u strings, %zu came", rep->id, count,
			 r->txt.n);
		return -EPROTO;
	}
	if ((status == WGM_FETCH_OK) != (count > 0)) {
		snprintf(err, errlen, "END of request %u: status %u with %u strings", rep->id, status,
			 count);
		return -EPROTO;
	}
	r->status = (enum wgm_fetch_status)status;
	memcpy(r->detail, f->payload + WGM_FRAME_END_MIN, f->len - WGM_FRAME_END_MIN);
	r->detail[f->len - WGM_FRAME_END_MIN] = '\0';
	rep->done = true;
	return 0;
}
