/* Renders a host's deploy record from the site file, the way 1.0's wgpub did, with two fixes:
 * no empty endpoint entries (1.0 wrote "192.0.2.10," for local_ipv6 ['']) and a serial. */
#include "deploy_render.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Appends the non-empty comma-separated entries of list to out (comma-joined). */
static int append_addresses(char *out, size_t outlen, const char *list)
{
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		size_t used = strlen(out);

		while (n && (*p == ' ')) {
			p++;
			n--;
		}
		while (n && p[n - 1] == ' ')
			n--;
		if (n) {
			if (used + (used ? 1 : 0) + n >= outlen)
				return -E2BIG;
			if (used)
				out[used++] = ',';
			memcpy(out + used, p, n);
			out[used + n] = '\0';
		}
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

int wgm_deploy_render(const struct wgm_site *s, const struct wgm_site_host *self, uint64_t serial,
		      struct wgm_deploy_record *rec, char *err, size_t errlen)
{
	/* Who holds each octet: two peers on one octet would get one interface and one port. */
	const char *owner[256] = { 0 };

	memset(rec, 0, sizeof(*rec));
	if ((unsigned)s->portbase + 255 > 65535) {
		snprintf(err, errlen, "portbase %u leaves no room for 255 ports below 65536",
			 s->portbase);
		return -EINVAL;
	}
	if (self->octet == 0) {
		snprintf(err, errlen, "host %s has octet 0; octets run 1..255", self->hostname);
		return -EINVAL;
	}
	rec->asn = self->asn;
	snprintf(rec->site, sizeof(rec->site), "%s", s->domain);
	rec->octet = self->octet;
	rec->portbase = s->portbase;
	snprintf(rec->remote, sizeof(rec->remote), "%s", s->ipv6);
	rec->has_serial = true;
	rec->serial = serial;
	owner[self->octet] = self->hostname;

	for (size_t i = 0; i < s->n_hosts; i++) {
		const struct wgm_site_host *h = &s->hosts[i];
		struct wgm_deploy_peer *p;

		if (h == self || h->removed)
			continue;
		if (h->octet == 0) {
			snprintf(err, errlen, "host %s has octet 0; octets run 1..255", h->hostname);
			return -EINVAL;
		}
		if (owner[h->octet]) {
			snprintf(err, errlen, "hosts %s and %s share octet %u; fix the site file",
				 owner[h->octet], h->hostname, h->octet);
			return -EINVAL;
		}
		owner[h->octet] = h->hostname;
		if (rec->n_hosts == WGM_MAX_HOSTS) {
			snprintf(err, errlen, "more than %d hosts in site %s", WGM_MAX_HOSTS,
				 s->domain);
			return -EINVAL;
		}
		p = &rec->hosts[rec->n_hosts++];
		snprintf(p->hostname, sizeof(p->hostname), "%s", h->hostname);
		p->key = h->public_key;
		p->asn = h->asn;
		p->localport = (uint16_t)(s->portbase + h->octet);
		p->remoteport = (uint16_t)(s->portbase + self->octet);
		if (append_addresses(p->remote, sizeof(p->remote), h->local_ipv4) ||
		    append_addresses(p->remote, sizeof(p->remote), h->local_ipv6)) {
			snprintf(err, errlen, "endpoint list of host %s is longer than %d bytes",
				 h->hostname, WGM_ADDRLIST_MAX - 1);
			return -EINVAL;
		}
	}
	return 0;
}
