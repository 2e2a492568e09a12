/* The frame protocol between the manager and wgmesh-dnsfetch, one SOCK_SEQPACKET datagram per
 * frame. Both sides encode and parse here and nowhere else (docs/design.md#privilege-separation:
 * every message has its exact length checked for its type before anything reads it).
 *
 *   header (12 bytes, host byte order: both ends are one machine)
 *     u16 type   one of enum wgm_frame_type
 *     u16 zero   must be 0
 *     u32 id     request id (READY: 0)
 *     u32 len    payload length; must equal the datagram length - 12
 *   payload by type
 *     READY      empty                         child -> parent, once, after the sandbox is on
 *     REQ_TXT    u32 budget_ms, DNS name        parent -> child (name 1..253 bytes;
 *     REQ_ADDRS  u32 budget_ms, DNS name        parent -> child  budget: answer TIMEOUT by then)
 *     STRING     one TXT RR / address, no NUL   child -> parent, 0..n per request
 *     END        u32 status, u32 count, detail  child -> parent, closes a request;
 *                (count = STRING frames sent, detail = 0..255 printable bytes)
 */
#ifndef WGM_PROTO_H
#define WGM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "fetch.h"

#define WGM_FRAME_HDR_LEN 12
/* A TXT RR's rdata is at most 65535 bytes, so its joined strings are shorter still. */
#define WGM_FRAME_MAX_PAYLOAD 65535
#define WGM_FRAME_MAX (WGM_FRAME_HDR_LEN + WGM_FRAME_MAX_PAYLOAD)
#define WGM_FRAME_END_MIN 8
#define WGM_FRAME_REQ_MIN 4 /* budget; the name follows */
#define WGM_FRAME_DETAIL_MAX 255
#define WGM_DNS_NAME_MAX 253

enum wgm_frame_type {
	WGM_FRAME_READY = 1,
	WGM_FRAME_REQ_TXT,
	WGM_FRAME_REQ_ADDRS,
	WGM_FRAME_STRING,
	WGM_FRAME_END,
};

/* A parsed frame; payload points into the datagram it came from. */
struct wgm_frame {
	enum wgm_frame_type type;
	uint32_t id;
	const uint8_t *payload;
	size_t len;
};

/* 0 when name is a DNS name we ask for: 1..253 bytes of letters, digits, '-', '_' and
 * non-empty dot-separated labels of at most 63 bytes (one trailing dot allowed). */
int wgm_dns_name_check(const char *name, size_t len);

/* Appends one frame to out (reset first). -EINVAL when the payload breaks its type's rules. */
int wgm_frame_encode(struct wgm_buf *out, enum wgm_frame_type type, uint32_t id,
		     const void *payload, size_t len);
int wgm_frame_encode_request(struct wgm_buf *out, enum wgm_frame_type type, uint32_t id,
			     uint32_t budget_ms, const char *name);
int wgm_frame_encode_end(struct wgm_buf *out, uint32_t id, enum wgm_fetch_status status,
			 uint32_t count, const char *detail);

/* Parses one datagram: header, type, exact length for the type, payload rules. -EPROTO with a
 * one-line err on any violation. */
int wgm_frame_parse(const uint8_t *dgram, size_t len, struct wgm_frame *f, char *err,
		    size_t errlen);

/* A request frame's fields, copied out of a frame wgm_frame_parse accepted. */
struct wgm_request {
	uint32_t budget_ms;
	char name[WGM_DNS_NAME_MAX + 1];
};
void wgm_frame_request(const struct wgm_frame *f, struct wgm_request *req);

/* The parent's view of one request's answer, fed frame by frame. */
struct wgm_reply {
	uint32_t id;   /* the request being answered */
	size_t bytes;  /* STRING bytes so far */
	bool done;     /* END seen: r is complete */
	struct wgm_fetch_result *r;
};
void wgm_reply_init(struct wgm_reply *rep, uint32_t id, struct wgm_fetch_result *r);
/* Takes one parsed frame for rep: checks id, type, caps, and END's count and status against
 * what came before. -EPROTO (err set) on violation, -ENOMEM; on END sets done. */
int wgm_reply_feed(struct wgm_reply *rep, const struct wgm_frame *f, char *err, size_t errlen);

#endif
