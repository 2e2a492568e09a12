#include "alloc.h"

#include <errno.h>
#include <stdio.h>

/* Every host but self holds its numbers, removed ones included: their records may still be
 * out there, so the numbers are free only once the host is purged from the file. */
static bool octet_taken(const struct wgm_site *s, const struct wgm_site_host *self, uint32_t o)
{
	size_t i;

	for (i = 0; i < s->n_hosts; i++)
		if (&s->hosts[i] != self && s->hosts[i].octet == o)
			return true;
	return false;
}

static bool asn_taken(const struct wgm_site *s, const struct wgm_site_host *self, uint32_t asn)
{
	size_t i;

	for (i = 0; i < s->n_hosts; i++)
		if (&s->hosts[i] != self && s->hosts[i].asn == asn)
			return true;
	return false;
}

int wgm_alloc_octet(const struct wgm_site *s, const struct wgm_site_host *self, uint8_t *octet,
		    char *err, size_t errlen)
{
	uint32_t max = 0, o;
	size_t i;

	for (i = 0; i < s->n_hosts; i++)
		if (&s->hosts[i] != self && s->hosts[i].octet > max)
			max = s->hosts[i].octet;
	/* 1.0 numbered max+1; reuse gaps only once the top is reached, so a freed number is not
	 * handed to a new host while stale records of the old one may linger. */
	if (max < 255) {
		*octet = (uint8_t)(max + 1);
		return 0;
	}
	for (o = 1; o <= 255; o++) {
		if (!octet_taken(s, self, o)) {
			*octet = (uint8_t)o;
			return 0;
		}
	}
	snprintf(err, errlen, "no free octet in %s: all 255 are in use; remove a host "
		 "(wgsite remove) and purge it first", s->path);
	return -ENOSPC;
}

int wgm_alloc_asn(const struct wgm_site *s, const struct wgm_site_host *self, uint32_t *asn,
		  char *err, size_t errlen)
{
	size_t i;

	if (s->n_asns == 0) {
		snprintf(err, errlen, "no asn_range in %s: add 'asn_range: low:high' under global",
			 s->path);
		return -ENOENT;
	}
	for (i = 0; i < s->n_asns; i++) {
		if (!asn_taken(s, self, s->asns[i])) {
			*asn = s->asns[i];
			return 0;
		}
	}
	snprintf(err, errlen, "ASN range %u:%u exhausted: widen asn_range in %s or remove a host",
		 s->asns[0], s->asns[s->n_asns - 1], s->path);
	return -ENOSPC;
}
