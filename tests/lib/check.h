/* Minimal assertions for the C tests: every failure prints file:line and the expression, the
 * test keeps going, and main returns check_exit() (0 pass, 1 fail). */
#ifndef WGM_CHECK_H
#define WGM_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(expr)                                                                          \
	do {                                                                                     \
		check_count++;                                                                       \
		if (!(expr)) {                                                                       \
			check_failures++;                                                                \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr);      \
		}                                                                                    \
	} while (0)

#define CHECK_STREQ(a, b)                                                                    \
	do {                                                                                     \
		const char *check_a_ = (a), *check_b_ = (b);                                         \
		check_count++;                                                                       \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) {                          \
			check_failures++;                                                                \
			fprintf(stderr, "%s:%d: CHECK_STREQ failed: %s\n  got:      \"%s\"\n  expected: \"%s\"\n", \
				__FILE__, __LINE__, #a, check_a_ ? check_a_ : "(null)",                       \
				check_b_ ? check_b_ : "(null)");                                              \
		}                                                                                    \
	} while (0)

#define CHECK_INTEQ(a, b)                                                                    \
	do {                                                                                     \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                      \
		check_count++;                                                                       \
		if (check_a_ != check_b_) {                                                          \
			check_failures++;                                                                \
			fprintf(stderr, "%s:%d: CHECK_INTEQ failed: %s == %lld, expected %lld\n",     \
				__FILE__, __LINE__, #a, check_a_, check_b_);                                  \
		}                                                                                    \
	} while (0)

/* The project's rule for refusals: a non-empty, one-line message that quotes the bad value. */
#define CHECK_ERROR_NAMES(err, needle)                                                       \
	do {                                                                                     \
		const char *check_e_ = (err), *check_n_ = (needle);                                  \
		check_count++;                                                                       \
		if (!check_e_[0] || strchr(check_e_, '\n') || !strstr(check_e_, check_n_)) {        \
			check_failures++;                                                                \
			fprintf(stderr, "%s:%d: error \"%s\" is not one line naming \"%s\"\n",        \
				__FILE__, __LINE__, check_e_, check_n_);                                      \
		}                                                                                    \
	} while (0)

static inline int check_exit(void)
{
	fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
