/* wgsite's subcommands, one file each: init (wgsite_init.c), check and list (wgsite.c),
 * import (wgsite_import.c), remove (wgsite_remove.c), rotate-key
 * (wgsite_rotate.c). */
#ifndef WGM_SITE_WGSITE_H
#define WGM_SITE_WGSITE_H

#include <stdbool.h>

#include "../dnsfetch/fetch.h"

#define WGSITE_DEFAULT_PORTBASE 21100
#define WGSITE_DEFAULT_ASN_LOW 64512u
#define WGSITE_DEFAULT_ASN_HIGH 65534u

/* wgsite FILE's exit codes beyond 0 (DNS holds the site record, or Route53 was just updated)
 * and 1 (error): the record is missing or differs (publish the printed one), or DNS could not
 * be asked (timeout, SERVFAIL, REFUSED: check again later or give --dns). */
#define WGSITE_EXIT_INCORRECT 2
#define WGSITE_EXIT_UNCHECKED 3

struct wgsite_opts {
	const char *import_msg;
	const char *domain;
	const char *locus;
	const char *ipv6;
	const char *route53_endpoint;
	unsigned long long portbase;
	unsigned long long asn_low, asn_high;
	bool purge;
	bool dry_run; /* -i only: show, change nothing */
	bool retire, revoke; /* rotate-key */
	bool has_hold_down;
	unsigned long long hold_down; /* rotate-key --retire: the nodes' hold-down, seconds */
	struct wgm_fetch_opts dns;
	char **args;
	int n_args;
};

/* Each returns the exit code: 0 done, 1 error (one line on stderr, no file changed). */
int wgsite_init(const struct wgsite_opts *o, const char *path);
int wgsite_import(const struct wgsite_opts *o, const char *path);
int wgsite_remove(const struct wgsite_opts *o, const char *hostname, const char *path);
int wgsite_rotate_key(const struct wgsite_opts *o, const char *path);

#endif
