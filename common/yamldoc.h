/* A small strict YAML document tree over libyaml: the one YAML parser of wgmesh.
 * Strict: size, depth and node caps, no anchors or aliases, no duplicate keys, one document.
 * Maps keep their key order so a rewritten file keeps keys we do not know, where they were. */
#ifndef WGM_YAMLDOC_H
#define WGM_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum wgm_ykind { WGM_Y_SCALAR, WGM_Y_SEQ, WGM_Y_MAP };

struct wgm_ynode {
	enum wgm_ykind kind;
	char *tag;     /* explicit tag as written ("tag:yaml.org,2002:binary"), or NULL */
	char *scalar;  /* WGM_Y_SCALAR: the value, NUL-terminated */
	size_t scalar_len;
	bool quoted;   /* scalar was quoted in the source ('...' or "...") */
	size_t n;      /* SEQ: items; MAP: pairs */
	struct wgm_ynode **items; /* SEQ items, or MAP values */
	char **keys;   /* MAP keys (scalars only) */
};

struct wgm_yaml_limits {
	size_t max_bytes; /* 0 = 1 MiB */
	size_t max_nodes; /* 0 = 100000 */
	size_t max_depth; /* 0 = 16 */
};

int wgm_yaml_parse(const char *text, size_t len, const struct wgm_yaml_limits *lim,
		   struct wgm_ynode **root, char *err, size_t errlen);
void wgm_yaml_free(struct wgm_ynode *n);

/* How a caller's YAML file is named in the one-line errors of wgm_yaml_load_file. */
struct wgm_yaml_file {
	const char *what;       /* "host state": "cannot read host state PATH: ..." */
	size_t max_bytes;       /* a larger file fails as "larger than 64 KiB" (KiB or MiB) */
	const char *if_missing; /* appended when the file does not exist, e.g. " (run X first)" */
	const char *top_keys;   /* "host: and site:": "PATH: the host state must be a mapping
				 * with host: and site:" */
};

/* Reads path (at most file->max_bytes) and parses it into *root, which must be a mapping.
 * On failure *root is NULL and err is one line naming path. */
int wgm_yaml_load_file(const char *path, const struct wgm_yaml_file *file,
		       struct wgm_ynode **root, char *err, size_t errlen);

/* Block-style emitter in PyYAML's default layout (what 1.0 wrote): 2-space indent, sequences
 * under a key not indented further, scalars quoted only when YAML needs it. */
int wgm_yaml_emit(const struct wgm_ynode *root, struct wgm_buf *out);

struct wgm_ynode *wgm_ynode_new_map(void);
struct wgm_ynode *wgm_ynode_new_seq(void);
struct wgm_ynode *wgm_ynode_new_scalar(const char *s);
/* Map access; get returns NULL when absent. set replaces in place (keeps order) or appends. */
struct wgm_ynode *wgm_ymap_get(const struct wgm_ynode *map, const char *key);
int wgm_ymap_set(struct wgm_ynode *map, const char *key, struct wgm_ynode *value);
int wgm_ymap_set_str(struct wgm_ynode *map, const char *key, const char *value);
int wgm_ymap_remove(struct wgm_ynode *map, const char *key);
/* The map under key, made (replacing a non-map value) when absent; NULL when out of memory.
 * Rewriting a file keeps a section the user has, with its unknown keys. */
struct wgm_ynode *wgm_ymap_child_map(struct wgm_ynode *parent, const char *key);
int wgm_yseq_push(struct wgm_ynode *seq, struct wgm_ynode *item);

/* Typed readers: each fails with a one-line err naming the key and the expected type/range. */
int wgm_yget_str(const struct wgm_ynode *map, const char *key, bool required, char *out,
		 size_t outlen, char *err, size_t errlen);
/* Accepts 1.0's quoted numbers ('31000') as well as plain ones. */
int wgm_yget_u64(const struct wgm_ynode *map, const char *key, bool required, uint64_t min,
		 uint64_t max, uint64_t *out, char *err, size_t errlen);

#endif
