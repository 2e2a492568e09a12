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
/* run_dir NULL means BIRDGEN_DEFAULT_RUN_DIR. */
int birdgen_socket_path(const char *run_dir, const char *netns, char *out, size_t outlen);

/* Pure: appends the whole configuration to out. -EINVAL when a name in the plan cannot be
 * quoted into a BIRD string (the plan builder validates them; this is the last guard). */
int birdgen_render(const struct wgm_node_plan *plan, const char *bird_dir, struct wgm_buf *out);

/* Renders and writes bird_<netns>.conf atomically, only when its content changed, and creates
 * the local include directory (BIRD refuses an include glob whose directory is missing). */
int birdgen_write(const struct wgm_node_plan *plan, const char *bird_dir, bool *changed,
		  char *err, size_t errlen);

#endif
