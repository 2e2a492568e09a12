/* Random version-4 UUIDs (1.0 used Python's uuid4); sitefile.h's wgm_uuid_valid checks them. */
#ifndef WGM_SITE_UUID_H
#define WGM_SITE_UUID_H

#include "records.h"

void wgm_uuid4(char out[WGM_UUID_LEN + 1]);

#endif
