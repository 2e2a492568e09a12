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

/* The project's rule for refusals, the one check of it: ret (a call, or what one returned) is
 * negative, and exactly want unless want is 0; err is a non-empty, one-line message containing
 * needle ("" for any). The message is printed, so a test log shows each refusal as a user would
 * read it. */
#define CHECK_FAILS_NAMING(ret, want, err, needle)                                           \
	check_fails_naming_(__FILE__, __LINE__, #ret, (long long)(ret), (want), (err), (needle))

static inline void check_fails_naming_(const char *file, int line, const char *what, long long ret,
				       long long want, const char *err, const char *needle)
{
	check_count++;
	if (ret >= 0 || (want && ret != want)) {
		check_failures++;
		fprintf(stderr, "%s:%d: %s returned %lld, expected %s%lld (error \"%s\")\n", file, line,
			what, ret, want ? "" : "a failure < 0, not ", want ? want : ret, err);
	} else if (!err[0] || strchr(err, '\n') || !strstr(err, needle)) {
		check_failures++;
		fprintf(stderr, "%s:%d: %s: error \"%s\" is not one line naming \"%s\"\n", file, line,
			what, err, needle);
	} else {
		fprintf(stderr, "  refused (%lld): %s\n", ret, err);
	}
}

static inline int check_exit(void)
{
	fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
