/* Replay protection: the last applied deploy serial lives in <state-dir>/<domain>.serial (one
 * number), and "SERIAL SHA256" of that record's content in <domain>.digest beside it. An older
 * record is refused, and so is one with the same serial but other content (a swapped record). Records from a 1.0 controller carry no serial: accepted (with a warning) only while
 * no serial is stored, so removing the file is the way back to a 1.0 controller. A fresh node
 * (no file) takes any serial; an operator sets its floor by writing the number to that file. */
#ifndef NETMGR_SERIAL_H
#define NETMGR_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_DIGEST_LEN 32

/* 0 to go ahead (with a warning for a serial-less record while none is stored), -ESTALE when
 * older than the stored serial, equal to it with another digest, or without one once a
 * serial is stored. */
int serial_check(const char *state_dir, const char *domain, bool has_serial, uint64_t serial,
		 const uint8_t digest[SERIAL_DIGEST_LEN], char *err, size_t errlen);
int serial_store(const char *state_dir, const char *domain, uint64_t serial,
		 const uint8_t digest[SERIAL_DIGEST_LEN]);

#endif
