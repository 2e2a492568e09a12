/* A client of BIRD's control socket, speaking its text protocol itself (no birdc process):
 * BIRD greets with "0001 ...", then answers each command line with reply lines of a 4-digit
 * code followed by '-' (more lines follow) or ' ' (the last line); a line starting with ' '
 * continues the previous code. Codes 8xxx and 9xxx are errors. */
#ifndef WGM_BIRDCTL_H
#define WGM_BIRDCTL_H

#include <stddef.h>

#include "buf.h"

/* How long one command may take before we give up on BIRD. */
#define BIRDCTL_TIMEOUT_MS 30000
/* A reply larger than this (a full table dump gone wild) is cut off with -EFBIG. */
#define BIRDCTL_REPLY_MAX (64u * 1024 * 1024)

/* Sends one command line (no newline in it). reply receives every reply line as BIRD sent it,
 * code included, each ending in '\n'. Returns 0 when the final code is not an error,
 * -EREMOTEIO when it is (err then holds BIRD's text), -errno on socket trouble. */
int birdctl_command(const char *sock, const char *cmd, struct wgm_buf *reply, char *err,
		    size_t errlen);

/* Asks BIRD to re-read its configuration file. 0 when BIRD reconfigured or queued it; msg gets
 * BIRD's text either way (its parse error with file:line on failure). -EREMOTEIO when BIRD
 * refused, -errno on socket trouble. */
int birdctl_configure(const char *sock, char *msg, size_t msglen);

/* Connects and waits for BIRD's greeting, then hands the live connection to probe (who is
 * behind it: SO_PEERCRED, the accepted socket's owner) and returns what probe returns;
 * -errno with err filled when nothing answers like BIRD. */
int birdctl_probe(const char *sock, int (*probe)(int fd, void *ctx), void *ctx, char *err,
		  size_t errlen);

#endif
