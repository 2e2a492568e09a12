/* Opening a site for the controller commands: the site file plus its private key. */
#ifndef WGM_SITE_SITEOPEN_H
#define WGM_SITE_SITEOPEN_H

#include <stddef.h>

#include "key.h"
#include "sitefile.h"

/* Loads the site file and the site private key (its path resolved against the site file's
 * directory). The file's publickey must match the key; an empty one is filled in (1.0's wgsite
 * did the same on first run) and *filled tells the caller to save. */
int wgm_site_open(const char *path, struct wgm_site *s, struct wgm_key *site_sk, bool *filled,
		  char *err, size_t errlen);

#endif
