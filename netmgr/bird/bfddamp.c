#include "bfddamp.h"

unsigned bfddamp_interval(unsigned base_ms, unsigned level)
{
	unsigned ms = base_ms ? base_ms : WGM_BFD_INTERVAL_MS_DEFAULT;

	for (unsigned i = 0; i < level && ms <= WGM_BFD_INTERVAL_MS_MAX / 2; i++)
		ms *= 2;
	return ms;
}

bool bfddamp_on_flap(struct link_flaps *l, time_t now, unsigned base_ms)
{
	/* A clock set back leaves last_flap in the future: no window to be in. */
	bool repeated = l->last_flap && now >= l->last_flap && now - l->last_flap <= BFDDAMP_WINDOW_S;

	if (!repeated || l->level >= BFDDAMP_MAX_LEVEL ||
	    bfddamp_interval(base_ms, l->level + 1) == bfddamp_interval(base_ms, l->level))
		return false;
	l->level++;
	l->level_changed = now;
	return true;
}

bool bfddamp_on_quiet(struct link_flaps *l, time_t now)
{
	time_t since = l->last_flap > l->level_changed ? l->last_flap : l->level_changed;

	if (!l->level || now < since || now - since < BFDDAMP_QUIET_S)
		return false;
	l->level--;
	l->level_changed = now;
	return true;
}
