/* Files are written atomically: temp file in the same directory, fsync, rename, fsync dir.
 * A failure leaves the old file byte-identical. */
#ifndef WGM_ATOMICFILE_H
#define WGM_ATOMICFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

int wgm_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Writes only when the content differs; *changed tells which. */
int wgm_write_if_changed(const char *path, const void *data, size_t len, mode_t mode,
			 bool *changed);
/* Reads a whole file with a size cap; -EFBIG past it. */
int wgm_read_file(const char *path, size_t max, char **data, size_t *len);

#endif
