/* Exact text of 1.0's wgpub and wgsite output, so operators' habits and scripts keep working. */
#include "print.h"

#include "esc.h"

void wgm_print_host_block(FILE *f, const char *label, const char *name,
			  const struct wgm_strv *txt)
{
	char l[4 * 256 + 1], n[4 * 256 + 1];

	/* The label is a host name from the site file, which registrations filled. */
	fprintf(f, "|----| ## BEGIN HOST: %s\nTXT:\n%s\n\nDATA:\n", wgm_esc(label, l, sizeof(l)),
		wgm_esc(name, n, sizeof(n)));
	for (size_t i = 0; i < txt->n; i++)
		fprintf(f, "%s\n", txt->v[i]);
	fprintf(f, "\n|----| ###END\n\n");
}

void wgm_print_site_activation(FILE *f, const char *domain, const struct wgm_site_record *rec,
			       const struct wgm_strv *txt)
{
	char pub[WGM_KEY_B64_LEN + 1];

	wgm_key_to_b64(&rec->public_key, pub);
	fprintf(f, "Site: %s\n\n  Check:\n\n    DNS Records Incorrect: (%s)\n\n", domain, domain);
	fprintf(f, "  Please update the TXT Record before attempting to configure hosts.\n\n");
	fprintf(f, "  Decoded TXT Record: (proposed)\n   locus: %s\n   publickey: %s\n", rec->locus, pub);
	if (rec->has_next_key) {
		char next[WGM_KEY_B64_LEN + 1];

		/* ours, during a site-key rollover: 1.0's text has no such line */
		wgm_key_to_b64(&rec->next_key, next);
		fprintf(f, "   nextkey: %s\n", next);
	}
	fprintf(f, "\n\n");
	fprintf(f, "New DNS Text record:\n\n%s\n\nContent of Text Record:\n\n", domain);
	for (size_t i = 0; i < txt->n; i++)
		fprintf(f, "%s\n", txt->v[i]);
	fprintf(f, "\n");
}

void wgm_print_site_ok(FILE *f, const char *domain)
{
	fprintf(f, "Site: %s\n\n  Check:\n\n    DNS Records OK\n", domain);
}
