/* Unit tests for select: --match and --exclude with PCRE2. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "select.h"

static int
wants(struct select *s, const char *msg)
{
	return select_wants(s, msg, strlen(msg));
}

static void
add(struct select *s, int exclude, const char *re)
{
	char err[128];
	long at;

	assert_int_equal(select_add(s, exclude, re, err, sizeof(err), &at), 0);
}

static void
test_select_empty_takes_all(void **unused)
{
	struct select *s = select_new();

	(void)unused;
	assert_non_null(s);
	assert_int_equal(select_is_empty(s), 1);
	assert_int_equal(wants(s, "anything"), 1);
	assert_int_equal(wants(s, ""), 1);
	select_free(s);
}

static void
test_select_match_any_of_several(void **unused)
{
	struct select *s = select_new();

	(void)unused;
	add(s, 0, "^Failed \\S+ login from ");
	add(s, 0, "unknown recipient");
	assert_int_equal(select_is_empty(s), 0);
	assert_int_equal(wants(s, "Failed IMAP login from 1.2.3.4, x"), 1);
	assert_int_equal(wants(s, "Attempt to deliver to unknown recipient"),
	    1);
	assert_int_equal(wants(s, "Found virus in mail from <a> to <b>: X"), 0);
	/* Anchored: the words later in the message do not count. */
	assert_int_equal(wants(s, "User Failed IMAP login from 1.2.3.4"), 0);
	select_free(s);
}

static void
test_select_exclude_wins(void **unused)
{
	struct select *s = select_new();

	(void)unused;
	add(s, 0, "login");
	add(s, 1, "192\\.168\\.");
	add(s, 1, "^Found virus");
	assert_int_equal(wants(s, "Failed SMTP login from 10.0.0.1"), 1);
	assert_int_equal(wants(s, "Failed SMTP login from 192.168.1.1"), 0);
	select_free(s);
	s = select_new();
	add(s, 1, "^Found virus");
	assert_int_equal(wants(s, "Found virus in mail"), 0);
	assert_int_equal(wants(s, "Relay attempt"), 1);
	select_free(s);
}

static void
test_select_bad_pattern_reports_offset(void **unused)
{
	struct select *s = select_new();
	char err[128] = "";
	long at = -2;

	(void)unused;
	assert_int_equal(select_add(s, 0, "ab(c", err, sizeof(err), &at), -1);
	assert_int_equal(at, 4);
	assert_non_null(strstr(err, "missing closing parenthesis"));
	assert_int_equal(select_add(s, 1, "a[z-a]", err, sizeof(err), &at), -1);
	assert_int_equal(at, 4);
	assert_int_equal(select_is_empty(s), 1);
	select_free(s);
}

/* Bytes that are not UTF-8 neither fail a match nor hide an entry. */
static void
test_select_works_on_bytes(void **unused)
{
	struct select *s = select_new();
	const char msg[] =
	    "User \xff\xfe doesn't exist. Attempt from IP address"
	    " 1.2.3.4.";

	(void)unused;
	add(s, 0, "Attempt from IP address [0-9.]+\\.$");
	assert_int_equal(select_wants(s, msg, sizeof(msg) - 1), 1);
	/* Counted bytes: a NUL inside the message is just a byte. */
	assert_int_equal(select_wants(s, "x\0Attempt from IP address 1.2.3.4.",
	                     34),
	    1);
	select_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_select_empty_takes_all),
	    cmocka_unit_test(test_select_match_any_of_several),
	    cmocka_unit_test(test_select_exclude_wins),
	    cmocka_unit_test(test_select_bad_pattern_reports_offset),
	    cmocka_unit_test(test_select_works_on_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
