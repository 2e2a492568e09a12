/* The one netlink exchange of the manager (libmnl): a socket opened in a namespace, and a
 * request whose kind is the function called: netlink_do asks for an ACK, netlink_dump for a dump. Both
 * check seq and port id, wait at most NL_DEADLINE_S for each reply, and give the kernel's
 * refusal back as -errno with its extended-ack text in the caller's struct nl_err: nothing is
 * logged here, the caller says what it was doing. */
#ifndef NETMGR_KERNEL_NL_H
#define NETMGR_KERNEL_NL_H

#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct mnl_socket;

/* How long one reply may take: the kernel answers in microseconds, a busy one in milliseconds. */
#define NL_DEADLINE_S 10

/* What went wrong in one call: -errno, and the kernel's (or libnl's) text, "" when it gave
 * none; the layers above fill it the same way with their own reason (a UAPI reply that does
 * not parse). Filled only when the call fails. */
struct nl_err {
	int code;
	char text[256];
};

/* What this process asked of the kernel over netlink (both libraries) and of userspace
 * WireGuard over its UAPI: requests, and how many of them were writes. A debug count (`-d`
 * prints it): an unchanged record must make no writes. */
struct nl_counts {
	unsigned long requests, writes;
};
extern struct nl_counts nl_counts;

/* Records a failure in e (which may be NULL); returns code. */
int nl_err_set(struct nl_err *e, int code, const char *text);
int nl_err_fmt(struct nl_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* strerror(-ret), then " / " and e's text when e holds the text of this very failure: the
 * way a caller quotes a failed call in its one line. Returns buf. */
const char *nl_err_str(const struct nl_err *e, int ret, char *buf, size_t len);

typedef int (*netlink_cb)(const struct nlmsghdr *nlh, void *data);

/* A socket of bus (NETLINK_ROUTE, NETLINK_GENERIC, ...) bound in netns_fd's namespace
 * (-1: the current one): it stays there whatever namespace the thread moves to. */
int netlink_open(int netns_fd, int bus, struct mnl_socket **out, struct nl_err *e);
/* Sends nlh with REQUEST|ACK|flags (a change, or a get of one object) and waits for the ACK;
 * cb (may be NULL) sees each reply. */
int netlink_do(struct mnl_socket *nl, struct nlmsghdr *nlh, uint16_t flags, netlink_cb cb, void *data,
	  struct nl_err *e);
/* Sends nlh with REQUEST|DUMP and hands each reply to cb until the dump is done. -EAGAIN when
 * the kernel flags the dump NLM_F_DUMP_INTR (what was read is inconsistent: read again). */
int netlink_dump(struct mnl_socket *nl, struct nlmsghdr *nlh, netlink_cb cb, void *data,
	    struct nl_err *e);

#endif
