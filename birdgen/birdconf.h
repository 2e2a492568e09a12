/* The BIRD 2 configuration of one private namespace (docs/format.md#what-a-deploy-derives), and
 * where it lives: <bird-dir>/bird_<netns>.conf, local additions in
 * <bird-dir>/bird_<netns>_local.d/ (files *.conf), control socket <run-dir>/bird-<netns>.sock. */
#ifndef WGM_BIRDCONF_H
#define WGM_BIRDCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "plan.h"

#define BIRDGEN_DEFAULT_DIR "/etc/bird"
#define BIRDGEN_DEFAULT_RUN_DIR "/run"

/* Path helpers: 0, -EINVAL for a name that is not a plain file name part, -ENAMETOOLONG. */
int birdgen_conf_path(const char *bird_dir, const char *netns, char *out, size_t outlen);
int birdgen_local_dir(const char *bird_dir, const char *netns, char *out, size_t outlen);
/* <bird-dir>/bird_<netns>_drain.conf: the drain state the configuration includes. */
int birdgen_drain_path(const char *bird_dir, const char *netns, char *out, size_t outlen);
/* run_dir NULL means BIRDGEN_DEFAULT_RUN_DIR. */
int birdgen_socket_path(const char *run_dir, const char *netns, char *out, size_t outlen);

/* Pure: appends the whole configuration to out. -EINVAL when a name in the plan cannot be
 * quoted into a BIRD string (the plan builder validates them; this is the last guard). */
int birdgen_render(const struct wgm_node_plan *plan, const char *bird_dir, struct wgm_buf *out);

/* The drain state (RFC 8326 graceful shutdown of everything this node exports). Node-local,
 * not in the record: DRAINED is the operator's (wgmesh-net drain, kept across up, run and
 * reboots until undrain), DRAINED_STOP a drain for a down or a stop of BIRD, undone after. */
enum birdgen_drain { BIRDGEN_UNDRAINED = 0, BIRDGEN_DRAINED = 1, BIRDGEN_DRAINED_STOP = 2 };

/* Pure: the drain file's content. -EINVAL for a state out of range. */
int birdgen_render_drain(enum birdgen_drain state, struct wgm_buf *out);
/* Writes bird_<netns>_drain.conf atomically when its content changed. */
int birdgen_write_drain(const char *bird_dir, const char *netns, enum birdgen_drain state,
			bool *changed, char *err, size_t errlen);
/* The state the drain file holds: 0, -ENOENT without one, -EBADMSG when it says no state. */
int birdgen_read_drain(const char *bird_dir, const char *netns, enum birdgen_drain *state);

/* Renders and writes bird_<netns>.conf and its drain file (from plan->drained) atomically,
 * each only when its content changed (*changed: either did), and creates the local include
 * directory (BIRD refuses an include glob whose directory is missing). */
int birdgen_write(const struct wgm_node_plan *plan, const char *bird_dir, bool *changed,
		  char *err, size_t errlen);

#endif
