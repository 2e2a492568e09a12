/* The change set: plain data saying what the zone should hold for our names. */
#include "publish.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int copy_bounded(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

int wgm_changeset_add(struct wgm_changeset *cs, const char *name, const char *label,
		      const struct wgm_strv *txt)
{
	struct wgm_rrset *sets, *set;
	size_t i;
	int ret;

	if (!name[0] || !txt->n)
		return -EINVAL;
	for (i = 0; i < txt->n; i++)
		if (strlen(txt->v[i]) > 255)
			return -EMSGSIZE;
	sets = realloc(cs->sets, (cs->n_sets + 1) * sizeof(*sets));
	if (!sets)
		return -ENOMEM;
	cs->sets = sets;
	set = &sets[cs->n_sets];
	memset(set, 0, sizeof(*set));
	ret = copy_bounded(set->name, sizeof(set->name), name);
	if (!ret)
		ret = copy_bounded(set->label, sizeof(set->label), label ? label : "");
	for (i = 0; !ret && i < txt->n; i++)
		ret = wgm_strv_push(&set->txt, txt->v[i]);
	if (ret) {
		wgm_strv_free(&set->txt);
		return ret;
	}
	cs->n_sets++;
	return 0;
}

void wgm_changeset_free(struct wgm_changeset *cs)
{
	size_t i;

	for (i = 0; i < cs->n_sets; i++)
		wgm_strv_free(&cs->sets[i].txt);
	free(cs->sets);
	wgm_strv_free(&cs->deletes);
	memset(cs, 0, sizeof(*cs));
}
