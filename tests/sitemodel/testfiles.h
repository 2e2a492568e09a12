/* File helpers shared by the sitemodel tests: a private temp directory, whole-file reads and
 * writes, and the fixture directory (argv[1], or WGM_FIXTURES when set). */
#ifndef WGM_TESTFILES_H
#define WGM_TESTFILES_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static char test_dir[256];
static const char *test_fixtures;

static int test_setup(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");

	test_fixtures = getenv("WGM_FIXTURES");
	if (!test_fixtures && argc > 1)
		test_fixtures = argv[1];
	if (!test_fixtures) {
		fprintf(stderr, "usage: %s FIXTURE-DIR (or set WGM_FIXTURES)\n", argv[0]);
		return -1;
	}
	snprintf(test_dir, sizeof(test_dir), "%s/wgm-sitemodel-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(test_dir)) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

static void test_teardown(void)
{
	DIR *d = opendir(test_dir);
	struct dirent *e;
	char path[512];

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", test_dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(test_dir);
}

/* Each call returns its own buffer, freed by the caller. */
static char *test_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static bool test_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(text, 1, strlen(text), f) == strlen(text);
	return fclose(f) == 0 && ok;
}

static const char *test_path(const char *name)
{
	static char path[4][512];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s", test_dir, name);
	return path[slot];
}

static const char *fixture(const char *rel)
{
	static char path[4][512];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s", test_fixtures, rel);
	return path[slot];
}

/* Copies a fixture file into the temp dir under name; returns the new path. */
static const char *test_copy(const char *rel, const char *name)
{
	char *text = test_read(fixture(rel));
	const char *path = test_path(name);

	if (!text || !test_write(path, text))
		path = NULL;
	free(text);
	return path;
}

/* Replaces the first occurrence of from with to in text (a new string). */
static char *test_subst(const char *text, const char *from, const char *to)
{
	const char *at = text ? strstr(text, from) : NULL;
	char *out;

	if (!at)
		return NULL;
	out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	if (!out)
		return NULL;
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	return out;
}

#endif
