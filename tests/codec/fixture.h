/* Helpers shared by the codec tests: where the wgmesh 1.0 fixture lives and how to read it. */
#ifndef WGM_TEST_FIXTURE_H
#define WGM_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "buf.h"
#include "fixture_read.h"
#include "key.h"

/* The fixture dir: env WGM_FIXTURES, else the path meson passes as argv[1]. */
static inline const char *fixture_dir(int argc, char **argv)
{
	const char *env = getenv("WGM_FIXTURES");

	if (env && *env)
		return env;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR (or set WGM_FIXTURES)\n", argv[0]);
		exit(2);
	}
	return argv[1];
}

/* Fixture keys are read-only copies (0444), so they load as non-secret. */
static inline void fixture_key(const char *dir, const char *rel, struct wgm_key *k)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (wgm_key_load(k, path, false)) {
		fprintf(stderr, "cannot load fixture key %s\n", path);
		exit(1);
	}
}

/* A record file: one TXT string per line. */
static inline void fixture_record(const char *dir, const char *rel, struct wgm_strv *sv)
{
	char *data = fixture_read(dir, rel, NULL), *save = NULL;

	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (wgm_strv_push(sv, line))
			exit(1);
	free(data);
}

#endif
