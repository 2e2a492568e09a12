/* Replay protection: the last applied deploy serial lives in <state-dir>/<domain>.serial and an
 * older record is refused. Records from a 1.0 controller carry none. */
#ifndef NETMGR_SERIAL_H
#define NETMGR_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0 to go ahead (with a warning for serial-less records), -ESTALE when older than stored. */
int serial_check(const char *state_dir, const char *domain, bool has_serial, uint64_t serial,
		 char *err, size_t errlen);
int serial_store(const char *state_dir, const char *domain, uint64_t serial);

#endif
