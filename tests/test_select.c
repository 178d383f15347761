/* Unit tests for select: --match and --exclude with PCRE2. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "select.h"

/*
 * One case: a select of the patterns match (--match) and exclude
 * (--exclude), asked about the first len bytes of msg (all of it if len
 * is 0); want is whether it takes the entry.
 */
struct select_case {
	const char *match[3];
	const char *exclude[3];
	const char *msg;
	size_t len;
	int want;
};

static const struct select_case select_cases[] = {
    /* No pattern: every message is taken. */
    {.msg = "anything", .want = 1},
    {.msg = "", .want = 1},
    /* --match: any of several. */
    {.match = {"^Failed \\S+ login from ", "unknown recipient"},
        .msg = "Failed IMAP login from 1.2.3.4, x",
        .want = 1},
    {.match = {"^Failed \\S+ login from ", "unknown recipient"},
        .msg = "Attempt to deliver to unknown recipient",
        .want = 1},
    {.match = {"^Failed \\S+ login from ", "unknown recipient"},
        .msg = "Found virus in mail from <a> to <b>: X",
        .want = 0},
    /* Anchored: the words later in the message do not count. */
    {.match = {"^Failed \\S+ login from ", "unknown recipient"},
        .msg = "User Failed IMAP login from 1.2.3.4",
        .want = 0},
    /* --exclude wins over --match. */
    {.match = {"login"},
        .exclude = {"192\\.168\\.", "^Found virus"},
        .msg = "Failed SMTP login from 10.0.0.1",
        .want = 1},
    {.match = {"login"},
        .exclude = {"192\\.168\\.", "^Found virus"},
        .msg = "Failed SMTP login from 192.168.1.1",
        .want = 0},
    /* --exclude alone takes all it does not exclude. */
    {.exclude = {"^Found virus"}, .msg = "Found virus in mail", .want = 0},
    {.exclude = {"^Found virus"}, .msg = "Relay attempt", .want = 1},
    /* Bytes that are not UTF-8 neither fail a match nor hide an entry. */
    {.match = {"Attempt from IP address [0-9.]+\\.$"},
        .msg = "User \xff\xfe doesn't exist. Attempt from IP address"
               " 1.2.3.4.",
        .want = 1},
    /* Counted bytes: a NUL inside the message is just a byte. */
    {.match = {"Attempt from IP address [0-9.]+\\.$"},
        .msg = "x\0Attempt from IP address 1.2.3.4.",
        .len = 34,
        .want = 1},
};

static void
add(struct select *s, int exclude, const char *re)
{
	char err[128];
	long at;

	assert_int_equal(select_add(s, exclude, re, err, sizeof(err), &at), 0);
}

static void
test_select_wants_table(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(select_cases) / sizeof(select_cases[0]);
	     i++) {
		const struct select_case *c = &select_cases[i];
		struct select *s = select_new();
		size_t len = c->len != 0 ? c->len : strlen(c->msg);
		int none = 1;

		assert_non_null(s);
		for (size_t k = 0; k < 3 && c->match[k] != NULL; k++, none = 0)
			add(s, 0, c->match[k]);
		for (size_t k = 0; k < 3 && c->exclude[k] != NULL;
		     k++, none = 0)
			add(s, 1, c->exclude[k]);
		assert_int_equal(select_is_empty(s), none);
		if (select_wants(s, c->msg, len) != c->want)
			fail_msg("case %zu, '%.*s': wants %d, want %d", i,
			    (int)len, c->msg, !c->want, c->want);
		select_free(s);
	}
}

/* A pattern PCRE2 refuses: not added, the offset and reason told. */
static void
test_select_bad_pattern_table(void **unused)
{
	static const struct {
		int exclude;
		const char *re;
		long at;
		const char *why; /* part of the message; NULL: not checked */
	} t[] = {
	    {.re = "ab(c", .at = 4, .why = "missing closing parenthesis"},
	    {.exclude = 1, .re = "a[z-a]", .at = 4},
	};
	struct select *s = select_new();

	(void)unused;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char err[128] = "";
		long at = -2;

		assert_int_equal(select_add(s, t[i].exclude, t[i].re, err,
		                     sizeof(err), &at),
		    -1);
		assert_int_equal(at, t[i].at);
		if (t[i].why != NULL)
			assert_non_null(strstr(err, t[i].why));
	}
	assert_int_equal(select_is_empty(s), 1);
	select_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_select_wants_table),
	    cmocka_unit_test(test_select_bad_pattern_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
