#include "yamldoc.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sodium.h>
#include <yaml.h>

#include "atomicfile.h"
#include "errmsg.h"

#define YAML_TAG_PREFIX "tag:yaml.org,2002:"
#define BEST_WIDTH 80 /* PyYAML folds long scalars past this column */

/* Arrays grow at powers of two, so a node needs no capacity field. */
static int grow(void **arr, size_t n, size_t size)
{
	void *p;

	if (n && (n < 4 || (n & (n - 1))))
		return 0;
	p = realloc(*arr, (n ? n * 2 : 4) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

static struct wgm_ynode *node_new(enum wgm_ykind kind)
{
	struct wgm_ynode *n = calloc(1, sizeof(*n));

	if (n)
		n->kind = kind;
	return n;
}

void wgm_yaml_free(struct wgm_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		wgm_yaml_free(n->items[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->tag);
	free(n->scalar);
	free(n);
}

/* --- what a plain scalar would mean to PyYAML's YAML 1.1 resolver --- */

static const char *const resolver_patterns[] = {
	"^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
	"^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9][0-9_]*([eE][-+][0-9]+)?"
	"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
	"^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
	"|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
	"^(~|null|Null|NULL|<<|=)$",
	"^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
	"([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\\.[0-9]*)?([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)$",
};

/* Compiled once per process: the emitter asks for every string it writes. */
static regex_t resolver_re[sizeof(resolver_patterns) / sizeof(resolver_patterns[0])];
static bool resolver_ready;

static bool reads_as_non_string(const char *s)
{
	if (!*s)
		return true; /* null */
	/* Every implicit type starts with one of these; skip the regexes for the rest. */
	if (!strchr("-+.0123456789~yYnNtTfFoO<=", *s))
		return false;
	if (!resolver_ready) {
		for (size_t i = 0; i < sizeof(resolver_re) / sizeof(resolver_re[0]); i++)
			if (regcomp(&resolver_re[i], resolver_patterns[i], REG_EXTENDED | REG_NOSUB))
				abort(); /* the patterns are constants: a failure is a bug here */
		resolver_ready = true;
	}
	for (size_t i = 0; i < sizeof(resolver_re) / sizeof(resolver_re[0]); i++)
		if (regexec(&resolver_re[i], s, 0, NULL, 0) == 0)
			return true;
	return false;
}

/* --- node construction and access --- */

struct wgm_ynode *wgm_ynode_new_map(void)
{
	return node_new(WGM_Y_MAP);
}

struct wgm_ynode *wgm_ynode_new_seq(void)
{
	return node_new(WGM_Y_SEQ);
}

static struct wgm_ynode *scalar_new(const char *s, size_t len)
{
	struct wgm_ynode *n = node_new(WGM_Y_SCALAR);

	if (!n)
		return NULL;
	n->scalar = malloc(len + 1);
	if (!n->scalar) {
		free(n);
		return NULL;
	}
	memcpy(n->scalar, s, len);
	n->scalar[len] = 0;
	n->scalar_len = len;
	return n;
}

/* A string: quoted when plain it would read as another type, as PyYAML writes a str.
 * Numbers meant as numbers clear ->quoted after creation. */
struct wgm_ynode *wgm_ynode_new_scalar(const char *s)
{
	struct wgm_ynode *n = scalar_new(s, strlen(s));

	if (n)
		n->quoted = reads_as_non_string(s);
	return n;
}

static ssize_t map_index(const struct wgm_ynode *map, const char *key)
{
	if (!map || map->kind != WGM_Y_MAP)
		return -1;
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i], key))
			return (ssize_t)i;
	return -1;
}

struct wgm_ynode *wgm_ymap_get(const struct wgm_ynode *map, const char *key)
{
	ssize_t i = map_index(map, key);

	return i < 0 ? NULL : map->items[i];
}

static int map_append(struct wgm_ynode *map, char *key, struct wgm_ynode *value)
{
	if (grow((void **)&map->items, map->n, sizeof(*map->items)) ||
	    grow((void **)&map->keys, map->n, sizeof(*map->keys)))
		return -ENOMEM;
	map->keys[map->n] = key;
	map->items[map->n] = value;
	map->n++;
	return 0;
}

/* Takes ownership of value, also on failure. */
int wgm_ymap_set(struct wgm_ynode *map, const char *key, struct wgm_ynode *value)
{
	ssize_t i;
	char *k;

	if (!value)
		return -ENOMEM;
	if (!map || map->kind != WGM_Y_MAP) {
		wgm_yaml_free(value);
		return -EINVAL;
	}
	i = map_index(map, key);
	if (i >= 0) {
		wgm_yaml_free(map->items[i]);
		map->items[i] = value;
		return 0;
	}
	k = strdup(key);
	if (!k || map_append(map, k, value)) {
		free(k);
		wgm_yaml_free(value);
		return -ENOMEM;
	}
	return 0;
}

int wgm_ymap_set_str(struct wgm_ynode *map, const char *key, const char *value)
{
	return wgm_ymap_set(map, key, wgm_ynode_new_scalar(value));
}

int wgm_ymap_remove(struct wgm_ynode *map, const char *key)
{
	ssize_t i = map_index(map, key);

	if (i < 0)
		return -ENOENT;
	wgm_yaml_free(map->items[i]);
	free(map->keys[i]);
	memmove(&map->items[i], &map->items[i + 1], (map->n - (size_t)i - 1) * sizeof(*map->items));
	memmove(&map->keys[i], &map->keys[i + 1], (map->n - (size_t)i - 1) * sizeof(*map->keys));
	map->n--;
	return 0;
}

/* Takes ownership of item, also on failure. */
int wgm_yseq_push(struct wgm_ynode *seq, struct wgm_ynode *item)
{
	if (!item)
		return -ENOMEM;
	if (!seq || seq->kind != WGM_Y_SEQ) {
		wgm_yaml_free(item);
		return -EINVAL;
	}
	if (grow((void **)&seq->items, seq->n, sizeof(*seq->items))) {
		wgm_yaml_free(item);
		return -ENOMEM;
	}
	seq->items[seq->n++] = item;
	return 0;
}

/* --- parser: libyaml events to a tree, refusing what wgmesh never writes --- */

struct frame {
	struct wgm_ynode *node;
	char *key; /* MAP: the key read, waiting for its value */
};

struct builder {
	struct frame *stack;
	size_t depth, max_depth;
	size_t nodes, max_nodes;
	struct wgm_ynode *root;
	char *err;
	size_t errlen;
};

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check_duplicate_keys(struct builder *b, const struct wgm_ynode *map)
{
	char **sorted;
	int ret = 0;

	if (map->n < 2)
		return 0;
	sorted = malloc(map->n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, map->keys, map->n * sizeof(*sorted));
	qsort(sorted, map->n, sizeof(*sorted), cmp_keys);
	for (size_t i = 1; i < map->n; i++) {
		if (!strcmp(sorted[i - 1], sorted[i])) {
			wgm_set_err(b->err, b->errlen, "YAML key '%.64s' appears twice in one mapping",
				    sorted[i]);
			ret = -EINVAL;
			break;
		}
	}
	free(sorted);
	return ret;
}

static int count_node(struct builder *b)
{
	if (++b->nodes > b->max_nodes) {
		wgm_set_err(b->err, b->errlen, "YAML document has more than %zu nodes", b->max_nodes);
		return -E2BIG;
	}
	return 0;
}

/* Hangs a new node under the open collection (or makes it the root); the tree owns it. */
static int attach(struct builder *b, struct wgm_ynode *node)
{
	struct frame *top;
	int ret;

	if (!b->depth) {
		b->root = node;
		return 0;
	}
	top = &b->stack[b->depth - 1];
	if (top->node->kind == WGM_Y_SEQ) {
		if (grow((void **)&top->node->items, top->node->n, sizeof(*top->node->items))) {
			wgm_yaml_free(node);
			return -ENOMEM;
		}
		top->node->items[top->node->n++] = node;
		return 0;
	}
	ret = map_append(top->node, top->key, node);
	if (ret) {
		wgm_yaml_free(node);
		return ret;
	}
	top->key = NULL;
	return 0;
}

static bool expecting_key(const struct builder *b)
{
	return b->depth && b->stack[b->depth - 1].node->kind == WGM_Y_MAP &&
	       !b->stack[b->depth - 1].key;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	bool quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		      ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	struct wgm_ynode *n;
	int ret = count_node(b);

	if (ret)
		return ret;
	if (expecting_key(b)) {
		if (strlen(value) != len) {
			wgm_set_err(b->err, b->errlen, "YAML key with a NUL character is not allowed");
			return -EINVAL;
		}
		if (!quoted && !strcmp(value, "<<")) {
			wgm_set_err(b->err, b->errlen, "YAML merge keys (<<) are not allowed");
			return -EINVAL;
		}
		b->stack[b->depth - 1].key = strdup(value);
		return b->stack[b->depth - 1].key ? 0 : -ENOMEM;
	}
	n = scalar_new(value, len);
	if (!n)
		return -ENOMEM;
	n->quoted = quoted;
	if (ev->data.scalar.tag) {
		n->tag = strdup((const char *)ev->data.scalar.tag);
		if (!n->tag) {
			wgm_yaml_free(n);
			return -ENOMEM;
		}
	}
	return attach(b, n);
}

static int on_collection_start(struct builder *b, enum wgm_ykind kind, const yaml_char_t *tag)
{
	struct wgm_ynode *n;
	int ret = count_node(b);

	if (ret)
		return ret;
	if (expecting_key(b)) {
		wgm_set_err(b->err, b->errlen, "YAML %s used as a mapping key is not allowed",
			    kind == WGM_Y_MAP ? "mapping" : "sequence");
		return -EINVAL;
	}
	if (tag) {
		wgm_set_err(b->err, b->errlen, "YAML tag %.64s on a %s is not allowed", (const char *)tag,
			    kind == WGM_Y_MAP ? "mapping" : "sequence");
		return -EINVAL;
	}
	if (b->depth >= b->max_depth) {
		wgm_set_err(b->err, b->errlen, "YAML nesting deeper than %zu levels", b->max_depth);
		return -E2BIG;
	}
	n = node_new(kind);
	if (!n)
		return -ENOMEM;
	ret = attach(b, n);
	if (ret)
		return ret;
	b->stack[b->depth].node = n;
	b->stack[b->depth].key = NULL;
	b->depth++;
	return 0;
}

static int on_collection_end(struct builder *b)
{
	struct frame *top;

	/* libyaml pairs every end with a start; should it ever not, refuse rather than underflow. */
	if (!b->depth)
		return wgm_fail(b->err, b->errlen, -EINVAL, "YAML closes a collection it never opened");
	top = &b->stack[--b->depth];
	return top->node->kind == WGM_Y_MAP ? check_duplicate_keys(b, top->node) : 0;
}

static const yaml_char_t *event_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return ev->data.mapping_start.anchor;
	case YAML_ALIAS_EVENT:
		return ev->data.alias.anchor;
	default:
		return NULL;
	}
}

static int on_event(struct builder *b, const yaml_event_t *ev, size_t *documents)
{
	const yaml_char_t *anchor = event_anchor(ev);

	if (ev->type == YAML_ALIAS_EVENT) {
		wgm_set_err(b->err, b->errlen, "YAML aliases (*%.64s) are not allowed", (const char *)anchor);
		return -EINVAL;
	}
	if (anchor) {
		wgm_set_err(b->err, b->errlen, "YAML anchors (&%.64s) are not allowed", (const char *)anchor);
		return -EINVAL;
	}
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*documents > 1) {
			wgm_set_err(b->err, b->errlen, "more than one YAML document");
			return -EINVAL;
		}
		return 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_collection_start(b, WGM_Y_SEQ, ev->data.sequence_start.tag);
	case YAML_MAPPING_START_EVENT:
		return on_collection_start(b, WGM_Y_MAP, ev->data.mapping_start.tag);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_collection_end(b);
	default:
		return 0;
	}
}

int wgm_yaml_parse(const char *text, size_t len, const struct wgm_yaml_limits *lim,
		   struct wgm_ynode **root, char *err, size_t errlen)
{
	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : 1024 * 1024;
	struct builder b = {
		.max_nodes = lim && lim->max_nodes ? lim->max_nodes : 100000,
		.max_depth = lim && lim->max_depth ? lim->max_depth : 16,
		.err = err,
		.errlen = errlen,
	};
	size_t documents = 0;
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	int ret = 0;

	*root = NULL;
	if (len > max_bytes) {
		wgm_set_err(err, errlen, "YAML document of %zu bytes is over the %zu-byte limit", len,
			    max_bytes);
		return -EFBIG;
	}
	b.stack = calloc(b.max_depth, sizeof(*b.stack));
	if (!b.stack)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		free(b.stack);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && !ret) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				ret = -ENOMEM;
			else
				ret = -EINVAL;
			wgm_set_err(err, errlen, "YAML syntax error at line %zu column %zu: %s",
				    parser.problem_mark.line + 1, parser.problem_mark.column + 1,
				    parser.problem ? parser.problem : "unreadable input");
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		ret = on_event(&b, &ev, &documents);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (!ret && !b.root) {
		wgm_set_err(err, errlen, "empty YAML document");
		ret = -ENODATA;
	}
	for (size_t i = 0; i < b.depth; i++)
		free(b.stack[i].key);
	free(b.stack);
	if (ret) {
		wgm_yaml_free(b.root);
		return ret;
	}
	*root = b.root;
	return 0;
}

static void size_text(size_t bytes, char *out, size_t outlen)
{
	if (bytes % (1024 * 1024) == 0)
		snprintf(out, outlen, "%zu MiB", bytes / (1024 * 1024));
	else if (bytes % 1024 == 0)
		snprintf(out, outlen, "%zu KiB", bytes / 1024);
	else
		snprintf(out, outlen, "%zu bytes", bytes);
}

int wgm_yaml_load_file(const char *path, const struct wgm_yaml_file *file,
		       struct wgm_ynode **root, char *err, size_t errlen)
{
	char why[512] = "", *text = NULL, max[32];
	size_t len = 0;
	int ret;

	*root = NULL;
	ret = wgm_read_file(path, file->max_bytes, &text, &len);
	if (ret < 0) {
		size_text(file->max_bytes, max, sizeof(max));
		return wgm_fail(err, errlen, ret, "cannot read %s %s: %s%s%s", file->what, path,
				ret == -EFBIG ? "larger than " : "",
				ret == -EFBIG ? max : strerror(-ret),
				ret == -ENOENT ? file->if_missing : "");
	}
	ret = wgm_yaml_parse(text, len, NULL, root, why, sizeof(why));
	/* A site file holds the site's private key. */
	if (text) {
		sodium_memzero(text, len);
		free(text);
	}
	if (ret < 0)
		return wgm_fail(err, errlen, ret, "%s: %s", path, why);
	if ((*root)->kind != WGM_Y_MAP) {
		wgm_yaml_free(*root);
		*root = NULL;
		return wgm_fail(err, errlen, -EINVAL, "%s: the %s must be a mapping with %s", path,
				file->what, file->top_keys);
	}
	return 0;
}

/* --- emitter: PyYAML's default block layout --- */

struct emitter {
	struct wgm_buf *out;
	size_t col;
	int ret;
};

static void put(struct emitter *e, const char *s, size_t len)
{
	if (e->ret)
		return;
	e->ret = wgm_buf_append(e->out, s, len);
	for (size_t i = 0; i < len; i++)
		e->col = s[i] == '\n' ? 0 : e->col + 1;
}

static void puts_(struct emitter *e, const char *s)
{
	put(e, s, strlen(s));
}

static void pad(struct emitter *e, size_t indent)
{
	while (e->col < indent)
		put(e, " ", 1);
}

/* Where a scalar may go, after PyYAML's Emitter.analyze_scalar (non-ASCII counted as
 * printable: it is written as UTF-8, which reads back the same). */
struct analysis {
	bool empty, multiline;
	bool block_plain, single_quoted, block;
};

static bool ws_or_end(const char *s, size_t len, size_t i)
{
	return i >= len || strchr(" \t\r\n", s[i]) || !s[i];
}

static struct analysis analyze(const char *s, size_t len)
{
	struct analysis a = { .empty = !len, .block_plain = true, .single_quoted = true,
			      .block = true };
	bool indicators = false, special = false, leading_space = false, trailing_space = false;
	bool leading_break = false, trailing_break = false, break_space = false, space_break = false;
	bool prev_space = false, prev_break = false;

	if (!len) {
		a.block = false;
		return a;
	}
	if (len >= 3 && (!strncmp(s, "---", 3) || !strncmp(s, "...", 3)))
		indicators = true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool followed_by_ws = ws_or_end(s, len, i + 1);

		if (i == 0) {
			if (strchr("#,[]{}&*!|>'\"%@`", c) && c)
				indicators = true;
			if ((c == '?' || c == ':' || c == '-') && followed_by_ws)
				indicators = true;
		} else {
			if (c == ':' && followed_by_ws)
				indicators = true;
			if (c == '#' && strchr(" \t\r\n", s[i - 1]))
				indicators = true;
		}
		if (c == '\n')
			a.multiline = true;
		else if (c < 0x20 || c == 0x7f)
			special = true;
		if (c == ' ') {
			leading_space |= i == 0;
			trailing_space |= i == len - 1;
			break_space |= prev_break;
			prev_space = true;
			prev_break = false;
		} else if (c == '\n') {
			leading_break |= i == 0;
			trailing_break |= i == len - 1;
			space_break |= prev_space;
			prev_space = false;
			prev_break = true;
		} else {
			prev_space = prev_break = false;
		}
	}
	if (leading_space || leading_break || trailing_space || trailing_break)
		a.block_plain = false;
	if (trailing_space)
		a.block = false;
	if (break_space)
		a.block_plain = a.single_quoted = false;
	if (space_break || special)
		a.block_plain = a.single_quoted = a.block = false;
	/* PyYAML would fold line breaks into a single-quoted scalar; escapes are simpler and
	 * read back the same. */
	if (a.multiline)
		a.block_plain = a.single_quoted = false;
	if (indicators)
		a.block_plain = false;
	return a;
}

/* Plain and single-quoted text, folded like PyYAML: a lone space met past BEST_WIDTH
 * becomes a line break and the continuation indent. */
static void write_folded(struct emitter *e, const char *s, size_t len, size_t cindent, bool split,
			 bool single_quoted)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		bool at_space = i < len && s[i] == ' ';
		bool lone = at_space && (i + 1 >= len || s[i + 1] != ' ') && (i == 0 || s[i - 1] != ' ');

		if (single_quoted && i < len && s[i] == '\'') {
			put(e, s + start, i - start);
			put(e, "''", 2);
			start = i + 1;
			continue;
		}
		if (!at_space && i < len)
			continue;
		put(e, s + start, i - start);
		start = i;
		if (lone && split && e->col > BEST_WIDTH && i != 0 && i != len - 1) {
			put(e, "\n", 1);
			pad(e, cindent);
			start = i + 1;
		}
	}
}

static void write_double_quoted(struct emitter *e, const char *s, size_t len)
{
	static const char esc_from[] = "\0\a\b\t\n\v\f\r\x1b\"\\";
	static const char esc_to[] = "0abtnvfre\"\\";
	char hex[5];

	put(e, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *m = c ? memchr(esc_from + 1, c, sizeof(esc_from) - 2) : esc_from;

		if (m) {
			put(e, "\\", 1);
			put(e, &esc_to[m - esc_from], 1);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(hex, sizeof(hex), "\\x%02X", c);
			put(e, hex, 4);
		} else {
			put(e, s + i, 1);
		}
	}
	put(e, "\"", 1);
}

static void write_literal(struct emitter *e, const char *s, size_t len, size_t cindent)
{
	size_t start = 0;

	put(e, "|", 1);
	if (s[0] == ' ' || s[0] == '\n')
		put(e, "2", 1);
	if (s[len - 1] != '\n')
		put(e, "-", 1);
	else if (len == 1 || s[len - 2] == '\n')
		put(e, "+", 1);
	put(e, "\n", 1);
	while (start < len) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len;

		if (end > start) {
			pad(e, cindent);
			put(e, s + start, end - start);
		}
		put(e, "\n", 1);
		start = end + 1;
	}
}

static void write_tag(struct emitter *e, const char *tag)
{
	if (!strncmp(tag, YAML_TAG_PREFIX, strlen(YAML_TAG_PREFIX))) {
		puts_(e, "!!");
		puts_(e, tag + strlen(YAML_TAG_PREFIX));
	} else if (tag[0] == '!') {
		puts_(e, tag);
	} else {
		puts_(e, "!<");
		puts_(e, tag);
		puts_(e, ">");
	}
}

/* Writes " value" (the separator included, none for an empty plain value) and ends the line,
 * unless is_key. cindent: the indent of continuation lines. */
static void write_scalar(struct emitter *e, const char *s, size_t len, bool quoted,
			 const char *tag, size_t cindent, bool is_key, bool lead_space)
{
	struct analysis a = analyze(s, len);
	bool binary = tag && !strcmp(tag, YAML_TAG_PREFIX "binary");

	if (lead_space && (quoted || len || tag))
		put(e, " ", 1);
	if (tag) {
		write_tag(e, tag);
		put(e, " ", 1);
	}
	if (binary && !is_key && a.block && len)
		write_literal(e, s, len, cindent);
	else if (!quoted && a.block_plain && !(is_key && (a.empty || a.multiline)))
		write_folded(e, s, len, cindent, !is_key, false);
	else if (a.single_quoted) {
		put(e, "'", 1);
		write_folded(e, s, len, cindent, !is_key, true);
		put(e, "'", 1);
	} else
		write_double_quoted(e, s, len);
	if (!is_key && e->col)
		put(e, "\n", 1);
}

static void emit_map(struct emitter *e, const struct wgm_ynode *m, size_t indent, bool inline_first);
static void emit_seq(struct emitter *e, const struct wgm_ynode *s, size_t indent, bool inline_first);

/* A value after "key:" (in_map) or after "-"; indent is that of the key or the dash. */
static void emit_value(struct emitter *e, const struct wgm_ynode *v, size_t indent, bool in_map)
{
	switch (v->kind) {
	case WGM_Y_SCALAR:
		write_scalar(e, v->scalar, v->scalar_len, v->quoted, v->tag, indent + 2, false, true);
		break;
	case WGM_Y_MAP:
		if (!v->n) {
			puts_(e, " {}\n");
		} else if (in_map) {
			puts_(e, "\n");
			emit_map(e, v, indent + 2, false);
		} else {
			puts_(e, " ");
			emit_map(e, v, indent + 2, true);
		}
		break;
	case WGM_Y_SEQ:
		if (!v->n) {
			puts_(e, " []\n");
		} else if (in_map) {
			/* PyYAML does not indent a sequence that is a mapping's value. */
			puts_(e, "\n");
			emit_seq(e, v, indent, false);
		} else {
			puts_(e, " ");
			emit_seq(e, v, indent + 2, true);
		}
		break;
	}
}

static void emit_map(struct emitter *e, const struct wgm_ynode *m, size_t indent, bool inline_first)
{
	for (size_t i = 0; i < m->n; i++) {
		if (i || !inline_first)
			pad(e, indent);
		write_scalar(e, m->keys[i], strlen(m->keys[i]), reads_as_non_string(m->keys[i]),
			     NULL, indent + 2, true, false);
		put(e, ":", 1);
		emit_value(e, m->items[i], indent, true);
	}
}

static void emit_seq(struct emitter *e, const struct wgm_ynode *s, size_t indent, bool inline_first)
{
	for (size_t i = 0; i < s->n; i++) {
		if (i || !inline_first)
			pad(e, indent);
		put(e, "-", 1);
		emit_value(e, s->items[i], indent, false);
	}
}

int wgm_yaml_emit(const struct wgm_ynode *root, struct wgm_buf *out)
{
	struct emitter e = { .out = out };

	if (!root)
		return -EINVAL;
	if (root->kind == WGM_Y_MAP && root->n)
		emit_map(&e, root, 0, false);
	else if (root->kind == WGM_Y_SEQ && root->n)
		emit_seq(&e, root, 0, false);
	else if (root->kind == WGM_Y_SCALAR && !root->scalar_len && !root->quoted && !root->tag)
		puts_(&e, "---\n"); /* a document holding only null */
	else if (root->kind == WGM_Y_SCALAR)
		write_scalar(&e, root->scalar, root->scalar_len, root->quoted, root->tag, 2, false,
			     false);
	else
		puts_(&e, root->kind == WGM_Y_MAP ? "{}\n" : "[]\n");
	return e.ret;
}

/* --- typed readers --- */

static const char *kind_name(enum wgm_ykind k)
{
	return k == WGM_Y_MAP ? "a mapping" : k == WGM_Y_SEQ ? "a list" : "a scalar";
}

/* Absent optional keys leave *out untouched, so callers preset their defaults. */
static int get_scalar(const struct wgm_ynode *map, const char *key, bool required, const char *want,
		      const struct wgm_ynode **out, char *err, size_t errlen)
{
	const struct wgm_ynode *v;

	*out = NULL;
	if (!map || map->kind != WGM_Y_MAP) {
		wgm_set_err(err, errlen, "expected a mapping holding '%s'", key);
		return -EINVAL;
	}
	v = wgm_ymap_get(map, key);
	if (!v) {
		if (!required)
			return 0;
		wgm_set_err(err, errlen, "missing key '%s'", key);
		return -ENOENT;
	}
	if (v->kind != WGM_Y_SCALAR) {
		wgm_set_err(err, errlen, "'%s' must be %s, not %s", key, want, kind_name(v->kind));
		return -EINVAL;
	}
	if (strlen(v->scalar) != v->scalar_len) {
		wgm_set_err(err, errlen, "'%s' must be %s without NUL characters", key, want);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int wgm_yget_str(const struct wgm_ynode *map, const char *key, bool required, char *out,
		 size_t outlen, char *err, size_t errlen)
{
	const struct wgm_ynode *v;
	int ret = get_scalar(map, key, required, "a string", &v, err, errlen);

	if (ret || !v)
		return ret;
	if (v->scalar_len >= outlen) {
		wgm_set_err(err, errlen, "'%s' is %zu characters long, the limit is %zu", key,
			    v->scalar_len, outlen ? outlen - 1 : 0);
		return -ENAMETOOLONG;
	}
	memcpy(out, v->scalar, v->scalar_len + 1);
	return 0;
}

int wgm_yget_u64(const struct wgm_ynode *map, const char *key, bool required, uint64_t min,
		 uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	const struct wgm_ynode *v;
	uint64_t n = 0;
	int ret = get_scalar(map, key, required, "a number", &v, err, errlen);

	if (ret || !v)
		return ret;
	/* Decimal digits only: YAML 1.1 reads a leading 0 as octal, 1.0 never writes one. */
	if (!v->scalar_len || v->scalar_len > 20 || (v->scalar[0] == '0' && v->scalar_len > 1))
		goto bad;
	for (size_t i = 0; i < v->scalar_len; i++) {
		unsigned d = (unsigned char)v->scalar[i] - '0';

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			goto bad;
		n = n * 10 + d;
	}
	if (n < min || n > max) {
		wgm_set_err(err, errlen, "'%s' is %llu, it must be between %llu and %llu", key,
			    (unsigned long long)n, (unsigned long long)min, (unsigned long long)max);
		return -ERANGE;
	}
	*out = n;
	return 0;
bad:
	wgm_set_err(err, errlen, "'%s' must be a decimal number, not '%.40s'", key, v->scalar);
	return -EINVAL;
}

struct wgm_ynode *wgm_ymap_child_map(struct wgm_ynode *parent, const char *key)
{
	struct wgm_ynode *m = wgm_ymap_get(parent, key);

	if (m && m->kind == WGM_Y_MAP)
		return m;
	if (wgm_ymap_set(parent, key, wgm_ynode_new_map()) < 0)
		return NULL;
	return wgm_ymap_get(parent, key);
}
