#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

int wgm_buf_reserve(struct wgm_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	/* Grow by copying so a secret never lingers in memory realloc released. */
	p = malloc(cap);
	if (!p)
		return -ENOMEM;
	if (b->p) {
		memcpy(p, b->p, b->len + 1);
		sodium_memzero(b->p, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int wgm_buf_append(struct wgm_buf *b, const void *data, size_t len)
{
	int ret = wgm_buf_reserve(b, len);

	if (ret)
		return ret;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = 0;
	return 0;
}

int wgm_buf_appendf(struct wgm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	ret = wgm_buf_reserve(b, (size_t)n);
	if (ret)
		return ret;
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void wgm_buf_reset(struct wgm_buf *b)
{
	if (b->p) {
		sodium_memzero(b->p, b->cap);
		b->p[0] = 0;
	}
	b->len = 0;
}

void wgm_buf_free(struct wgm_buf *b)
{
	if (b->p) {
		sodium_memzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = b->cap = 0;
}

int wgm_strv_pushn(struct wgm_strv *sv, const char *s, size_t len)
{
	char *copy;

	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, len);
	copy[len] = 0;
	sv->v[sv->n++] = copy;
	return 0;
}

int wgm_strv_push(struct wgm_strv *sv, const char *s)
{
	return wgm_strv_pushn(sv, s, strlen(s));
}

void wgm_strv_free(struct wgm_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
