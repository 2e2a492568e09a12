/* Base64 and the chunked TXT codec: Python's encodebytes layout, strict decoding, and 1.0's way
 * of reading an RRset (any order, strings split on spaces). */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "check.h"
#include "fixture.h"
#include "records.h"
#include "txtchunk.h"

static const char *dir;

static void test_b64_vectors(void)
{
	/* RFC 4648 section 10 */
	static const char *const vec[][2] = {
		{ "", "" },	    { "f", "Zg==" },	     { "fo", "Zm8=" },	     { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		struct wgm_buf enc = { 0 }, dec = { 0 };

		CHECK_INTEQ(wgm_b64_encode((const uint8_t *)vec[i][0], strlen(vec[i][0]), false, &enc), 0);
		CHECK_STREQ(enc.p ? (char *)enc.p : "", vec[i][1]);
		CHECK_INTEQ(wgm_b64_decode(vec[i][1], strlen(vec[i][1]), false, 64, &dec), 0);
		CHECK_INTEQ(dec.len, strlen(vec[i][0]));
		CHECK(!dec.len || !memcmp(dec.p, vec[i][0], dec.len));
		wgm_buf_free(&enc);
		wgm_buf_free(&dec);
	}
}

/* encodebytes: 76-char lines (57 input bytes each), each ending in '\n', nothing for "". */
static void test_b64_wrapped(void)
{
	static const size_t sizes[] = { 0, 1, 56, 57, 58, 113, 114, 115, 1000 };
	uint8_t data[1000];

	randombytes_buf(data, sizeof(data));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct wgm_buf wrapped = { 0 }, flat = { 0 }, dec = { 0 };
		size_t n = sizes[i], lines = (n + 56) / 57, pos = 0;

		CHECK_INTEQ(wgm_b64_encode(data, n, true, &wrapped), 0);
		CHECK_INTEQ(wgm_b64_encode(data, n, false, &flat), 0);
		CHECK_INTEQ(wrapped.len, flat.len + lines);
		for (size_t l = 0; l < lines; l++) {
			size_t len = strcspn((char *)wrapped.p + pos, "\n");

			CHECK(len == WGM_B64_LINE || l == lines - 1);
			CHECK(wrapped.p[pos + len] == '\n');
			CHECK(!memcmp(wrapped.p + pos, flat.p + l * WGM_B64_LINE, len));
			pos += len + 1;
		}
		CHECK_INTEQ(pos, wrapped.len);
		CHECK(wgm_b64_decode((char *)wrapped.p, wrapped.len, false, 2000, &dec) < 0 || n == 0);
		wgm_buf_reset(&dec);
		CHECK_INTEQ(wgm_b64_decode((char *)wrapped.p, wrapped.len, true, 2000, &dec), 0);
		CHECK(dec.len == n && (!n || !memcmp(dec.p, data, n)));
		wgm_buf_free(&wrapped);
		wgm_buf_free(&flat);
		wgm_buf_free(&dec);
	}
}

static void test_b64_strict(void)
{
	static const char *const bad[] = {
		"Zg", "Zg=", "Zm9", "Z===", "Zm9v!", "Zm9v Yg==", "Zg==Zg==", "Zm8=x", "Zm\x01v",
		"Zh==", /* leftover bits set: not what an encoder writes */
	};
	struct wgm_buf out = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(wgm_b64_decode(bad[i], strlen(bad[i]), false, 64, &out) == -EINVAL);
		CHECK_INTEQ(out.len, 0);
	}
	/* The cap: 6 bytes fit in 6, not in 5. */
	CHECK_INTEQ(wgm_b64_decode("Zm9vYmFy", 8, false, 6, &out), 0);
	wgm_buf_reset(&out);
	CHECK(wgm_b64_decode("Zm9vYmFy", 8, false, 5, &out) == -EFBIG);
	wgm_buf_free(&out);
}

static void test_txt_round_trip(void)
{
	static const size_t sizes[] = { 1, 56, 57, 58, 500, 4096, 40000 };
	uint8_t *data = malloc(40000);

	randombytes_buf(data, 40000);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct wgm_strv sv = { 0 }, joined = { 0 };
		struct wgm_buf out = { 0 }, rr = { 0 };
		char err[256] = "";
		size_t n = sizes[i];

		CHECK_INTEQ(wgm_txt_encode(data, n, &sv), 0);
		CHECK_INTEQ(sv.n, (n + 56) / 57);
		for (size_t l = 0; l < sv.n; l++) {
			char prefix[32];

			snprintf(prefix, sizeof(prefix), "%zu:", l);
			CHECK(!strncmp(sv.v[l], prefix, strlen(prefix)));
		}
		/* Shuffled, as DNS returns an RRset. */
		for (size_t l = sv.n; l > 1; l--) {
			size_t j = randombytes_uniform((uint32_t)l);
			char *t = sv.v[l - 1];

			sv.v[l - 1] = sv.v[j];
			sv.v[j] = t;
		}
		CHECK_INTEQ(wgm_txt_decode((const char *const *)sv.v, sv.n, &out, err, sizeof(err)), 0);
		CHECK(out.len == n && !memcmp(out.p, data, n));
		/* Several parts in one string, separated by runs of spaces, as 1.0's reader splits. */
		for (size_t l = 0; l < sv.n; l++) {
			wgm_buf_appendf(&rr, "  %s ", sv.v[l]);
			if (l % 3 == 2 || l == sv.n - 1) {
				wgm_strv_push(&joined, (char *)rr.p);
				wgm_buf_reset(&rr);
			}
		}
		wgm_buf_reset(&out);
		CHECK_INTEQ(wgm_txt_decode((const char *const *)joined.v, joined.n, &out, err,
					   sizeof(err)), 0);
		CHECK(out.len == n && !memcmp(out.p, data, n));
		wgm_strv_free(&sv);
		wgm_strv_free(&joined);
		wgm_buf_free(&out);
		wgm_buf_free(&rr);
	}
	free(data);
}

/* Wide lines (used when 1.0's 76-char lines would not fit in one DNS message): every string
 * fits a TXT character-string, the line count drops accordingly, and the reader gets the same
 * payload back. */
static void test_txt_wide(void)
{
	const size_t n = 45000;
	uint8_t *data = malloc(n);
	struct wgm_strv narrow = { 0 }, wide = { 0 };
	struct wgm_buf out = { 0 };
	char err[256] = "";

	CHECK(data != NULL);
	if (!data)
		return;
	randombytes_buf(data, n);
	CHECK_INTEQ(wgm_txt_encode(data, n, &narrow), 0);
	CHECK_INTEQ(wgm_txt_encode_width(data, n, WGM_TXT_WIDE, &wide), 0);
	CHECK_INTEQ(wide.n, ((n + 2) / 3 * 4 + WGM_TXT_WIDE - 1) / WGM_TXT_WIDE);
	CHECK(wide.n * 3 <= narrow.n + 3);
	for (size_t l = 0; l < wide.n; l++)
		CHECK(strlen(wide.v[l]) <= 255);
	CHECK_INTEQ(wgm_txt_decode((const char *const *)wide.v, wide.n, &out, err, sizeof(err)), 0);
	CHECK(out.len == n && !memcmp(out.p, data, n));
	CHECK_INTEQ(wgm_txt_encode_width(data, n, 250, &wide), -EINVAL);
	CHECK_INTEQ(wgm_txt_encode_width(data, n, 252, &wide), -EINVAL);
	wgm_strv_free(&narrow);
	wgm_strv_free(&wide);
	wgm_buf_free(&out);
	free(data);
}

/* 1.0's reader joins unindexed parts as they come; so do we. */
static void test_txt_unindexed(void)
{
	const char *parts[] = { "Zm9v", "YmFy" };
	struct wgm_buf out = { 0 };
	char err[256] = "";

	CHECK_INTEQ(wgm_txt_decode(parts, 2, &out, err, sizeof(err)), 0);
	CHECK_STREQ((char *)out.p, "foobar");
	wgm_buf_free(&out);
}

/* The fixture's site record: our lines equal 1.0's lines. */
static void test_txt_fixture(void)
{
	struct wgm_strv lines = { 0 }, ours = { 0 };
	struct wgm_buf payload = { 0 };
	char err[256] = "";

	fixture_record(dir, "records/wg.example.com.txt", &lines);
	CHECK_INTEQ(wgm_txt_decode((const char *const *)lines.v, lines.n, &payload, err,
				   sizeof(err)), 0);
	CHECK_INTEQ(wgm_txt_encode(payload.p, payload.len, &ours), 0);
	CHECK_INTEQ(ours.n, lines.n);
	for (size_t i = 0; i < lines.n && i < ours.n; i++)
		CHECK_STREQ(ours.v[i], lines.v[i]);
	wgm_strv_free(&lines);
	wgm_strv_free(&ours);
	wgm_buf_free(&payload);
}

int main(int argc, char **argv)
{
	dir = fixture_dir(argc, argv);
	if (sodium_init() < 0)
		return 1;
	test_b64_vectors();
	test_b64_wrapped();
	test_b64_strict();
	test_txt_round_trip();
	test_txt_wide();
	test_txt_unindexed();
	test_txt_fixture();
	return check_exit();
}
