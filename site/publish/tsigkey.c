/* TSIG key files: BIND/Knot key clause, Knot's keymgr YAML, or ALG:NAME:SECRET. */
#include "tsigkey.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>

#include "atomicfile.h"
#include "log.h"

#define KEYFILE_MAX (64 * 1024)
#define KEY_HINT "expected `key \"NAME\" { algorithm hmac-sha256; secret \"BASE64\"; };` or ALG:NAME:SECRET"

/* The algorithms ldns can sign with, in the spelling its signer compares against. */
static const struct {
	const char *name;
	const char *ldns;
} algorithms[] = {
	{ "hmac-md5", "hmac-md5.sig-alg.reg.int." },
	{ "hmac-md5.sig-alg.reg.int", "hmac-md5.sig-alg.reg.int." },
	{ "hmac-sha1", "hmac-sha1." },
	{ "hmac-sha256", "hmac-sha256." },
	{ "hmac-sha512", "hmac-sha512." },
};

static int set_name(struct wgm_tsig_key *key, const char *name, size_t len, char *err,
		    size_t errlen)
{
	size_t i;

	if (len && name[len - 1] == '.')
		len--;
	if (!len || len > 253) {
		snprintf(err, errlen, "TSIG key name of %zu characters: give a DNS name (1-253)", len);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.') {
			snprintf(err, errlen, "TSIG key name \"%.*s\" has character '%c': use a DNS name",
				 (int)len, name, c);
			return -EINVAL;
		}
	}
	memcpy(key->name, name, len);
	key->name[len] = '.';
	key->name[len + 1] = 0;
	return 0;
}

static int set_algorithm(struct wgm_tsig_key *key, const char *alg, size_t len, char *err,
			 size_t errlen)
{
	size_t i;

	if (len && alg[len - 1] == '.')
		len--;
	for (i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++) {
		if (strlen(algorithms[i].name) == len && !strncasecmp(algorithms[i].name, alg, len)) {
			snprintf(key->algorithm, sizeof(key->algorithm), "%s", algorithms[i].ldns);
			return 0;
		}
	}
	snprintf(err, errlen,
		 "TSIG algorithm \"%.*s\" is not supported: use hmac-sha256, hmac-sha512, hmac-sha1 or hmac-md5",
		 (int)(len > 64 ? 64 : len), alg);
	return -EINVAL;
}

static int set_secret(struct wgm_tsig_key *key, const char *secret, size_t len, char *err,
		      size_t errlen)
{
	unsigned char raw[150];
	size_t rawlen = 0;
	int rc;

	if (len >= sizeof(key->secret)) {
		snprintf(err, errlen, "TSIG secret of %zu characters is too long (at most %zu)", len,
			 sizeof(key->secret) - 1);
		return -EINVAL;
	}
	rc = sodium_base642bin(raw, sizeof(raw), secret, len, NULL, &rawlen, NULL,
			       sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(raw, sizeof(raw));
	if (rc || !rawlen) {
		snprintf(err, errlen, "TSIG secret is not valid base64: copy it from the server's key");
		return -EINVAL;
	}
	memcpy(key->secret, secret, len);
	key->secret[len] = 0;
	return 0;
}

static int set_all(struct wgm_tsig_key *key, const char *name, size_t nlen, const char *alg,
		   size_t alen, const char *secret, size_t slen, char *err, size_t errlen)
{
	int ret = set_name(key, name, nlen, err, errlen);

	if (!ret)
		ret = set_algorithm(key, alg, alen, err, errlen);
	if (!ret)
		ret = set_secret(key, secret, slen, err, errlen);
	return ret;
}

/* ---- BIND / Knot key clause ---- */

enum token { TOK_END, TOK_WORD, TOK_STRING, TOK_LBRACE, TOK_RBRACE, TOK_SEMI, TOK_BAD };

struct lexer {
	const char *p, *end;
	const char *tok;
	size_t toklen;
};

static void skip_space_and_comments(struct lexer *lx)
{
	while (lx->p < lx->end) {
		if (isspace((unsigned char)*lx->p)) {
			lx->p++;
		} else if (*lx->p == '#' || (*lx->p == '/' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (*lx->p == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
			const char *close = memmem(lx->p + 2, (size_t)(lx->end - lx->p - 2), "*/", 2);

			lx->p = close ? close + 2 : lx->end;
		} else {
			return;
		}
	}
}

static enum token next_token(struct lexer *lx)
{
	skip_space_and_comments(lx);
	lx->tok = lx->p;
	lx->toklen = 0;
	if (lx->p >= lx->end)
		return TOK_END;
	switch (*lx->p) {
	case '{':
		lx->p++;
		return TOK_LBRACE;
	case '}':
		lx->p++;
		return TOK_RBRACE;
	case ';':
		lx->p++;
		return TOK_SEMI;
	case '"': {
		const char *q = ++lx->p;

		while (q < lx->end && *q != '"' && *q != '\n')
			q++;
		if (q >= lx->end || *q != '"')
			return TOK_BAD;
		lx->tok = lx->p;
		lx->toklen = (size_t)(q - lx->p);
		lx->p = q + 1;
		return TOK_STRING;
	}
	default:
		while (lx->p < lx->end && !isspace((unsigned char)*lx->p) && !strchr("{};\"", *lx->p))
			lx->p++;
		lx->toklen = (size_t)(lx->p - lx->tok);
		return TOK_WORD;
	}
}

static bool token_is(const struct lexer *lx, enum token t, const char *word)
{
	return t == TOK_WORD && lx->toklen == strlen(word) && !strncasecmp(lx->tok, word, lx->toklen);
}

static int parse_key_clause(struct lexer *lx, struct wgm_tsig_key *key, char *err, size_t errlen)
{
	const char *name, *alg = NULL, *secret = NULL;
	size_t nlen, alen = 0, slen = 0;
	enum token t;

	t = next_token(lx);
	if (t != TOK_STRING && t != TOK_WORD)
		goto syntax;
	name = lx->tok;
	nlen = lx->toklen;
	if (next_token(lx) != TOK_LBRACE)
		goto syntax;
	for (;;) {
		t = next_token(lx);
		if (t == TOK_RBRACE)
			break;
		if (token_is(lx, t, "algorithm")) {
			t = next_token(lx);
			if (t != TOK_WORD && t != TOK_STRING)
				goto syntax;
			alg = lx->tok;
			alen = lx->toklen;
		} else if (token_is(lx, t, "secret")) {
			t = next_token(lx);
			if (t != TOK_WORD && t != TOK_STRING)
				goto syntax;
			secret = lx->tok;
			slen = lx->toklen;
		} else if (t == TOK_WORD) {
			snprintf(err, errlen, "unknown statement \"%.*s\" in key clause: %s",
				 (int)(lx->toklen > 40 ? 40 : lx->toklen), lx->tok, KEY_HINT);
			return -EINVAL;
		} else {
			goto syntax;
		}
		if (next_token(lx) != TOK_SEMI)
			goto syntax;
	}
	if (!alg || !secret) {
		snprintf(err, errlen, "key clause without %s: %s", alg ? "secret" : "algorithm", KEY_HINT);
		return -EINVAL;
	}
	return set_all(key, name, nlen, alg, alen, secret, slen, err, errlen);
syntax:
	snprintf(err, errlen, "malformed key clause: %s", KEY_HINT);
	return -EINVAL;
}

/* ---- line forms: keymgr YAML and ALG:NAME:SECRET ---- */

static const char *trim(const char *s, const char *end, const char **tail)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*tail = end;
	return s;
}

static bool take_field(const char *s, const char *e, const char *field, const char **v,
		       size_t *vlen)
{
	size_t n = strlen(field);

	if ((size_t)(e - s) < n || strncmp(s, field, n))
		return false;
	s = trim(s + n, e, &e);
	if (e - s >= 2 && *s == '"' && e[-1] == '"') {
		s++;
		e--;
	}
	*v = s;
	*vlen = (size_t)(e - s);
	return true;
}

static int parse_lines(const char *text, size_t len, struct wgm_tsig_key *key, char *err,
		       size_t errlen)
{
	const char *p = text, *end = text + len;
	const char *name = NULL, *alg = NULL, *secret = NULL, *triple = NULL, *triple_end = NULL;
	size_t nlen = 0, alen = 0, slen = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *s, *e;

		if (!eol)
			eol = end;
		s = trim(p, eol, &e);
		p = eol + 1;
		if (s < e && *s == '#') {
			s = trim(s + 1, e, &e);
		} else {
			if (s < e && *s == '-')
				s = trim(s + 1, e, &e);
			if (take_field(s, e, "id:", &name, &nlen) ||
			    take_field(s, e, "algorithm:", &alg, &alen) ||
			    take_field(s, e, "secret:", &secret, &slen))
				continue;
		}
		if (!triple && s < e && !memchr(s, ' ', (size_t)(e - s)) &&
		    !memchr(s, '\t', (size_t)(e - s))) {
			const char *c1 = memchr(s, ':', (size_t)(e - s));
			const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(e - c1 - 1)) : NULL;

			if (c2 && !memchr(c2 + 1, ':', (size_t)(e - c2 - 1))) {
				triple = s;
				triple_end = e;
			}
		}
	}
	if (name && alg && secret)
		return set_all(key, name, nlen, alg, alen, secret, slen, err, errlen);
	if (triple) {
		const char *c1 = memchr(triple, ':', (size_t)(triple_end - triple));
		const char *c2 = memchr(c1 + 1, ':', (size_t)(triple_end - c1 - 1));

		return set_all(key, c1 + 1, (size_t)(c2 - c1 - 1), triple, (size_t)(c1 - triple),
			       c2 + 1, (size_t)(triple_end - c2 - 1), err, errlen);
	}
	snprintf(err, errlen, "no TSIG key found: %s", KEY_HINT);
	return -EINVAL;
}

int wgm_tsig_key_parse(const char *text, size_t len, struct wgm_tsig_key *key, char *err,
		       size_t errlen)
{
	struct lexer lx = { .p = text, .end = text + len };
	int ret;

	memset(key, 0, sizeof(*key));
	if (memchr(text, 0, len)) {
		snprintf(err, errlen, "TSIG key file holds a NUL byte: %s", KEY_HINT);
		return -EINVAL;
	}
	/* "key:" (YAML) lexes as one word, so only the clause starts with the bare word "key". */
	if (token_is(&lx, next_token(&lx), "key"))
		ret = parse_key_clause(&lx, key, err, errlen);
	else
		ret = parse_lines(text, len, key, err, errlen);
	if (ret)
		wgm_tsig_key_wipe(key);
	return ret;
}

int wgm_tsig_key_load(const char *path, struct wgm_tsig_key *key, char *err, size_t errlen)
{
	char *text = NULL, inner[200];
	size_t len = 0;
	struct stat st;
	int ret;

	ret = wgm_read_file(path, KEYFILE_MAX, &text, &len);
	if (ret) {
		snprintf(err, errlen, "cannot read TSIG key file %s: %s", path, strerror(-ret));
		return ret;
	}
	if (!stat(path, &st) && (st.st_mode & 077))
		log_warn("TSIG key file %s is readable by others (mode %03o): chmod 600 it", path,
			 (unsigned)(st.st_mode & 0777));
	ret = wgm_tsig_key_parse(text, len, key, inner, sizeof(inner));
	if (ret)
		snprintf(err, errlen, "TSIG key file %s: %s", path, inner);
	sodium_memzero(text, len);
	free(text);
	return ret;
}

void wgm_tsig_key_wipe(struct wgm_tsig_key *key)
{
	sodium_memzero(key, sizeof(*key));
}
