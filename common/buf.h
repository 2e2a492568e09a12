/* Growable byte buffer and string vector: the two containers every module passes around. */
#ifndef WGM_BUF_H
#define WGM_BUF_H

#include <stddef.h>
#include <stdint.h>

struct wgm_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

struct wgm_strv {
	char **v;
	size_t n;
	size_t cap;
};

/* All return 0 or -ENOMEM. The buffer is always NUL-terminated past len (not counted). */
int wgm_buf_reserve(struct wgm_buf *b, size_t extra);
int wgm_buf_append(struct wgm_buf *b, const void *data, size_t len);
int wgm_buf_appendf(struct wgm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wgm_buf_reset(struct wgm_buf *b);
/* Zeroes the contents before freeing: buffers may hold plaintext secrets. */
void wgm_buf_free(struct wgm_buf *b);

int wgm_strv_push(struct wgm_strv *sv, const char *s);
int wgm_strv_pushn(struct wgm_strv *sv, const char *s, size_t len);
void wgm_strv_free(struct wgm_strv *sv);

#endif
