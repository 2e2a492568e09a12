/* What the four site commands share on their command lines: 1.0's -v -q -d, --state-dir,
 * one-line usage errors, and the checks for names an operator types. */
#ifndef WGM_SITE_CLI_H
#define WGM_SITE_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "decimal.h" /* wgm_parse_u64: numbers on the command line */

#define WGM_DEFAULT_STATE_DIR "/etc/wireguard"

/* Prints "<prog>: <message>; see --help" as one line on stderr and returns 1 (the exit code). */
int wgm_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Copies s into out when it fits; false when it does not. */
bool wgm_cli_copy(char *out, size_t outlen, const char *s);

/* The end of every getopt switch: option 'H' (--help) prints usage and exits 0; anything else
 * is a usage error naming argv[optind - 1]. Returns 1 (the exit code). */
int wgm_cli_other_option(int opt, char **argv, void (*usage)(void));
/* The one DOMAIN argument left after the options, checked to be a DNS name; 1 (the exit code)
 * after a usage error otherwise, else 0. */
int wgm_cli_one_domain(int argc, char **argv, const char **domain);

struct wgm_fetch_opts;
/* --dns ADDR[:PORT]: adds the server to dns; 1 (the exit code) after a usage error naming arg.
 * In cli_dns.c so that commands that never ask DNS do not link the resolver. */
int wgm_cli_dns_option(struct wgm_fetch_opts *dns, const char *arg);

#endif
