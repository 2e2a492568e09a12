/* Hostile input to every decoder, starting from the real 1.0 records and breaking one thing at a
 * time. Each must be refused with one line that says what is wrong.
 * Usage: test_codec_bad_input FIXTURE_DIR [CASE]; meson runs each case as its own test. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "box.h"
#include "check.h"
#include "fixture.h"
#include "records.h"
#include "txtchunk.h"
#include "yamldoc.h"

#define ALPHA_UUID "6fc94b76-f857-4dce-942c-47df480cdda3"

static const char *dir;
static struct wgm_key site_sk, site_pk, alpha_sk, alpha_pk, beta_sk;
static struct wgm_strv alpha_lines;
static char *alpha_yaml; /* the decrypted 1.0 deploy YAML of alpha */

/* The refusal every case expects: an error, and its text one non-empty line. */

static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t head, len;
	char *out;

	if (!at) {
		fprintf(stderr, "test bug: '%s' not in the text\n", from);
		exit(1);
	}
	head = (size_t)(at - text);
	len = strlen(text) - strlen(from) + strlen(to);
	out = malloc(len + 1);
	if (!out)
		exit(1);
	memcpy(out, text, head);
	strcpy(out + head, to);
	strcat(out, at + strlen(from));
	return out;
}

static int txt_decode(const struct wgm_strv *sv, struct wgm_buf *out, char *err, size_t errlen)
{
	return wgm_txt_decode((const char *const *)sv->v, sv->n, out, err, errlen);
}

static void copy_lines(struct wgm_strv *dst, const struct wgm_strv *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (wgm_strv_push(dst, src->v[i]))
			exit(1);
}

/* The YAML must fail as plain YAML and again once sealed, through wgm_deploy_open. */
static void expect_deploy_yaml_refused(const char *yaml)
{
	static struct wgm_deploy_record r;
	struct wgm_buf sealed = { 0 };
	char err[256] = "";
	int ret;

	ret = wgm_deploy_yaml_decode((const uint8_t *)yaml, strlen(yaml), &r, err, sizeof(err));
	CHECK_FAILS_NAMING(ret, 0, err, "");
	CHECK_INTEQ(r.n_hosts, 0);
	CHECK_INTEQ(wgm_box_seal((const uint8_t *)yaml, strlen(yaml), &site_sk, &alpha_pk, &sealed), 0);
	err[0] = 0;
	ret = wgm_deploy_open(sealed.p, sealed.len, &alpha_sk, &site_pk, &r, err, sizeof(err));
	CHECK_FAILS_NAMING(ret, 0, err, "");
	wgm_buf_free(&sealed);
}

/* Replaces one line of alpha's record and expects the result refused. */
static void expect_mutation_refused(const char *from, const char *to)
{
	char *yaml = replace(alpha_yaml, from, to);

	fprintf(stderr, "%s -> %s\n", from, to);
	expect_deploy_yaml_refused(yaml);
	free(yaml);
}

static void case_garbled_base64(void)
{
	struct wgm_strv sv = { 0 };
	struct wgm_buf out = { 0 };
	char err[256] = "";

	copy_lines(&sv, &alpha_lines);
	sv.v[2][10] = '!';
	CHECK_FAILS_NAMING(txt_decode(&sv, &out, err, sizeof(err)), 0, err, "2:"); /* the bad part */
	wgm_strv_free(&sv);

	/* The same inside a registration. */
	{
		struct wgm_registration r;
		size_t len;
		char *msg = fixture_read(dir, "hosts/alpha.example.net.registration", &len);

		msg[40] = '*';
		err[0] = 0;
		CHECK_FAILS_NAMING(wgm_registration_decode(msg, &site_sk, &r, err, sizeof(err)), 0, err, "");
		free(msg);
	}
	wgm_buf_free(&out);
}

static void case_truncated_base64(void)
{
	static struct wgm_deploy_record r;
	struct wgm_strv sv = { 0 };
	struct wgm_buf out = { 0 };
	char err[256] = "";
	size_t last;

	/* The last line cut mid-quad: not base64. */
	copy_lines(&sv, &alpha_lines);
	last = sv.n - 1;
	sv.v[last][strlen(sv.v[last]) - 3] = 0;
	CHECK_FAILS_NAMING(txt_decode(&sv, &out, err, sizeof(err)), 0, err, "");
	wgm_strv_free(&sv);

	/* The last line missing: still base64, but the box no longer authenticates. */
	copy_lines(&sv, &alpha_lines);
	free(sv.v[--sv.n]);
	wgm_buf_reset(&out);
	CHECK_INTEQ(txt_decode(&sv, &out, err, sizeof(err)), 0);
	err[0] = 0;
	CHECK_FAILS_NAMING(wgm_deploy_open(out.p, out.len, &alpha_sk, &site_pk, &r, err, sizeof(err)), 0, err, "");
	wgm_strv_free(&sv);

	/* Shorter than nonce and MAC. */
	err[0] = 0;
	CHECK_FAILS_NAMING(wgm_deploy_open(out.p, 30, &alpha_sk, &site_pk, &r, err, sizeof(err)), 0, err, "");

	/* A registration cut short. */
	{
		struct wgm_registration reg;
		size_t len;
		char *msg = fixture_read(dir, "hosts/alpha.example.net.registration", &len);

		msg[len / 2] = 0;
		err[0] = 0;
		CHECK_FAILS_NAMING(wgm_registration_decode(msg, &site_sk, &reg, err, sizeof(err)), 0, err, "");
		free(msg);
	}
	wgm_buf_free(&out);
}

static void case_wrong_key(void)
{
	static struct wgm_deploy_record r;
	struct wgm_buf payload = { 0 };
	struct wgm_registration reg;
	char err[256] = "";
	size_t len;
	char *msg;

	CHECK_INTEQ(txt_decode(&alpha_lines, &payload, err, sizeof(err)), 0);
	CHECK_FAILS_NAMING(wgm_deploy_open(payload.p, payload.len, &beta_sk, &site_pk, &r, err,
					   sizeof(err)), 0, err, "wrong key");
	/* Alpha's record with the right host key but another sender. */
	err[0] = 0;
	CHECK_FAILS_NAMING(wgm_deploy_open(payload.p, payload.len, &alpha_sk, &alpha_pk, &r, err,
				      sizeof(err)), 0, err, "");
	/* A registration opened with a key that is not the site's. */
	msg = fixture_read(dir, "hosts/alpha.example.net.registration", &len);
	err[0] = 0;
	CHECK_FAILS_NAMING(wgm_registration_decode(msg, &beta_sk, &reg, err, sizeof(err)), 0, err, "");
	free(msg);
	/* One flipped ciphertext bit. */
	payload.p[payload.len - 1] ^= 1;
	err[0] = 0;
	CHECK_FAILS_NAMING(wgm_deploy_open(payload.p, payload.len, &alpha_sk, &site_pk, &r, err,
				      sizeof(err)), 0, err, "");
	wgm_buf_free(&payload);
}

static void case_chunk_gap(void)
{
	struct wgm_strv sv = { 0 };
	struct wgm_buf out = { 0 };
	char err[256] = "";

	copy_lines(&sv, &alpha_lines);
	free(sv.v[2]);
	sv.v[2] = sv.v[--sv.n];
	CHECK_FAILS_NAMING(txt_decode(&sv, &out, err, sizeof(err)), 0, err, "part 2 is missing");
	wgm_strv_free(&sv);

	/* An index far past the end. */
	copy_lines(&sv, &alpha_lines);
	sv.v[1][0] = '9';
	err[0] = 0;
	CHECK_FAILS_NAMING(txt_decode(&sv, &out, err, sizeof(err)), 0, err, "");
	wgm_strv_free(&sv);
	wgm_buf_free(&out);
}

static void case_chunk_duplicate(void)
{
	struct wgm_strv sv = { 0 };
	struct wgm_buf out = { 0 };
	char err[256] = "";

	/* The same line twice (a resolver repeating an RR). */
	copy_lines(&sv, &alpha_lines);
	wgm_strv_push(&sv, alpha_lines.v[1]);
	CHECK_FAILS_NAMING(txt_decode(&sv, &out, err, sizeof(err)), 0, err, "index 1 appears twice");
	wgm_strv_free(&sv);

	/* Two different lines claiming one index. */
	copy_lines(&sv, &alpha_lines);
	sv.v[3][0] = '2';
	err[0] = 0;
	CHECK_FAILS_NAMING(txt_decode(&sv, &out, err, sizeof(err)), 0, err, "");
	wgm_strv_free(&sv);
	wgm_buf_free(&out);
}

static void case_chunk_index(void)
{
	static const char *const bad[][2] = {
		{ "0:QUJD", "x1:REVG" }, /* non-numeric */
		{ "0:QUJD", "-1:REVG" }, /* negative */
		{ "0:QUJD", "99999999999999999999999:REVG" }, /* overflowing */
		{ "0:QUJD", "REVG" },    /* mixed indexed and not */
		{ "QUJD", "1:REVG" },    /* mixed, the other way */
		{ "0:QUJD", ":REVG" },   /* empty index */
	};
	struct wgm_buf out = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";

		CHECK_FAILS_NAMING(wgm_txt_decode(bad[i], 2, &out, err, sizeof(err)), 0, err, "");
	}
	wgm_buf_free(&out);
}

static void case_oversized_count(void)
{
	struct wgm_strv sv = { 0 };
	struct wgm_buf out = { 0 };
	char err[256] = "", line[32];

	for (int i = 0; i <= WGM_TXT_MAX_PARTS; i++) {
		snprintf(line, sizeof(line), "%d:QUJD", i);
		wgm_strv_push(&sv, line);
	}
	CHECK_FAILS_NAMING(txt_decode(&sv, &out, err, sizeof(err)), 0, err, "");
	/* One part fewer is accepted: the cap is where it says. */
	free(sv.v[--sv.n]);
	CHECK_INTEQ(txt_decode(&sv, &out, err, sizeof(err)), 0);
	wgm_strv_free(&sv);

	/* 256 peers: more than a mesh of octets 1..255 can have. */
	wgm_buf_reset(&out);
	wgm_buf_appendf(&out, "%.*s", (int)(strstr(alpha_yaml, "hosts:\n") - alpha_yaml), alpha_yaml);
	wgm_buf_appendf(&out, "hosts:\n");
	for (int i = 0; i < 256; i++)
		wgm_buf_appendf(&out, "  n%d.example.net:\n    key: x\n", i);
	expect_deploy_yaml_refused((const char *)out.p);
	wgm_buf_free(&out);
}

static void case_oversized_bytes(void)
{
	static struct wgm_deploy_record r;
	size_t big = WGM_RECORD_MAX / 3 * 4 + 8;
	char *text = malloc(big + 3), *yaml;
	const char *one[1];
	struct wgm_buf out = { 0 };
	char err[256] = "";

	/* A single huge TXT string. */
	memcpy(text, "0:", 2);
	memset(text + 2, 'A', big);
	text[big + 2] = 0;
	one[0] = text;
	CHECK_FAILS_NAMING(wgm_txt_decode(one, 1, &out, err, sizeof(err)), 0, err, "");
	free(text);

	/* YAML past the record cap, valid otherwise. */
	yaml = malloc(strlen(alpha_yaml) + WGM_RECORD_MAX + 64);
	strcpy(yaml, alpha_yaml);
	strcat(yaml, "padding: '");
	memset(yaml + strlen(yaml), 'x', WGM_RECORD_MAX);
	strcpy(yaml + strlen(alpha_yaml) + 10 + WGM_RECORD_MAX, "'\n");
	err[0] = 0;
	CHECK_FAILS_NAMING(wgm_deploy_yaml_decode((const uint8_t *)yaml, strlen(yaml), &r, err,
					     sizeof(err)), 0, err, "");
	free(yaml);
	wgm_buf_free(&out);
}

static void case_non_yaml(void)
{
	static const char *const docs[] = {
		"asn: [1, 2\n",                 /* unterminated flow */
		"\x01\x02\x03 binary junk\n",   /* control characters */
		"key: value\n  - nested: bad\n", /* bad indentation */
		"'unterminated\n",
		"- just\n- a list\n",            /* YAML, but not a mapping */
		"plain scalar\n",
		"",                               /* nothing */
		"asn: 1\n---\nasn: 2\n",          /* two documents */
		"asn: 1\nasn: 2\n",               /* duplicate keys */
		"? [a, b]\n: c\n",                /* a non-scalar key */
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		expect_deploy_yaml_refused(docs[i]);
}

static void case_yaml_anchors(void)
{
	expect_mutation_refused("asn: 4200000000\n", "asn: &a 4200000000\n");
	expect_mutation_refused("    asn: 4200000001\n", "    asn: *a\n");
	expect_mutation_refused("octet: 1\n", "octet: &o 1\nx: *o\n");
	expect_mutation_refused("hosts:\n", "base: &b {asn: 1}\nhosts:\n");
	expect_mutation_refused("    key:", "    <<: {asn: 1}\n    key:");
}

static void case_wrong_types(void)
{
	expect_mutation_refused("asn: 4200000000\n", "asn:\n  a: 1\n");
	expect_mutation_refused("asn: 4200000000\n", "asn: abc\n");
	expect_mutation_refused("asn: 4200000000\n", "asn: [1]\n");
	expect_mutation_refused("asn: 4200000000\n", "asn: -1\n");
	expect_mutation_refused("asn: 4200000000\n", "asn: 4294967296\n");
	expect_mutation_refused("asn: 4200000000\n", "asn: 0\n");
	expect_mutation_refused("asn: 4200000000\n", "asn: 1.5\n");
	expect_mutation_refused("site: wg.example.com\n", "site: {a: b}\n");
	expect_mutation_refused("site: wg.example.com\n", "site: not a hostname!\n");
	expect_mutation_refused("remote: fd42:7a3b:19c0::/48\n", "remote: 10.0.0.0/8\n");
	expect_mutation_refused("hosts:\n", "hosts: []\nold_hosts:\n");
	expect_mutation_refused("    asn: 4200000001\n", "    asn: {}\n");
	expect_mutation_refused("    remote: 198.51.100.20\n", "    remote: [198.51.100.20]\n");
	expect_mutation_refused("    remote: 198.51.100.20\n", "    remote: 198.51.100.20,,x\n");
	expect_mutation_refused("    remote: 198.51.100.20\n", "    remote: 'bad host!'\n");
	expect_mutation_refused("  beta.example.net:\n", "  -bad-.example.net:\n");
	expect_mutation_refused("    key:", "    remote2: x\n    keyx:");
	{
		/* a peer that is a scalar */
		char *yaml = malloc(strlen(alpha_yaml) + 64);
		char *cut;

		strcpy(yaml, alpha_yaml);
		cut = strstr(yaml, "  beta.example.net:");
		strcpy(cut, "  beta.example.net: 7\n");
		expect_deploy_yaml_refused(yaml);
		free(yaml);
	}
}

static void case_octet_range(void)
{
	expect_mutation_refused("octet: 1\n", "octet: 0\n");
	expect_mutation_refused("octet: 1\n", "octet: 256\n");
	/* The peer claims our own octet. */
	expect_mutation_refused("octet: 1\n", "octet: 2\n");
}

static void case_port_range(void)
{
	expect_mutation_refused("portbase: 31000\n", "portbase: 0\n");
	expect_mutation_refused("portbase: 31000\n", "portbase: 70000\n");
	expect_mutation_refused("    localport: 31002\n", "    localport: 65536\n");
	expect_mutation_refused("    localport: 31002\n", "    localport: 0\n");
	expect_mutation_refused("    localport: 31002\n", "    localport: 31256\n"); /* octet 256 */
	expect_mutation_refused("    localport: 31002\n", "    localport: 31000\n"); /* octet 0 */
	expect_mutation_refused("    remoteport: 31001\n", "    remoteport: 31005\n");
	expect_mutation_refused("    remoteport: 31001\n", "    remoteport: 99999\n");
}

static void case_duplicate_peers(void)
{
	const char *peer2 = "  gamma.example.net:\n"
			    "    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw=\n"
			    "    asn: 4200000002\n"
			    "    localport: 31002\n"
			    "    remoteport: 31001\n"
			    "    remote: ''\n";
	char *yaml = malloc(strlen(alpha_yaml) + strlen(peer2) + 256);

	/* Same key and same octet as beta. */
	strcpy(yaml, alpha_yaml);
	strcat(yaml, peer2);
	expect_deploy_yaml_refused(yaml);
	/* Same key as beta, its own octet. */
	strcpy(yaml, alpha_yaml);
	strcat(yaml, "  gamma.example.net:\n"
		     "    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw=\n"
		     "    asn: 4200000002\n    localport: 31003\n    remoteport: 31001\n");
	expect_deploy_yaml_refused(yaml);
	/* Beta again in capitals, its own octet and key. */
	strcpy(yaml, alpha_yaml);
	strcat(yaml, "  BETA.example.net:\n"
		     "    key: Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y=\n"
		     "    asn: 4200000002\n    localport: 31003\n    remoteport: 31001\n");
	expect_deploy_yaml_refused(yaml);
	/* Same host name twice. */
	strcpy(yaml, alpha_yaml);
	strcat(yaml, "  beta.example.net:\n    key: x\n");
	expect_deploy_yaml_refused(yaml);
	free(yaml);
}

static void case_bad_key_text(void)
{
	struct wgm_key k;

	expect_mutation_refused("    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw=\n",
				"    key: not-a-key\n");
	expect_mutation_refused("    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw=\n",
				"    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aym=\n");
	expect_mutation_refused("    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw=\n",
				"    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw==\n");
	expect_mutation_refused("    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw=\n",
				"    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Ay!w=\n");
	expect_mutation_refused("    key: oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw=\n",
				"    key: ''\n");
	CHECK(wgm_key_from_b64(&k, "oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymw") < 0);
	CHECK(wgm_key_from_b64(&k, "oe2p-sSbMcBe1l_dJlfM1IrMvlRFaqbwcjLmSH/Aymw=") < 0);
	CHECK(wgm_key_from_b64(&k, "oe2p+sSbMcBe1l/dJlfM1IrMvlRFaqbwcjLmSH/Aymx=") < 0);
	CHECK(wgm_key_from_b64(&k, "") < 0);
}

static void case_bad_site_record(void)
{
	static const char *const docs[] = {
		"locus: lab\n",
		"locus: lab\npublickey: short\n",
		"locus: ''\npublickey: Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y=\n",
		"locus: ../x\npublickey: Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y=\n",
		"locus: [lab]\npublickey: Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y=\n",
		"locus: &l lab\npublickey: Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y=\n",
		"not yaml: [\n",
	};
	struct wgm_site_record r;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char err[256] = "";

		CHECK_FAILS_NAMING(wgm_site_record_decode((const uint8_t *)docs[i], strlen(docs[i]), &r,
						     err, sizeof(err)), 0, err, "");
	}
}

/* A registration whose inner YAML we forge with the fixture's host key. */
static void expect_registration_refused(const char *outer_yaml)
{
	struct wgm_buf msg = { 0 };
	struct wgm_registration r;
	char err[256] = "";

	CHECK_INTEQ(wgm_b64_encode((const uint8_t *)outer_yaml, strlen(outer_yaml), false, &msg), 0);
	CHECK_FAILS_NAMING(wgm_registration_decode((const char *)msg.p, &site_sk, &r, err, sizeof(err)), 0, err, "");
	wgm_buf_free(&msg);
}

static void case_bad_registration(void)
{
	struct wgm_registration r;
	char err[256] = "";

	expect_registration_refused("public_key: oIwRpzTI6xcTzOpfnJINaF/zp7iE7to8CGmXb9EAbhQ=\n"
				    "message: plain text\n");
	expect_registration_refused("public_key: oIwRpzTI6xcTzOpfnJINaF/zp7iE7to8CGmXb9EAbhQ=\n");
	expect_registration_refused("message: !!binary |\n  QUJD\n");
	expect_registration_refused("public_key: oIwRpzTI6xcTzOpfnJINaF/zp7iE7to8CGmXb9EAbhQ=\n"
				    "message: !!binary |\n  QUJD\n");
	expect_registration_refused("- a list\n");
	CHECK_FAILS_NAMING(wgm_registration_decode("", &site_sk, &r, err, sizeof(err)), 0, err, "");
	err[0] = 0;
	CHECK_FAILS_NAMING(wgm_registration_decode("not base64 at all!", &site_sk, &r, err, sizeof(err)), 0, err, "");
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "garbled_base64", case_garbled_base64 },
	{ "truncated_base64", case_truncated_base64 },
	{ "wrong_key", case_wrong_key },
	{ "chunk_gap", case_chunk_gap },
	{ "chunk_duplicate", case_chunk_duplicate },
	{ "chunk_index", case_chunk_index },
	{ "oversized_count", case_oversized_count },
	{ "oversized_bytes", case_oversized_bytes },
	{ "non_yaml", case_non_yaml },
	{ "yaml_anchors", case_yaml_anchors },
	{ "wrong_types", case_wrong_types },
	{ "octet_range", case_octet_range },
	{ "port_range", case_port_range },
	{ "duplicate_peers", case_duplicate_peers },
	{ "bad_key_text", case_bad_key_text },
	{ "bad_site_record", case_bad_site_record },
	{ "bad_registration", case_bad_registration },
};

static void load_fixture(void)
{
	struct wgm_buf payload = { 0 }, plain = { 0 };
	char err[256] = "";

	fixture_key(dir, "site/site.key", &site_sk);
	if (wgm_key_public(&site_sk, &site_pk))
		exit(1);
	fixture_key(dir, "hosts/alpha.example.net/etc-wireguard/lab_priv", &alpha_sk);
	fixture_key(dir, "hosts/alpha.example.net/etc-wireguard/lab_pub", &alpha_pk);
	fixture_key(dir, "hosts/beta.example.net/etc-wireguard/lab_priv", &beta_sk);
	fixture_record(dir, "records/" ALPHA_UUID ".wg.example.com.txt", &alpha_lines);
	if (txt_decode(&alpha_lines, &payload, err, sizeof(err)) ||
	    wgm_box_open(payload.p, payload.len, &alpha_sk, &site_pk, &plain, err, sizeof(err))) {
		fprintf(stderr, "fixture record: %s\n", err);
		exit(1);
	}
	alpha_yaml = strdup((const char *)plain.p);
	wgm_buf_free(&payload);
	wgm_buf_free(&plain);
}

int main(int argc, char **argv)
{
	const char *only = argc > 2 ? argv[2] : NULL;
	bool ran = false;

	dir = fixture_dir(argc, argv);
	if (sodium_init() < 0)
		return 1;
	load_fixture();
	/* The unbroken fixture passes: every refusal below is down to its one change. */
	{
		static struct wgm_deploy_record r;
		char err[256] = "";

		CHECK_INTEQ(wgm_deploy_yaml_decode((const uint8_t *)alpha_yaml, strlen(alpha_yaml), &r,
						   err, sizeof(err)), 0);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (only && strcmp(only, cases[i].name))
			continue;
		fprintf(stderr, "case %s\n", cases[i].name);
		cases[i].run();
		ran = true;
	}
	CHECK(ran);
	wgm_strv_free(&alpha_lines);
	free(alpha_yaml);
	return check_exit();
}
