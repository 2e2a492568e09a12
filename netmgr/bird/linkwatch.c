#include "linkwatch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "bfddamp.h"
#include "buf.h"
#include "decimal.h"
#include "log.h"
#include "names.h"

/* One line per link: "<link> flaps <n> last <epoch> level <n> changed <epoch>". */
#define FLAPS_FILE_MAX (64 * 1024)

/* "<key> <decimal>" as the next two words of *p; advances *p past them. */
static bool keyed_number(char **p, const char *key, unsigned long long max, unsigned long long *out)
{
	char *word = strtok_r(NULL, " ", p), *num;

	if (!word || strcmp(word, key) || !(num = strtok_r(NULL, " ", p)))
		return false;
	return wgm_parse_u64(num, 0, max, out);
}

static int parse_line(char *line, struct link_flaps *l)
{
	unsigned long long flaps, last, level, changed;
	char *save = NULL, *name = strtok_r(line, " ", &save);

	memset(l, 0, sizeof(*l));
	if (!name || !wgm_is_mesh_wg_name(name) || strlen(name) >= sizeof(l->name) ||
	    !keyed_number(&save, "flaps", UINT32_MAX, &flaps) ||
	    !keyed_number(&save, "last", INT64_MAX, &last) ||
	    !keyed_number(&save, "level", BFDDAMP_MAX_LEVEL, &level) ||
	    !keyed_number(&save, "changed", INT64_MAX, &changed) || strtok_r(NULL, " ", &save))
		return -EINVAL;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->flaps = (uint32_t)flaps;
	l->last_flap = (time_t)last;
	l->level = (unsigned)level;
	l->level_changed = (time_t)changed;
	return 0;
}

int linkwatch_load(const char *state_dir, const char *domain, struct link_watch *w, char *err,
		   size_t errlen)
{
	char path[4096], *data = NULL, *line, *save = NULL;
	size_t len = 0;
	unsigned lineno = 0;
	int ret = wgm_domain_file(state_dir, domain, "flaps", path, sizeof(path));

	memset(w, 0, sizeof(*w));
	if (ret) {
		snprintf(err, errlen, "bad state directory \"%s\" or domain \"%s\"", state_dir, domain);
		return ret;
	}
	ret = wgm_read_file(path, FLAPS_FILE_MAX, &data, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (line[0] == '#')
			continue;
		if (w->n == WGM_MAX_HOSTS || parse_line(line, &w->links[w->n]) < 0 ||
		    linkwatch_find(w, w->links[w->n].name)) {
			snprintf(err, errlen,
				 "%s line %u is not \"wg<N> flaps <n> last <time> level 0..%u changed <time>\" (or a link twice): remove the file to count afresh",
				 path, lineno, BFDDAMP_MAX_LEVEL);
			memset(w, 0, sizeof(*w));
			free(data);
			return -EINVAL;
		}
		w->n++;
	}
	free(data);
	return 0;
}

int linkwatch_save(const char *state_dir, const char *domain, const struct link_watch *w)
{
	char path[4096];
	struct wgm_buf b = { 0 };
	int ret = wgm_domain_file(state_dir, domain, "flaps", path, sizeof(path));

	if (ret)
		return ret;
	ret = wgm_buf_appendf(&b, "# wgmesh-net run: BFD flaps per link since this file was made, and the\n"
				 "# BFD slow-down each earned (level: the node's interval doubled that often).\n");
	for (size_t i = 0; !ret && i < w->n; i++) {
		const struct link_flaps *l = &w->links[i];

		ret = wgm_buf_appendf(&b, "%s flaps %" PRIu32 " last %lld level %u changed %lld\n", l->name,
				     l->flaps, (long long)l->last_flap, l->level,
				     (long long)l->level_changed);
	}
	if (!ret)
		ret = wgm_write_atomic(path, b.p, b.len, 0644);
	wgm_buf_free(&b);
	return ret;
}

const struct link_flaps *linkwatch_find(const struct link_watch *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->links[i].name, name))
			return &w->links[i];
	return NULL;
}

static struct link_flaps *link_get(struct link_watch *w, const char *name)
{
	struct link_flaps *l = (struct link_flaps *)linkwatch_find(w, name);
	size_t i;

	if (l || w->n == WGM_MAX_HOSTS)
		return l;
	/* by index, and memcpy: GCC's sanitizer build sees a NULL in snprintf to &links[n] */
	i = w->n++;
	memset(&w->links[i], 0, sizeof(w->links[i]));
	memcpy(w->links[i].name, name, strnlen(name, sizeof(w->links[i].name) - 1));
	return &w->links[i];
}

int linkwatch_observe(struct link_watch *w, const struct bird_state *bfd, time_t now,
		      unsigned base_ms)
{
	int what = 0;

	for (size_t i = 0; i < w->n; i++)
		w->links[i].seen = false;
	for (size_t i = 0; i < bfd->n_links; i++) {
		const struct bird_link *bl = &bfd->links[i];
		struct link_flaps *l;
		bool up = !strcmp(bl->bfd_state, "Up");

		if (!bl->bfd_state[0] || !(l = link_get(w, bl->name)))
			continue;
		l->seen = true;
		if (l->bfd_up && (!strcmp(bl->bfd_state, "Down") || !strcmp(bl->bfd_state, "Init"))) {
			unsigned before = bfddamp_interval(base_ms, l->level);

			if (bfddamp_on_flap(l, now, base_ms)) {
				log_notice("%s: BFD down again %lld s after its last flap: its BFD interval goes from %u to %u ms (detection %u ms) until %d minutes pass without a flap",
					   l->name, (long long)(now - l->last_flap), before,
					   bfddamp_interval(base_ms, l->level),
					   bfddamp_interval(base_ms, l->level) * WGM_BFD_MULTIPLIER,
					   BFDDAMP_QUIET_S / 60);
				what |= LINKWATCH_RETIMED;
			} else {
				log_notice("%s: BFD session down (flap %" PRIu32 ")", l->name, l->flaps + 1);
			}
			l->flaps++;
			l->last_flap = now;
			what |= LINKWATCH_COUNTED;
		}
		l->bfd_up = up;
	}
	for (size_t i = 0; i < w->n; i++) {
		struct link_flaps *l = &w->links[i];
		unsigned before = bfddamp_interval(base_ms, l->level);

		/* A session BIRD removed (no BFD request: BGP down on a Cease) starts afresh. */
		if (!l->seen)
			l->bfd_up = false;
		if (bfddamp_on_quiet(l, now)) {
			log_notice("%s: %d minutes without a flap: its BFD interval goes from %u back to %u ms",
				   l->name, BFDDAMP_QUIET_S / 60, before, bfddamp_interval(base_ms, l->level));
			what |= LINKWATCH_RETIMED | LINKWATCH_COUNTED;
		}
	}
	return what;
}
