/* The YAML document model: 1.0's files come back byte for byte, keys we do not know survive a
 * rewrite, what we write reads back the same, and what 1.0 never writes is refused. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "yamldoc.h"

static const char *dir;

static bool starts_with(const char *s, const char *head)
{
	return !strncmp(s, head, strlen(head));
}

static struct wgm_ynode *parse_ok(const char *text)
{
	struct wgm_ynode *doc = NULL;
	char err[256] = "";

	CHECK_INTEQ(wgm_yaml_parse(text, strlen(text), NULL, &doc, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "  parse: %s\n", err);
	return doc;
}

static char *emit(const struct wgm_ynode *doc)
{
	struct wgm_buf out = { 0 };
	char *s;

	CHECK_INTEQ(wgm_yaml_emit(doc, &out), 0);
	s = strdup(out.p ? (const char *)out.p : "");
	wgm_buf_free(&out);
	return s;
}

/* 1.0's own files: parse and emit again gives the same bytes. */
static void test_fixture_files_round_trip(void)
{
	static const char *const files[] = {
		"site/site.yaml",
		"hosts/alpha.example.net/etc-wireguard/wg.example.com.yaml",
		"hosts/beta.example.net/etc-wireguard/wg.example.com.yaml",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text = fixture_read(dir, files[i], NULL), *again;
		struct wgm_ynode *doc = parse_ok(text);

		again = emit(doc);
		CHECK_STREQ(again, text);
		wgm_yaml_free(doc);
		free(again);
		free(text);
	}
}

/* site.yaml's quirks: quoted numbers stay quoted, the long asn_range folds where PyYAML did,
 * the '' list item stays. */
static void test_site_yaml_model(void)
{
	char *text = fixture_read(dir, "site/site.yaml", NULL), *again;
	struct wgm_ynode *doc = parse_ok(text), *global, *hosts, *alpha, *v4;
	char value[512], err[256] = "";
	uint64_t n = 0;

	global = wgm_ymap_get(doc, "global");
	hosts = wgm_ymap_get(doc, "hosts");
	CHECK(global && hosts);
	CHECK_INTEQ(wgm_yget_u64(global, "portbase", true, 1, 65535, &n, err, sizeof(err)), 0);
	CHECK_INTEQ(n, 31000);
	CHECK(wgm_ymap_get(global, "portbase")->quoted);
	CHECK_INTEQ(wgm_yget_str(global, "asn_range", true, value, sizeof(value), err, sizeof(err)), 0);
	CHECK(!strncmp(value, "[4200000000, 4200000001,", 24));
	CHECK(strchr(value, '\n') == NULL); /* the fold is layout, not content */
	alpha = wgm_ymap_get(hosts, "alpha.example.net");
	v4 = wgm_ymap_get(alpha, "local_ipv4");
	CHECK(v4 && v4->kind == WGM_Y_SEQ && v4->n == 1);
	CHECK_STREQ(v4->items[0]->scalar, "192.0.2.10");
	CHECK_STREQ(wgm_ymap_get(alpha, "local_ipv6")->items[0]->scalar, "");

	/* A rewrite of a value keeps its place and 1.0's quoting of numbers. */
	CHECK_INTEQ(wgm_ymap_set_str(global, "portbase", "32000"), 0);
	CHECK_INTEQ(wgm_ymap_set_str(alpha, "octet", "7"), 0);
	again = emit(doc);
	CHECK(strstr(again, "  portbase: '32000'\n  privatekey: site.key\n") != NULL);
	CHECK(strstr(again, "    octet: '7'\n    private_key_file:") != NULL);
	free(again);
	wgm_yaml_free(doc);
	free(text);
}

static void test_unknown_keys_survive(void)
{
	char *text = fixture_read(dir, "hosts/alpha.example.net/etc-wireguard/wg.example.com.yaml",
				  NULL);
	char *extended = malloc(strlen(text) + 256), *out;
	struct wgm_ynode *doc, *host;

	/* A whole unknown section first, a key inside host:, and one at the end. */
	strcpy(extended, "plugins:\n  x:\n  - 1\n  - a: b\n    c: []\n");
	strncat(extended, text, (size_t)(strstr(text, "  hostname: vm\n") - text));
	strcat(extended, "  future: yes\n");
	strcat(extended, strstr(text, "  hostname: vm\n"));
	strcat(extended, "zz_later: {}\n");
	doc = parse_ok(extended);
	host = wgm_ymap_get(doc, "host");
	CHECK_INTEQ(wgm_ymap_set(host, "comment", wgm_ynode_new_scalar("added by a newer wgmesh")), 0);
	CHECK_INTEQ(wgm_ymap_set_str(host, "hostname", "vm2"), 0);
	out = emit(doc);
	CHECK(starts_with(out, "plugins:\n  x:\n  - 1\n  - a: b\n    c: []\nhost:\n"));
	CHECK(strstr(out, "  future: yes\n  hostname: vm2\n  interface_outbound: ''\n") != NULL);
	CHECK(strstr(out, "  comment: added by a newer wgmesh\nsite:\n") != NULL);
	CHECK(strstr(out, "zz_later: {}\n") != NULL);
	wgm_yaml_free(doc);
	/* Reading our output gives the same output again. */
	doc = parse_ok(out);
	{
		char *twice = emit(doc);

		CHECK_STREQ(twice, out);
		free(twice);
	}
	CHECK_INTEQ(wgm_ymap_remove(wgm_ymap_get(doc, "host"), "comment"), 0);
	CHECK(wgm_ymap_remove(wgm_ymap_get(doc, "host"), "comment") == -ENOENT);
	wgm_yaml_free(doc);
	free(out);
	free(extended);
	free(text);
}

/* Strings of every awkward kind are written so that they read back as the same string. */
static void test_scalars_read_back(void)
{
	static const char *const values[] = {
		"", "yes", "No", "on", "null", "~", "31000", "-7", "0x1F", "0o17", "017", "1.5", ".inf",
		"1_000", "1:20", "2001-12-14", "2001-12-14 21:59:43.10 -5", "<<", "=", "- a", "a: b",
		"a #b", "#x", "[x]", "{x}", "&x", "*x", "!x", "|x", ">x", "'x", "\"x", "%x", "@x", "`x",
		" lead", "trail ", "tab\there", "it's", "two\nlines", "end\n", "\x01\x7f", "---",
		"...", "?", ":", "-", "a:b", "http://x/y", "fd42:7a3b:19c0::/48", "ünïcode",
		"a  b", "q'uote'd 'x' and more words to go past the folding column of eighty chars 'y'",
	};
	struct wgm_ynode *doc = wgm_ynode_new_map(), *seq = wgm_ynode_new_seq(), *back;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%zu", i);
		CHECK_INTEQ(wgm_ymap_set_str(doc, key, values[i]), 0);
		CHECK_INTEQ(wgm_yseq_push(seq, wgm_ynode_new_scalar(values[i])), 0);
		/* as keys too */
		CHECK_INTEQ(wgm_ymap_set_str(doc, values[i], "v"), 0);
	}
	CHECK_INTEQ(wgm_ymap_set(doc, "list", seq), 0);
	{
		char *text = emit(doc);
		char err[256] = "";

		CHECK_INTEQ(wgm_yaml_parse(text, strlen(text), NULL, &back, err, sizeof(err)), 0);
		if (err[0])
			fprintf(stderr, "%s\n---\n%s", err, text);
		free(text);
	}
	for (size_t i = 0; back && i < sizeof(values) / sizeof(values[0]); i++) {
		struct wgm_ynode *v, *item;
		char key[16];

		snprintf(key, sizeof(key), "k%zu", i);
		v = wgm_ymap_get(back, key);
		item = wgm_ymap_get(back, "list")->items[i];
		CHECK(v && v->kind == WGM_Y_SCALAR);
		if (!v)
			continue;
		CHECK_STREQ(v->scalar, values[i]);
		CHECK_STREQ(item->scalar, values[i]);
		CHECK(wgm_ymap_get(back, values[i]) != NULL);
		/* A string that would read as a number, bool or null must be quoted. */
		if (!strcmp(values[i], "31000") || !strcmp(values[i], "yes") ||
		    !strcmp(values[i], "null") || !strcmp(values[i], ""))
			CHECK(v->quoted);
		if (!strcmp(values[i], "fd42:7a3b:19c0::/48"))
			CHECK(!v->quoted);
	}
	wgm_yaml_free(back);
	wgm_yaml_free(doc);
}

/* A number node (quoted cleared) is written plain; a long text folds like PyYAML. */
static void test_layout(void)
{
	struct wgm_ynode *doc = wgm_ynode_new_map(), *inner = wgm_ynode_new_map(), *n, *back;
	char long_text[400] = "", *out, *line;
	size_t max_col = 0;

	for (int i = 0; i < 20; i++)
		snprintf(long_text + strlen(long_text), sizeof(long_text) - strlen(long_text), "%s%ld",
			 i ? ", " : "[", 4200000000L + i);
	strcat(long_text, "]");
	n = wgm_ynode_new_scalar("31000");
	n->quoted = false;
	CHECK_INTEQ(wgm_ymap_set(doc, "number", n), 0);
	CHECK_INTEQ(wgm_ymap_set_str(inner, "asn_range", long_text), 0);
	CHECK_INTEQ(wgm_ymap_set(doc, "global", inner), 0);
	CHECK_INTEQ(wgm_ymap_set(doc, "empty_map", wgm_ynode_new_map()), 0);
	CHECK_INTEQ(wgm_ymap_set(doc, "empty_list", wgm_ynode_new_seq()), 0);
	out = emit(doc);
	CHECK(starts_with(out, "number: 31000\nglobal:\n  asn_range: '[4200000000, 4200000001,"));
	CHECK(strstr(out, "\n    4200000006, ") != NULL); /* continuation indent, as site.yaml */
	CHECK(strstr(out, "\nempty_map: {}\nempty_list: []\n") != NULL);
	for (line = out; *line;) {
		size_t len = strcspn(line, "\n");

		max_col = len > max_col ? len : max_col;
		line += len + (line[len] ? 1 : 0);
	}
	CHECK(max_col <= 92);
	back = parse_ok(out);
	CHECK_STREQ(wgm_ymap_get(wgm_ymap_get(back, "global"), "asn_range")->scalar, long_text);
	wgm_yaml_free(back);
	wgm_yaml_free(doc);
	free(out);
}

static void test_binary(void)
{
	const char *text = "public_key: oIwRpzTI6xcTzOpfnJINaF/zp7iE7to8CGmXb9EAbhQ=\n"
			   "message: !!binary |\n"
			   "  QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\n"
			   "  MjM0NTY3ODk=\n";
	struct wgm_ynode *doc = parse_ok(text), *msg;
	char *out;

	msg = wgm_ymap_get(doc, "message");
	CHECK(msg && msg->tag && !strcmp(msg->tag, "tag:yaml.org,2002:binary"));
	CHECK(msg && !strncmp(msg->scalar, "QUJD", 4) && strchr(msg->scalar, '\n'));
	out = emit(doc);
	CHECK_STREQ(out, text);
	free(out);
	wgm_yaml_free(doc);
}

static void expect_refused(const char *text, const struct wgm_yaml_limits *lim)
{
	struct wgm_ynode *doc = (struct wgm_ynode *)1;
	char err[256] = "";
	int ret = wgm_yaml_parse(text, strlen(text), lim, &doc, err, sizeof(err));

	CHECK_FAILS_NAMING(ret, 0, err, "");
	CHECK(doc == NULL);
}

static void test_refused(void)
{
	const struct wgm_yaml_limits tiny_depth = { .max_depth = 2 };
	const struct wgm_yaml_limits tiny_nodes = { .max_nodes = 5 };
	const struct wgm_yaml_limits tiny_bytes = { .max_bytes = 10 };

	expect_refused("a: &x 1\nb: *x\n", NULL);
	expect_refused("a: &x [1]\n", NULL);
	expect_refused("base: &b {x: 1}\nother:\n  <<: *b\n", NULL);
	expect_refused("other:\n  <<: {x: 1}\n", NULL);
	expect_refused("a: 1\n---\nb: 2\n", NULL);
	expect_refused("a: 1\nb: 2\na: 3\n", NULL);
	expect_refused("{[a]: 1}\n", NULL);
	expect_refused("? {a: 1}\n: 2\n", NULL);
	expect_refused("a: !!set {x}\n", NULL);
	expect_refused("a:\n  b:\n    c: 1\n", &tiny_depth);
	expect_refused("[1, 2, 3, 4, 5, 6]\n", &tiny_nodes);
	expect_refused("abcdefghijk: 1\n", &tiny_bytes);
	expect_refused("a: \"\\0\"\n\"k\\0ey\": 1\n", NULL);
	expect_refused("a: [1\n", NULL);
	expect_refused("", NULL);
	/* The limits are where they say: one level less deep passes. */
	{
		struct wgm_ynode *doc = NULL;
		char err[256] = "";

		CHECK_INTEQ(wgm_yaml_parse("a:\n  b: 1\n", 10, &tiny_depth, &doc, err, sizeof(err)), 0);
		wgm_yaml_free(doc);
	}
}

static void test_typed_readers(void)
{
	struct wgm_ynode *doc = parse_ok("q: '31000'\np: 31000\nz: 0\nlead: 0100\nneg: -1\nbig: "
					 "18446744073709551616\nmax: 18446744073709551615\n"
					 "s: hello\nm: {a: 1}\nnul: \"a\\0b\"\n");
	char s[8] = "preset", err[256];
	uint64_t n = 0;

	CHECK_INTEQ(wgm_yget_u64(doc, "q", true, 1, 65535, &n, err, sizeof(err)), 0);
	CHECK_INTEQ(n, 31000);
	CHECK_INTEQ(wgm_yget_u64(doc, "p", true, 1, 65535, &n, err, sizeof(err)), 0);
	CHECK_INTEQ(wgm_yget_u64(doc, "z", true, 0, 1, &n, err, sizeof(err)), 0);
	CHECK_INTEQ(n, 0);
	CHECK(wgm_yget_u64(doc, "lead", true, 0, 1000, &n, err, sizeof(err)) < 0);
	CHECK(wgm_yget_u64(doc, "neg", true, 0, 1000, &n, err, sizeof(err)) < 0);
	CHECK(wgm_yget_u64(doc, "big", true, 0, UINT64_MAX, &n, err, sizeof(err)) < 0);
	CHECK_INTEQ(wgm_yget_u64(doc, "max", true, 0, UINT64_MAX, &n, err, sizeof(err)), 0);
	CHECK(n == UINT64_MAX);
	CHECK_FAILS_NAMING(wgm_yget_u64(doc, "p", true, 1, 30000, &n, err, sizeof(err)), -ERANGE, err,
			   "'p' is 31000");
	CHECK_FAILS_NAMING(wgm_yget_u64(doc, "m", true, 0, 10, &n, err, sizeof(err)), 0, err, "'m'");
	CHECK(wgm_yget_u64(doc, "absent", true, 0, 10, &n, err, sizeof(err)) == -ENOENT);
	n = 42;
	CHECK_INTEQ(wgm_yget_u64(doc, "absent", false, 0, 10, &n, err, sizeof(err)), 0);
	CHECK_INTEQ(n, 42); /* an absent optional key leaves the default */
	CHECK_INTEQ(wgm_yget_str(doc, "absent", false, s, sizeof(s), err, sizeof(err)), 0);
	CHECK_STREQ(s, "preset");
	CHECK_INTEQ(wgm_yget_str(doc, "s", true, s, sizeof(s), err, sizeof(err)), 0);
	CHECK_STREQ(s, "hello");
	CHECK_INTEQ(wgm_yget_str(doc, "p", true, s, sizeof(s), err, sizeof(err)), 0);
	CHECK_STREQ(s, "31000");
	CHECK_FAILS_NAMING(wgm_yget_str(doc, "max", true, s, sizeof(s), err, sizeof(err)), 0, err, "'max'");
	CHECK_FAILS_NAMING(wgm_yget_str(doc, "nul", true, s, sizeof(s), err, sizeof(err)), 0, err, "'nul'");
	CHECK_FAILS_NAMING(wgm_yget_str(doc, "m", true, s, sizeof(s), err, sizeof(err)), 0, err, "'m'");
	wgm_yaml_free(doc);
}

int main(int argc, char **argv)
{
	dir = fixture_dir(argc, argv);
	test_fixture_files_round_trip();
	test_site_yaml_model();
	test_unknown_keys_survive();
	test_scalars_read_back();
	test_layout();
	test_binary();
	test_refused();
	test_typed_readers();
	return check_exit();
}
