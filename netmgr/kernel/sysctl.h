/* Sysctls of a network namespace: the files under /proc/sys/net belong to the namespace of the
 * task that opens them, so we enter the namespace, open, and come back. */
#ifndef NETMGR_KERNEL_SYSCTL_H
#define NETMGR_KERNEL_SYSCTL_H

#include <stddef.h>

/* key like "net/ipv4/ip_forward"; nsfd -1 = current namespace. */
int ns_sysctl_read(int nsfd, const char *key, char *val, size_t vallen);
int ns_sysctl_write(int nsfd, const char *key, const char *val);

#endif
