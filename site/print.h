/* wgmesh 1.0's printed forms: wgpub's per-host blocks and wgsite's activation text. */
#ifndef WGM_SITE_PRINT_H
#define WGM_SITE_PRINT_H

#include <stdio.h>

#include "buf.h"
#include "records.h"

/* "|----| ## BEGIN HOST: <label>\nTXT:\n<name>\n\nDATA:\n<strings>\n\n|----| ###END\n\n" */
void wgm_print_host_block(FILE *f, const char *label, const char *name,
			  const struct wgm_strv *txt);
/* 1.0's "DNS Records Incorrect" text: the proposed site record and its TXT strings. */
void wgm_print_site_activation(FILE *f, const char *domain, const struct wgm_site_record *rec,
			       const struct wgm_strv *txt);
/* "Site: <domain>\n\n  Check:\n\n    DNS Records OK\n" */
void wgm_print_site_ok(FILE *f, const char *domain);

#endif
