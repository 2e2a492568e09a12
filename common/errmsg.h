/* One-line error messages for the parsers in common/.
 *
 * The value a parser quotes came from outside (DNS, a pasted registration, a YAML file) and may
 * carry newlines or escape sequences; a message must stay one line on the user's terminal and
 * in the journal, so every control character becomes '?'. */
#ifndef WGM_ERRMSG_H
#define WGM_ERRMSG_H

#include <stddef.h>

/* Formats into err (nothing when err is NULL or errlen is 0). */
void wgm_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* wgm_set_err, then returns ret, so a parser can write `return wgm_fail(...)`. */
int wgm_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
