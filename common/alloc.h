/* Octet and ASN allocation (docs/format.md#site-file): a new host gets the next free octet
 * (max+1, then the lowest free one) and the first free ASN of the range. */
#ifndef WGM_ALLOC_H
#define WGM_ALLOC_H

#include "sitefile.h"

/* Fills h->octet and h->asn for a host not yet in s (or reassigns a colliding one).
 * -ENOSPC with err naming what ran out (octets past 255, the ASN range). */
int wgm_alloc_octet(const struct wgm_site *s, const struct wgm_site_host *self, uint8_t *octet,
		    char *err, size_t errlen);
int wgm_alloc_asn(const struct wgm_site *s, const struct wgm_site_host *self, uint32_t *asn,
		  char *err, size_t errlen);

#endif
