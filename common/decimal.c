#include "decimal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

bool wgm_parse_u64(const char *s, unsigned long long min, unsigned long long max,
		   unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}
