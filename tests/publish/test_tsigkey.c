/* The TSIG key file parser: every accepted form, and each kind of bad input rejected with one
 * line that never contains the secret. */
#include <string.h>

#include "check.h"
#include "tsigkey.h"

#define SECRET "g33JssqEzW0qaiDqKxo3a1y4OfrYdUvko3Sf+FnDYhM="

static int parse(const char *text, struct wgm_tsig_key *key, char *err, size_t errlen)
{
	err[0] = 0;
	return wgm_tsig_key_parse(text, strlen(text), key, err, errlen);
}

static void expect_key(const char *text, const char *name, const char *alg)
{
	struct wgm_tsig_key key;
	char err[512];

	CHECK_INTEQ(parse(text, &key, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "  input: %s\n  error: %s\n", text, err);
	CHECK_STREQ(key.name, name);
	CHECK_STREQ(key.algorithm, alg);
	CHECK_STREQ(key.secret, SECRET);
	wgm_tsig_key_wipe(&key);
}

static void expect_error(const char *text, const char *needle)
{
	struct wgm_tsig_key key;
	char err[512];

	CHECK_FAILS_NAMING(parse(text, &key, err, sizeof(err)), 0, err, needle);
	CHECK(strstr(err, SECRET) == NULL);
	CHECK_STREQ(key.secret, "");
}

int main(void)
{
	/* BIND's tsig-keygen output, with comments and odd spacing. */
	expect_key("key \"wgmesh-update\" {\n\talgorithm hmac-sha256;\n\tsecret \"" SECRET "\";\n};\n",
		   "wgmesh-update.", "hmac-sha256.");
	expect_key("# site key\nkey wgpub.example.com. { secret \"" SECRET "\"; /* c */ algorithm HMAC-SHA512; };",
		   "wgpub.example.com.", "hmac-sha512.");
	/* Knot's keymgr -t output: both its comment line and the YAML work. */
	expect_key("# hmac-sha1:k1:" SECRET "\nkey:\n  - id: k1\n    algorithm: hmac-sha1\n    secret: " SECRET "\n",
		   "k1.", "hmac-sha1.");
	expect_key("key:\n  - id: k2\n    algorithm: hmac-md5\n    secret: " SECRET "\n",
		   "k2.", "hmac-md5.sig-alg.reg.int.");
	/* kdig -y form. */
	expect_key("hmac-sha256:update-key:" SECRET "\n", "update-key.", "hmac-sha256.");
	expect_key("  hmac-sha256:update-key:" SECRET, "update-key.", "hmac-sha256.");

	expect_error("", "no TSIG key found");
	expect_error("hello world\n", "no TSIG key found");
	expect_error("hmac-sha384:k:" SECRET, "hmac-sha384");
	expect_error("hmac-sha256:k:not*base64", "not valid base64");
	expect_error("hmac-sha256:bad/name:" SECRET, "bad/name");
	expect_error("key \"k\" { algorithm hmac-sha256; };", "without secret");
	expect_error("key \"k\" { secret \"" SECRET "\"; };", "without algorithm");
	expect_error("key \"k\" { algorithm hmac-sha256; secret \"" SECRET "\" };", "malformed key clause");
	expect_error("key \"k\" { algorithm hmac-sha256; secret \"" SECRET "\"; owner x; };", "unknown statement \"owner\"");
	expect_error("key \"k { algorithm hmac-sha256; };", "malformed key clause");
	return check_exit();
}
