/* Command-line helpers shared by wgsite, wgpub, wghost and wgconfig. */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"

int wgm_cli_usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s; see --help", msg);
	return 1;
}

bool wgm_cli_copy(char *out, size_t outlen, const char *s)
{
	size_t len = strlen(s);

	if (len >= outlen)
		return false;
	memcpy(out, s, len + 1);
	return true;
}

int wgm_cli_other_option(int opt, char **argv, void (*usage)(void))
{
	if (opt == 'H') {
		usage();
		exit(0);
	}
	return wgm_cli_usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
}

int wgm_cli_one_domain(int argc, char **argv, const char **domain)
{
	if (argc - optind != 1)
		return wgm_cli_usage_error("expected exactly one DOMAIN argument");
	*domain = argv[optind];
	if (!wgm_hostname_valid(*domain))
		return wgm_cli_usage_error("DOMAIN '%s' is not a DNS name", *domain);
	return 0;
}
