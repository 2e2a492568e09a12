/* The sd_notify datagram protocol (READY=1, STATUS=...) spoken directly over $NOTIFY_SOCKET:
 * one AF_UNIX datagram of newline-separated assignments. A no-op outside systemd. */
#ifndef NETMGR_NOTIFY_H
#define NETMGR_NOTIFY_H

int notify_send(const char *state);

#endif
