/* UUIDs name each host's record (<uuid>.<domain>), so they come from libsodium's CSPRNG. */
#include "uuid.h"

#include <stdint.h>
#include <stdio.h>

#include <sodium.h>

void wgm_uuid4(char out[WGM_UUID_LEN + 1])
{
	uint8_t b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, WGM_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}
