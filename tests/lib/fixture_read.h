/* Reading a test's fixture file, for every C test: dir/rel whole, or the test exits, since
 * nothing can run without it. */
#ifndef WGM_TEST_FIXTURE_READ_H
#define WGM_TEST_FIXTURE_READ_H

#include <stdio.h>
#include <stdlib.h>

#include "atomicfile.h"

static inline char *fixture_read(const char *dir, const char *rel, size_t *len)
{
	char path[4096];
	char *data;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (wgm_read_file(path, 1 << 20, &data, &n)) {
		fprintf(stderr, "cannot read fixture %s\n", path);
		exit(1);
	}
	if (len)
		*len = n;
	return data;
}

#endif
