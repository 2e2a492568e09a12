/* Decimal numbers typed on a command line, one parser for every command. */
#ifndef WGM_DECIMAL_H
#define WGM_DECIMAL_H

#include <stdbool.h>

/* An unsigned decimal number in [min, max], digits only (no sign, no spaces: strtoull alone
 * would take " 5", "+5" and wrap "-5"); false on anything else. */
bool wgm_parse_u64(const char *s, unsigned long long min, unsigned long long max,
		   unsigned long long *out);

#endif
