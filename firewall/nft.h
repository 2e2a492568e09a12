/* nftables, for hosts without Shorewall: one table of ours, "inet wgmesh_<netns>", rendered as
 * a script that replaces the table in one transaction (nft -f applies a file atomically).
 * Its chains accept and never drop: ours is one table among the host's others. */
#ifndef WGM_NFT_H
#define WGM_NFT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "plan.h"

#define FIREWALL_NFT_DEFAULT_DIR "/etc/wgmesh"

/* "wgmesh_<netns>"; -EINVAL for a name nft cannot take as an identifier. */
int firewall_nft_table_name(const char *netns, char *out, size_t outlen);
/* <dir>/wgmesh-<netns>.nft */
int firewall_nft_path(const char *dir, const char *netns, char *out, size_t outlen);
/* Pure. */
int firewall_render_nft(const struct wgm_node_plan *plan, struct wgm_buf *out);
/* Writes the script atomically, only when changed (wgmesh-nft@<netns>.path then applies it). */
int firewall_write_nft(const struct wgm_node_plan *plan, const char *dir, bool *changed,
		       char *err, size_t errlen);

#endif
