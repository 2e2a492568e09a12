#include "esc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

bool wgm_has_ctl(const char *s)
{
	for (; *s; s++)
		if (is_ctl((unsigned char)*s))
			return true;
	return false;
}

const char *wgm_esc(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (!outlen)
		return out;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (is_ctl(c)) {
			if (n + 4 >= outlen)
				break;
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			if (n + 1 >= outlen)
				break;
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	return out;
}

void wgm_fputs_esc(const char *s, FILE *f)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (is_ctl(c))
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void wgm_printf_esc(FILE *f, const char *fmt, ...)
{
	size_t flen = strlen(fmt);
	bool newline = flen && fmt[flen - 1] == '\n';
	char small[1024], *text = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		text = malloc((size_t)n + 1);
		if (!text)
			return;
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (newline && n > 0)
		text[n - 1] = '\0';
	wgm_fputs_esc(text, f);
	if (newline)
		fputc('\n', f);
	if (text != small)
		free(text);
}
