/* The --dns option of the commands that fetch records (wgsite, wgconfig). */
#include "../dnsfetch/fetch.h"
#include "cli.h"

int wgm_cli_dns_option(struct wgm_fetch_opts *dns, const char *arg)
{
	char err[256];

	if (wgm_fetch_opts_add_server(dns, arg, err, sizeof(err)))
		return wgm_cli_usage_error("--dns '%s': %s", arg, err);
	return 0;
}
