#include "serial.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "atomicfile.h"
#include "log.h"
#include "names.h"

static void serial_path(const char *state_dir, const char *domain, char *out, size_t outlen,
			const char *suffix)
{
	if (wgm_domain_file(state_dir, domain, suffix, out, outlen) < 0)
		out[0] = 0; /* a bad domain names no file: loads find none, stores fail */
}

/* -ENOENT when none stored yet. The file is ours (or the operator's, setting a floor), but
 * parse it as carefully as any input. */
static int serial_load(const char *path, uint64_t *serial)
{
	char *data = NULL, *end;
	size_t len;
	int ret = wgm_read_file(path, 64, &data, &len);

	if (ret < 0)
		return ret;
	errno = 0;
	*serial = strtoull(data, &end, 10);
	if (errno || end == data || *data < '0' || *data > '9' || (*end && *end != '\n'))
		ret = -EINVAL;
	free(data);
	return ret;
}

/* Beside the serial: "SERIAL SHA256" of the record applied at it. It counts only for that
 * serial (an operator who writes a floor into the .serial file leaves it stale). false when
 * there is none that counts. */
static bool digest_load(const char *path, uint64_t serial, uint8_t digest[SERIAL_DIGEST_LEN])
{
	char *data = NULL, *end;
	size_t len, hexlen;
	bool ok = false;

	if (wgm_read_file(path, 128, &data, &len) < 0)
		return false;
	errno = 0;
	if (data[0] >= '0' && data[0] <= '9' && strtoull(data, &end, 10) == serial && !errno &&
	    *end == ' ') {
		hexlen = strcspn(end + 1, "\n");
		ok = hexlen == 2 * SERIAL_DIGEST_LEN &&
		     !sodium_hex2bin(digest, SERIAL_DIGEST_LEN, end + 1, hexlen, NULL, NULL, NULL);
	}
	free(data);
	return ok;
}

int serial_check(const char *state_dir, const char *domain, bool has_serial, uint64_t serial,
		 const uint8_t digest[SERIAL_DIGEST_LEN], char *err, size_t errlen)
{
	uint8_t stored_digest[SERIAL_DIGEST_LEN];
	char path[4096];
	uint64_t stored;
	int ret;

	serial_path(state_dir, domain, path, sizeof(path), "serial");
	ret = serial_load(path, &stored);
	if (ret == -ENOENT) {
		if (!has_serial)
			log_warn("the deploy record carries no serial (a 1.0 controller?): replay protection is off until a record with one is applied");
		return 0;
	}
	if (ret < 0) {
		snprintf(err, errlen, "cannot read %s: %s (it holds the last applied serial, one number: write one there to set the floor, or remove it to accept any serial)",
			 path, strerror(-ret));
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
	/* The controller never publishes two contents under one serial: one of them is a record
	 * swapped in by whoever answers our DNS. */
	serial_path(state_dir, domain, path, sizeof(path), "digest");
	if (serial == stored && digest_load(path, stored, stored_digest) &&
	    sodium_memcmp(digest, stored_digest, SERIAL_DIGEST_LEN)) {
		snprintf(err, errlen,
			 "deploy record serial %" PRIu64 " is the one applied, but its content differs (a swapped or forged record): refused; the controller's next publication has a higher serial",
			 serial);
		return -ESTALE;
	}
	return 0;
}

int serial_store(const char *state_dir, const char *domain, uint64_t serial,
		 const uint8_t digest[SERIAL_DIGEST_LEN])
{
	char path[4096], text[32 + 2 * SERIAL_DIGEST_LEN + 2];
	bool changed;
	int n, ret;

	/* The digest first: a serial is never stored without the content it stands for. */
	serial_path(state_dir, domain, path, sizeof(path), "digest");
	n = snprintf(text, sizeof(text), "%" PRIu64 " ", serial);
	sodium_bin2hex(text + n, sizeof(text) - (size_t)n - 1, digest, SERIAL_DIGEST_LEN);
	strcat(text, "\n");
	ret = wgm_write_if_changed(path, text, strlen(text), 0644, &changed);
	if (ret < 0)
		return ret;
	serial_path(state_dir, domain, path, sizeof(path), "serial");
	snprintf(text, sizeof(text), "%" PRIu64 "\n", serial);
	return wgm_write_if_changed(path, text, strlen(text), 0644, &changed);
}
