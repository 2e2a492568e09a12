/* Adaptive BFD timers, per link: a link that flaps slows its own BFD and says so, instead of
 * moving traffic back and forth; a quiet one returns to the node's interval by itself.
 * (Junos' adaptive BFD doubles a session's interval after repeated flaps in the same way.)
 *
 * - A flap within BFDDAMP_WINDOW_S of the link's previous one doubles its interval (level + 1),
 *   up to BFDDAMP_MAX_LEVEL (16 times the node's, never past WGM_BFD_INTERVAL_MS_MAX). A lone
 *   flap (a real cut) changes nothing: the next cut is detected as fast.
 * - BFDDAMP_QUIET_S without a flap since the level last moved halves it again (level - 1).
 *
 * Each end damps from what it sees itself, and BFD runs a session at the slower end's
 * interval, so one end slowing is enough for both directions. Pure functions of the link's
 * history and the time: the run loop calls them (linkwatch.c). */
#ifndef NETMGR_BFDDAMP_H
#define NETMGR_BFDDAMP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "plan.h"

/* One link's flap history, as linkwatch.h counts and keeps it. */
struct link_flaps {
	char name[WGM_IFNAMSIZ]; /* wg<octet> */
	uint32_t flaps;          /* since the file was made */
	time_t last_flap;        /* 0: never */
	unsigned level;          /* bfddamp: the link's interval is the node's << level */
	time_t level_changed;    /* when level last moved (0: never) */
	/* not kept in the file: what the last look saw */
	bool seen, bfd_up;
};

#define BFDDAMP_WINDOW_S 120
#define BFDDAMP_QUIET_S 600
#define BFDDAMP_MAX_LEVEL 4

/* A flap at now, before l->last_flap is set to it: true when the level rose. */
bool bfddamp_on_flap(struct link_flaps *l, time_t now, unsigned base_ms);
/* Time passing: true when the level fell. */
bool bfddamp_on_quiet(struct link_flaps *l, time_t now);
/* The link's transmit interval at a level. */
unsigned bfddamp_interval(unsigned base_ms, unsigned level);

#endif
