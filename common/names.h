/* One rule per name: every name wgmesh reads from a file or a command line, or makes for the
 * kernel, is checked or made here and nowhere else, so what `up` builds is what `verify`
 * inspects and what `down` removes. Pure functions, no allocation. */
#ifndef WGM_NAMES_H
#define WGM_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGM_HOSTNAME_MAX 253 /* RFC 1035's 255 octets on the wire, as text */
#define WGM_UUID_LEN 36
#define WGM_IFNAMSIZ 16      /* the kernel's IFNAMSIZ: 15 bytes and the NUL */
#define WGM_NETNS_NAME_MAX 63
/* "ve-"/"vi-" and this many bytes of the locus fill WGM_IFNAMSIZ - 1. */
#define WGM_VETH_LOCUS_MAX 12
/* A new site's locus (wgsite init) is at most this long, so its veth names carry it whole. */
#define WGM_LOCUS_NEW_MAX WGM_VETH_LOCUS_MAX
/* 1.0's ns-tester namespace, one per node, whatever the mesh. */
#define WGM_TESTER_NETNS "tester"
/* 1.0's private namespace (ns-private), where an upgraded node's mesh still is. */
#define WGM_NETNS_10 "private"

/* Host and domain names, in every file format and on every command line: RFC 1123 labels
 * (letters, digits, '-' inside a label) plus '_', which DNS carries and 1.0's names use;
 * labels of 1..63, at most WGM_HOSTNAME_MAX in all. No trailing dot: names are compared and
 * joined as text ("<uuid>.<domain>"), so "a.example." and "a.example" would be two names for
 * one host. The last label is not all digits (RFC 1123 2.1), so a mistyped IPv4 address such
 * as "192.0.2.300" is refused rather than looked up as a name. */
bool wgm_hostname_valid(const char *name);

/* 8-4-4-4-12 hex digits, as 1.0's uuid4() text, in either case; compare them with strcasecmp. */
bool wgm_uuid_valid(const char *uuid);

/* An interface name the kernel takes (net/core/dev.c dev_valid_name: 1..15 bytes, not "." or
 * "..", no '/', ':' or white space), printable. */
bool wgm_ifname_valid(const char *name);

/* A namespace name: 1..63 of [A-Za-z0-9._-], not starting with '.' or '-'. iproute2 takes
 * every such name (it refuses only '/', "." and ".."); the tighter set is what BIRD's and
 * nftables' files can carry (the name is part of their paths and contents) and keeps `ip
 * netns exec NAME` from reading it as an option. */
bool wgm_netns_name_valid(const char *name);

/* A site's locus, read from a site file, a site record or a host state: it is the default
 * namespace name, so the namespace rule. */
bool wgm_locus_valid(const char *locus);
/* A locus wgsite init gives a new site: letters, digits, '-' and '_', at most
 * WGM_LOCUS_NEW_MAX, so that the veth names keep it whole. */
bool wgm_locus_new_valid(const char *locus);

/* A domain's file in the state directory, "<state_dir>/<domain>.<suffix>": the host state
 * (yaml), its serial and digest, the drain flag (drained), the flap counts (flaps), run's lock
 * (run.lock). 0, -EINVAL for a domain that is no host name, -ENAMETOOLONG. */
int wgm_domain_file(const char *state_dir, const char *domain, const char *suffix, char *out,
		    size_t outlen);

/* The private namespace: the host state's netns:, else the locus. */
const char *wgm_netns_name(const char *netns, const char *locus);

/* The veth between the underlay and the private namespace: outer is outbound when the host
 * state names one (interface_outbound), else "ve-<locus>"; inner is "vi-<locus>". A locus
 * longer than WGM_VETH_LOCUS_MAX bytes is cut to its first WGM_VETH_LOCUS_MAX in both (the
 * namespace keeps the whole locus), so loci that agree on those bytes share veth names. */
void wgm_veth_names(const char *locus, const char *outbound, char outer[WGM_IFNAMSIZ],
		    char inner[WGM_IFNAMSIZ]);

/* The WireGuard device for the peer with this octet: "wg<octet>", octet 1..255. */
void wgm_wg_ifname(uint8_t octet, char out[WGM_IFNAMSIZ]);
/* Is this one of the names wgm_wg_ifname makes: "wg" and 1..255 without leading zeros? */
bool wgm_is_mesh_wg_name(const char *name);

/* Both ends of the veth between the private and the tester namespace: "tester<octet>". */
void wgm_tester_ifname(uint8_t octet, char out[WGM_IFNAMSIZ]);
/* Is this one of the names wgm_tester_ifname makes? */
bool wgm_is_tester_ifname(const char *name);

#endif
