#include "serial.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"

static void serial_path(const char *state_dir, const char *domain, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s.serial", state_dir, domain);
}

/* -ENOENT when none stored yet. The file is ours, but parse it as carefully as any input. */
static int serial_load(const char *path, uint64_t *serial)
{
	char *data = NULL, *end;
	size_t len;
	int ret = wgm_read_file(path, 64, &data, &len);

	if (ret < 0)
		return ret;
	errno = 0;
	*serial = strtoull(data, &end, 10);
	if (errno || end == data || (*end && *end != '\n'))
		ret = -EINVAL;
	free(data);
	return ret;
}

int serial_check(const char *state_dir, const char *domain, bool has_serial, uint64_t serial,
		 char *err, size_t errlen)
{
	char path[4096];
	uint64_t stored;
	int ret;

	serial_path(state_dir, domain, path, sizeof(path));
	ret = serial_load(path, &stored);
	if (ret == -ENOENT) {
		if (!has_serial)
			log_warn("the deploy record carries no serial (a 1.0 controller?): replay protection is off until a record with one is applied");
		return 0;
	}
	if (ret < 0) {
		snprintf(err, errlen, "cannot read %s: %s (remove it to accept any serial)", path, strerror(-ret));
		return ret;
	}
	/* Once a serial was applied, a record without one is indistinguishable from an old 1.0
	 * record replayed at us; going back to a 1.0 controller is the operator's explicit act. */
	if (!has_serial) {
		snprintf(err, errlen,
			 "deploy record has no serial but serial %" PRIu64 " was applied here: refused as a possible replay; to go back to a 1.0 controller on purpose, remove %s",
			 stored, path);
		return -ESTALE;
	}
	if (serial < stored) {
		snprintf(err, errlen,
			 "deploy record serial %" PRIu64 " is older than the applied %" PRIu64 " (replayed or stale record): refused",
			 serial, stored);
		return -ESTALE;
	}
	return 0;
}

int serial_store(const char *state_dir, const char *domain, uint64_t serial)
{
	char path[4096], text[32];
	bool changed;

	serial_path(state_dir, domain, path, sizeof(path));
	snprintf(text, sizeof(text), "%" PRIu64 "\n", serial);
	return wgm_write_if_changed(path, text, strlen(text), 0644, &changed);
}
