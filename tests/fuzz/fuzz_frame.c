/* libFuzzer target: the parent's frame parser and answer assembly (dnsfetch/proto.c), fed
 * what a hostile child could send. Input: datagrams, each a 2-byte little-endian length and
 * that many bytes; the first violation ends the answer, as it ends the child. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgm_fetch_result r = { 0 };
	struct wgm_reply rep;
	struct wgm_frame f;
	char err[256];

	wgm_reply_init(&rep, 1, &r);
	while (size >= 2 && !rep.done) {
		size_t len = (size_t)data[0] | (size_t)data[1] << 8;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		if (wgm_frame_parse(data, len, &f, err, sizeof(err)) ||
		    wgm_reply_feed(&rep, &f, err, sizeof(err)))
			break;
		data += len;
		size -= len;
	}
	if (rep.done && r.status == WGM_FETCH_OK && r.txt.n == 0)
		__builtin_trap(); /* proto.c promised: OK always carries strings */
	wgm_strv_free(&r.txt);
	return 0;
}
