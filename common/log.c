#include "log.h"

#include <stdarg.h>
#include <stdio.h>

enum wgm_log_level wgm_log_threshold = WGM_LOG_NOTICE;
static const char *log_prog = "wgmesh";

void wgm_log_init(const char *progname)
{
	log_prog = progname;
}

void wgm_log(enum wgm_log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "", "debug: " };
	va_list ap;

	if (lvl > wgm_log_threshold)
		return;
	fprintf(stderr, "%s: %s", log_prog, prefix[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
