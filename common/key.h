/* Curve25519 keys: a host's WireGuard key is also its crypto_box key (docs/format.md#keys). */
#ifndef WGM_KEY_H
#define WGM_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGM_KEY_LEN 32
#define WGM_KEY_B64_LEN 44

struct wgm_key {
	uint8_t b[WGM_KEY_LEN];
};

/* Exactly 44 chars of standard base64 decoding to 32 bytes; surrounding whitespace allowed. */
int wgm_key_from_b64(struct wgm_key *k, const char *s);
void wgm_key_to_b64(const struct wgm_key *k, char out[WGM_KEY_B64_LEN + 1]);
int wgm_key_public(const struct wgm_key *priv, struct wgm_key *pub);
/* 1.0 strips whitespace bytes off the decoded key, so keys whose first or last raw byte is
 * 0x09-0x0d or 0x20 fail there. compat10 regenerates until both halves are safe. */
bool wgm_key_is_10_safe(const struct wgm_key *k);
int wgm_key_generate(struct wgm_key *priv, struct wgm_key *pub, bool compat10);
/* secret: a file readable by group/other (1.0 wrote 0644) is tightened to 0600 with a warning,
 * never refused for its mode. Accepts a trailing newline or none. A symbolic link is refused
 * (-ELOOP), and so is a secret key owned by neither root nor the effective user (-EPERM). */
int wgm_key_load(struct wgm_key *k, const char *path, bool secret);
/* The one line for a failed wgm_key_load: what is wrong with the file and how to fix it.
 * what names the key ("host key", "site key"). */
void wgm_key_load_error(int ret, const char *what, const char *path, char *buf, size_t len);
/* Atomic write; secret keys get mode 0600, public 0644. */
int wgm_key_save(const struct wgm_key *k, const char *path, bool secret, bool trailing_newline);
void wgm_key_wipe(struct wgm_key *k);
/* A retired private key file: overwritten with zeros, synced, then unlinked, so the key is not
 * left in the file's blocks for a later reader of the disk. Not followed through a symlink
 * (O_NOFOLLOW, as every key file). -ENOENT when it is gone already. */
int wgm_key_file_wipe(const char *path);
bool wgm_key_equal(const struct wgm_key *a, const struct wgm_key *b);

#endif
