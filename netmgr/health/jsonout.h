/* The little JSON the manager prints (verify --json, status --json): strings escaped here. */
#ifndef NETMGR_JSONOUT_H
#define NETMGR_JSONOUT_H

#include <stdio.h>

void json_string(FILE *f, const char *s);

#endif
