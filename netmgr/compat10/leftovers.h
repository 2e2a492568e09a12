/* Internal to compat10/: what wgmesh 1.0 left on a node, found by its marks (legacy.h says what
 * each piece is), for the report and `up` (legacy.c) and for retire-1.0 (retire.c). */
#ifndef NETMGR_COMPAT10_LEFTOVERS_H
#define NETMGR_COMPAT10_LEFTOVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "options.h"
#include "portcheck.h"
#include "view.h"

#define LEGACY_SBIN_DIR "/usr/local/sbin"
#define LEGACY_UNIT_DIR "/etc/systemd/system"
#define MAX_LEFTOVERS 64
#define MAX_DEVICES 256

enum leftover_kind { LO_FILE, LO_UNIT, LO_DNAT };

struct leftover {
	enum leftover_kind kind;
	char path[512]; /* LO_FILE, LO_DNAT: the file; LO_UNIT: the unit's name */
	char why[160];
};

struct leftovers {
	size_t n;
	struct leftover v[MAX_LEFTOVERS];
};

struct dev10 {
	char name[WGM_IFNAMSIZ];
	char kind[16];
	uint16_t port;
	pid_t pid; /* the process holding the socket, 0 for the kernel's */
};

/* A message line; a long one is cut, which is fine for a message. */
void l10_say(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* 1.0's files and units (wg-quick files, start scripts, units, DNAT lines) into l. */
void l10_find_files(const struct netmgr_opts *o, struct leftovers *l);
/* The detection on what was read of the kernel. 1.0's devices: of the candidates c, those
 * whose UDP port has a socket in h (portcheck_udp's answer inside the private namespace:
 * wg-quick made them there; ours keep their socket in the underlay), kept in order with the
 * holder's pid; returns how many. */
size_t legacy_devices_inside(struct dev10 *c, size_t n, const struct port_holder *h, size_t found);
/* 1.0's veth: a veth of the private namespace (its snapshot) other than ours holding
 * 169.254.<octet>.2/24; NULL when there is none. */
const struct actual_link *legacy_veth_10(const struct actual_ns *priv, const char *ours,
					 uint8_t *octet);
/* Keeps the candidates c[0..n) whose UDP port has a socket bound inside the private
 * namespace (one sock_diag dump); returns how many. */
size_t l10_keep_inside(const struct mesh_view *v, struct dev10 *c, size_t n);
void l10_candidate(struct dev10 *c, const struct actual_link *l, uint16_t port);
/* 1.0's devices: wg<k> whose UDP socket is inside the private namespace. ports[] gets every
 * wg<k> device's port. */
size_t l10_find_devices(const struct mesh_view *v, struct dev10 *out, size_t max, uint16_t *ports,
			size_t *n_ports);
/* legacy_veth_10 on the view's private side (none when it has none). */
const struct actual_link *l10_find_veth(const struct mesh_view *v, const char *ours, uint8_t *octet);

#endif
