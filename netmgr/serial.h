/* Replay protection: the last applied deploy serial lives in <state-dir>/<domain>.serial and an
 * older record is refused. Records from a 1.0 controller carry none: accepted (with a warning)
 * only while no serial is stored, so removing the file is the way back to a 1.0 controller. */
#ifndef NETMGR_SERIAL_H
#define NETMGR_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0 to go ahead (with a warning for a serial-less record while none is stored), -ESTALE when
 * older than the stored serial or without one once a serial is stored. */
int serial_check(const char *state_dir, const char *domain, bool has_serial, uint64_t serial,
		 char *err, size_t errlen);
int serial_store(const char *state_dir, const char *domain, uint64_t serial);

#endif
